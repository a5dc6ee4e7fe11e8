"""The case page's panel of 第十四、十五条: the notice, how the party was heard, the hearing, and
the actions the viewer may take now (on the review:defence page)."""

from __future__ import annotations

from typing import Any

from cases.models import CaseKind, CaseState
from cases.panels import Panel, register

# Stages in which the notice and hearing exist or may come to exist.
_SHOWN = (CaseState.UNDER_REVIEW, CaseState.PENDING_DECISION, CaseState.DECIDED)


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.kind != CaseKind.PENALTY:
        return None
    from .views_defence import ACTS, State, offered

    state = State(case)
    if state.notice is None and case.state not in _SHOWN:
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
