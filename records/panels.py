from typing import Any

from cases.panels import Panel, register

from .selectors import records_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    from accounts.models import Role

    return {"records": list(records_of_case(case)), "can_write": user.is_superuser or user.has_role(Role.OFFICER)}


register(Panel("records", "调查取证记录（第十条）", "records/_panel.html", _context, order=40))
