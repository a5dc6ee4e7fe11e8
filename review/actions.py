"""Actions of 第四章 (审查与决定): the case goes to review and back, the officers draft the
decision, 法规科 and the head take items from their queues and sign them (第十三条 审理/审核/
批准), the review is completed, and the head decides (第十六条) with the decision document.

Every signature is a `cases.models.SignOff` row (cases.signoffs.signoff_record); the review's
steps share one round (review.selectors.review_round): a return for more investigation opens
the next, in which 审理, 审核, 批准 and 决定 are signed again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

import audit
from accounts.models import Role, User
from cases import policy, signoffs, stages
from cases.models import Case, CaseKind, CaseState, SignOff, SignOffOutcome
from cases.policy import ACTOR_OFFICER
from cases.stages import Transition, TransitionDenied, TransitionError
from deadlines.selectors import DECISION_KINDS, decision_due_of
from linke.validators import text_error

from . import checks, rules
from .audit_actions import AuditAction
from .decision_docs import decision_document_issue
from .models import ClaimEnd, Decision, ReviewClaim, ReviewRound, ReviewTask
from .selectors import QUEUE_TASKS, SECTION_13, TASK_SIGNOFF, Progress, review_progress

S = CaseState
PL = (CaseKind.PENALTY, CaseKind.LICENSING)
DRAFT_STATES = (S.INVESTIGATING, S.UNDER_REVIEW, S.ACCEPTED)
DRAFT_FIELDS = (
    "outcome",
    "facts",
    "evidence",
    "basis",
    "kinds",
    "fine_yuan",
    "confiscation_yuan",
    "content",
    "performance",
)


@transaction.atomic
def review_submit(*, case_id: int, by: User) -> Case:
    """INVESTIGATING (penalty) | ACCEPTED (licensing) -> UNDER_REVIEW: the officers submit the case
    once the investigation stage's requirements (第十条) are recorded. Opens the review round
    (its time is the queues' "waiting since")."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, SUBMIT_FOR_REVIEW)
    rnd = review_progress(case).round
    stages.advance(case, SUBMIT_FOR_REVIEW, by=by, round=rnd)
    review_round_open(case, by)
    return case


def review_round_open(case: Case, by: User) -> ReviewRound:
    """The queue row of a case (locked by the caller) that has just entered 审查中: its review
    round, submitted by `by` now."""
    rnd = review_progress(case).round
    row, _ = ReviewRound.objects.update_or_create(
        case=case,
        round=rnd,
        defaults={"submitted_by": by, "submitted_at": timezone.now(), "completed_by": None, "completed_at": None},
    )
    queue_sync(case)
    return row


def queue_sync(case: Case) -> None:
    """Bring the case's queue row (ReviewRound) in line with its sign-offs, state and claims
    after an action: the task waiting now, who examined, who has taken it. Rounds other than
    the open one wait for nothing."""
    progress = review_progress(case)
    task = progress.next_task(case.state) or ""
    claim = (
        ReviewClaim.objects.filter(case=case, task=task, ended_at__isnull=True).values_list("claimed_by_id", flat=True)
        if task
        else []
    )
    examined = progress.signed.get(ReviewTask.EXAMINE)
    ReviewRound.objects.filter(case=case, round=progress.round).update(
        task=task,
        examined_by=examined.actor_id if examined else None,
        claimed_by=next(iter(claim), None),
        kind=case.kind,
        due=decision_due_of(case.pk) if task else None,
    )
    ReviewRound.objects.filter(case=case).exclude(round=progress.round).exclude(task="").update(
        task="", claimed_by=None
    )


def on_deadline_moved(*, case_id: int | None, kind: str, due: Any, **kwargs: Any) -> None:
    """deadlines.signals.deadline_moved: a decision period extended, shortened by a calendar
    change or paused (《行政处罚法》第六十条, 《行政许可法》第四十二、四十五条) re-sorts the queues."""
    if case_id is not None and kind in DECISION_KINDS:
        ReviewRound.objects.filter(case_id=case_id).exclude(task="").update(due=due)


def _close_claims(case: Case, end: str, *, task: str | None = None) -> None:
    rows = ReviewClaim.objects.filter(case=case, ended_at__isnull=True)
    if task is not None:
        rows = rows.filter(task=task)
    rows.update(ended_at=timezone.now(), end=end)


def _task_for(case: Case, by: User, progress: Progress) -> str:
    """The task `by` would sign now: the next one of the case's stage, if it is in `by`'s queue."""
    task = progress.next_task(case.state)
    if task is None:
        raise TransitionError(f"案件当前处于“{case.get_state_display()}”阶段，没有待签署的审查事项。")
    role = Role.LEGAL_REVIEWER if task in QUEUE_TASKS[Role.LEGAL_REVIEWER] else Role.HEAD
    if not by.has_role(role):
        raise TransitionDenied(f"无权签署“{ReviewTask(task).label}”意见：需由{Role(role).label}签署。")
    return task


def _check_signer(case: Case, by: User, task: str, progress: Progress, *, claims: bool = True) -> None:
    """The policy (no handling officer signs; the level's role), the claim (nobody signs what
    another has taken) and 第十三条's separation (one person signs one of 审理/审核/批准)."""
    step, level = TASK_SIGNOFF[task]
    if not policy.may_sign(by, case, level):
        raise TransitionDenied(
            f"无权签署“{ReviewTask(task).label}”意见：本案承办人员不得审查、批准本案，且须具有相应职责。"
        )
    claim = (
        ReviewClaim.objects.filter(case=case, task=task, ended_at__isnull=True).select_related("claimed_by").first()
        if claims
        else None
    )
    if claim is not None and claim.claimed_by_id != by.pk:
        raise TransitionDenied(f"“{ReviewTask(task).label}”已由{claim.claimed_by}领取，须由其签署或转交。")
    if task in SECTION_13:
        for other in SECTION_13:
            row = progress.signed.get(other)
            if other != task and row is not None and row.actor_id == by.pk:
                raise TransitionDenied(
                    f"同一人不得签署第十三条审理、审核、批准中的两项：您已签署本轮“{ReviewTask(other).label}”意见。"
                )


def _require_draft(case: Case, task: str) -> None:
    """第十三条: 审理 examines the decision the officers propose; once signed the draft is frozen,
    so signing it before there is one would leave nothing examined and nothing to decide. (The
    item may still be taken from the queue meanwhile.)"""
    if task == ReviewTask.EXAMINE and not Decision.objects.filter(case=case).exists():
        raise TransitionError("第十三条：承办人员尚未拟写处理决定，暂不能审理；请待处理决定草稿拟写后再签署审理意见。")


def _sign(case: Case, by: User, task: str, outcome: str, opinion: str, progress: Progress) -> SignOff:
    _check_signer(case, by, task, progress)
    if outcome == SignOffOutcome.AGREE:  # a return for more investigation needs no draft
        _require_draft(case, task)
    step, level = TASK_SIGNOFF[task]
    row = signoffs.signoff_record(
        case=case, step=step, level=level, by=by, outcome=outcome, opinion=opinion, round=progress.round
    )
    _close_claims(case, ClaimEnd.DONE, task=task)
    return row


@transaction.atomic
def review_return_for_investigation(*, case_id: int, by: User, opinion: str) -> Case:
    """UNDER_REVIEW | PENDING_DECISION -> INVESTIGATING (第十三条): 法规科 (while in review) or the
    head returns the case for more investigation. The reasons are the sign-off row of the task
    the returner was to sign (outcome RETURN), shown on the case page and its timeline; the
    review's next round starts. Raises TransitionError / TransitionDenied."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, RETURN_FOR_INVESTIGATION)
    if not (opinion or "").strip():
        raise TransitionError("请填写退回补充调查的理由。")
    progress = review_progress(case)
    if case.state == S.UNDER_REVIEW and not by.has_role(Role.LEGAL_REVIEWER):
        # The head returns a case still in review at the head's own level (批准).
        task = ReviewTask.APPROVE.value
    else:
        task = _task_for(case, by, progress)
    row = _sign(case, by, task, SignOffOutcome.RETURN, opinion, progress)
    _close_claims(case, ClaimEnd.CLOSED)
    stages.advance(
        case, RETURN_FOR_INVESTIGATION, by=by, opinion=row.opinion, signoff=row.pk, task=task, round=row.round
    )
    queue_sync(case)
    return case


@transaction.atomic
def review_sign(*, case_id: int, by: User, opinion: str) -> SignOff:
    """Sign the next task of the case's review with AGREE: 审理 or 审核 (法规科, in 审查中) or
    批准 (the head, in 待决定) — 第十三条. The opinion is the signer's own text. The decision
    (第十六条) is `review_decide`. Raises TransitionError / TransitionDenied."""
    case = stages.lock(case_id)
    if case.state not in (S.UNDER_REVIEW, S.PENDING_DECISION):
        stages.require_state(case, (S.UNDER_REVIEW, S.PENDING_DECISION), "签署审查意见")
    progress = review_progress(case)
    task = _task_for(case, by, progress)
    if task == ReviewTask.DECIDE:
        raise TransitionError("请通过“作出决定”签署决定意见（第十六条）。")
    row = _sign(case, by, task, SignOffOutcome.AGREE, opinion, progress)
    queue_sync(case)
    return row


@transaction.atomic
def review_complete(*, case_id: int, by: User) -> Case:
    """UNDER_REVIEW -> PENDING_DECISION: 法规科 reports the reviewed case to the head once 审理 and
    审核 are signed and the stage's requirements (第十三条 and the other parts' checks) are met."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, COMPLETE_REVIEW)
    rnd = review_progress(case).round
    ReviewRound.objects.filter(case=case, round=rnd).update(completed_by=by, completed_at=timezone.now())
    stages.advance(case, COMPLETE_REVIEW, by=by, round=rnd)
    queue_sync(case)
    return case


@transaction.atomic
def review_decide(*, case_id: int, by: User, opinion: str) -> Decision:
    """PENDING_DECISION -> DECIDED (第十六条): the head signs the decision (step DECISION, level
    HEAD: opinion and signing time), every registered decision check passes
    (review.checks.decision_refusals; refused with all reasons), the decision is stamped and
    its document issued (review.decision_docs). Raises TransitionError / TransitionDenied."""
    case = stages.lock(case_id)
    stages.require_actor(case, by, DECIDE)
    progress = review_progress(case)
    decision = Decision.objects.select_for_update().filter(case=case).first()
    if decision is None:
        raise TransitionError("尚未拟写处理决定，不能作出决定（第十六条）。")
    errors = rules.draft_errors(case.kind, _draft_data(decision))
    if errors:
        raise TransitionError("处理决定草稿不完整：" + "；".join(errors.values()))
    reasons = checks.decision_refusals(case, decision)
    if reasons:
        raise TransitionError("不能作出决定：" + "；".join(reasons))
    if ReviewTask.APPROVE not in progress.signed:
        raise TransitionError("第十三条：机关负责人尚未签署批准意见，不能作出决定。")
    row = _sign(case, by, ReviewTask.DECIDE, SignOffOutcome.AGREE, opinion, progress)
    decision.decided_by, decision.decided_at = by, row.signed_at
    decision.document = decision_document_issue(decision=decision, by=by)
    decision.save(update_fields=["decided_by", "decided_at", "document"])
    audit.record(
        decision,
        AuditAction.DECISION_MADE,
        actor=by,
        case=case,
        outcome=decision.outcome,
        signoff=row.pk,
        document=decision.document.number if decision.document else "",
    )
    stages.advance(case, DECIDE, by=by, decision=decision.pk, signoff=row.pk)
    queue_sync(case)
    return decision


# --- the decision draft ----------------------------------------------------------------------


def _draft_data(decision: Decision) -> dict[str, Any]:
    return {name: getattr(decision, name) for name in DRAFT_FIELDS}


@transaction.atomic
def decision_save(*, case_id: int, by: User, **data: Any) -> Decision:
    """Create or change the case's decision draft (the officers, in 调查取证 / 已受理 / 审查中,
    before 审理 is signed in the open round: what was examined is what is decided). `data`:
    the Decision's draft fields (review.rules). Raises TransitionError naming the first
    defects, TransitionDenied for anyone but the case's officers."""
    case = stages.lock(case_id)
    if not policy.may_write(by, case):
        raise TransitionDenied("只有本案执法人员可以拟写处理决定。")
    stages.require_state(case, DRAFT_STATES, "拟写处理决定")
    progress = review_progress(case)
    if case.state == S.UNDER_REVIEW and ReviewTask.EXAMINE in progress.signed:
        raise TransitionError("法规科已签署审理意见，处理决定草稿不得再改；如需修改，请由法规科退回补充调查。")
    data = {name: data.get(name) for name in DRAFT_FIELDS}
    data["kinds"] = [str(k) for k in (data["kinds"] or [])]
    for name in ("fine_yuan", "confiscation_yuan"):
        if data[name] in ("", None):
            data[name] = None
        else:
            data[name] = Decimal(str(data[name]))
    for name in ("facts", "evidence", "basis", "content", "performance"):
        data[name] = (data[name] or "").strip()
    errors = rules.draft_errors(case.kind, data)
    if errors:
        raise TransitionError("；".join(errors.values()))
    decision = Decision.objects.filter(case=case).first()
    if decision is None:
        decision = Decision.objects.create(case=case, drafted_by=by, **data)
        action = AuditAction.DECISION_DRAFTED
    else:
        for name, value in data.items():
            setattr(decision, name, value)
        decision.drafted_by = by
        decision.save()
        action = AuditAction.DECISION_UPDATED
    audit.record(decision, action, actor=by, case=case, **data)
    return decision


# --- the queues: take, release, hand over ----------------------------------------------------


@transaction.atomic
def claim_take(*, case_id: int, by: User) -> ReviewClaim:
    """Take the case's next review task from the queue. Of two people taking it at once,
    exactly one gets it (the case row is locked, and the constraint review_claim_one_open
    backs it); the other gets TransitionError naming who has it."""
    case = stages.lock(case_id)
    stages.require_state(case, (S.UNDER_REVIEW, S.PENDING_DECISION), "领取审查事项")
    progress = review_progress(case)
    task = _task_for(case, by, progress)
    existing = ReviewClaim.objects.filter(case=case, task=task, ended_at__isnull=True).select_related("claimed_by")
    held = existing.first()
    if held is not None:
        if held.claimed_by_id == by.pk:
            return held  # a repeated request does not duplicate
        raise TransitionError(f"“{ReviewTask(task).label}”已由{held.claimed_by}领取。")
    _check_signer(case, by, task, progress)
    try:
        with transaction.atomic():
            claim = ReviewClaim.objects.create(case=case, task=task, claimed_by=by)
    except IntegrityError:
        raise TransitionError(f"“{ReviewTask(task).label}”已被他人领取。") from None
    audit.record(claim, AuditAction.CLAIM_TAKEN, actor=by, case=case, task=task)
    queue_sync(case)
    return claim


def _open_claim_for_update(case: Case) -> ReviewClaim:
    progress = review_progress(case)
    task = progress.next_task(case.state)
    claim = (
        ReviewClaim.objects.select_for_update().filter(case=case, task=task, ended_at__isnull=True).first()
        if task
        else None
    )
    if claim is None:
        raise TransitionError("该事项目前无人领取。")
    return claim


@transaction.atomic
def claim_release(*, case_id: int, by: User) -> ReviewClaim:
    """Give back a taken task (its claimant only): it returns to the queue unclaimed."""
    case = stages.lock(case_id)
    claim = _open_claim_for_update(case)
    if claim.claimed_by_id != by.pk:
        raise TransitionDenied("只有领取人可以放弃该事项。")
    claim.ended_at, claim.end = timezone.now(), ClaimEnd.RELEASED
    claim.save(update_fields=["ended_at", "end"])
    audit.record(claim, AuditAction.CLAIM_RELEASED, actor=by, case=case, task=claim.task)
    queue_sync(case)
    return claim


@transaction.atomic
def claim_reassign(*, case_id: int, by: User, to: User, reason: str) -> ReviewClaim:
    """Hand a taken task to another person who may sign it (the claimant, or the head for any
    claim). Ends the claim and opens the next with `handed_from`; audited with the reason."""
    case = stages.lock(case_id)
    claim = _open_claim_for_update(case)
    if not (claim.claimed_by_id == by.pk or (by.has_role(Role.HEAD) and policy.reads_every_case(by))):
        raise TransitionDenied("只有领取人或机关负责人可以转交该事项。")
    if not (reason or "").strip():
        raise TransitionError("请填写转交理由。")
    if error := text_error(reason, label="转交理由", multiline=True):
        raise TransitionError(error)
    if to.pk == claim.claimed_by_id:
        raise TransitionError("该事项已由此人领取。")
    progress = review_progress(case)
    try:
        _check_signer(case, to, claim.task, progress, claims=False)
        role = Role.LEGAL_REVIEWER if claim.task in QUEUE_TASKS[Role.LEGAL_REVIEWER] else Role.HEAD
        if not to.has_role(role):
            raise TransitionDenied(f"须转交给{Role(role).label}人员。")
    except TransitionDenied as exc:
        raise TransitionError(f"不能转交给{to}：{exc}") from None
    now = timezone.now()
    claim.ended_at, claim.end = now, ClaimEnd.REASSIGNED
    claim.save(update_fields=["ended_at", "end"])
    new = ReviewClaim.objects.create(
        case=case, task=claim.task, claimed_by=to, handed_from=claim, handed_by=by, reason=reason.strip()
    )
    audit.record(
        new,
        AuditAction.CLAIM_REASSIGNED,
        actor=by,
        case=case,
        task=claim.task,
        from_user=claim.claimed_by_id,
        to_user=to.pk,
        reason=new.reason,
    )
    queue_sync(case)
    return new


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
        (S.UNDER_REVIEW, S.PENDING_DECISION),
        S.INVESTIGATING,
        (Role.LEGAL_REVIEWER, Role.HEAD),
        check_complete=False,
        needs_opinion=True,
        order=31,
        button=review_return_for_investigation,
        # Once the review is complete (待决定) only the head returns the case (第十三条 批准).
        roles_in=((S.PENDING_DECISION, (Role.HEAD,)),),
    )
)
COMPLETE_REVIEW = stages.declare(
    Transition(
        "complete_review",
        "审查完毕，报请决定",
        "review",
        PL,
        (S.UNDER_REVIEW,),
        S.PENDING_DECISION,
        (Role.LEGAL_REVIEWER,),
        order=32,
        button=review_complete,
    )
)
DECIDE = stages.declare(
    Transition(
        "decide",
        "作出决定",
        "review",
        PL,
        (S.PENDING_DECISION,),
        S.DECIDED,
        (Role.HEAD,),
        stamp="decided_at",
        order=33,
    )
)


def sign_refusal(case: Case, by: User, progress: Progress) -> str:
    """Why `by` may not sign the case's next review task now; "" when they may (the case
    page offers only what the actions would accept)."""
    try:
        task = _task_for(case, by, progress)
        _check_signer(case, by, task, progress)
        _require_draft(case, task)
    except TransitionError as exc:
        return str(exc)
    return ""
