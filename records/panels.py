from typing import Any

from cases.panels import Panel, register

from .selectors import records_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    from cases import policy

    return {"records": list(records_of_case(case)), "can_write": policy.may_write(user, case)}


register(Panel("records", "调查取证记录（第十条）", "records/_panel.html", _context, order=40))
