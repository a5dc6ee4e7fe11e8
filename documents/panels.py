from typing import Any

from cases.panels import Panel, register

from .selectors import documents_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    return {"documents": list(documents_of_case(case))}


register(Panel("documents", "执法文书", "documents/_panel.html", _context, order=60))
