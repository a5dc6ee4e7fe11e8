"""What the legal review, the decision period and the publication show on the case page."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from cases import policy
from cases.models import CaseKind, CaseState, Level
from cases.panels import Panel, register
from deadlines.models import DeadlineKind

S = CaseState


def _legal(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    from .legal import BEFORE_DECISION, REVIEW_STATES, first_time_unqualified, sheet_of
    from .models import CollectiveDiscussion, ExpertOpinion, LegalReview

    if case.kind != CaseKind.PENALTY and not sheet_of(case):
        return None
    before = case.state in BEFORE_DECISION
    in_review = case.state in REVIEW_STATES
    reviewer = policy.may_sign(user, case, Level.LEGAL) and not policy.is_officer_of(user, case)
    why = ""
    if reviewer and not in_review:
        why = f"案件处于“{case.get_state_display()}”阶段：法制审核在审查中或待决定阶段进行。"
    elif reviewer and first_time_unqualified(user):
        why = "《行政处罚法》第五十八条第二款：您的法律职业资格证书编号尚未登记，不能进行法制审核。"
    return {
        "sheet": sheet_of(case),
        "reviews": list(LegalReview.objects.filter(case=case).select_related("signoff", "reviewer")),
        "experts": list(ExpertOpinion.objects.filter(case=case)),
        "discussions": list(
            CollectiveDiscussion.objects.filter(case=case).select_related("chair").prefetch_related("opinions")
        ),
        "can_sheet": before
        and any(policy.may_act(user, case, r) for r in (policy.ACTOR_OFFICER, Role.LEGAL_REVIEWER, Role.HEAD)),
        "can_review": reviewer and in_review and not why,
        "why_not_review": why,
        "can_expert": before
        and any(policy.may_act(user, case, r) for r in (policy.ACTOR_OFFICER, Role.LEGAL_REVIEWER)),
        "can_discuss": in_review and any(policy.may_act(user, case, r) for r in (Role.LEGAL_REVIEWER, Role.HEAD)),
    }


def _periods(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    from deadlines.selectors import case_deadline

    from .models import ExcludedInterval, PeriodExtension
    from .periods import OPEN_STATES

    kind = {CaseKind.PENALTY: DeadlineKind.PENALTY_DECISION, CaseKind.LICENSING: DeadlineKind.LICENSING_DECISION}.get(
        case.kind
    )
    if kind is None:
        return None
    deadline = case_deadline(case, kind)
    running = deadline is not None and deadline.met_at is None and case.state in OPEN_STATES
    return {
        "deadline": deadline,
        "extensions": list(PeriodExtension.objects.filter(case=case).select_related("signoff__actor")),
        "excluded": list(ExcludedInterval.objects.filter(case=case).select_related("recorded_by")),
        "can_extend": running and policy.may_sign(user, case, Level.HEAD),
        "can_exclude": running and case.kind == CaseKind.LICENSING and policy.may_act(user, case, policy.ACTOR_OFFICER),
    }


def _publication(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    from deadlines.selectors import case_deadline

    from .publication import DECIDED_STATES, changes_of_case, publications_of_case

    if case.state not in DECIDED_STATES:
        return None
    pubs = publications_of_case(case)
    return {
        "deadline": case_deadline(case, DeadlineKind.PUBLICATION),
        "publications": pubs,
        "live": any(p.withdrawn_at is None for p in pubs),
        "changes": changes_of_case(case),
        "can_publish": policy.may_act(user, case, Role.LEGAL_REVIEWER),
        "can_change": policy.may_act(user, case, Role.HEAD),
    }


register(
    Panel(
        "review_legal",
        "法制审核、专家论证与集体讨论（第十六条；《行政处罚法》第五十七、五十八条）",
        "review/legal/_panel.html",
        _legal,
        order=62,
        section="review",
    )
)
register(
    Panel(
        "review_periods",
        "办理期限（《行政处罚法》第六十条；《行政许可法》第四十二、四十五条）",
        "review/legal/_periods.html",
        _periods,
        order=63,
        section="review",
    )
)
register(
    Panel(
        "review_publication",
        "行政执法决定公示（国办发〔2018〕118号；《行政处罚法》第四十八条）",
        "review/publication/_panel.html",
        _publication,
        order=64,
        section="review",
    )
)
