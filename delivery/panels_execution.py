"""The case page's panel of 第二十三、二十四条 and 结案: the fine with its live surcharge, the
order to rectify, the court enforcement, the conclusion, and the actions the viewer may take now
(on the delivery:execution page)."""

from __future__ import annotations

from typing import Any

from cases.models import CaseState
from cases.panels import Panel, register

S = CaseState
_SHOWN = (S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED)


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.state not in _SHOWN:
        return None
    from .views_execution import ACTS, State, offered

    state = State(case)
    return {"s": state, "actions": [ACTS[key].title for key in offered(state, user)]}


register(
    Panel(
        "delivery_execution",
        "执行、强制执行与结案（第二十三、二十四条）",
        "delivery/_execution_panel.html",
        _context,
        order=75,
        section="delivery",
    )
)
