from typing import Any

from cases.panels import Panel, register
from linke.pagination import page_of

from .selectors import documents_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    page = page_of(documents_of_case(case), request)
    return {"documents": list(page.object_list), "page": page}


register(
    Panel(
        "documents",
        "执法文书",
        "documents/_panel.html",
        _context,
        order=60,
        section="documents",
        count=lambda case: documents_of_case(case),
    )
)
