"""Actions of 第四章 (审查与决定) that exist so far: a case leaves investigation for review, and
review sends it back for more investigation. The review queues, 审理/审核/批准, notice and
defence, hearing, legal review and the decision come with the review issue; until then
`complete_review` and `decide` are not declared, so no case can reach 待决定 or 已决定.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Role, User
from cases import signoffs, stages
from cases.models import Case, CaseKind, CaseState, Level, SignOffOutcome, SignOffStep
from cases.policy import ACTOR_OFFICER
from cases.stages import Transition, TransitionError

S = CaseState
PL = (CaseKind.PENALTY, CaseKind.LICENSING)


@transaction.atomic
def review_submit(*, case_id: int, by: User) -> Case:
    """INVESTIGATING (penalty) | ACCEPTED (licensing) -> UNDER_REVIEW: the officers submit the case
    once the investigation stage's requirements (第十条) are recorded."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, SUBMIT_FOR_REVIEW)
    return stages.advance(case, SUBMIT_FOR_REVIEW, by=by)


@transaction.atomic
def review_return_for_investigation(*, case_id: int, by: User, opinion: str) -> Case:
    """UNDER_REVIEW -> INVESTIGATING (第十三条): 法规科 or the head returns the case for more
    investigation. The reasons are a sign-off row of the review step (outcome RETURN), shown on
    the case page and its timeline. Raises TransitionError / TransitionDenied."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, RETURN_FOR_INVESTIGATION)
    if not (opinion or "").strip():
        raise TransitionError("请填写退回补充调查的理由。")
    level = Level.LEGAL if by.has_role(Role.LEGAL_REVIEWER) else Level.HEAD
    row = signoffs.signoff_record(
        case=case, step=SignOffStep.REVIEW, level=level, by=by, outcome=SignOffOutcome.RETURN, opinion=opinion
    )
    return stages.advance(case, RETURN_FOR_INVESTIGATION, by=by, opinion=row.opinion, signoff=row.pk)


SUBMIT_FOR_REVIEW = stages.declare(
    Transition(
        "submit_for_review",
        "提交审查",
        "review",
        PL,
        (S.INVESTIGATING, S.ACCEPTED),
        S.UNDER_REVIEW,
        (ACTOR_OFFICER,),
        order=30,
        button=review_submit,
    )
)
RETURN_FOR_INVESTIGATION = stages.declare(
    Transition(
        "return_for_investigation",
        "退回补充调查",
        "review",
        (CaseKind.PENALTY,),
        (S.UNDER_REVIEW,),
        S.INVESTIGATING,
        (Role.LEGAL_REVIEWER, Role.HEAD),
        check_complete=False,
        needs_opinion=True,
        order=31,
        button=review_return_for_investigation,
    )
)
