"""seed_demo's case in court enforcement (delivery/demo_execution.py). Part A's mark_delivered is
not installed on this branch: a test-only receiver stands in for it (已决定 → 已送达 when the
decision is served); swap it for part A's action after the merge."""

from __future__ import annotations

import io
from typing import Any

import pytest

from accounts import demo as accounts_demo
from cases.models import Case, CaseState
from delivery import demo_execution
from delivery import enforcement as en
from delivery import execution as ex
from delivery.signals import document_served
from documents.registry import DocTypeCode

pytestmark = pytest.mark.django_db


def _mark_delivered(sender: Any, *, case_id: int, doc_type: str, **kwargs: Any) -> None:
    if doc_type == DocTypeCode.PENALTY_DECISION:
        Case.objects.filter(pk=case_id, state=CaseState.DECIDED).update(state=CaseState.DELIVERED)


@pytest.fixture
def part_a(monkeypatch):
    monkeypatch.setattr(demo_execution, "_delivery_ready", lambda: True)
    document_served.connect(_mark_delivered, dispatch_uid="test_mark_delivered")
    yield
    document_served.disconnect(dispatch_uid="test_mark_delivered")


def test_demo_case_is_in_court_enforcement_and_seeds_once(part_a):
    users = accounts_demo.seed(io.StringIO())
    out = io.StringIO()
    demo_execution.finish(out, users)
    demo_execution.finish(out, users)
    case = Case.objects.get(title=demo_execution.ENFORCEMENT_CASE)
    assert case.state == CaseState.EXECUTING
    status = ex.fine_status_of(case)
    assert status.overdue and status.surcharge > 0
    reminder = en.current_reminder(case)
    assert en.reminder_served_on(reminder) is not None and en.statement_of(reminder).stated
    assert en.window(case).state(status.today) == "before"
    assert "新建演示案件 1 件" in out.getvalue() and "已存在" in out.getvalue()


def test_demo_skips_without_part_a():
    out = io.StringIO()
    demo_execution.finish(out, accounts_demo.seed(io.StringIO()))
    assert "跳过" in out.getvalue() and not Case.objects.filter(title=demo_execution.ENFORCEMENT_CASE).exists()
