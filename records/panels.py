from typing import Any

from cases.panels import Panel, register

from .selectors import records_of_case


def _context(case: Any, user: Any, request: Any) -> dict[str, Any]:
    from cases import policy

    from .services import RECORDING_STATES

    # Offered only to who may make records, in a stage where investigation is recorded (第十条);
    # otherwise the panel says why.
    officer = policy.may_write(user, case)
    in_stage = case.state in RECORDING_STATES
    return {
        "records": list(records_of_case(case)),
        "can_write": officer and in_stage,
        "why_not": f"案件处于“{case.get_state_display()}”阶段，不能制作调查取证记录。"
        if officer and not in_stage
        else "",
    }


register(Panel("records", "调查取证记录（第十条）", "records/_panel.html", _context, order=40))
