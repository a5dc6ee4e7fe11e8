"""The case page's panel of 第十四、十五条: the notice, how the party was heard, the hearing, and
the actions the viewer may take now (on the review:defence page)."""

from __future__ import annotations

from typing import Any

from cases.models import CaseKind, CaseState
from cases.panels import Panel, register

# Stages before the notice can exist: the panel is hidden then when there is none. From review
# on it shows, with or without a notice: the quality rules of 第十四条 (archive.checks) link here
# when the notice or the hearing is missing, so the page must have the panel (trial S item 3).
_BEFORE_REVIEW = (
    CaseState.REGISTERED,
    CaseState.PENDING_FILING,
    CaseState.INVESTIGATING,
    CaseState.NOT_FILED,
    CaseState.WITHDRAWN,
)


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.kind != CaseKind.PENALTY:
        return None
    from .views_defence import ACTS, State, offered

    state = State(case)
    if state.notice is None and case.state in _BEFORE_REVIEW:
        return None
    return {
        "s": state,
        "actions": [ACTS[key].title for key in offered(state, user)],
        "why_not": ""
        if state.in_stage
        else f"案件处于“{case.get_state_display()}”阶段，告知、陈述申辩和听证在“审查中”阶段记录。",
    }


register(
    Panel(
        "review_defence",
        "告知、陈述申辩与听证（第十四、十五条）",
        "review/defence/_panel.html",
        _context,
        order=60,
        section="review",
    )
)
