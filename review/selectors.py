"""Reads of 第四章: where a case's review stands (the rows of 审理/审核/批准/决定 in the open
round) and the approval queues of 法规科 and the head (第十三条、第十六条).

Rounds: the review's sign-offs (steps EXAMINATION, REVIEW, DECISION) share one round number;
a RETURN in any of them (a return for more investigation) opens the next round, in which all
four are signed again (`review_round`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet, prefetch_related_objects
from django.utils import timezone

from accounts.models import Role, User
from cases import selectors as case_selectors
from cases.models import Case, CaseState, Level, SignOff, SignOffOutcome, SignOffStep

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
# 第十三条's three signatures: one person signs at most one of them in a round.
SECTION_13 = (ReviewTask.EXAMINE, ReviewTask.CHECK, ReviewTask.APPROVE)


def review_round(case: Case) -> int:
    """The open round of the case's review: 1, plus one for every round a RETURN closed."""
    rows = list(case_selectors.signoffs_of(case, REVIEW_STEPS).values_list("round", "outcome"))
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
    rows = list(case_selectors.signoffs_of(case, REVIEW_STEPS).select_related("actor").order_by("round", "signed_at"))
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


def queue_for(user: User, *, kind: str = "", claim: str = "", overdue: bool = False) -> QuerySet[ReviewRound]:
    """The queue rows (ReviewRound; `queue_page_load` fetches their case and claimant) waiting
    for `user`'s queue, nearest statutory deadline first (the row's `due`: the open
    PENALTY_DECISION / LICENSING_DECISION deadline), then the longest waiting (annotated `since`:
    submitted for review; for the head, review completed). `kind`: a CaseKind or "" (all);
    `claim`: "mine", "unclaimed" or "" (all). Left out: cases `user` handles (policy.may_sign),
    and for 审核 the cases `user` examined (第十三条: two people). Reads only the queue rows (index
    review_round_waiting), never the cases or deadlines tables; none for a user without a queue."""
    role = queue_role(user)
    if role is None:
        return ReviewRound.objects.none()
    since = "submitted_at" if role == Role.LEGAL_REVIEWER else "completed_at"
    qs = (
        ReviewRound.objects.filter(task__in=QUEUE_TASKS[role])
        .exclude(case_id__in=case_selectors.case_ids_handled_by(user))
        .exclude(task=ReviewTask.CHECK, examined_by=user)
        .annotate(since=F(since))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if claim == "mine":
        qs = qs.filter(claimed_by=user)
    elif claim == "unclaimed":
        qs = qs.filter(claimed_by__isnull=True)
    if overdue:
        qs = qs.filter(due__lt=timezone.now())
    return qs.order_by(F("due").asc(nulls_last=True), F("since").asc(nulls_last=True), "pk")


def queue_page_load(rows: list[ReviewRound]) -> list[ReviewRound]:
    """The page's rows with their case, its department and the claimant: three queries
    whatever the page size."""
    prefetch_related_objects(rows, "case__department", "claimed_by")
    return rows
