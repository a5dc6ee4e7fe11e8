"""第十四、十五条 on the case checklist: a penalty case leaves 审查中 only once the notice was
issued and served and the party heard (statement and defence recorded, waived or lapsed), and a
hearing the party asked for was held (record and report) or waived by non-attendance.

A case whose drafted decision imposes no penalty (不予处罚, 移送) needs no notice (《行政处罚法》
第四十四条 asks for one before a penalty decision)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

if TYPE_CHECKING:
    from cases.models import Case

__all__: list[str] = []


def _needs_notice(case: Case) -> bool:
    if case.kind != CaseKind.PENALTY:
        return False
    from .models import Decision, DecisionOutcome

    outcome = memo(
        case,
        "review.decision_outcome",
        lambda: Decision.objects.filter(case_id=case.pk).values_list("outcome", flat=True).first(),
    )
    return outcome in (None, DecisionOutcome.PENALTY)


def _gaps(case: Case) -> list[str]:
    from .defence import current_notice, heard_gaps

    return memo(case, "review.heard_gaps", lambda: heard_gaps(current_notice(case)))  # type: ignore[return-value]


def _without(prefix: str):  # type: ignore[no-untyped-def]
    return lambda case: not any(prefix in gap for gap in _gaps(case))


def _hearing_requested(case: Case) -> bool:
    from .hearing import hearing_for

    return _needs_notice(case) and memo(case, "review.hearing", lambda: hearing_for(case)) is not None


S = CaseState.UNDER_REVIEW
register(
    Requirement(
        "review.notice",
        "第十四条第一款",
        "行政处罚事先告知书（事实、证据、依据、拟处罚内容、陈述申辩权及听证权利）",
        S,
        _needs_notice,
        _without("未制作行政处罚事先告知书"),
        order=140,
        target="review#panel-review_defence",
    ),
    Requirement(
        "review.notice_served",
        "《行政处罚法》第六十二条",
        "事先告知书送达日期",
        S,
        _needs_notice,
        _without("事先告知书未送达"),
        order=141,
        target="review#panel-review_defence",
    ),
    Requirement(
        "review.defence",
        "第十四条第二款",
        "陈述申辩内容及采纳情况（或放弃、期限届满）",
        S,
        _needs_notice,
        _without("未听取当事人陈述申辩"),
        order=142,
        target="review#panel-review_defence",
    ),
    Requirement(
        "review.hearing",
        "第十五条",
        "当事人申请的听证：听证通知、听证笔录（或未出席视为放弃）",
        S,
        _hearing_requested,
        _without("听证尚未举行"),
        order=150,
        target="review#panel-review_defence",
    ),
    Requirement(
        "review.hearing_report",
        "第十五条",
        "听证报告",
        S,
        _hearing_requested,
        _without("听证报告未制作"),
        order=151,
        target="review#panel-review_defence",
    ),
)
