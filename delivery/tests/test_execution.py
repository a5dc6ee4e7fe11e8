"""第二十三条: start_execution, the fine's payment period and payments, reconsideration/suit pauses,
deferral and instalments with the head's approval (第六十六条), orders to rectify."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import Entry
from cases.models import CaseState, Level, SignOff, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines.calendar import period_end
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import local_date
from delivery import execution as ex
from delivery.models import Execution, FinePayment, PauseKind, PaymentPlanKind, Rectification
from delivery.tests.execution_helpers import FINE, TODAY, WARNING_ONLY, receipt, served_case

pytestmark = pytest.mark.django_db
S = CaseState


def _started(head, days_ago=3, rect="", **kw):
    case = served_case(head, served_days_ago=days_ago, **kw)
    ex.execution_start(case_id=case.pk, by=case.created_by, rectification=rect)
    case.refresh_from_db()
    return case


def test_serving_the_decision_opens_the_15_day_payment_period(head):
    case = served_case(head, served_days_ago=2)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT)
    served = TODAY() - dt.timedelta(days=2)
    assert deadline.days == 15 and local_date(deadline.due) == period_end(served, 15).date
    assert deadline.article == "《行政处罚法》第六十七条" and deadline.met_at is None


def test_start_execution_records_the_fine_and_due_date_and_advances(head):
    case = served_case(head, served_days_ago=2)
    execution = ex.execution_start(case_id=case.pk, by=case.created_by, rectification="  ")
    case.refresh_from_db()
    assert case.state == S.EXECUTING
    assert execution.fine_yuan == FINE and execution.due_on == period_end(TODAY() - dt.timedelta(days=2), 15).date
    assert Entry.objects.filter(case_id=case.pk, action="case.start_execution").exists()


def test_start_execution_refused_from_another_state_by_a_stranger_and_with_nothing_to_execute(head, officer):
    case = served_case(head)
    with pytest.raises(TransitionDenied):
        ex.execution_start(case_id=case.pk, by=head)
    with pytest.raises(TransitionDenied):
        ex.execution_start(case_id=case.pk, by=officer)  # officer of another department
    ex.execution_start(case_id=case.pk, by=case.created_by)
    with pytest.raises(TransitionError, match="已送达"):
        ex.execution_start(case_id=case.pk, by=case.created_by)
    warned = served_case(head, **WARNING_ONLY)
    with pytest.raises(TransitionError, match="直接结案"):
        ex.execution_start(case_id=warned.pk, by=warned.created_by)
    # A warning with an order to rectify has something to execute.
    ex.execution_start(case_id=warned.pk, by=warned.created_by, rectification="三十日内改正申报材料。")
    warned.refresh_from_db()
    assert warned.state == S.EXECUTING and ex.execution_of(warned).fine_yuan is None


def test_payment_records_amount_date_receipt_and_meets_the_period(head):
    case = _started(head)
    by = case.created_by
    with pytest.raises(TransitionError, match="缴款凭证"):
        ex.fine_payment_record(case_id=case.pk, by=by, amount_yuan=FINE, paid_on=TODAY(), receipt=None)
    with pytest.raises(TransitionError, match="晚于今天"):
        ex.fine_payment_record(
            case_id=case.pk, by=by, amount_yuan=FINE, paid_on=TODAY() + dt.timedelta(days=1), receipt=receipt()
        )
    with pytest.raises(TransitionError, match="决定书送达日期"):
        ex.fine_payment_record(
            case_id=case.pk, by=by, amount_yuan=FINE, paid_on=TODAY() - dt.timedelta(days=30), receipt=receipt()
        )
    with pytest.raises(TransitionError, match="超过"):
        ex.fine_payment_record(case_id=case.pk, by=by, amount_yuan=FINE + 1, paid_on=TODAY(), receipt=receipt())
    with pytest.raises(TransitionDenied):
        ex.fine_payment_record(case_id=case.pk, by=head, amount_yuan=FINE, paid_on=TODAY(), receipt=receipt())
    assert FinePayment.objects.count() == 0
    ex.fine_payment_record(case_id=case.pk, by=by, amount_yuan=Decimal("5000"), paid_on=TODAY(), receipt=receipt("a"))
    assert Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT).met_at is None
    payment = ex.fine_payment_record(
        case_id=case.pk, by=by, amount_yuan=Decimal("15000"), paid_on=TODAY(), receipt=receipt("b")
    )
    assert payment.receipt.sha256 and payment.receipt.case_id == case.pk
    assert Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT).met_at is not None
    status = ex.fine_status_of(case)
    assert status.settled and status.paid == FINE
    entry = Entry.objects.filter(case_id=case.pk, action="execution.fine_paid").last()
    assert entry.data["outstanding"] == "0.00" and entry.data["receipt_sha256"] == payment.receipt.sha256


def test_surcharge_paid_cannot_exceed_the_surcharge_owed(head):
    # 《行政处罚法》第七十二条: a surcharge paid beyond what is owed was accepted and shown.
    case = _started(head, days_ago=25)
    by = case.created_by
    owed = ex.fine_status_of(case).surcharge_owed
    assert 0 < owed <= FINE
    with pytest.raises(TransitionError, match="第七十二条.*超过"):
        ex.fine_payment_record(
            case_id=case.pk, by=by, amount_yuan=None, surcharge_yuan=owed + 1, paid_on=TODAY(), receipt=receipt()
        )
    with pytest.raises(TransitionError, match="第七十二条"):
        ex.fine_payment_record(
            case_id=case.pk, by=by, amount_yuan=FINE, surcharge_yuan=FINE * 3, paid_on=TODAY(), receipt=receipt()
        )
    assert FinePayment.objects.count() == 0
    ex.fine_payment_record(
        case_id=case.pk, by=by, amount_yuan=FINE, surcharge_yuan=owed, paid_on=TODAY(), receipt=receipt()
    )
    assert ex.fine_status_of(case).settled


def test_late_payment_owes_the_surcharge_and_a_pause_is_not_counted(head):
    case = _started(head, days_ago=25)
    status = ex.fine_status_of(case)
    days = (TODAY() - status.due).days
    assert days > 0 and status.surcharge == ex.surcharge_for(FINE, days)
    pause = ex.pause_start(
        case_id=case.pk,
        by=case.created_by,
        kind=PauseKind.RECONSIDERATION,
        start=status.due + dt.timedelta(days=1),
        body="临沂市人民政府",
    )
    with pytest.raises(TransitionError, match="尚未终结"):
        ex.pause_start(case_id=case.pk, by=case.created_by, kind=PauseKind.SUIT, start=TODAY(), body="兰山区人民法院")
    assert ex.fine_status_of(case).surcharge == 0  # pending since the first late day
    ex.pause_end(pause_id=pause.pk, by=case.created_by, end=status.due + dt.timedelta(days=2))
    assert ex.fine_status_of(case).surcharge == ex.surcharge_for(FINE, days - 2)
    assert (
        Entry.objects.filter(case_id=case.pk, action__in=["execution.pause_started", "execution.pause_ended"]).count()
        == 2
    )


def test_deferral_needs_the_heads_approval_and_moves_the_due_date(head, officer):
    case = _started(head)
    old_due = ex.execution_of(case).due_on
    new_due = old_due + dt.timedelta(days=60)
    kwargs = dict(
        kind=PaymentPlanKind.DEFERRAL,
        applied_on=TODAY(),
        reason="当事人经营困难，申请延期缴纳。",
        schedule=[(new_due, None)],
        opinion="同意延期缴纳。",
    )
    with pytest.raises(TransitionDenied, match="机关负责人"):
        ex.plan_approve(case_id=case.pk, by=case.created_by, **kwargs)
    with pytest.raises(TransitionError, match="晚于"):
        ex.plan_approve(case_id=case.pk, by=head, **{**kwargs, "schedule": [(old_due, None)]})
    with pytest.raises(TransitionError, match="理由"):
        ex.plan_approve(case_id=case.pk, by=head, **{**kwargs, "reason": " "})
    plan = ex.plan_approve(case_id=case.pk, by=head, **kwargs)
    signoff = SignOff.objects.get(case=case, step=SignOffStep.PAYMENT_DEFERRAL)
    assert (signoff.level, signoff.actor, plan.signoff) == (Level.HEAD, head, signoff)
    assert ex.fine_status_of(case).due == new_due
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT, met_at__isnull=True)
    assert (
        local_date(deadline.due)
        == period_end(local_date(deadline.start), (new_due - local_date(deadline.start)).days).date
    )
    # After the old due date nothing accrues: the deferral replaced it.
    assert ex.fine_status_of(case, today=old_due + dt.timedelta(days=10)).surcharge == 0
    assert Entry.objects.filter(case_id=case.pk, action="execution.plan_approved").exists()


def test_instalments_add_up_to_the_outstanding_fine_and_accrue_per_instalment(head):
    case = _started(head)
    due = ex.execution_of(case).due_on
    first, second = due + dt.timedelta(days=30), due + dt.timedelta(days=60)
    base = dict(
        kind=PaymentPlanKind.INSTALMENTS, applied_on=TODAY(), reason="分期缴纳申请。", opinion="同意分两期缴纳。"
    )
    with pytest.raises(TransitionError, match="至少分两期"):
        ex.plan_approve(case_id=case.pk, by=head, schedule=[(first, FINE)], **base)
    with pytest.raises(TransitionError, match="合计"):
        ex.plan_approve(
            case_id=case.pk, by=head, schedule=[(first, Decimal("5000")), (second, Decimal("5000"))], **base
        )
    with pytest.raises(TransitionError, match="晚于"):
        ex.plan_approve(
            case_id=case.pk, by=head, schedule=[(second, Decimal("10000")), (first, Decimal("10000"))], **base
        )
    ex.plan_approve(case_id=case.pk, by=head, schedule=[(first, Decimal("8000")), (second, Decimal("12000"))], **base)
    status = ex.fine_status_of(case, today=first + dt.timedelta(days=2))
    assert [i.amount for i in status.instalments] == [Decimal("8000.00"), Decimal("12000.00")]
    assert status.surcharge == Decimal("480.00") and status.due == first


def test_rectification_check_records_what_article_23_asks(head, officer2):
    case = _started(head, rect="责令三十日内改正。")
    base = dict(
        checked_on=TODAY(), place="当事人经营场所", officers="张伟、李娜", observed="已更正申报材料。", corrected=True
    )
    for field, message in (("place", "地点"), ("officers", "核查人员"), ("observed", "核查情况")):
        with pytest.raises(TransitionError, match=message):
            ex.rectification_record(case_id=case.pk, by=case.created_by, **{**base, field: ""})
    with pytest.raises(TransitionError, match="是否已改正"):
        ex.rectification_record(case_id=case.pk, by=case.created_by, **{**base, "corrected": None})
    with pytest.raises(TransitionError, match="音像记录不属于本案"):
        ex.rectification_record(case_id=case.pk, by=case.created_by, **base, av_record_id=999999)
    row = ex.rectification_record(case_id=case.pk, by=case.created_by, **base)
    assert Rectification.objects.get() == row and row.corrected
    assert Entry.objects.filter(case_id=case.pk, action="execution.rectification_checked").exists()


def test_execution_row_is_one_per_case(head):
    case = _started(head)
    assert Execution.objects.filter(case=case).count() == 1
