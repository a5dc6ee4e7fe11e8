"""The per-record chain-of-custody report (PDF), as evidence systems give courts: every
audit entry about the record, from receipt onwards, with their chain hashes."""

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import Entry
from audit.vocabulary import action_label

from .models import AVRecord


def custody_entries(record: AVRecord) -> list[Entry]:
    entries = list(Entry.objects.filter(object_type="avrecords.avrecord", object_id=str(record.pk)).order_by("seq"))
    for e in entries:
        e.label = action_label(e.action)  # type: ignore[attr-defined]
    return entries


def custody_pdf(record: AVRecord, user: Any) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "avrecords/custody.html",
        {
            "record": record,
            "entries": custody_entries(record),
            "user": user,
            "now": timezone.now(),
            "agency": settings.AGENCY_NAME,
        },
    )
    return HTML(string=html).write_pdf()
