"""The decision period of a case (item 6 of issue 14): lengthened with the head's approval, and
time the law does not count.

    period_extend_penalty(*, case_id, by, new_due, reason) -> PeriodExtension
        《行政处罚法》第六十条: decide within 90 days of 立案; the head approves a later due date.
    period_extend_licensing(*, case_id, by, reason, applicant_told) -> PeriodExtension
        《行政许可法》第四十二条: 20 working days, ten more with the head's approval (once).
    period_exclude(*, case_id, by, kind, start, end, told_in_writing_on, note="") -> ExcludedInterval
        《行政许可法》第四十五条: hearing, testing, appraisal, expert review … do not count; the
        deadline moves by the working days of the interval.

The deadline itself is `deadlines`' row (opened at filing / acceptance by deadlines.signals);
these actions move it through `deadlines.services.deadline_extend` and keep review's own row
(the approval is a SignOff). Refusals raise TransitionError / TransitionDenied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases import policy, signoffs, stages
from cases.models import Case, CaseKind, CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionError
from deadlines import calendar
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import deadline_extend, local_date
from linke.validators import validate_day

from .audit_actions import AuditAction
from .models import ExcludedInterval, ExclusionKind, PeriodExtension

S = CaseState
# The period runs until the decision (deadlines.signals meets it on 已决定).
OPEN_STATES = (S.INVESTIGATING, S.ACCEPTED, S.UNDER_REVIEW, S.PENDING_DECISION)
LICENSING_EXTRA_DAYS = 10  # 《行政许可法》第四十二条第一款


def _open_deadline(case: Case, kind: str) -> Deadline:
    from deadlines.selectors import case_deadline

    deadline = case_deadline(case, kind)
    if deadline is None or deadline.met_at is not None:
        raise TransitionError(f"本案没有正在计算的“{DeadlineKind(kind).label}”期限。")
    return deadline


def _approve(case: Case, by: User, opinion: str) -> SignOff:
    # Each extension is its own request: a fresh round of the step, signed by the head.
    return signoffs.signoff_record(
        case=case,
        step=SignOffStep.PERIOD_EXTENSION,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.PERIOD_EXTENSION),
    )


def _record(
    case: Case, by: User, kind: str, reason: str, old_due: dt.datetime, moved: Deadline, **extra: Any
) -> PeriodExtension:
    signoff = _approve(case, by, f"同意延长办理期限。理由：{reason}")
    row = PeriodExtension.objects.create(
        case=case, kind=kind, signoff=signoff, reason=reason, old_due=old_due, new_due=moved.due, **extra
    )
    audit.record(
        row,
        AuditAction.PERIOD_EXTENDED,
        actor=by,
        case=case,
        kind=kind,
        reason=reason,
        old_due=old_due,
        new_due=moved.due,
        signoff=signoff.pk,
    )
    return row


@transaction.atomic
def period_extend_penalty(*, case_id: int, by: User, new_due: dt.date, reason: str) -> PeriodExtension:
    """《行政处罚法》第六十条: the head approves deciding by `new_due` (a day after the current due
    date) for `reason`. The approval is the head's SignOff (not a handling officer). The period
    stays in calendar days counted from 立案; a last day that is a rest day ends on the next
    working day (第八十五条)."""
    case = stages.lock(case_id)
    what = "延长办理期限"
    if case.kind != CaseKind.PENALTY:
        raise TransitionError("《行政处罚法》第六十条的期限仅适用于行政处罚案件。")
    stages.require_state(case, OPEN_STATES, what)
    if not policy.may_sign(by, case, Level.HEAD):
        raise stages.TransitionDenied("《行政处罚法》第六十条：延长办理期限须经机关负责人（非本案承办人）批准。")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError("请填写延长办理期限的理由。")
    deadline = _open_deadline(case, DeadlineKind.PENALTY_DECISION)
    current = local_date(deadline.due)
    if new_due <= current:
        raise TransitionError(f"延长后的期限应晚于当前届满日（{current:%Y-%m-%d}）。")
    old_due = deadline.due
    days = (new_due - local_date(deadline.start)).days
    moved = deadline_extend(case=case, kind=DeadlineKind.PENALTY_DECISION, by=by, reason=reason, days=days)
    return _record(case, by, DeadlineKind.PENALTY_DECISION, reason, old_due, moved)


@transaction.atomic
def period_extend_licensing(*, case_id: int, by: User, reason: str, applicant_told: bool) -> PeriodExtension:
    """《行政许可法》第四十二条第一款: the head approves ten more working days, once, and the
    applicant is told the reason."""
    case = stages.lock(case_id)
    what = "延长许可办理期限"
    if case.kind != CaseKind.LICENSING:
        raise TransitionError("《行政许可法》第四十二条的期限仅适用于行政许可案件。")
    stages.require_state(case, OPEN_STATES, what)
    if not policy.may_sign(by, case, Level.HEAD):
        raise stages.TransitionDenied("《行政许可法》第四十二条：延长十日须经本行政机关负责人（非本案承办人）批准。")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError("请填写延长期限的理由。")
    if not applicant_told:
        raise TransitionError("《行政许可法》第四十二条：应当将延长期限的理由告知申请人。")
    if PeriodExtension.objects.filter(case=case, kind=DeadlineKind.LICENSING_DECISION).exists():
        raise TransitionError("《行政许可法》第四十二条：办理期限只能延长十日，本案已延长过。")
    deadline = _open_deadline(case, DeadlineKind.LICENSING_DECISION)
    old_due = deadline.due
    moved = deadline_extend(
        case=case,
        kind=DeadlineKind.LICENSING_DECISION,
        by=by,
        reason=reason,
        working_days=(deadline.working_days or 0) + LICENSING_EXTRA_DAYS,
    )
    return _record(case, by, DeadlineKind.LICENSING_DECISION, reason, old_due, moved, applicant_told=True)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many days from `start` to `end` (both counted) are working days (official calendar)."""
    n, day = 0, start
    while day <= end:
        n += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return n


@transaction.atomic
def period_exclude(
    *,
    case_id: int,
    by: User,
    kind: str,
    start: dt.date,
    end: dt.date,
    told_in_writing_on: dt.date | None,
    note: str = "",
) -> ExcludedInterval:
    """《行政许可法》第四十五条: the days from `start` to `end` (both counted, already over) spent on
    a hearing, tender, testing, appraisal or expert review do not count; the applicant was told
    in writing (`told_in_writing_on`). The licensing deadline moves by the interval's working
    days. Intervals of a case do not overlap (a day is excluded once). Officers of the case."""
    case = stages.lock(case_id)
    what = "记录不计入期限的时间"
    if case.kind != CaseKind.LICENSING:
        raise TransitionError("《行政许可法》第四十五条仅适用于行政许可案件。")
    stages.require_state(case, OPEN_STATES, what)
    stages.require_roles(case, by, (policy.ACTOR_OFFICER,), what)
    if kind not in ExclusionKind.values:
        raise TransitionError("请选择不计入期限的事项（听证、招标拍卖、检验检测检疫、鉴定、专家评审）。")
    today = timezone.localdate()
    if end < start:
        raise TransitionError("结束日期不能早于开始日期。")
    if end > today:
        raise TransitionError("结束日期不能晚于今天：请在该事项结束后记录。")
    if told_in_writing_on is None:
        raise TransitionError("《行政许可法》第四十五条：所需时间应当书面告知申请人，请填写书面告知日期。")
    deadline = _open_deadline(case, DeadlineKind.LICENSING_DECISION)
    accepted = local_date(deadline.start)
    # The applicant is told of the time needed after the application was accepted, not before.
    try:
        validate_day(told_in_writing_on, not_before=accepted, not_before_label="受理日期")
    except ValidationError as exc:
        raise TransitionError(f"书面告知日期：{exc.messages[0]}") from None
    if start <= accepted:
        raise TransitionError(f"开始日期应晚于受理日期（{accepted:%Y-%m-%d}）。")
    clash = ExcludedInterval.objects.filter(case=case, start__lte=end, end__gte=start).first()
    if clash is not None:
        raise TransitionError(f"与已记录的不计入时间重叠：{clash}。")
    days = working_days_between(start, end)
    if days:
        deadline_extend(
            case=case,
            kind=DeadlineKind.LICENSING_DECISION,
            by=by,
            reason=f"{ExclusionKind(kind).label}所需时间不计入期限（《行政许可法》第四十五条）",
            working_days=(deadline.working_days or 0) + days,
        )
    row = ExcludedInterval.objects.create(
        case=case,
        kind=kind,
        start=start,
        end=end,
        working_days=days,
        told_in_writing_on=told_in_writing_on,
        note=(note or "").strip(),
        recorded_by=by,
    )
    audit.record(
        row,
        AuditAction.PERIOD_EXCLUDED,
        actor=by,
        case=case,
        kind=kind,
        start=start,
        end=end,
        working_days=days,
        told_in_writing_on=told_in_writing_on,
    )
    return row
