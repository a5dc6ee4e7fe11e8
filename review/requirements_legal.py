"""Checklist lines of the decision's safeguards and its publication, each citing its article.

Leaving 审查中 needs the 第五十八条 situations answered (the switch); leaving 待决定 needs a passing
法制审核 where a situation applies, the experts' opinions and the 集体讨论 where required (the
decision checks in review/legal.py also refuse `decide`); a penalty or licensing decision is
published, and withdrawn after it was revoked or changed, before the case is archived.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

if TYPE_CHECKING:
    from cases.models import Case


def _sheet(case: Case) -> Any:
    from .legal import sheet_of

    return memo(case, "review.sheet", lambda: sheet_of(case))


def _flag(name: str) -> Any:
    return lambda case: bool(getattr(_sheet(case), name, False))


def _review_passed(case: Case) -> bool:
    from .legal import latest_legal_review

    review = latest_legal_review(case)
    return bool(review and review.passed)


def _has_experts(case: Case) -> bool:
    from .models import ExpertOpinion

    return ExpertOpinion.objects.filter(case=case).exists()


def _has_discussion(case: Case) -> bool:
    from .models import CollectiveDiscussion

    return CollectiveDiscussion.objects.filter(case=case).exists()


def _published_outcome(case: Case) -> bool:
    from .models import Decision
    from .publication import PUBLISHED_OUTCOMES

    return Decision.objects.filter(case=case, decided_at__isnull=False, outcome__in=PUBLISHED_OUTCOMES).exists()


def _published(case: Case) -> bool:
    from .models import Publication

    return Publication.objects.filter(case=case).exists()


def _changed_while_live(case: Case) -> bool:
    from .models import DecisionChange, Publication

    return (
        DecisionChange.objects.filter(case=case).exists()
        and Publication.objects.filter(case=case, published_at__lte=_last_change(case)).exists()
    )


def _last_change(case: Case) -> Any:
    from .models import DecisionChange

    return DecisionChange.objects.filter(case=case).order_by("-recorded_at").values_list("recorded_at", flat=True)[0]


def _withdrawn(case: Case) -> bool:
    from .models import Publication

    return not Publication.objects.filter(case=case, withdrawn_at__isnull=True).exists()


register(
    Requirement(
        "review.legal_situations",
        "《行政处罚法》第五十八条",
        "是否属于应当法制审核的四种情形（逐项确认）",
        CaseState.UNDER_REVIEW,
        applies=lambda c: c.kind == CaseKind.PENALTY,
        satisfied=lambda c: _sheet(c) is not None,
        order=300,
        target="review#panel-review_legal",
    ),
    Requirement(
        "review.legal_review",
        "《行政处罚法》第五十八条",
        "法制审核（国办发〔2018〕118号七项审核要点、审核意见、审核人及其法律职业资格），结论为通过",
        CaseState.PENDING_DECISION,
        applies=lambda c: bool(getattr(_sheet(c), "situations", None)),
        satisfied=_review_passed,
        order=301,
        target="review#panel-review_legal",
    ),
    Requirement(
        "review.experts",
        "《三项制度指导意见》（国办发〔2018〕118号）专家论证",
        "专家论证意见（专家姓名、单位及职称、论证意见）",
        CaseState.PENDING_DECISION,
        applies=_flag("expert_required"),
        satisfied=_has_experts,
        order=302,
        target="review#panel-review_legal",
    ),
    Requirement(
        "review.discussion",
        "《行政处罚法》第五十七条第二款",
        "集体讨论记录（时间、地点、主持人、参加人及各自意见、讨论决定）",
        CaseState.PENDING_DECISION,
        applies=_flag("discussion_required"),
        satisfied=_has_discussion,
        order=303,
        target="review#panel-review_legal",
    ),
    Requirement(
        "review.published",
        "《三项制度指导意见》（国办发〔2018〕118号）行政执法公示",
        "行政处罚、行政许可决定已在作出决定之日起七个工作日内公示",
        CaseState.CONCLUDED,
        applies=_published_outcome,
        satisfied=_published,
        order=304,
        target="review#panel-review_publication",
    ),
    Requirement(
        "review.withdrawn",
        "《行政处罚法》第四十八条第二款",
        "决定被撤销或变更后，已公示的信息在三个工作日内撤回",
        CaseState.CONCLUDED,
        applies=_changed_while_live,
        satisfied=_withdrawn,
        order=305,
        target="review#panel-review_publication",
    ),
)
