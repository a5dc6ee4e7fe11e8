"""The review panel of the case page (第十三条、第十六条): the sign-offs of 审理/审核/批准/决定
(who, when, opinion, outcome), returns, the decision draft and its document, who has taken
the next item, and the actions the viewer may take now — each other one with why not."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from cases import policy
from cases.models import CaseKind, CaseState
from cases.panels import Panel, register

from . import actions, selectors
from .forms import DecideForm, ReassignForm, SignForm
from .models import PenaltyKind, ReviewTask

S = CaseState
_SHOWN: tuple[str, ...] = (S.INVESTIGATING, S.ACCEPTED, S.UNDER_REVIEW, S.PENDING_DECISION, S.DECIDED)
_SHOWN += (S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED)
_TASK_OF = {v: k for k, v in selectors.TASK_SIGNOFF.items()}


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.kind not in (CaseKind.PENALTY, CaseKind.LICENSING) or case.state not in _SHOWN:
        return None
    progress = selectors.review_progress(case)
    decision = selectors.decision_of(case)
    task = progress.next_task(case.state)
    claim = selectors.open_claim(case, task) if task else None
    refusal = actions.sign_refusal(case, user, progress) if task else ""
    in_queue = selectors.queue_role(user) is not None
    mine = claim is not None and claim.claimed_by_id == user.pk
    may_sign = bool(task) and not refusal
    officer = policy.may_write(user, case)
    examined = ReviewTask.EXAMINE in progress.signed
    can_draft = officer and case.state in actions.DRAFT_STATES and not (case.state == S.UNDER_REVIEW and examined)
    draft_why = ""
    if officer and not can_draft:
        draft_why = (
            "法规科已签署审理意见，草稿不得再改；如需修改，请由法规科退回补充调查。"
            if case.state == S.UNDER_REVIEW
            else f"案件处于“{case.get_state_display()}”阶段，不能修改处理决定草稿。"
        )
    role = Role.LEGAL_REVIEWER if task in (ReviewTask.EXAMINE, ReviewTask.CHECK) else Role.HEAD
    can_reassign = claim is not None and (mine or (user.has_role(Role.HEAD) and policy.reads_every_case(user)))
    history = [
        {"row": r, "task": ReviewTask(_TASK_OF[(r.step, r.level)]).label if (r.step, r.level) in _TASK_OF else ""}
        for r in progress.rows
    ]
    return {
        "progress": progress,
        "signed": [(t.label, selectors.TASK_ARTICLE[t], progress.signed.get(t.value)) for t in ReviewTask],
        "history": history,
        "decision": decision,
        "decision_kinds": [PenaltyKind(k).label for k in decision.kinds] if decision else [],
        "task": ReviewTask(task) if task else None,
        "claim": claim,
        "claims": selectors.claims_of(case)[:10],
        "can_draft": can_draft,
        "draft_why": draft_why,
        "can_take": may_sign and claim is None,
        "can_sign": may_sign and task != ReviewTask.DECIDE,
        "can_decide": may_sign and task == ReviewTask.DECIDE,
        "can_release": mine,
        "reassign_form": ReassignForm(role=role, exclude=[claim.claimed_by_id]) if can_reassign and claim else None,
        "reassign_role": role,
        "why_not": refusal if (in_queue or officer) and task else "",
        "sign_form": SignForm(),
        "decide_form": DecideForm(),
    }


register(
    Panel("review", "审查与决定（第十三条、第十六条）", "review/_panel.html", _context, order=60, section="review")
)


from . import panels_defence  # noqa: E402, F401
