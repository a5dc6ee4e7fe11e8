"""第四章 on the case checklist: what the review must record before the case moves on.

审查中 -> 待决定 (complete_review) needs 第十三条's 审理 and 审核 signed in the open round and the
decision drafted with its elements; 待决定 -> 已决定 (decide) needs 第十三条's 批准 and 第十六条's
signature of the head (opinion and signing time). The other parts of review (notice and
defence, hearing, legal review, collective discussion) register their own lines below.
"""

from __future__ import annotations

from typing import Any

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

from . import rules
from .models import Decision, ReviewTask
from .selectors import Progress, review_progress

_KINDS = (CaseKind.PENALTY, CaseKind.LICENSING)


def _progress(case: Any) -> Progress:
    return memo(case, "review.progress", lambda: review_progress(case))  # type: ignore[return-value]


def _decision(case: Any) -> Decision | None:
    return memo(case, "review.decision", lambda: Decision.objects.filter(case_id=case.pk).first())  # type: ignore[return-value]


def _signed(task: str) -> Any:
    return lambda case: task in _progress(case).signed


def _drafted(case: Any) -> bool:
    decision = _decision(case)
    if decision is None:
        return False
    data = {name: getattr(decision, name) for name in rules.LABELS}
    return not rules.draft_errors(case.kind, data)


def _applies(case: Any) -> bool:
    return case.kind in _KINDS


register(
    Requirement(
        "review.examined",
        "第十三条",
        "法规科的审理意见（审理人、时间、意见）",
        CaseState.UNDER_REVIEW,
        applies=_applies,
        satisfied=_signed(ReviewTask.EXAMINE),
        order=300,
        target="review#panel-review",
    ),
    Requirement(
        "review.checked",
        "第十三条",
        "法规科的审核意见（审核人、时间、意见；与审理人不同）",
        CaseState.UNDER_REVIEW,
        applies=_applies,
        satisfied=_signed(ReviewTask.CHECK),
        order=301,
        target="review#panel-review",
    ),
    Requirement(
        "review.decision_draft",
        "第十三条、《行政处罚法》第五十九条",
        "拟作出的处理决定（处理结果、事实、证据、依据至条款项、处罚种类和金额、履行方式和期限）",
        CaseState.UNDER_REVIEW,
        applies=lambda case: case.kind == CaseKind.PENALTY,
        satisfied=_drafted,
        order=302,
        target="review#panel-review",
    ),
    # A licensing case cites the Licensing Law, never the Penalty Law (issue 11, defect 7).
    Requirement(
        "review.licence_decision_draft",
        "第十三条、《行政许可法》第三十八条",
        "拟作出的许可决定（准予或不予许可、事实、依据至条款项；不予许可的理由及救济途径）",
        CaseState.UNDER_REVIEW,
        applies=lambda case: case.kind == CaseKind.LICENSING,
        satisfied=_drafted,
        order=302,
        target="review#panel-review",
    ),
    Requirement(
        "review.approved",
        "第十三条",
        "机关负责人的批准意见（批准人、时间、意见）",
        CaseState.PENDING_DECISION,
        applies=_applies,
        satisfied=_signed(ReviewTask.APPROVE),
        order=310,
        target="review#panel-review",
    ),
    Requirement(
        "review.head_signature",
        "第十六条",
        "机关负责人的签署意见和签发时间",
        CaseState.PENDING_DECISION,
        applies=_applies,
        satisfied=_signed(ReviewTask.DECIDE),
        order=311,
        target="review#panel-review",
    ),
)


from . import requirements_legal  # noqa: E402, F401
from .requirements_defence import *  # noqa: E402, F403
