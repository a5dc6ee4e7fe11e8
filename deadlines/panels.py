"""The case page's deadline panel (green / yellow / red cards; provisional marked)."""

from typing import Any

from cases.panels import Panel, register

from .selectors import deadlines_for_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    return {"deadlines": deadlines_for_case(case)}


register(Panel(key="deadlines", title="期限", template="deadlines/_panel.html", context=_context, order=20))
