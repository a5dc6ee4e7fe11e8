"""第二十七条 through the deadlines engine: a recording must be in dedicated storage within
2 working days of its end. Records and expected records each get a deadline of their own."""

import datetime as dt

from deadlines.models import Deadline, DeadlineKind
from deadlines.services import deadline_met, deadline_open

from .models import AVRecord, ExpectedRecord

ARTICLE = "第二十七条"
WORKING_DAYS = 2


def _responsible(user: object) -> list:
    return [user] if user is not None else []


def store_open(record: AVRecord) -> Deadline:
    start = record.ended_at or record.created_at
    return deadline_open(
        case=record.case,
        kind=DeadlineKind.AV_STORAGE,
        article=ARTICLE,
        label=f"音像记录存入专用存储：{record.filename or record.uuid}",
        start=start,
        working_days=WORKING_DAYS,
        responsible=_responsible(record.owner),
        target=record,
    )


def store_met(record: AVRecord, stored_at: dt.datetime) -> dt.datetime | None:
    """Close the record's deadline; returns its due time (None if it had none)."""
    deadline = (
        Deadline.objects.filter(
            kind=DeadlineKind.AV_STORAGE,
            object_id=record.pk,
            content_type__model="avrecord",
            content_type__app_label="avrecords",
        )
        .order_by("-pk")
        .first()
    )
    if deadline is None:
        deadline = store_open(record)
    deadline_met(kind=DeadlineKind.AV_STORAGE, target=record, met_at=stored_at)
    return deadline.due


def store_moved(record: AVRecord) -> None:
    """The record was put on a case: its open deadline belongs to that case now."""
    Deadline.objects.filter(
        kind=DeadlineKind.AV_STORAGE,
        object_id=record.pk,
        content_type__model="avrecord",
        content_type__app_label="avrecords",
    ).update(case=record.case)


def expected_open(expected: ExpectedRecord) -> Deadline:
    return deadline_open(
        case=expected.case,
        kind=DeadlineKind.AV_EXPECTED,
        article=ARTICLE,
        label=f"应到音像记录：{expected.label}",
        start=expected.ended_at,
        working_days=WORKING_DAYS,
        responsible=_responsible(expected.officer),
        target=expected,
    )


def expected_met(expected: ExpectedRecord, at: dt.datetime) -> None:
    deadline_met(kind=DeadlineKind.AV_EXPECTED, target=expected, met_at=at)
