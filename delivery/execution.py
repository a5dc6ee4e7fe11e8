"""第二十三条: executing the served decision — the fine (amount, date, receipt), the payment due
date, the late-payment surcharge, deferral and instalments; orders to rectify and their on-site
verification.

Law applied (《行政处罚法》2021):
- 第六十七条第三款: the fine is paid within 15 days of receiving the decision (calendar days; a
  last day that is a rest day ends on the next working day, 第八十五条).
- 第七十二条第一款第（一）项: after the due date, a surcharge of 3 % of the fine per day, never more
  than the fine.
- 第七十三条第三款: days while a reconsideration or a suit is pending are not counted.
- 第六十六条第二款: deferral or instalments on the party's application with the agency's
  approval (here the head's PAYMENT_DEFERRAL sign-off).

Pure arithmetic (no database):
    late_days(due, until, pauses) -> int
    surcharge_for(amount, days) -> Decimal
    fine_status(fine, schedule, payments, pauses, today) -> FineStatus

Actions (each one transaction; TransitionError / TransitionDenied with a Chinese message):
    execution_start(case_id, by, rectification="") -> Execution          已送达 → 执行中
    fine_payment_record(case_id, by, amount_yuan, surcharge_yuan, paid_on, receipt, note="") -> FinePayment
    pause_start(case_id, by, kind, start, body, note="") -> SurchargePause
    pause_end(pause_id, by, end, note="") -> SurchargePause
    plan_approve(case_id, by, kind, applied_on, reason, schedule, opinion) -> PaymentPlan
    rectification_record(case_id, by, checked_on, place, officers, observed, corrected, av_record_id=None)

Reads: execution_of(case), fine_status_of(case, today=None), decision_served_on(case),
needs_execution(decision).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases import policy, signoffs, stages
from cases.models import Case, CaseKind, CaseState, Level, SignOffOutcome, SignOffStep
from cases.policy import ACTOR_OFFICER
from cases.services import attachment_add
from cases.stages import Transition, TransitionDenied, TransitionError
from deadlines import calendar
from deadlines.models import DeadlineKind
from deadlines.selectors import case_deadline
from deadlines.services import LOCAL_TZ, deadline_extend, deadline_met, deadline_open, local_date
from linke.validators import validate_day
from review.models import DecisionOutcome, PenaltyKind
from review.selectors import decision_of

from .audit_actions import AuditAction
from .models_execution import (
    Execution,
    FinePayment,
    PauseKind,
    PaymentPlan,
    PaymentPlanKind,
    Rectification,
    SurchargePause,
)
from .selectors import service_date

S = CaseState
CENT = Decimal("0.01")
RATE = Decimal("0.03")  # 《行政处罚法》第七十二条第一款第（一）项: 3 % of the fine per day
PAYMENT_DAYS = 15  # 《行政处罚法》第六十七条第三款 (calendar days)
ART_PAY = "《行政处罚法》第六十七条"
ART_SURCHARGE = "《行政处罚法》第七十二条"
ART_PAUSE = "《行政处罚法》第七十三条"
ART_PLAN = "《行政处罚法》第六十六条"
# Kinds that are done once the decision is served: nothing is left to execute.
SELF_EXECUTING = {PenaltyKind.WARNING, PenaltyKind.CRITICISM}

START_EXECUTION = stages.declare(
    Transition(
        name="start_execution",
        label="进入执行",
        owner="delivery",
        kinds=(CaseKind.PENALTY,),
        sources=(S.DELIVERED,),
        target=S.EXECUTING,
        roles=(ACTOR_OFFICER,),
        order=70,
    )
)


# --- pure arithmetic ----------------------------------------------------------------------------

Pause = tuple[dt.date, dt.date | None]  # (start, end); end None: still pending


def yuan(value: Decimal | int | str | None) -> Decimal:
    """`value` as yuan with 2 places (ROUND_HALF_UP); None → 0.00."""
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def late_days(due: dt.date, until: dt.date, pauses: Iterable[Pause] = ()) -> int:
    """The days after `due` up to and including `until` that count for the surcharge: every day
    d with due < d <= until, except the days of a reconsideration or suit (第七十三条第三款),
    each pause counting from its start day to its end day inclusive (an open pause: to `until`)."""
    if until <= due:
        return 0
    excluded: set[dt.date] = set()
    for start, end in pauses:
        first = max(start, due + dt.timedelta(days=1))
        last = min(end or until, until)
        day = first
        while day <= last:
            excluded.add(day)
            day += dt.timedelta(days=1)
    return (until - due).days - len(excluded)


def surcharge_for(amount: Decimal, days: int) -> Decimal:
    """3 % of `amount` per day for `days` days, never more than `amount` (第七十二条), in yuan."""
    if days <= 0:
        return Decimal("0.00")
    return min(yuan(Decimal(amount) * RATE * days), yuan(amount))


@dataclass(frozen=True)
class Instalment:
    due: dt.date
    amount: Decimal
    paid: Decimal  # of the fine, allocated to this instalment
    settled_on: dt.date | None  # the day it was paid in full
    late_days: int
    surcharge: Decimal


@dataclass(frozen=True)
class FineStatus:
    fine: Decimal
    instalments: list[Instalment]
    paid: Decimal
    outstanding: Decimal
    surcharge: Decimal  # accrued so far (frozen once the fine is paid)
    surcharge_paid: Decimal
    surcharge_owed: Decimal
    today: dt.date

    @property
    def settled(self) -> bool:
        """The fine and the surcharge are paid in full."""
        return self.outstanding == 0 and self.surcharge_owed == 0

    @property
    def due(self) -> dt.date | None:
        """The due date of the first instalment not yet paid in full."""
        return next((i.due for i in self.instalments if i.settled_on is None), None)

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.today > self.due


def fine_status(
    *,
    fine: Decimal,
    schedule: Sequence[tuple[dt.date, Decimal]],
    payments: Iterable[tuple[dt.date, Decimal, Decimal]],
    pauses: Iterable[Pause] = (),
    today: dt.date,
) -> FineStatus:
    """The state of a fine on `today`. `schedule` is [(due, amount)] (one row without a plan; the
    amounts add up to the fine); `payments` are (paid_on, towards the fine, towards the surcharge).
    Payments settle instalments in due order; an instalment accrues 3 % of its amount per day
    counted (late_days) until it is paid in full or `today`; the total surcharge is capped at the
    fine (第七十二条)."""
    fine = yuan(fine)
    pauses = list(pauses)
    pays = sorted(payments, key=lambda p: p[0])
    towards_fine = [(d, yuan(a)) for d, a, _ in pays if yuan(a) > 0]
    surcharge_paid = sum((yuan(s) for _, _, s in pays), Decimal("0.00"))
    rows: list[Instalment] = []
    pool = list(towards_fine)
    for due, amount in sorted(schedule, key=lambda r: r[0]):
        amount, got, settled_on = yuan(amount), Decimal("0.00"), None
        while pool and got < amount:
            day, value = pool[0]
            take = min(value, amount - got)
            got += take
            if take == value:
                pool.pop(0)
            else:
                pool[0] = (day, value - take)
            if got == amount:
                settled_on = day
        until = min(settled_on or today, today)
        days = late_days(due, until, pauses)
        rows.append(Instalment(due, amount, got, settled_on, days, surcharge_for(amount, days)))
    paid = sum((a for _, a in towards_fine), Decimal("0.00"))
    surcharge = min(sum((r.surcharge for r in rows), Decimal("0.00")), fine)
    return FineStatus(
        fine=fine,
        instalments=rows,
        paid=paid,
        outstanding=max(fine - paid, Decimal("0.00")),
        surcharge=surcharge,
        surcharge_paid=surcharge_paid,
        surcharge_owed=max(surcharge - surcharge_paid, Decimal("0.00")),
        today=today,
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day where it is shorter (1-31 → 2-28)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def payment_due(served_on: dt.date) -> dt.date:
    """The last day to pay: 15 days from service, moved off a rest day (第六十七条, 第八十五条)."""
    return calendar.period_end(served_on, PAYMENT_DAYS).date


# --- reads --------------------------------------------------------------------------------------


def needs_execution(decision: Any, rectification: str = "") -> bool:
    """A served penalty decision leaves something to execute: a fine, a confiscation or another
    kind beyond a warning or 通报批评, or an order to rectify (责令改正)."""
    if decision is None or decision.outcome != DecisionOutcome.PENALTY:
        return bool(rectification.strip())
    return bool(set(decision.kinds) - SELF_EXECUTING) or bool(rectification.strip())


def decision_served_on(case: Case) -> dt.date | None:
    """The decision document's service date (delivery), or None."""
    decision = decision_of(case)
    if decision is None or decision.document_id is None:
        return None
    return service_date(decision.document_id)


def execution_of(case: Case) -> Execution | None:
    return Execution.objects.filter(case=case).first()


def payments_of(case: Case) -> list[FinePayment]:
    return list(FinePayment.objects.filter(case=case).select_related("receipt", "recorded_by"))


def pauses_of(case: Case) -> list[SurchargePause]:
    return list(SurchargePause.objects.filter(case=case))


def plan_of(case: Case) -> PaymentPlan | None:
    """The latest approved deferral or instalments plan (it replaces the earlier ones)."""
    return PaymentPlan.objects.filter(case=case).select_related("signoff__actor").order_by("-pk").first()


def rectifications_of(case: Case) -> list[Rectification]:
    return list(Rectification.objects.filter(case=case).select_related("av_record"))


def schedule_of(execution: Execution, plan: PaymentPlan | None) -> list[tuple[dt.date, Decimal]]:
    if plan is not None:
        return [(dt.date.fromisoformat(r["due"]), Decimal(r["amount"])) for r in plan.schedule]
    assert execution.due_on is not None and execution.fine_yuan is not None
    return [(execution.due_on, execution.fine_yuan)]


def fine_status_of(case: Case, today: dt.date | None = None) -> FineStatus | None:
    """The live state of the case's fine (None without a fine to execute)."""
    execution = execution_of(case)
    if execution is None or execution.fine_yuan is None:
        return None
    return fine_status(
        fine=execution.fine_yuan,
        schedule=schedule_of(execution, plan_of(case)),
        payments=[(p.paid_on, p.amount_yuan, p.surcharge_yuan) for p in payments_of(case)],
        pauses=[(p.start, p.end) for p in pauses_of(case)],
        today=today or timezone.localdate(),
    )


def pending_pause(case: Case) -> SurchargePause | None:
    return SurchargePause.objects.filter(case=case, end__isnull=True).first()


# --- helpers ------------------------------------------------------------------------------------


def _day(value: dt.date | None, *, label: str, not_before: dt.date | None = None, before_label: str = "") -> dt.date:
    if value is None:
        raise TransitionError(f"请填写{label}。")
    try:
        validate_day(value, not_before=not_before, not_before_label=before_label)
    except ValidationError as exc:
        raise TransitionError(f"{label}：{exc.messages[0]}") from None
    return value


def _text(value: str | None, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise TransitionError(message)
    return value


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def _officer(case: Case, by: User, what: str, states: tuple[str, ...] = (S.EXECUTING,)) -> None:
    if case.kind != CaseKind.PENALTY:
        raise TransitionError(f"{case.get_kind_display()}案件没有“{what}”这一环节。")
    stages.require_state(case, states, what)
    if not policy.may_act(by, case, ACTOR_OFFICER):
        raise TransitionDenied(f"只有本案执法人员可以{what}。")


def _execution(case: Case) -> Execution:
    execution = execution_of(case)
    if execution is None:
        raise TransitionError("案件尚未进入执行。")
    return execution


def _fine_execution(case: Case) -> Execution:
    execution = _execution(case)
    if execution.fine_yuan is None:
        raise TransitionError("本案决定没有罚款，无需记录罚款缴纳。")
    return execution


# --- receivers ----------------------------------------------------------------------------------


def on_decision_served(case: Case, served_on: dt.date) -> None:
    """`document_served` of the decision: the 15-day payment period opens where it fines
    (DeadlineKind.FINE_PAYMENT, 第六十七条), counted from the service date."""
    decision = decision_of(case)
    if decision is None or decision.outcome != DecisionOutcome.PENALTY or not decision.fine_yuan:
        return
    deadline_open(
        case=case,
        kind=DeadlineKind.FINE_PAYMENT,
        article=ART_PAY,
        label=f"缴纳罚款{yuan(decision.fine_yuan)}元（收到决定书之日起十五日内）",
        start=start_of(served_on),
        days=PAYMENT_DAYS,
        responsible=case.officers.all(),
    )


# --- actions ------------------------------------------------------------------------------------


@transaction.atomic
def execution_start(*, case_id: int, by: User, rectification: str = "") -> Execution:
    """已送达 → 执行中 (第二十三条): the served penalty decision leaves something to execute (a fine,
    a confiscation, another kind beyond a warning, or an order to rectify). Records the fine and
    its due date (15 days from the decision's service, 第六十七条). Officers of the case."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, START_EXECUTION)
    decision = decision_of(case)
    if decision is None or decision.outcome != DecisionOutcome.PENALTY:
        raise TransitionError("第二十三条：只有行政处罚决定需要执行；本案可直接结案。")
    served_on = decision_served_on(case)
    if served_on is None:
        raise TransitionError("第二十三条：处罚决定书尚未送达，不能进入执行。")
    if not needs_execution(decision, rectification):
        raise TransitionError("第二十三条：本案决定（警告、通报批评）送达即执行完毕，没有需要执行的内容，可直接结案。")
    fine = yuan(decision.fine_yuan) if PenaltyKind.FINE in decision.kinds and decision.fine_yuan else None
    execution = Execution.objects.create(
        case=case,
        fine_yuan=fine,
        decision_served_on=served_on,
        due_on=payment_due(served_on) if fine is not None else None,
        rectification=(rectification or "").strip(),
        started_by=by,
    )
    if fine is not None:
        on_decision_served(case, served_on)  # idempotent: opened already when the decision was served
    stages.advance(case, START_EXECUTION, by=by, fine_yuan=fine, due_on=execution.due_on)
    return execution


@transaction.atomic
def fine_payment_record(
    *,
    case_id: int,
    by: User,
    amount_yuan: Decimal | None,
    surcharge_yuan: Decimal | None = None,
    paid_on: dt.date | None,
    receipt: Any,
    note: str = "",
) -> FinePayment:
    """Record a payment of the fine and/or the surcharge (第二十三条: 金额、日期、缴款凭证扫描件).
    Not more than what is outstanding; not before the decision's service, not in the future. The
    receipt is stored as a case attachment. Paying the fine in full meets FINE_PAYMENT."""
    case = stages.lock(case_id)
    _officer(case, by, "记录罚款缴纳")
    execution = _fine_execution(case)
    paid_on = _day(paid_on, label="缴纳日期", not_before=execution.decision_served_on, before_label="决定书送达日期")
    amount, extra = yuan(amount_yuan), yuan(surcharge_yuan)
    if amount < 0 or extra < 0 or amount + extra == 0:
        raise TransitionError("第二十三条：请填写缴纳的罚款或加处罚款金额（大于零）。")
    if receipt is None:
        raise TransitionError("第二十三条：请上传缴款凭证（扫描件）。")
    status = fine_status_of(case, today=paid_on)
    assert status is not None
    if amount > status.outstanding:
        raise TransitionError(f"缴纳罚款{amount}元超过尚未缴纳的罚款{status.outstanding}元。")
    if extra > status.surcharge_owed:
        # 《行政处罚法》第七十二条: the surcharge never exceeds the fine; what is paid cannot
        # exceed what has accrued and is still owed on the day of payment.
        raise TransitionError(
            f"《行政处罚法》第七十二条：缴纳加处罚款{extra}元超过截至{paid_on.isoformat()}尚欠的加处罚款"
            f"{status.surcharge_owed}元。"
        )
    attachment = attachment_add(case=case.pk, file=receipt, by=by, description="罚款缴款凭证")
    payment = FinePayment.objects.create(
        case=case,
        amount_yuan=amount,
        surcharge_yuan=extra,
        paid_on=paid_on,
        receipt=attachment,
        note=(note or "").strip(),
        recorded_by=by,
    )
    after = fine_status_of(case)
    assert after is not None
    if after.outstanding == 0:
        deadline_met(kind=DeadlineKind.FINE_PAYMENT, case=case, met_at=start_of(paid_on))
    audit.record(
        payment,
        AuditAction.FINE_PAID,
        actor=by,
        case=case,
        amount_yuan=amount,
        surcharge_yuan=extra,
        paid_on=paid_on,
        receipt_sha256=attachment.sha256,
        outstanding=after.outstanding,
        surcharge_owed=after.surcharge_owed,
    )
    return payment


@transaction.atomic
def pause_start(
    *, case_id: int, by: User, kind: str, start: dt.date | None, body: str, note: str = ""
) -> SurchargePause:
    """The party applied for reconsideration or brought a suit (第七十三条第三款): from `start`
    the surcharge is not counted until the pause ends. One pending at a time."""
    case = stages.lock(case_id)
    _officer(case, by, "记录申请行政复议或提起行政诉讼", (S.DELIVERED, S.EXECUTING))
    if kind not in PauseKind.values:
        raise TransitionError("请选择行政复议或行政诉讼。")
    served = decision_served_on(case)
    start = _day(start, label="申请（起诉）日期", not_before=served, before_label="决定书送达日期")
    body = _text(body, f"{ART_PAUSE}：请填写复议机关或受理法院。")
    if pending_pause(case) is not None:
        raise TransitionError("已有尚未终结的复议或诉讼，请先记录其终结。")
    pause = SurchargePause.objects.create(
        case=case, kind=kind, start=start, body=body, note=(note or "").strip(), recorded_by=by
    )
    audit.record(pause, AuditAction.PAUSE_STARTED, actor=by, case=case, kind=kind, start=start, body=body)
    return pause


@transaction.atomic
def pause_end(*, pause_id: int, by: User, end: dt.date | None, note: str = "") -> SurchargePause:
    """The reconsideration or suit ended on `end` (the decision upheld): the surcharge counts again
    from the next day (第七十三条第三款)."""
    case_id = SurchargePause.objects.values_list("case_id", flat=True).get(pk=pause_id)
    case = stages.lock(case_id)
    _officer(case, by, "记录复议或诉讼终结", (S.DELIVERED, S.EXECUTING))
    pause = SurchargePause.objects.get(pk=pause_id)
    if pause.end is not None:
        raise TransitionError("该复议或诉讼的终结日期已记录。")
    pause.end = _day(end, label="终结日期", not_before=pause.start, before_label="申请（起诉）日期")
    if note and note.strip():
        pause.note = f"{pause.note}\n{note.strip()}".strip()
    pause.save(update_fields=["end", "note"])
    audit.record(pause, AuditAction.PAUSE_ENDED, actor=by, case=case, end=pause.end)
    return pause


def _clean_schedule(
    kind: str, schedule: Sequence[tuple[dt.date | None, Decimal | None]], owed: Decimal, after: dt.date
) -> list[tuple[dt.date, Decimal]]:
    rows = [(d, yuan(a)) for d, a in schedule if d is not None or a]
    if not rows:
        raise TransitionError(f"{ART_PLAN}：请填写延期后的缴纳期限（分期的，每期的期限和金额）。")
    if kind == PaymentPlanKind.DEFERRAL and len(rows) != 1:
        raise TransitionError(f"{ART_PLAN}：延期缴纳只有一个新的缴纳期限；分多次缴纳的请选择分期缴纳。")
    if kind == PaymentPlanKind.INSTALMENTS and len(rows) < 2:
        raise TransitionError(f"{ART_PLAN}：分期缴纳至少分两期。")
    out: list[tuple[dt.date, Decimal]] = []
    last = after
    for i, (due, amount) in enumerate(rows, 1):
        if due is None:
            raise TransitionError(f"{ART_PLAN}：第{i}期缺少缴纳期限。")
        if due <= last:
            raise TransitionError(f"{ART_PLAN}：第{i}期的期限应晚于{last:%Y-%m-%d}（原期限或上一期）。")
        if kind == PaymentPlanKind.INSTALMENTS and amount <= 0:
            raise TransitionError(f"{ART_PLAN}：第{i}期缺少金额。")
        out.append((due, amount))
        last = due
    if kind == PaymentPlanKind.DEFERRAL:
        out = [(out[0][0], owed)]
    total = sum((a for _, a in out), Decimal("0.00"))
    if total != owed:
        raise TransitionError(f"{ART_PLAN}：各期金额合计{total}元，应等于尚未缴纳的罚款{owed}元。")
    return out


@transaction.atomic
def plan_approve(
    *,
    case_id: int,
    by: User,
    kind: str,
    applied_on: dt.date | None,
    reason: str,
    schedule: Sequence[tuple[dt.date | None, Decimal | None]],
    opinion: str,
) -> PaymentPlan:
    """The head approves the party's application to defer the fine or pay it in instalments
    (第六十六条第二款): a PAYMENT_DEFERRAL sign-off by a head who does not handle the case. The
    plan replaces the due date: the surcharge counts from each instalment's own due date, and the
    FINE_PAYMENT deadline moves to the last one. `schedule` is [(due, amount)] (a deferral: one
    row; its amount is the outstanding fine)."""
    case = stages.lock(case_id)
    what = "批准延期（分期）缴纳罚款"
    stages.require_state(case, (S.EXECUTING,), what)
    if not policy.may_sign(by, case, Level.HEAD):
        raise TransitionDenied(f"{ART_PLAN}：延期或者分期缴纳罚款须经机关负责人（非本案承办人）批准。")
    execution = _fine_execution(case)
    if kind not in PaymentPlanKind.values:
        raise TransitionError("请选择延期缴纳或分期缴纳。")
    applied_on = _day(
        applied_on, label="当事人申请日期", not_before=execution.decision_served_on, before_label="决定书送达日期"
    )
    reason = _text(reason, f"{ART_PLAN}：请填写当事人申请延期（分期）缴纳的理由（确有经济困难等）。")
    status = fine_status_of(case)
    assert status is not None
    if status.outstanding == 0:
        raise TransitionError("罚款已缴清，无需延期或分期。")
    current = status.due or execution.due_on
    assert current is not None
    rows = _clean_schedule(kind, schedule, status.outstanding, current)
    signoff = signoffs.signoff_record(
        case=case,
        step=SignOffStep.PAYMENT_DEFERRAL,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.PAYMENT_DEFERRAL),
    )
    plan = PaymentPlan.objects.create(
        case=case,
        kind=kind,
        applied_on=applied_on,
        reason=reason,
        schedule=[{"due": d.isoformat(), "amount": str(a)} for d, a in _with_paid(rows, status.paid, current)],
        signoff=signoff,
        recorded_by=by,
    )
    last_due = rows[-1][0]
    deadline = case_deadline(case, DeadlineKind.FINE_PAYMENT)
    if deadline is not None and deadline.met_at is None and deadline.days is not None:
        days = (last_due - local_date(deadline.start)).days
        if days > deadline.days:
            deadline_extend(case=case, kind=DeadlineKind.FINE_PAYMENT, by=by, reason=f"{ART_PLAN}：{reason}", days=days)
    _move_application_deadline(case, by, reason)
    audit.record(
        plan,
        AuditAction.PLAN_APPROVED,
        actor=by,
        case=case,
        kind=kind,
        schedule=plan.schedule,
        signoff=signoff.pk,
        old_due=current,
        new_due=last_due,
    )
    return plan


def _move_application_deadline(case: Case, by: User, reason: str) -> None:
    """《行政强制法》第五十三条: after a deferral the 3 months count from its end — an open
    ENFORCEMENT_APPLICATION deadline moves with the window."""
    from .enforcement import window

    deadline = case_deadline(case, DeadlineKind.ENFORCEMENT_APPLICATION)
    closes = window(case).closes_on
    if deadline is None or deadline.met_at is not None or deadline.days is None or closes is None:
        return
    days = (closes - local_date(deadline.start)).days
    if days > deadline.days:
        deadline_extend(
            case=case, kind=DeadlineKind.ENFORCEMENT_APPLICATION, by=by, reason=f"{ART_PLAN}：{reason}", days=days
        )


def _with_paid(rows: list[tuple[dt.date, Decimal]], paid: Decimal, old_due: dt.date) -> list[tuple[dt.date, Decimal]]:
    """What was paid already stays a first row at the old due date (settled by those payments,
    with any surcharge they accrued), so a plan's amounts still add up to the whole fine."""
    if paid <= 0:
        return rows
    return [(old_due, paid), *rows]


@transaction.atomic
def rectification_record(
    *,
    case_id: int,
    by: User,
    checked_on: dt.date | None,
    place: str,
    officers: str,
    observed: str,
    corrected: bool | None,
    av_record_id: int | None = None,
) -> Rectification:
    """The on-site verification of an order to rectify (第二十三条第二款): when, where, by whom,
    what was seen, whether the violation was corrected, and optionally the case's AV record of it."""
    case = stages.lock(case_id)
    _officer(case, by, "记录责令改正核查情况")
    execution = _execution(case)
    checked_on = _day(
        checked_on, label="核查日期", not_before=execution.decision_served_on, before_label="决定书送达日期"
    )
    place = _text(place, "第二十三条第二款：请填写核查地点。")
    officers = _text(officers, "第二十三条第二款：请填写核查人员。")
    observed = _text(observed, "第二十三条第二款：请记录实地核查情况。")
    if corrected is None:
        raise TransitionError("第二十三条第二款：请选择违法行为是否已改正。")
    if av_record_id is not None:
        from avrecords.selectors import records_of_case

        if not records_of_case(case.pk).filter(pk=av_record_id).exists():
            raise TransitionError("所选音像记录不属于本案。")
    row = Rectification.objects.create(
        case=case,
        checked_on=checked_on,
        place=place,
        officers=officers,
        observed=observed,
        corrected=bool(corrected),
        av_record_id=av_record_id,
        recorded_by=by,
    )
    audit.record(
        row,
        AuditAction.RECTIFICATION_CHECKED,
        actor=by,
        case=case,
        checked_on=checked_on,
        corrected=bool(corrected),
        av_record=av_record_id,
    )
    return row


def on_document_served(
    sender: Any, *, case_id: int, document_id: int, doc_type: str, served_on: dt.date, **kwargs: Any
) -> None:
    """Receiver of `delivery.signals.document_served`: the decision opens the payment period
    (第六十七条), a 催告书 the enforcement periods (《行政强制法》第三十五、五十三、五十四条)."""
    from cases.selectors import case_of
    from documents.registry import DocTypeCode

    if doc_type == DocTypeCode.PENALTY_DECISION:
        on_decision_served(case_of(case_id), served_on)
    elif doc_type == DocTypeCode.ENFORCEMENT_REMINDER:
        from .enforcement import on_reminder_served

        on_reminder_served(case_of(case_id), document_id, served_on)
