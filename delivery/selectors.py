"""Reads of delivery (第五章) for other apps and the case page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from .models import AddressConfirmation, AttemptOutcome, DeliveryAttempt, DeliveryFile
from .models_execution import FinePayment


def service_date(document_id: int) -> dt.date | None:
    """The legal service date (送达日期) of a document: its successful attempt's date, or None."""
    return (
        DeliveryAttempt.objects.filter(document_id=document_id, outcome=AttemptOutcome.SERVED)
        .values_list("served_on", flat=True)
        .first()
    )


def service_dates(case_id: int) -> dict[int, dt.date]:
    """{document id: service date} for every served document of the case."""
    rows = DeliveryAttempt.objects.filter(case_id=case_id, outcome=AttemptOutcome.SERVED).values_list(
        "document_id", "served_on"
    )
    return {doc_id: day for doc_id, day in rows if day is not None}


def pending_attempts(case_id: int) -> QuerySet[DeliveryAttempt]:
    """The case's attempts still 送达中 (a return receipt awaited, an announcement running)."""
    return DeliveryAttempt.objects.filter(case_id=case_id, outcome=AttemptOutcome.PENDING)


def attempts_of_case(case_id: int) -> QuerySet[DeliveryAttempt]:
    """Every attempt of the case, by document then time, with what the page shows."""
    return (
        DeliveryAttempt.objects.filter(case_id=case_id)
        .select_related("document", "party", "recorded_by", "completed_by", "av_record", "consent")
        .prefetch_related("deliverers", "files__attachment")
        .order_by("document_id", "recorded_at", "pk")
    )


def proof_attachments(case_id: int) -> dict[int, int | None]:
    """{attachment id: id of the document it proves served, or None} for every case attachment
    that records the procedure of 第五章 rather than the facts: the files of a delivery attempt
    (the signed 送达回证, the postal return receipt …: the attempt's document), the signed
    送达地址确认书 and the 罚款缴款凭证 (第二十三条; None). The rest of the case's attachments are
    its evidence."""

    out: dict[int, int | None] = dict(
        DeliveryFile.objects.filter(attempt__case_id=case_id).values_list("attachment_id", "attempt__document_id")
    )
    for scan_id in AddressConfirmation.objects.filter(case_id=case_id).values_list("scan_id", flat=True):
        out.setdefault(scan_id, None)
    for receipt_id in FinePayment.objects.filter(case_id=case_id).values_list("receipt_id", flat=True):
        out.setdefault(receipt_id, None)
    return out


def address_confirmations(case_id: int) -> QuerySet[AddressConfirmation]:
    """The case's 送达地址确认书, newest first per party."""
    return AddressConfirmation.objects.filter(case_id=case_id).select_related("party", "scan", "recorded_by")


def deliverable_documents(case: Any) -> QuerySet[Any]:
    """The case's numbered documents that are served on a party: all but the 送达回证 themselves."""
    from documents.registry import DocTypeCode
    from documents.selectors import documents_of_case

    return documents_of_case(case).exclude(doc_type=DocTypeCode.SERVICE_RECEIPT)
