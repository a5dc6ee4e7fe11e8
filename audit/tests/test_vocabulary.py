"""Audit actions are a vocabulary declared per app (`<app>/audit_actions.py`): an action no app
declares is refused when it is recorded, so any code path that records one fails its tests;
the timeline and the custody report name actions from the enums (第三条)."""

import types

import pytest
from django.core.exceptions import ImproperlyConfigured

import audit
from audit import vocabulary
from audit.audit_actions import AuditAction as AuditOwn
from audit.models import Entry
from audit.vocabulary import UndeclaredAuditAction, action_label, declared
from avrecords.audit_actions import AuditAction as AVAction
from cases.audit_actions import AuditAction as CaseAction
from cases.models import ApplicationEventKind
from deadlines.audit_actions import AuditAction as DeadlineAction
from documents.audit_actions import AuditAction as DocumentAction
from records.audit_actions import AuditAction as RecordAction

pytestmark = pytest.mark.django_db


def test_an_undeclared_action_is_refused_and_nothing_is_written(officer):
    with pytest.raises(UndeclaredAuditAction, match="case.teleported"):
        audit.record(officer, "case.teleported", actor=officer)
    assert not Entry.objects.exists()


def test_a_declared_action_is_recorded_with_its_enum_member(officer):
    entry = audit.record(officer, AuditOwn.LOGIN, actor=officer)
    assert entry.action == "auth.login"
    assert action_label(entry.action) == "登录"


def test_every_app_that_records_declares_its_actions():
    actions = declared()
    for enum in (AuditOwn, AVAction, CaseAction, DeadlineAction, DocumentAction, RecordAction):
        for member in enum:
            assert actions[member.value] == member.label
    # Computed call sites in cases: "application.<kind>" for every ApplicationEventKind.
    for kind in ApplicationEventKind:
        assert f"application.{kind.value}" in actions
    # The lead's transitions, declared before they are wired (issue 10).
    for name in (
        "submit_for_filing",
        "approve_filing",
        "reject_filing",
        "not_file",
        "accept_application",
        "reject_application",
        "submit_for_review",
        "return_for_investigation",
        "complete_review",
        "decide",
        "mark_delivered",
        "start_execution",
        "conclude",
        "archive",
        "withdraw_registration",
    ):
        assert f"case.{name}" in actions
    assert actions["signoff.signed"] == "签署意见"


def test_labels_are_chinese():
    for action, label in declared().items():
        assert label and not label.isascii(), action


def test_an_action_has_one_owner(monkeypatch):
    # Two apps declaring the same value: the registry refuses to guess whose it is.
    module = types.SimpleNamespace(AuditAction=AuditOwn)
    monkeypatch.setattr(vocabulary.apps, "get_app_configs", lambda: [_config("audit"), _config("copycat")])
    monkeypatch.setattr(vocabulary, "module_has_submodule", lambda package, name: True)
    monkeypatch.setattr(vocabulary, "import_module", lambda path: module)
    with pytest.raises(ImproperlyConfigured, match="declared by both audit and copycat"):
        declared.__wrapped__()


def _config(name: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(name=name, module=types.ModuleType(name))
