"""The documents of 第二章 the system issues at the head's decision: the 立案审批表 when filing
is approved (第八条第一款) and the 不予立案告知书 when it is not (第八条第二款、第九条第二款).
Called inside the transition's transaction: the number is taken there and the PDF is
rendered on commit (documents.services.document_issue)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from documents.fonts import UnprintableText
from documents.models import Document
from documents.services import document_issue

from .models import Case, FilingRecord, NonInitiation


def _fmt(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        v = timezone.localtime(value)
        return f"{v.year}年{v.month}月{v.day}日{v.hour}时{v.minute:02d}分"
    return f"{value.year}年{value.month}月{value.day}日"


def _parties(case: Case) -> dict[str, str]:
    parties = list(case.parties.order_by("pk"))
    return {
        "party_name": "、".join(p.name for p in parties),
        "party_id": "；".join(p.id_number for p in parties if p.id_number),
        "party_address": "；".join(p.address for p in parties if p.address),
    }


def filing_approval_context(filing: FilingRecord) -> dict[str, Any]:
    case = filing.case
    source = filing.get_source_display() if filing.source else case.get_origin_display()
    if filing.source_detail:
        source = f"{source}（{filing.source_detail}）"
    ctx: dict[str, Any] = {**_parties(case), "source": source, "cause": filing.cause, "facts": case.summary}
    for level in ("officer", "unit", "head"):
        ctx[f"{level}_opinion"] = getattr(filing, f"{level}_opinion")
        who = getattr(filing, f"{level}_opinion_by")
        at = _fmt(getattr(filing, f"{level}_opinion_at"))
        ctx[f"{level}_opinion_at"] = f"{who}　{at}" if who and at else at
    return ctx


def _issue(**kwargs: Any) -> Document:
    """document_issue; a character no document font prints refuses the transition with the
    message naming it (the transaction rolls back, the user corrects the text)."""
    from .services import TransitionError

    try:
        return document_issue(**kwargs)
    except UnprintableText as exc:
        raise TransitionError(str(exc)) from exc


def filing_approval_issue(*, filing: FilingRecord, by: Any) -> Document:
    """第八条第一款: the approved 立案审批表, numbered, with every level's opinion and time."""
    return _issue(
        case=filing.case, doc_type="filing_approval", context=filing_approval_context(filing), by=by, source=filing
    )


def non_filing_notice_issue(*, non_initiation: NonInitiation, by: Any) -> Document | None:
    """第八条第二款: the notice to the party that no case is started, with the reason. How
    and when it reached the party is recorded afterwards (noninitiation_record_notice).
    Without a known party there is nobody to address: the decision is made public instead
    (告知当事人或者予以公示), so no notice is issued."""
    case = non_initiation.case
    party_name = _parties(case)["party_name"]
    if not party_name:
        return None
    return _issue(
        case=case,
        doc_type="non_filing_notice",
        by=by,
        source=non_initiation,
        context={
            "party_name": party_name,
            "reason": non_initiation.reason,
            "basis": "",
            "notified_how": "",
            "notified_at": "",
        },
    )
