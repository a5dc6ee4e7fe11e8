"""第二十三、二十四条 on the case checklist: what a case records while 执行中 before it may be
concluded (结案). Each line cites its article."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

if TYPE_CHECKING:
    from cases.models import Case

__all__: list[str] = []

E = CaseState.EXECUTING


def _execution(case: Case):  # type: ignore[no-untyped-def]
    from .execution import execution_of

    return memo(case, "delivery.execution", lambda: execution_of(case))


def _fines(case: Case) -> bool:
    return case.kind == CaseKind.PENALTY and getattr(_execution(case), "fine_yuan", None) is not None


def _rectifies(case: Case) -> bool:
    return case.kind == CaseKind.PENALTY and bool(getattr(_execution(case), "rectification", ""))


def _enforcing(case: Case) -> bool:
    from .enforcement import application_of

    return memo(case, "delivery.application", lambda: application_of(case)) is not None


def _paid_or_otherwise(case: Case) -> bool:
    from .conclusion import conclusion_of
    from .execution import fine_status_of

    status = memo(case, "delivery.fine_status", lambda: fine_status_of(case))
    return bool(getattr(status, "settled", False)) or _enforcing(case) or conclusion_of(case) is not None


def _checked(case: Case) -> bool:
    from .execution import rectifications_of

    return bool(rectifications_of(case))


def _court_result(case: Case) -> bool:
    from .enforcement import application_of

    app = memo(case, "delivery.application", lambda: application_of(case))
    return bool(getattr(app, "outcome", ""))


def _ending(case: Case) -> bool:
    from .conclusion import conclusion_of, performed_ending

    return performed_ending(case) is not None or conclusion_of(case) is not None


register(
    Requirement(
        "execution.fine",
        "第二十三条；《行政处罚法》第六十七、七十二条",
        "罚款（含加处罚款）缴纳情况：金额、日期、缴款凭证",
        E,
        _fines,
        _paid_or_otherwise,
        order=700,
        target="delivery#panel-delivery_execution",
    ),
    Requirement(
        "execution.rectification",
        "第二十三条第二款",
        "责令改正的实地核查情况及违法行为改正情况",
        E,
        _rectifies,
        _checked,
        order=710,
        target="delivery#panel-delivery_execution",
    ),
    Requirement(
        "enforcement.result",
        "第二十四条",
        "申请法院强制执行的情况及强制执行结果",
        E,
        _enforcing,
        _court_result,
        order=720,
        target="delivery#panel-delivery_execution",
    ),
    Requirement(
        "execution.ending",
        "第二十三条",
        "执行完毕或依法终结执行的情形（缴清、改正、强制执行完毕、无法执行或移送并说明理由）",
        E,
        lambda case: case.kind == CaseKind.PENALTY,
        _ending,
        order=730,
        target="delivery#panel-delivery_execution",
    ),
)
