"""Reads of 第四章: where a case's review stands (the rows of 审理/审核/批准/决定 in the open
round) and the approval queues of 法规科 and the head (第十三条、第十六条).

Rounds: the review's sign-offs (steps EXAMINATION, REVIEW, DECISION) share one round number;
a RETURN in any of them (a return for more investigation) opens the next round, in which all
four are signed again (`review_round`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Role, User
from cases.models import Case, CaseOfficer, CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from deadlines.selectors import decision_due

from .models import Decision, ReviewClaim, ReviewRound, ReviewTask

REVIEW_STEPS = (SignOffStep.EXAMINATION, SignOffStep.REVIEW, SignOffStep.DECISION)

# Each task is one signature: its step and level, the stage it is signed in, the role.
TASK_SIGNOFF: dict[str, tuple[str, str]] = {
    ReviewTask.EXAMINE: (SignOffStep.EXAMINATION, Level.LEGAL),
    ReviewTask.CHECK: (SignOffStep.REVIEW, Level.LEGAL),
    ReviewTask.APPROVE: (SignOffStep.REVIEW, Level.HEAD),
    ReviewTask.DECIDE: (SignOffStep.DECISION, Level.HEAD),
}
TASK_STATE = {
    ReviewTask.EXAMINE: CaseState.UNDER_REVIEW,
    ReviewTask.CHECK: CaseState.UNDER_REVIEW,
    ReviewTask.APPROVE: CaseState.PENDING_DECISION,
    ReviewTask.DECIDE: CaseState.PENDING_DECISION,
}
TASK_ARTICLE = {
    ReviewTask.EXAMINE: "第十三条",
    ReviewTask.CHECK: "第十三条",
    ReviewTask.APPROVE: "第十三条",
    ReviewTask.DECIDE: "第十六条",
}
# The queues: 法规科 works 审理 and 审核, the head 批准 and 决定.
QUEUE_TASKS: dict[str, tuple[ReviewTask, ...]] = {
    Role.LEGAL_REVIEWER: (ReviewTask.EXAMINE, ReviewTask.CHECK),
    Role.HEAD: (ReviewTask.APPROVE, ReviewTask.DECIDE),
}
QUEUE_STATE: dict[str, str] = {Role.LEGAL_REVIEWER: CaseState.UNDER_REVIEW, Role.HEAD: CaseState.PENDING_DECISION}
# 第十三条's three signatures: one person signs at most one of them in a round.
SECTION_13 = (ReviewTask.EXAMINE, ReviewTask.CHECK, ReviewTask.APPROVE)


def review_round(case: Case) -> int:
    """The open round of the case's review: 1, plus one for every round a RETURN closed."""
    rows = list(SignOff.objects.filter(case=case, step__in=REVIEW_STEPS).values_list("round", "outcome"))
    if not rows:
        return 1
    last = max(r for r, _ in rows)
    returned = any(r == last and o == SignOffOutcome.RETURN for r, o in rows)
    return last + 1 if returned else last


@dataclass
class Progress:
    """Where the review of a case stands: the open round, its signatures by task (AGREE rows of
    the open round), the last round's return if the case came back, and the next task."""

    round: int
    signed: dict[str, SignOff]
    returned: SignOff | None
    rows: list[SignOff]  # every review sign-off of the case, oldest first (the panel's history)

    def next_task(self, state: str) -> str | None:
        for task in ReviewTask:
            if TASK_STATE[task] == state and task not in self.signed:
                return task.value
        return None


def review_progress(case: Case) -> Progress:
    """One query: the case's review sign-offs, sorted into the open round's signatures."""
    rows = list(
        SignOff.objects.filter(case=case, step__in=REVIEW_STEPS).select_related("actor").order_by("round", "signed_at")
    )
    last = max((r.round for r in rows), default=0)
    returned = next((r for r in rows if r.round == last and r.outcome == SignOffOutcome.RETURN), None)
    rnd = last + 1 if returned else max(last, 1)
    by_key = {(step, level): task for task, (step, level) in TASK_SIGNOFF.items()}
    signed = {
        by_key[(r.step, r.level)]: r
        for r in rows
        if r.round == rnd and r.outcome == SignOffOutcome.AGREE and (r.step, r.level) in by_key
    }
    return Progress(rnd, signed, returned, rows)


def open_claim(case: Case, task: str) -> ReviewClaim | None:
    return ReviewClaim.objects.filter(case=case, task=task, ended_at__isnull=True).select_related("claimed_by").first()


def decision_of(case: Case) -> Decision | None:
    return Decision.objects.filter(case=case).select_related("drafted_by", "decided_by", "document").first()


def claims_of(case: Case) -> list[ReviewClaim]:
    """The case's claims, newest first (the panel's record of who took and handed over what)."""
    return list(
        ReviewClaim.objects.filter(case=case).select_related("claimed_by", "handed_by").order_by("-claimed_at", "-pk")
    )


# --- the queues ---------------------------------------------------------------------------


def queue_role(user: User) -> str | None:
    """The queue `user` works: 法规科 or the head's; None for everyone else (their queue URL is a 404)."""
    if not (user.is_authenticated and user.is_active):
        return None
    if user.has_role(Role.LEGAL_REVIEWER):
        return Role.LEGAL_REVIEWER
    if user.has_role(Role.HEAD):
        return Role.HEAD
    return None


def _current_agree(task: str, actor: User | None = None) -> Exists:
    """The case has `task`'s AGREE signature (by `actor`, if given) in its open round: one with
    no RETURN of the review in that round or a later one (the signoff_by_step index)."""
    step, level = TASK_SIGNOFF[task]
    returned_since = SignOff.objects.filter(
        case_id=OuterRef("case_id"), step__in=REVIEW_STEPS, outcome=SignOffOutcome.RETURN, round__gte=OuterRef("round")
    )
    rows = SignOff.objects.filter(case_id=OuterRef("pk"), step=step, level=level, outcome=SignOffOutcome.AGREE)
    if actor is not None:
        rows = rows.filter(actor=actor)
    return Exists(rows.exclude(Exists(returned_since)))


def queue_for(user: User, *, kind: str = "", claim: str = "", overdue: bool = False) -> QuerySet[Case]:
    """The cases waiting for `user`'s queue, nearest statutory deadline first (then the longest
    waiting). Annotated: `due` (the open PENALTY_DECISION / LICENSING_DECISION deadline),
    `since` (submitted for review, or review completed), `claim_id`, `claimed_by_id`, and for
    法规科 `examined` (审理 signed, so 审核 is next). `claim`: "mine", "unclaimed" or "" (all).
    A fixed number of queries whatever the number of cases; none for a user without a queue.
    Cases the user handles are left out (they may not sign them: policy.may_sign)."""
    role = queue_role(user)
    if role is None:
        return Case.objects.none()
    tasks = QUEUE_TASKS[role]
    open_claim_q = ReviewClaim.objects.filter(case_id=OuterRef("pk"), task__in=tasks, ended_at__isnull=True)
    last_round = ReviewRound.objects.filter(case_id=OuterRef("pk")).order_by("-round")
    since_field = "submitted_at" if role == Role.LEGAL_REVIEWER else "completed_at"
    qs = (
        Case.objects.filter(state=QUEUE_STATE[role])
        .exclude(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id"))
        .annotate(
            due=decision_due(),
            since=Subquery(last_round.values(since_field)[:1]),
            claim_id=Subquery(open_claim_q.values("pk")[:1]),
            claimed_by_id=Subquery(open_claim_q.values("claimed_by_id")[:1]),
        )
    )
    if role == Role.LEGAL_REVIEWER:
        # 审理 and 审核 done waits for complete_review, not for a signature; who examined a
        # case does not also check it (第十三条: two people).
        qs = qs.annotate(examined=_current_agree(ReviewTask.EXAMINE), checked=_current_agree(ReviewTask.CHECK))
        qs = qs.exclude(Q(checked=True)).exclude(Q(examined=True) & _current_agree(ReviewTask.EXAMINE, user))
    if kind:
        qs = qs.filter(kind=kind)
    if claim == "mine":
        qs = qs.filter(claimed_by_id=user.pk)
    elif claim == "unclaimed":
        qs = qs.filter(claim_id__isnull=True)
    if overdue:
        qs = qs.filter(due__lt=timezone.now())
    return qs.select_related("department").order_by(
        F("due").asc(nulls_last=True), F("since").asc(nulls_last=True), "pk"
    )


def queue_count(user: User) -> int:
    """How many cases wait in `user`'s queue (the dashboard's badge); 0 without a queue."""
    return queue_for(user).count() if queue_role(user) else 0


def claims_by_id(claim_ids: list[int]) -> dict[int, ReviewClaim]:
    """Claims by id with their claimant (one query for a queue page)."""
    return {r.pk: r for r in ReviewClaim.objects.filter(pk__in=claim_ids).select_related("claimed_by")}
