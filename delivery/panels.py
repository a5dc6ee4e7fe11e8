"""The case page's panel of 第五章 delivery: each document's service date or state, and the way
to the delivery page."""

from __future__ import annotations

from typing import Any

from cases.panels import Panel, register


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    from .views import documents_with_attempts, may_deliver

    rows = documents_with_attempts(case)
    if not rows:
        return None
    return {"rows": rows, "may": may_deliver(user, case)}


register(Panel("delivery", "送达（第十七至二十二条）", "delivery/_panel.html", _context, order=70, section="delivery"))
