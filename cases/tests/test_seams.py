"""The seams the stage apps build on: stage-owned transitions, sign-off rows, one access policy."""

import ast
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import PASSWORD, UserFactory
from cases import policy, services, signoffs, stages
from cases.models import CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from cases.tests.factories import CaseFactory, FilingRecordFactory
from cases.tests.pages import section_html
from cases.tests.test_services import _complete_filing, _ex_officio
from records.services import RecordDenied, preservation_approve, preservation_request, record_create
from review.actions import review_return_for_investigation, review_submit

ROOT = Path(settings.BASE_DIR)
S = CaseState
BEYOND_INVESTIGATION = {S.DECIDED, S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED}


# --- stage-owned transitions ---------------------------------------------------------------------


@pytest.fixture
def no_requirements():
    """Every checklist emptied: only the declared transitions stand between a case and the
    next stage, so a walk through the buttons goes as far as the stage machine allows."""
    from cases.requirements import _registry

    saved = dict(_registry.items)
    _registry.items = {}
    yield
    _registry.items = saved


_ACTION_URL = re.compile(r'(?:action|formaction)="(/cases/\d+/action/[a-z_]+/)"')


@pytest.mark.django_db
def test_case_page_buttons_never_reach_the_later_stages(
    client, no_requirements, officer, officer2, section_chief, reviewer, head, archivist, admin_user
):
    """Every role presses every button the case page offers, over and over: a case under
    investigation reaches review (and, with the checklist emptied, 待决定) and comes back, but
    never 已决定/已送达/已结案/已归档: deciding takes the head's own form (review:decide)."""
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    people = [officer, officer2, section_chief, reviewer, head, archivist, admin_user]
    seen_states = {case.state}
    pressed = set()
    for _ in range(6):
        for user in people:
            client.force_login(user)
            page = client.get(case.get_absolute_url())
            assert page.status_code in (200, 404)
            for url in set(_ACTION_URL.findall(page.content.decode())):
                pressed.add(url.rstrip("/").rsplit("/", 1)[1])
                client.post(url, {"opinion": "按钮测试意见"})
                case.refresh_from_db()
                seen_states.add(case.state)
    assert {"submit_for_review", "return_for_investigation"} <= pressed
    assert S.UNDER_REVIEW in seen_states
    assert not (seen_states & BEYOND_INVESTIGATION)
    # The old transitions past investigation are not reachable by URL either.
    client.force_login(head)
    review_submit(case_id=case.pk, by=officer)
    for name in ("decide", "mark_delivered", "start_execution", "conclude", "archive"):
        for user in people:
            client.force_login(user)
            assert client.post(reverse("cases:action", args=[case.pk, name]), {"opinion": "x"}).status_code == 404
    case.refresh_from_db()
    assert case.state == S.UNDER_REVIEW


def test_every_transition_is_owned_by_one_app_and_run_only_by_it():
    from django.apps import apps

    declared = stages.transitions()
    assert set(declared) == {
        "submit_for_filing",
        "approve_filing",
        "reject_filing",
        "not_file",
        "withdraw_registration",
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
    }
    labels = {c.label for c in apps.get_app_configs()}
    for t in declared.values():
        assert t.owner in labels
        if t.button is not None:
            assert t.button.__module__.split(".")[0] == t.owner, t.name
    # No hand-kept dispatch table any more.
    assert not hasattr(services, "_DISPATCH") and not hasattr(services, "TRANSITIONS")

    # Statically: stages.advance(...) is called, outside cases/stages.py, only with a
    # transition constant declared in the same module.
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or path.name == "stages.py":
            continue
        tree = ast.parse(path.read_text())
        declared_here = {
            t.targets[0].id
            for t in ast.walk(tree)
            if isinstance(t, ast.Assign)
            and isinstance(t.value, ast.Call)
            and getattr(t.value.func, "attr", "") == "declare"
            and isinstance(t.targets[0], ast.Name)
        }
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "advance":
                arg = call.args[1]
                assert isinstance(arg, ast.Name) and arg.id in declared_here, f"{path}: advance({ast.unparse(arg)})"


@pytest.mark.django_db(transaction=True)
def test_advance_refuses_a_caller_of_another_app(officer, officer2):
    from django.db import transaction

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    with pytest.raises(RuntimeError, match="belongs to review"), transaction.atomic():
        stages.advance(stages.lock(case.pk), "submit_for_review", by=officer)  # called from a test module
    with pytest.raises(RuntimeError, match="belongs to delivery"), transaction.atomic():
        stages.advance(stages.lock(case.pk), "mark_delivered", by=officer)
    with pytest.raises(RuntimeError, match="belongs to archive"), transaction.atomic():
        stages.advance(stages.lock(case.pk), "archive", by=officer)
    with pytest.raises(RuntimeError, match="not declared"), transaction.atomic():
        stages.advance(stages.lock(case.pk), "no_such_transition", by=officer)
    case.refresh_from_db()
    assert case.state == S.INVESTIGATING


# --- sign-off rows ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_section_chief_signs_the_unit_opinion_and_an_officer_cannot(officer, officer2, section_chief):
    case = _ex_officio(officer, officer2)
    with pytest.raises(services.TransitionDenied, match="承办机构负责人"):
        services.filing_opinion_record(case_id=case.pk, by=officer2, level="unit", opinion="同意")
    other_chief = UserFactory(roles=[Role.SECTION_CHIEF])  # of another department
    with pytest.raises(services.TransitionDenied):
        services.filing_opinion_record(case_id=case.pk, by=other_chief, level="unit", opinion="同意")
    row = services.filing_opinion_record(case_id=case.pk, by=section_chief, level="unit", opinion="同意立案调查")
    assert (row.step, row.level, row.actor, row.round, row.outcome) == ("filing", "unit", section_chief, 1, "agree")
    assert row.signed_at is not None


@pytest.mark.django_db
def test_the_same_person_cannot_sign_two_levels_of_one_step(officer, officer2, department):
    both = UserFactory(department=department, roles=[Role.OFFICER, Role.SECTION_CHIEF])
    case = _ex_officio(both, officer2, officers=[both, officer2])
    services.filing_opinion_record(case_id=case.pk, by=both, level="officer", opinion="建议立案")
    with pytest.raises(services.TransitionDenied, match="两个层级"):
        services.filing_opinion_record(case_id=case.pk, by=both, level="unit", opinion="同意")
    assert list(case.signoffs.values_list("level", flat=True)) == ["officer"]


@pytest.mark.django_db
def test_a_level_signs_once_per_round_and_a_return_opens_the_next(officer, officer2, section_chief, head):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer, section_chief)
    with pytest.raises(services.TransitionError, match="不能重复签署"):
        services.filing_opinion_record(case_id=case.pk, by=officer, level="officer", opinion="再签一次")
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_reject_filing(case_id=case.pk, by=head, opinion="请补充财务资料")
    assert signoffs.current_round(case, SignOffStep.FILING) == 2
    assert signoffs.signed(case, SignOffStep.FILING, Level.OFFICER) is None
    with pytest.raises(services.TransitionError, match="承办人意见及时间"):
        services.case_submit_for_filing(case_id=case.pk, by=officer)
    _complete_filing(case, officer, section_chief)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案")
    rows = list(case.signoffs.order_by("round", "pk").values_list("round", "level", "outcome"))
    assert rows == [
        (1, "officer", "agree"),
        (1, "unit", "agree"),
        (1, "head", "return"),
        (2, "officer", "agree"),
        (2, "unit", "agree"),
        (2, "head", "agree"),
    ]


@pytest.mark.django_db
def test_head_handling_the_case_cannot_approve_it(officer, officer2, head):
    head.groups.add(*UserFactory(roles=[Role.OFFICER]).groups.all())
    head.cert_no = "37130020199999"
    head.department = officer.department
    head.save()
    head = type(head).objects.get(pk=head.pk)
    case = _ex_officio(officer, officer2, officers=[officer, head])
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    with pytest.raises(services.TransitionDenied, match="非本案承办人"):
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意")


@pytest.mark.django_db
def test_return_for_investigation_is_a_signoff_row_shown_on_the_page(client, officer, officer2, reviewer):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    from cases.requirements import _registry

    saved = dict(_registry.items)
    _registry.items = {}
    try:
        review_submit(case_id=case.pk, by=officer)
    finally:
        _registry.items = saved
    with pytest.raises(services.TransitionError, match="理由"):
        review_return_for_investigation(case_id=case.pk, by=reviewer, opinion=" ")
    review_return_for_investigation(case_id=case.pk, by=reviewer, opinion="证据不足：缺少现场检查笔录")
    row = SignOff.objects.get(case=case)
    # Returned before 审理 was signed: the row is 审理's (第十三条), outcome RETURN.
    assert (row.step, row.level, row.outcome, row.actor) == ("examination", "legal", "return", reviewer)
    client.force_login(officer)
    page = section_html(client, case, "review")
    assert "证据不足：缺少现场检查笔录" in page and "退回理由" in page


_OLD = "0004_case_id_department_index"


@pytest.mark.django_db(transaction=True)
def test_migration_moves_filing_opinions_and_returns_into_signoff_rows():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: later apps depend on cases
    executor.migrate([("cases", _OLD)])
    old = executor.loader.project_state([("cases", _OLD), ("audit", "0002_append_only")]).apps
    User, Department, Group = old.get_model("accounts", "User"), old.get_model("accounts", "Department"), None
    Case, FilingRecord = old.get_model("cases", "Case"), old.get_model("cases", "FilingRecord")
    Entry = old.get_model("audit", "Entry")
    Group = old.get_model("auth", "Group")
    dept = Department.objects.create(name="执法一科", code="ZF1")
    officer = User.objects.create(username="o", department=dept)
    chief = User.objects.create(username="c", department=dept)
    head = User.objects.create(username="h")
    reviewer = User.objects.create(username="r")
    reviewer.groups.add(Group.objects.get_or_create(name="法规科")[0])
    t0 = timezone.now() - timezone.timedelta(days=3)

    def make(n, state):
        return Case.objects.create(
            number=f"N{n}",
            kind="penalty",
            origin="ex_officio",
            state=state,
            title="t",
            department=dept,
            created_by=officer,
        )

    filed = make(1, "investigating")
    FilingRecord.objects.create(
        case=filed,
        cause="c",
        officer_opinion="建议立案",
        officer_opinion_by=officer,
        officer_opinion_at=t0,
        unit_opinion="同意",
        unit_opinion_by=chief,
        unit_opinion_at=t0,
        head_opinion="同意立案",
        head_opinion_by=head,
        head_opinion_at=t0,
        head_decision="approved",
    )
    returned = make(2, "registered")
    FilingRecord.objects.create(
        case=returned, head_opinion="补充材料", head_opinion_by=head, head_opinion_at=t0, head_decision="returned"
    )
    FilingRecord.objects.create(case=make(3, "registered"))  # nothing signed yet
    seq = (Entry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    Entry.objects.create(
        seq=seq,
        created_at=t0,
        actor=reviewer,
        action="case.return_for_investigation",
        case_id=filed.pk,
        object_type="cases.case",
        object_id=str(filed.pk),
        payload=json.dumps({"opinion": "证据不足"}),
        prev_hash="0" * 64,
        hash=f"{seq:064x}",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = executor.loader.project_state([*latest, ("audit", "0002_append_only")]).apps
    SignOffNew = new.get_model("cases", "SignOff")
    names = {filed.pk: "N1", returned.pk: "N2"}
    rows = sorted(
        (names[r[0]], *r[1:])
        for r in SignOffNew.objects.values_list(
            "case_id", "step", "round", "level", "actor__username", "outcome", "opinion"
        )
    )
    assert rows == [
        ("N1", "filing", 1, "head", "h", "agree", "同意立案"),
        ("N1", "filing", 1, "officer", "o", "agree", "建议立案"),
        ("N1", "filing", 1, "unit", "c", "agree", "同意"),
        ("N1", "review", 1, "legal", "r", "return", "证据不足"),
        ("N2", "filing", 1, "head", "h", "return", "补充材料"),
    ]
    assert {f.name for f in new.get_model("cases", "FilingRecord")._meta.fields} >= {"cause", "submitted_at"}
    assert "head_opinion" not in {f.name for f in new.get_model("cases", "FilingRecord")._meta.fields}


# --- one access policy ------------------------------------------------------------------------


@pytest.mark.django_db
def test_policy_role_by_role(officer, officer2, section_chief, reviewer, head, archivist, admin_user):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    colleague = UserFactory(department=officer.department, roles=[Role.OFFICER])
    outsider = UserFactory(roles=[Role.OFFICER])
    inactive = UserFactory(department=officer.department, roles=[Role.OFFICER], is_active=False)
    bare_superuser = UserFactory(is_superuser=True, is_staff=True)
    table = {
        # user: (read, write, identifiers, sign officer, sign unit, sign legal, sign head)
        "officer": (officer, True, True, True, True, False, False, False),
        "colleague": (colleague, True, True, False, False, False, False, False),
        "outsider": (outsider, False, False, False, False, False, False, False),
        "inactive": (inactive, False, False, False, False, False, False, False),
        "chief": (section_chief, True, False, False, False, True, False, False),
        "reviewer": (reviewer, True, False, True, False, False, True, False),
        "head": (head, True, False, True, False, False, False, True),
        "archivist": (archivist, True, False, False, False, False, False, False),
        "admin (superuser, 系统管理员)": (admin_user, False, False, False, False, False, False, False),
        "bare superuser": (bare_superuser, False, False, False, False, False, False, False),
    }
    for name, (user, *expected) in table.items():
        got = [
            policy.may_read(user, case),
            policy.may_write(user, case),
            policy.may_see_identifiers(user, case),
            *(policy.may_sign(user, case, lv) for lv in (Level.OFFICER, Level.UNIT, Level.LEGAL, Level.HEAD)),
        ]
        assert got == expected, name
    assert policy.handles(officer, case) and not policy.handles(colleague, case)
    assert policy.is_officer_of(colleague, case) and not policy.is_officer_of(head, case)


@pytest.mark.django_db
def test_superuser_without_a_role_is_refused_everywhere(client, officer, officer2, head):
    su = UserFactory(is_superuser=True, is_staff=True)
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    with pytest.raises(RecordDenied):
        record_create(case_id=case.pk, kind="inspection", by=su, data={})
    draft = record_create(case_id=case.pk, kind="preservation", by=officer, data={})
    preservation_request(record_id=draft.pk, by=officer, opinion="报请批准先行登记保存。")
    with pytest.raises(RecordDenied, match="机关负责人"):
        preservation_approve(record_id=draft.pk, by=su, opinion="同意")
    assert isinstance(RecordDenied("x"), services.TransitionDenied)
    registered = _ex_officio(officer, officer2)
    with pytest.raises(services.TransitionDenied):
        services.case_not_file(case_id=registered.pk, by=su, opinion="同意不予立案。", notice_reason="不予立案")
    client.force_login(su)
    assert client.get(case.get_absolute_url()).status_code == 404
    preservation_approve(record_id=draft.pk, by=head, opinion="同意先行登记保存")


@pytest.mark.django_db
def test_no_service_catches_http404():
    """Selectors turn "no" into 404; actions ask cases.policy and raise TransitionDenied."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        if path.name in ("services.py", "actions.py", "stages.py", "signoffs.py") or path.parent.name == "services":
            text = path.read_text()
            if re.search(r"except\s*\(?[^)\n]*Http404", text):
                offenders.append(str(path))
    assert offenders == []


@pytest.mark.django_db
def test_filing_record_factory_signs_through_rows():
    filing = FilingRecordFactory()
    assert set(filing.case.signoffs.values_list("level", flat=True)) == {"officer", "unit"}
    assert SignOffOutcome.AGREE in set(filing.case.signoffs.values_list("outcome", flat=True))


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


# --- opinions start empty (issue 11, defect 1, and its kind) -------------------------------------


def _textareas(html: str) -> dict[str, str]:
    return {
        m.group(1): m.group(2) for m in re.finditer(r'<textarea[^>]*name="([a-z_]+)"[^>]*>(.*?)</textarea>', html, re.S)
    }


@pytest.mark.django_db
def test_every_opinion_field_starts_empty_and_each_decision_needs_its_own_text(
    client, officer, officer2, section_chief, head
):
    from django import forms as djforms

    from cases import forms as case_forms
    from delivery import forms as delivery_forms
    from records import forms as record_forms
    from review import forms as review_forms
    from review import forms_defence, forms_legal, forms_publication

    # Every form class of the app with an opinion-like field: no initial value.
    for module in (
        case_forms,
        record_forms,
        review_forms,
        forms_defence,
        forms_legal,
        forms_publication,
        delivery_forms,
    ):
        for name in dir(module):
            cls = getattr(module, name)
            if isinstance(cls, type) and issubclass(cls, djforms.BaseForm) and cls is not djforms.Form:
                for fname, field in getattr(cls, "base_fields", {}).items():
                    if any(k in fname for k in ("opinion", "reason", "handling")):
                        assert field.initial in (None, ""), f"{module.__name__}.{name}.{fname}"
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer, section_chief)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    client.force_login(head)
    page = client.get(reverse("cases:approvals")).content.decode()
    forms_html = re.findall(r'<form[^>]*data-decision="([a-z_]+)".*?</form>', page, re.S)
    assert forms_html == ["approve_filing", "reject_filing", "not_file"]
    for block in re.findall(r"<form[^>]*data-decision.*?</form>", page, re.S):
        for name, value in _textareas(block).items():
            assert value.strip() == "", name
    # 退回补充 with an empty text is refused, and nothing is recorded.
    client.post(reverse("cases:action", args=[case.pk, "reject_filing"]), {"opinion": ""})
    case.refresh_from_db()
    assert case.state == S.PENDING_FILING and not case.signoffs.filter(level="head").exists()
    client.post(reverse("cases:action", args=[case.pk, "reject_filing"]), {"opinion": "请补充当事人财务资料。"})
    row = case.signoffs.get(level="head")
    assert (row.outcome, row.opinion) == ("return", "请补充当事人财务资料。")
    assert "同意立案" not in row.opinion


# --- apps read each other through selectors (issue 10, item 6) ---------------------------------

_MANAGERS = {"objects", "_default_manager", "_base_manager"}
# Outside any app: the benchmarks build their data sets directly (bench/ is no installed app).
_NOT_APPS = {"bench"}


def _app_modules():
    labels = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"linke"}
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in labels or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        yield rel, rel.parts[0], labels


def _foreign_queries(tree: ast.AST, app: str, labels: set[str]) -> list[str]:
    """`Model.objects…` on a model imported from another app's models, and
    `get_user_model().objects…` outside accounts; `Model.objects.none()` (an empty queryset a
    form fills later) asks nothing of the database and is let through."""
    foreign: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1] == "models":
            owner = node.module.split(".")[0]
            if owner != app and owner in labels:
                foreign.update({a.asname or a.name: owner for a in node.names})
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in _MANAGERS):
            continue
        base = node.value
        is_user_model = (
            isinstance(base, ast.Call) and getattr(base.func, "id", "") == "get_user_model" and app != "accounts"
        )
        if not (is_user_model or (isinstance(base, ast.Name) and base.id in foreign)):
            continue
        up = parents.get(node)
        if isinstance(up, ast.Attribute) and up.attr == "none":
            continue
        found.append(f"{node.lineno}: {ast.unparse(node)}")
    return sorted(found)


def test_no_app_queries_another_apps_models():
    """DESIGN.md, how apps talk: an app reads another app's rows through that app's selectors
    (accounts.selectors, audit.selectors, cases.selectors, deadlines.selectors …), never through
    the other app's model managers. Importing models for types and vocabularies is fine.
    (Generic references resolved by label — a document's source, an attachment's owner,
    `apps.get_model(...)` — are the one generic mechanism and not an app reaching into another.)"""
    offenders = []
    for rel, app, labels in _app_modules():
        if app in _NOT_APPS:
            continue
        offenders += [f"{rel}:{hit}" for hit in _foreign_queries(ast.parse((ROOT / rel).read_text()), app, labels)]
    assert offenders == []


def test_the_seam_check_catches_a_foreign_query():
    """The check above can fail: it flags the patterns it is meant to refuse."""
    labels = {"cases", "deadlines", "accounts", "records"}
    bad = """
from cases.models import Case, CaseState
from deadlines.models import Deadline as D
from django.contrib.auth import get_user_model

def f(ref):
    Case.objects.none()  # no query: allowed
    CaseState.OPEN  # a vocabulary: allowed
    D.objects.filter(kind="x").update(case=None)
    get_user_model().objects.filter(is_active=True)
    return Case._default_manager.get(number=ref)
"""
    hits = _foreign_queries(ast.parse(bad), "records", labels)
    assert sorted(int(h.split(":")[0]) for h in hits) == [9, 10, 11], hits
    assert _foreign_queries(ast.parse(bad), "cases", labels) != []  # Deadline still foreign to cases
    assert len(_foreign_queries(ast.parse("from .models import Case\nCase.objects.all()"), "cases", labels)) == 0


@pytest.mark.django_db
def test_the_selectors_other_apps_read_cases_through(officer, officer2, head):
    from cases import selectors

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    assert selectors.case_by_ref(case.number) == case
    assert selectors.case_by_ref(f" {case.registration_number} ") == case
    assert selectors.case_by_ref("临科罚立〔2026〕99999号") is None and selectors.case_by_ref("") is None
    # Who may sign as 机关负责人 (records' preservation approvals and deadlines' hand-over ask the
    # same function): active heads who do not handle the case.
    handling_head = UserFactory(department=officer.department, roles=[Role.HEAD, Role.OFFICER])
    UserFactory(roles=[Role.HEAD], is_active=False)
    assert set(selectors.heads_for(case)) == {head, handling_head}
    case.assignments.create(officer=handling_head)
    assert selectors.heads_for(case) == [head]
    assert selectors.heads_for(case, heads=[handling_head]) == []
