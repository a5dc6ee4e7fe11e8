"""第五章 delivery on the case checklist (第十七至二十二条; 《行政处罚法》第六十一条):

- 已决定: the decision document served, with its proof (the successful attempt carries the
  elements and files its method's article asks for — delivery/methods.py); serving it moves the
  case to 已送达 (delivery.actions.MARK_DELIVERED).
- 已送达 / 执行中: no delivery left 送达中 (a letter whose return receipt never came, an
  announcement whose period was never recorded) before the case moves on (第十七条: the
  delivery of every document is recorded)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

if TYPE_CHECKING:
    from cases.models import Case

__all__: list[str] = []


def _decision_document_id(case: Case) -> int | None:
    from review.selectors import decision_of

    def compute() -> int | None:
        decision = decision_of(case)
        return decision.document_id if decision is not None else None

    return memo(case, "delivery.decision_document", compute)  # type: ignore[return-value]


def _has_decision_document(case: Case) -> bool:
    return case.kind in (CaseKind.PENALTY, CaseKind.LICENSING) and _decision_document_id(case) is not None


def _decision_served(case: Case) -> bool:
    from .selectors import service_date

    doc_id = _decision_document_id(case)
    return doc_id is not None and service_date(doc_id) is not None


def _none_pending(case: Case) -> bool:
    from .selectors import pending_attempts

    return not pending_attempts(case.pk).exists()


register(
    Requirement(
        "delivery.decision_served",
        "第十七条；《行政处罚法》第六十一条",
        "处理决定书已送达，并留存送达凭证（送达回证、邮寄回执、公告等）",
        CaseState.DECIDED,
        _has_decision_document,
        _decision_served,
        order=300,
        target="delivery#panel-delivery",
    ),
    Requirement(
        "delivery.attempts_complete",
        "第十七条",
        "各文书的送达均已登记结果（无“送达中”的记录）",
        CaseState.DELIVERED,
        lambda case: case.kind in (CaseKind.PENALTY, CaseKind.LICENSING),
        _none_pending,
        order=301,
        target="delivery#panel-delivery",
    ),
    Requirement(
        "delivery.attempts_complete_executing",
        "第十七条",
        "各文书的送达均已登记结果（无“送达中”的记录）",
        CaseState.EXECUTING,
        lambda case: case.kind == CaseKind.PENALTY,
        _none_pending,
        order=301,
        target="delivery#panel-delivery",
    ),
)

from .requirements_execution import *  # noqa: E402, F403  第二十三、二十四条, 结案
