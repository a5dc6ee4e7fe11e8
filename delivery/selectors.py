"""Reads of delivery (第五章) for other apps and the case page."""

from __future__ import annotations

import datetime as dt

from .models import AttemptOutcome, DeliveryAttempt


def service_date(document_id: int) -> dt.date | None:
    """The legal service date (送达日期) of a document: its successful attempt's date, or None."""
    return (
        DeliveryAttempt.objects.filter(document_id=document_id, outcome=AttemptOutcome.SERVED)
        .values_list("served_on", flat=True)
        .first()
    )


def service_dates(case_id: int) -> dict[int, dt.date]:
    """{document id: service date} for every served document of the case."""
    rows = DeliveryAttempt.objects.filter(case_id=case_id, outcome=AttemptOutcome.SERVED)
    return {doc: day for doc, day in rows.values_list("document_id", "served_on") if day is not None}
