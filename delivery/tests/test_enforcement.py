"""第二十四条: the 催告书 (《行政强制法》第三十五条), the statement re-checked (第三十六条), the court
application's window (第五十三、五十四条), its materials (第五十五条) and the court's steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import Entry
from cases.models import Level, SignOff, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind, Notification
from deadlines.services import deadlines_scan, local_date
from delivery import enforcement as en
from delivery import execution as ex
from delivery.models import CourtOutcome, EnforcementReminder, PauseKind
from delivery.tests.execution_helpers import TODAY, serve, served_case
from documents.registry import DocTypeCode
from documents.tests.test_services import pdf_text
from linke.clock import clock_at, on_day

pytestmark = pytest.mark.django_db

REMINDER = dict(manner="到指定银行缴纳", payment_method="通过非税收入电子缴款系统缴纳", amount_yuan=Decimal("20000"))
MATERIALS = list(en.MATERIALS)


def _executing(head, served_days_ago=60):
    case = served_case(head, served_days_ago=served_days_ago)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    case.refresh_from_db()
    return case


def _remind(case, served):
    """The 催告书 made and served on `served` (the clock set back to that day; today: now, not 09:00,
    which before 09:00 local would make a document issued in the future)."""
    with clock_at(on_day(served) if served < TODAY() else timezone.now() - dt.timedelta(minutes=1)):
        reminder = en.reminder_issue(
            case_id=case.pk, by=case.created_by, perform_by=served + dt.timedelta(days=10), **REMINDER
        )
    serve(case, reminder.document, served)
    return reminder


def _reminded(case, served_days_ago=30, stated=False):
    served = TODAY() - dt.timedelta(days=served_days_ago)
    reminder = _remind(case, served)
    en.statement_record(
        reminder_id=reminder.pk,
        by=case.created_by,
        stated=stated,
        received_on=TODAY(),
        statement="经营困难，请求缓缴。" if stated else "",
        recheck="不属于法定暂缓执行情形，不予采纳。" if stated else "",
        adopted=False if stated else None,
    )
    return reminder


def _apply(case, head, **kw):
    data = dict(
        court="临沂市兰山区人民法院",
        subject="罚款人民币20,000元及加处罚款",
        materials=MATERIALS,
        opinion="同意申请强制执行。",
    )
    return en.application_file(case_id=case.pk, by=head, **{**data, **kw})


def test_reminder_refused_before_the_due_date_and_without_its_elements(head):
    case = _executing(head, served_days_ago=2)
    with pytest.raises(TransitionError, match="届满前不能催告"):
        en.reminder_issue(case_id=case.pk, by=case.created_by, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER)
    case = _executing(head)
    for field, label in (("manner", "履行方式"), ("payment_method", "给付方式"), ("amount_yuan", "金额")):
        with pytest.raises(TransitionError, match=f"第三十五条：催告书缺少{label}"):
            en.reminder_issue(
                case_id=case.pk,
                by=case.created_by,
                perform_by=TODAY() + dt.timedelta(days=10),
                **{**REMINDER, field: None},
            )
    with pytest.raises(TransitionError, match="履行期限"):
        en.reminder_issue(case_id=case.pk, by=case.created_by, perform_by=None, **REMINDER)
    # A 履行期限 not ahead, or a mistyped year (linke.validators.ahead_error, settings.AHEAD_MAX_DAYS).
    for day, message in ((TODAY(), "履行期限应晚于今天"), (dt.date(2099, 1, 5), "履行期限不能超过180日之后")):
        with pytest.raises(TransitionError, match=f"第三十五条：{message}"):
            en.reminder_issue(case_id=case.pk, by=case.created_by, perform_by=day, **REMINDER)
    with pytest.raises(TransitionDenied):
        en.reminder_issue(case_id=case.pk, by=head, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER)


def test_reminder_amount_cannot_exceed_what_is_owed(head):
    # 《行政强制法》第三十五条: a 催告书 demanding more than the fine and surcharge owed was issued.
    case = _executing(head)
    status = ex.fine_status_of(case)
    owed = status.outstanding + status.surcharge_owed
    kw = {**REMINDER, "perform_by": TODAY() + dt.timedelta(days=10)}
    with pytest.raises(TransitionError, match="第三十五条.*超过"):
        en.reminder_issue(case_id=case.pk, by=case.created_by, **{**kw, "amount_yuan": owed + Decimal("0.01")})
    assert not EnforcementReminder.objects.filter(case=case).exists()
    reminder = en.reminder_issue(case_id=case.pk, by=case.created_by, **{**kw, "amount_yuan": owed})
    assert reminder.amount_yuan == owed


def test_reminder_document_states_article_35_elements(head, django_capture_on_commit_callbacks):
    case = _executing(head)
    with django_capture_on_commit_callbacks(execute=True):
        reminder = en.reminder_issue(
            case_id=case.pk, by=case.created_by, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER
        )
    doc = reminder.document
    assert doc.doc_type == DocTypeCode.ENFORCEMENT_REMINDER and doc.number.startswith("临科催〔")
    doc.refresh_from_db()
    text = pdf_text(doc).replace("\n", "")
    for element in (
        "催告书",
        "履行期限",
        "到指定银行缴纳",
        "人民币20000.00元",
        "非税收入电子缴款系统",
        "陈述和申辩",
        "第三十六条",
    ):
        assert element in text, element
    assert Entry.objects.filter(case_id=case.pk, action="enforcement.reminder_issued").exists()


def test_serving_the_reminder_opens_the_window_deadlines_and_the_scan_escalates_a_missed_one(head):
    case = _executing(head)
    served = TODAY() - dt.timedelta(days=1)
    _remind(case, served)
    opens = Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_OPENS)
    closes = Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_APPLICATION, case=case)
    assert Deadline.objects.filter(kind=DeadlineKind.ENFORCEMENT_REMINDER, case=case).exists()
    w = en.window(case)
    assert local_date(opens.due) == add_working_days(served, 10).date == w.opens_after
    assert local_date(closes.due) == w.closes_on
    # 第五十三条: six months (suit) plus three months from the decision's service.
    decision_served = ex.decision_served_on(case)
    assert w.periods_end == ex.add_months(decision_served, 6)
    assert w.closes_on >= ex.add_months(decision_served, 9)
    counts = deadlines_scan(now=closes.due + dt.timedelta(days=1))
    closes.refresh_from_db()
    assert counts["escalated"] >= 1 and closes.escalated_at is not None


def test_statement_recorded_and_rechecked(head):
    case = _executing(head)
    reminder = en.reminder_issue(
        case_id=case.pk, by=case.created_by, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER
    )
    with pytest.raises(TransitionError, match="尚未送达"):
        en.statement_record(reminder_id=reminder.pk, by=case.created_by, stated=True, received_on=TODAY())
    serve(case, reminder.document, TODAY())
    with pytest.raises(TransitionError, match="复核意见"):
        en.statement_record(
            reminder_id=reminder.pk, by=case.created_by, stated=True, received_on=TODAY(), statement="困难"
        )
    with pytest.raises(TransitionError, match="届满前"):
        en.statement_record(reminder_id=reminder.pk, by=case.created_by, stated=False, received_on=TODAY())
    row = en.statement_record(
        reminder_id=reminder.pk,
        by=case.created_by,
        stated=True,
        received_on=TODAY(),
        statement="困难",
        recheck="不成立",
        adopted=False,
    )
    assert row.stated and row.recheck == "不成立"
    assert Entry.objects.filter(case_id=case.pk, action="enforcement.statement_recorded").exists()


def test_application_refused_before_the_window_opens(head):
    case = _executing(head)
    _reminded(case, served_days_ago=0, stated=True)
    with pytest.raises(TransitionError, match="第五十四条"):
        _apply(case, head)
    assert not SignOff.objects.filter(step=SignOffStep.ENFORCEMENT_APPLICATION).exists()


def test_application_allowed_inside_the_window_signed_by_the_head(head):
    case = _executing(head)
    reminder = _reminded(case)
    with pytest.raises(TransitionDenied, match="机关负责人"):
        _apply(case, case.created_by)
    for key in MATERIALS:
        with pytest.raises(TransitionError, match="第五十五条"):
            _apply(case, head, materials=[k for k in MATERIALS if k != key])
    app = _apply(case, head)
    signoff = SignOff.objects.get(case=case, step=SignOffStep.ENFORCEMENT_APPLICATION)
    assert (signoff.level, signoff.actor, app.signoff, app.reminder) == (Level.HEAD, head, signoff, reminder)
    assert Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_APPLICATION, case=case).met_at is not None
    assert Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_OPENS, case=case).met_at is not None
    assert Entry.objects.filter(case_id=case.pk, action="enforcement.applied").exists()
    with pytest.raises(TransitionError, match="已申请"):
        _apply(case, head)


def test_application_refused_after_the_window_closes(head):
    case = _executing(head, served_days_ago=330)
    _reminded(case)
    w = en.window(case)
    assert w.closes_on < TODAY()
    with pytest.raises(TransitionError, match="第五十三条：申请期限已于"):
        _apply(case, head)


def test_application_refused_while_a_suit_is_pending_and_a_deferral_moves_the_window(head):
    case = _executing(head)
    _reminded(case)
    pause = ex.pause_start(
        case_id=case.pk, by=case.created_by, kind=PauseKind.SUIT, start=TODAY(), body="兰山区人民法院"
    )
    with pytest.raises(TransitionError, match="尚未终结"):
        _apply(case, head)
    ex.pause_end(pause_id=pause.pk, by=case.created_by, end=TODAY())
    before = en.window(case).closes_on
    far = ex.add_months(ex.decision_served_on(case), 8)
    ex.plan_approve(
        case_id=case.pk,
        by=head,
        kind="deferral",
        applied_on=TODAY(),
        reason="经营困难",
        schedule=[(far, None)],
        opinion="同意延期。",
    )
    assert en.window(case).periods_end == far and en.window(case).closes_on > before
    moved = Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_APPLICATION, case=case, met_at__isnull=True)
    assert local_date(moved.due) == en.window(case).closes_on


def test_court_acceptance_ruling_and_result(head):
    case = _executing(head)
    _reminded(case)
    app = _apply(case, head)
    by = case.created_by
    with pytest.raises(TransitionError, match="受理"):
        en.court_rule(application_id=app.pk, by=by, ruled_on=TODAY(), enforce=True, ruling="准予执行")
    en.court_accept(application_id=app.pk, by=by, accepted_on=TODAY(), court_case_number="（2026）鲁1302行审123号")
    with pytest.raises(TransitionError, match="裁定内容"):
        en.court_rule(application_id=app.pk, by=by, ruled_on=TODAY(), enforce=True, ruling="")
    en.court_rule(application_id=app.pk, by=by, ruled_on=TODAY(), enforce=True, ruling="准予强制执行。")
    with pytest.raises(TransitionError, match="执行结果"):
        en.court_result(application_id=app.pk, by=by, result_on=TODAY(), outcome=CourtOutcome.ENFORCED, result="")
    app = en.court_result(
        application_id=app.pk, by=by, result_on=TODAY(), outcome=CourtOutcome.ENFORCED, result="已划扣罚款及加处罚款。"
    )
    assert app.outcome == CourtOutcome.ENFORCED
    actions = set(Entry.objects.filter(case_id=case.pk).values_list("action", flat=True))
    assert {"enforcement.court_accepted", "enforcement.court_ruled", "enforcement.court_result"} <= actions


def test_the_window_opening_warns_before_and_is_met_when_it_opens_never_overdue(head):
    """《行政强制法》第五十四条: ENFORCEMENT_OPENS is the day the application becomes possible — a
    reminder before it, met when it has run, never an overdue or escalated item."""
    case = _executing(head)
    _remind(case, TODAY() - dt.timedelta(days=1))
    opens = Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_OPENS, case=case)
    deadlines_scan(now=opens.due - dt.timedelta(hours=2))
    opens.refresh_from_db()
    assert opens.reminded_at is not None and opens.met_at is None
    deadlines_scan(now=opens.due + dt.timedelta(days=1))
    opens.refresh_from_db()
    assert opens.met_at == opens.due and opens.escalated_at is None
    notes = Notification.objects.filter(deadline_id=opens.pk)
    assert notes.filter(dedupe_key__contains=":opened:", text__contains="可以办理").exists()
    assert not notes.filter(level="bad").exists()
    assert not Entry.objects.filter(action="deadline.escalated", object_id=str(opens.pk)).exists()
    assert Entry.objects.filter(action="deadline.met", object_id=str(opens.pk)).exists()
    # The application deadline (第五十三条) is still open: it is the one that escalates when missed.
    assert Deadline.objects.get(kind=DeadlineKind.ENFORCEMENT_APPLICATION, case=case).met_at is None


def test_a_second_reminder_is_refused_once_one_was_served(head):
    # 《行政强制法》第五十四条: the window runs from the served 催告书; a new one replaced it on the page.
    case = _executing(head)
    first = _reminded(case)
    with pytest.raises(TransitionError, match="第五十四条.*已于.*送达"):
        en.reminder_issue(case_id=case.pk, by=case.created_by, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER)
    assert list(EnforcementReminder.objects.filter(case=case)) == [first]
