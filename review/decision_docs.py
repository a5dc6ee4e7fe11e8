"""The decision documents `decide` issues through `documents` (第十六条):

- 行政处罚决定书 (《行政处罚法》第五十九条: party's name and address; facts and evidence;
  penalty and basis; manner and deadline of performance — 15 days to pay a fine, 第六十七条;
  manner and deadline of remedies; agency and date; seal);
- 不予行政处罚决定书 (第五十七条第一款第（二）（三）项);
- 准予行政许可决定书 / 不予行政许可决定书 (《行政许可法》第三十八条: a refusal gives its
  reasons and the right to reconsideration or suit).

A transfer to the judicial organs (第五十七条第一款第（四）项) issues none here (a 移送书 is
another document). A document is refused while one of its required elements is empty: the
TransitionError names the element and the article.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.models import Case
from cases.stages import TransitionError
from documents.fonts import UnprintableText
from documents.models import Document
from documents.registry import DocTypeCode
from documents.services import document_issue

from .models import Decision, DecisionOutcome, PenaltyKind

Out = DecisionOutcome

DOC_TYPE = {
    Out.PENALTY: DocTypeCode.PENALTY_DECISION,
    Out.NO_PENALTY_MINOR: DocTypeCode.NO_PENALTY_DECISION,
    Out.NO_PENALTY_UNPROVEN: DocTypeCode.NO_PENALTY_DECISION,
    Out.LICENCE_GRANT: DocTypeCode.LICENCE_GRANT,
    Out.LICENCE_REFUSAL: DocTypeCode.LICENCE_REFUSAL,
}

# Elements each document may not print empty: context key -> (name, article).
_ART59 = "《行政处罚法》第五十九条"
_REMEDIES = (
    ("reconsideration_body", "行政复议机关", "《行政复议法》第二十条、第二十四条"),
    ("court", "人民法院", "《行政诉讼法》第四十六条"),
)
REQUIRED: dict[str, tuple[tuple[str, str, str], ...]] = {
    DocTypeCode.PENALTY_DECISION: (
        ("party_name", "当事人的姓名或者名称", _ART59 + "第（一）项"),
        ("party_address", "当事人的地址", _ART59 + "第（一）项"),
        ("facts", "违反法律、法规、规章的事实", _ART59 + "第（二）项"),
        ("evidence", "证据", _ART59 + "第（二）项"),
        ("content", "行政处罚的种类", _ART59 + "第（三）项"),
        ("basis", "行政处罚的依据", _ART59 + "第（三）项"),
        ("performance", "行政处罚的履行方式和期限", _ART59 + "第（四）项"),
        *_REMEDIES,
        ("agency", "作出决定的行政机关名称", _ART59 + "第（六）项"),
        ("decided_on", "作出决定的日期", _ART59 + "第（六）项"),
    ),
    DocTypeCode.NO_PENALTY_DECISION: (
        ("party_name", "当事人的姓名或者名称", "《行政处罚法》第五十七条"),
        ("facts", "审查认定的事实", "《行政处罚法》第五十七条"),
        ("basis", "不予行政处罚的依据", "《行政处罚法》第五十七条"),
        ("content", "不予行政处罚的理由", "《行政处罚法》第五十七条"),
        *_REMEDIES,
        ("agency", "作出决定的行政机关名称", "《行政处罚法》第五十七条"),
        ("decided_on", "作出决定的日期", "《行政处罚法》第五十七条"),
    ),
    DocTypeCode.LICENCE_GRANT: (
        ("party_name", "申请人", "《行政许可法》第三十八条第一款"),
        ("content", "准予许可的事项", "《行政许可法》第三十八条第一款"),
        ("basis", "依据", "《行政许可法》第三十八条第一款"),
        ("agency", "作出决定的行政机关名称", "《行政许可法》第三十八条"),
        ("decided_on", "作出决定的日期", "《行政许可法》第三十八条"),
    ),
    DocTypeCode.LICENCE_REFUSAL: (
        ("party_name", "申请人", "《行政许可法》第三十八条第二款"),
        ("content", "不予许可的理由", "《行政许可法》第三十八条第二款"),
        ("basis", "依据", "《行政许可法》第三十八条第二款"),
        *_REMEDIES,
        ("agency", "作出决定的行政机关名称", "《行政许可法》第三十八条"),
        ("decided_on", "作出决定的日期", "《行政许可法》第三十八条"),
    ),
}


def _yuan(amount: Decimal | None) -> str:
    return "" if amount is None else f"人民币{amount:,.2f}元"


def _date(moment: Any) -> str:
    d = timezone.localtime(moment).date() if moment else None
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def decision_context(decision: Decision) -> dict[str, Any]:
    """The document's context from the decision, its case's parties and the settings."""
    case: Case = decision.case
    parties = list(case.parties.order_by("pk"))
    kinds = [PenaltyKind(k).label for k in decision.kinds]
    fine = PenaltyKind.FINE in decision.kinds
    return {
        "party_name": "、".join(p.name for p in parties),
        "party_address": "；".join(p.address for p in parties if p.address),
        "party_id": "；".join(p.id_number for p in parties if p.id_number),
        "party_legal_rep": "；".join(p.legal_rep for p in parties if getattr(p, "legal_rep", "")),
        "outcome": decision.get_outcome_display(),
        "outcome_code": decision.outcome,
        "facts": decision.facts,
        "evidence": decision.evidence,
        "basis": decision.basis,
        "kinds": kinds,
        "fine": _yuan(decision.fine_yuan) if fine else "",
        "confiscation": _yuan(decision.confiscation_yuan),
        "content": decision.content,
        "performance": decision.performance,
        # 《行政处罚法》第六十七条第三款 (15 days to pay); 第七十二条第一款第（一）项 (3 % a day
        # surcharge: from memory, unverified against the text).
        "payment_notice": fine,
        "reconsideration_body": settings.REVIEW_RECONSIDERATION_BODY,
        "court": settings.REVIEW_COURT,
        "agency": settings.AGENCY_NAME,
        "decided_on": _date(decision.decided_at),
    }


def missing_elements(doc_type: str, context: dict[str, Any]) -> list[str]:
    """The required elements of `doc_type` empty in `context`, each as "article：name"."""
    return [
        f"{article}：{name}" for key, name, article in REQUIRED[doc_type] if not str(context.get(key) or "").strip()
    ]


def decision_document_issue(*, decision: Decision, by: Any) -> Document | None:
    """Issue the decision's document (None for a transfer: no decision document here). Raises
    TransitionError naming every empty required element, or a character no font prints."""
    if decision.outcome not in DOC_TYPE:
        return None
    doc_type = DOC_TYPE[Out(decision.outcome)]
    context = decision_context(decision)
    gaps = missing_elements(doc_type, context)
    if gaps:
        raise TransitionError(f"不能制作{DocTypeCode(doc_type).label}，以下内容为空：{'；'.join(gaps)}。")
    try:
        return document_issue(
            case=decision.case,
            doc_type=doc_type,
            context=context,
            by=by,
            source=decision,
            dated=timezone.localtime(decision.decided_at).date() if decision.decided_at else None,
        )
    except UnprintableText as exc:
        raise TransitionError(str(exc)) from exc
