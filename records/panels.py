from typing import Any

from cases.panels import Panel, register
from linke.pagination import page_of

from .selectors import records_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    from cases import policy

    from .services import may_record, record_refusal_reason

    # Offered only to who may make records, in a stage where investigation is recorded (第十条);
    # otherwise the panel says why.
    can_write = may_record(user, case)
    page = page_of(records_of_case(case), request)
    return {
        "records": list(page.object_list),
        "page": page,
        "can_write": can_write,
        "why_not": record_refusal_reason(user, case) + "。" if policy.may_write(user, case) and not can_write else "",
    }


register(
    Panel(
        "records",
        "调查取证记录（第十条）",
        "records/_panel.html",
        _context,
        order=40,
        section="records",
        count=lambda case: records_of_case(case),
    )
)
