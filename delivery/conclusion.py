"""结案: the head's 结案审批 (a CONCLUSION sign-off), allowed only when delivery and execution are
complete or an allowed ending is recorded; concluding opens the 30-day archiving period
(第二十八条: DeadlineKind.ARCHIVE_FILE, the archivists' and the officers').

Endings (`Ending`): NOTHING (不予处罚, 移送 without anything to execute, licensing, a warning —
from 已送达), PAID (fine and surcharge paid), CORRECTED (the order to rectify verified as
corrected), ENFORCED (the court's enforcement completed), NOT_ENFORCEABLE and TRANSFERRED (with
the reason). Where the case both fines and orders a rectification, PAID and CORRECTED each need
both done.

    ending_gaps(case, ending, reason="") -> list[str]     what stands in the way, naming articles
    performed_ending(case) -> str | None                  an ending the records already show
    conclude(case_id, by, ending, reason, opinion) -> Conclusion    已送达/执行中 → 已结案
"""

from __future__ import annotations

from django.db import transaction

import audit
from accounts.models import Role, User
from cases import policy, signoffs, stages
from cases.models import Case, CaseKind, CaseState, Level, SignOffOutcome, SignOffStep
from cases.stages import Transition, TransitionDenied, TransitionError
from deadlines.models import DeadlineKind
from deadlines.services import deadline_met, deadline_open
from review.models import DecisionOutcome
from review.selectors import decision_of

from . import enforcement
from . import execution as ex
from .audit_actions import AuditAction
from .models_execution import Conclusion, CourtOutcome, Ending
from .selectors import service_date

S = CaseState
ART = "第二十三条"

CONCLUDE = stages.declare(
    Transition(
        name="conclude",
        label="结案",
        owner="delivery",
        kinds=(CaseKind.PENALTY, CaseKind.LICENSING),
        sources=(S.DELIVERED, S.EXECUTING),
        target=S.CONCLUDED,
        roles=(Role.HEAD,),
        stamp="concluded_at",
        order=80,
    )
)

_FROM_EXECUTING = (Ending.PAID, Ending.CORRECTED, Ending.ENFORCED, Ending.NOT_ENFORCEABLE, Ending.TRANSFERRED)


def _delivery_gaps(case: Case) -> list[str]:
    decision = decision_of(case)
    if decision is None:
        return ["第十六条：本案没有处理决定"]
    if decision.document_id is not None and service_date(decision.document_id) is None:
        return ["第十七条：处理决定书尚未送达（无成功的送达记录）"]
    reminder = enforcement.current_reminder(case)
    if reminder is not None and enforcement.reminder_served_on(reminder) is None:
        return ["《行政强制法》第三十五条：催告书已制作但尚未送达"]
    return []


def _fine_gaps(case: Case) -> list[str]:
    status = ex.fine_status_of(case)
    if status is None or status.settled:
        return []
    out = []
    if status.outstanding:
        out.append(f"{ART}、《行政处罚法》第六十七条：罚款尚有{status.outstanding}元未缴纳")
    if status.surcharge_owed:
        out.append(f"{ART}、《行政处罚法》第七十二条：加处罚款尚有{status.surcharge_owed}元未缴纳")
    return out


def _rectification_gaps(case: Case) -> list[str]:
    execution = ex.execution_of(case)
    if execution is None or not execution.rectification:
        return []
    checks = ex.rectifications_of(case)
    if not checks:
        return ["第二十三条第二款：责令改正尚无实地核查记录"]
    if not checks[-1].corrected:
        return ["第二十三条第二款：最近一次核查违法行为尚未改正"]
    return []


def ending_gaps(case: Case, ending: str, reason: str = "") -> list[str]:
    """What stands between the case and concluding with `ending` (Chinese, naming articles);
    empty when the head may conclude."""
    if ending not in Ending.values:
        return ["请选择结案情形"]
    gaps = _delivery_gaps(case)
    execution = ex.execution_of(case)
    decision = decision_of(case)
    if case.state == S.DELIVERED:
        if ending == Ending.TRANSFERRED and decision is not None and decision.outcome == DecisionOutcome.TRANSFER:
            pass
        elif ending != Ending.NOTHING:
            gaps.append("案件尚未进入执行：已送达的案件只能以“无需执行”结案")
        elif case.kind == CaseKind.PENALTY and ex.needs_execution(decision):
            gaps.append("第二十三条：处罚决定有需要执行的内容，应先进入执行")
    elif ending not in _FROM_EXECUTING:
        gaps.append("执行中的案件应记录执行结果（缴清、改正、强制执行完毕、无法执行或移送）")
    if ending in (Ending.PAID, Ending.CORRECTED):
        if execution is not None and execution.fine_yuan is None and ending == Ending.PAID:
            gaps.append("本案没有罚款")
        if execution is not None and not execution.rectification and ending == Ending.CORRECTED:
            gaps.append("本案没有责令改正")
        gaps += _fine_gaps(case) + _rectification_gaps(case)
    elif ending == Ending.ENFORCED:
        app = enforcement.application_of(case)
        if app is None:
            gaps.append("第二十四条：没有申请人民法院强制执行的记录")
        elif app.outcome != CourtOutcome.ENFORCED:
            gaps.append("第二十四条：尚未记录强制执行完毕的结果")
    if ending in (Ending.NOT_ENFORCEABLE, Ending.TRANSFERRED) and not (reason or "").strip():
        gaps.append(f"请写明{Ending(ending).label.split('（')[0]}的理由")
    return gaps


def performed_ending(case: Case) -> str | None:
    """An ending the execution records already show (PAID, CORRECTED or ENFORCED), or None."""
    for ending in (Ending.ENFORCED, Ending.PAID, Ending.CORRECTED):
        if not ending_gaps(case, ending):
            return ending
    return None


def conclusion_of(case: Case) -> Conclusion | None:
    return Conclusion.objects.filter(case=case).select_related("signoff__actor").first()


@transaction.atomic
def conclude(*, case_id: int, by: User, ending: str, reason: str = "", opinion: str) -> Conclusion:
    """已送达/执行中 → 已结案: the head's 结案审批 (CONCLUSION sign-off, a head who does not handle
    the case) with the ending recorded; refused with every gap `ending_gaps` names. Meets the
    execution deadlines still open and opens ARCHIVE_FILE (第二十八条: 30 days, for the archivists
    and the officers)."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, CONCLUDE)
    if not policy.may_sign(by, case, Level.HEAD):
        raise TransitionDenied("结案审批须由机关负责人（非本案承办人）签署。")
    gaps = ending_gaps(case, ending, reason)
    if gaps:
        raise TransitionError(f"不能结案：{'；'.join(gaps)}。")
    signoff = signoffs.signoff_record(
        case=case, step=SignOffStep.CONCLUSION, level=Level.HEAD, by=by, outcome=SignOffOutcome.AGREE, opinion=opinion
    )
    conclusion = Conclusion.objects.create(case=case, ending=ending, reason=(reason or "").strip(), signoff=signoff)
    for kind in (DeadlineKind.FINE_PAYMENT, DeadlineKind.ENFORCEMENT_APPLICATION):
        deadline_met(kind=kind, case=case)
    for kind in (DeadlineKind.ENFORCEMENT_OPENS, DeadlineKind.ENFORCEMENT_REMINDER):
        deadline_met(kind=kind, case=case)
    audit.record(conclusion, AuditAction.CONCLUDED, actor=by, case=case, ending=ending, signoff=signoff.pk)
    stages.advance(case, CONCLUDE, by=by, ending=ending)
    assert case.concluded_at is not None
    # 第二十八条: 30 days unless another regulation sets the period (settings.ARCHIVE_PERIOD_DAYS);
    # the department's designated archivist (专人), else every archivist (archive.selectors).
    from archive.selectors import archive_period_days, archivists_for

    days = archive_period_days(case.kind)
    deadline_open(
        case=case,
        kind=DeadlineKind.ARCHIVE_FILE,
        article="第二十八条",
        label=f"行政执法案卷归档（行政执法行为终结之日起{days}日内）",
        start=case.concluded_at,
        days=days,
        responsible=[*case.officers.all(), *archivists_for(case)],
    )
    return conclusion
