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
from documents.registry import DocTypeCode
from documents.services import document_issue

from . import signoffs
from .models import Case, FilingRecord, Level, NonInitiation, SignOffStep


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
    rows = signoffs.current(case, SignOffStep.FILING)
    for level in (Level.OFFICER, Level.UNIT, Level.HEAD):
        row = rows.get(level)
        ctx[f"{level}_opinion"] = row.opinion if row else ""
        at = _fmt(row.signed_at) if row else ""
        ctx[f"{level}_opinion_at"] = f"{row.actor}　{at}" if row else ""
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
        case=filing.case,
        doc_type=DocTypeCode.FILING_APPROVAL,
        context=filing_approval_context(filing),
        by=by,
        source=filing,
    )


def non_filing_addressee(case: Case) -> tuple[str, str]:
    """Who the 不予立案告知书 is addressed to, and in what capacity: a real-name complainant
    (第九条第二款) for a complaint case — never the reported party, who is not told of the report;
    for a case the agency started itself, the party (第八条第二款). ("", "") when there is nobody
    to address (an anonymous complaint, no known party): the decision is made public instead."""
    complaint = getattr(case, "complaint", None) if case.origin == "complaint" else None
    if case.origin == "complaint":
        if complaint is None or complaint.anonymous or not complaint.complainant_name:
            return "", ""
        return complaint.complainant_name, "complainant"
    name = _parties(case)["party_name"]
    return (name, "party") if name else ("", "")


def non_filing_notice_issue(*, non_initiation: NonInitiation, by: Any) -> Document | None:
    """第八条第二款 / 第九条第二款: the notice that no case is started, to `non_filing_addressee`,
    with the reason written for that reader (`NonInitiation.reason`), never the head's internal
    opinion; it carries no 案号 (the case was not filed). None when nobody is to be addressed."""
    case = non_initiation.case
    addressee, role = non_filing_addressee(case)
    if not addressee:
        return None
    complaint = getattr(case, "complaint", None) if role == "complainant" else None
    return _issue(
        case=case,
        doc_type=DocTypeCode.NON_FILING_NOTICE,
        by=by,
        source=non_initiation,
        context={
            "addressee": addressee,
            "addressee_role": role,
            "received_at": _fmt(complaint.received_at) if complaint else "",
            "matter": case.title if role == "party" else "",
            "reason": non_initiation.reason,
            "basis": "",
            "notified_how": "",
            "notified_at": "",
        },
    )
