"""第二十七条 through the deadlines engine: a recording must be in dedicated storage within
2 working days of its end. Records and expected records each get a deadline of their own."""

import datetime as dt

from django.utils import timezone

from deadlines.models import Deadline, DeadlineKind
from deadlines.selectors import deadline_latest_for
from deadlines.services import deadline_met, deadline_open, deadlines_move
from linke.fields import fit

from .models import AVRecord, ExpectedRecord

ARTICLE = "第二十七条"
WORKING_DAYS = 2
LABEL = "音像记录存入专用存储："


def _responsible(user: object) -> list:
    return [user] if user is not None else []


def _file_modified_at(record: AVRecord) -> dt.datetime | None:
    from .services import _parse_time

    value = (record.metadata or {}).get("file_modified_at")
    return _parse_time(value.strip()) if isinstance(value, str) and value.strip() else None


def store_start(record: AVRecord) -> tuple[dt.datetime | None, str]:
    """When the 2 working days run from, and what that time is (Chinese, shown in the
    deadline's label, the record's notes and its audit entry): the declared end of the
    recording; without one, the file's modification time the uploader sent
    (`file_modified_at`); without that, the time the file was received (`created_at`, None
    before the record is saved)."""
    if record.ended_at is not None:
        if record.started_at is not None and record.ended_at < record.started_at:
            return record.ended_at, "申报的录制结束时间（早于开始时间，待核实）"
        return record.ended_at, "申报的录制结束时间"
    modified = _file_modified_at(record)
    if modified is not None:
        return modified, f"文件修改时间（{timezone.localtime(modified):%Y-%m-%d %H:%M:%S}，未申报录制结束时间，待核实）"
    return record.created_at, "接收时间（未申报录制结束时间，待核实）"


def store_basis(record: AVRecord) -> str:
    return store_start(record)[1]


def store_open(record: AVRecord) -> Deadline:
    start, basis = store_start(record)
    start = start or timezone.now()  # a record is saved before its period opens
    suffix = f"（自{basis}起算）"
    room = (Deadline._meta.get_field("label").max_length or 200) - len(LABEL) - len(suffix)
    # A long file name is cut here, never the reason: the full name is in the record.
    name = str(record.filename or record.uuid)
    return deadline_open(
        case=record.case,
        kind=DeadlineKind.AV_STORAGE,
        article=ARTICLE,
        label=f"{LABEL}{name[: max(room, 0)]}{suffix}",
        start=start,
        working_days=WORKING_DAYS,
        responsible=_responsible(record.owner),
        target=record,
    )


def store_met(record: AVRecord, stored_at: dt.datetime) -> dt.datetime | None:
    """Close the record's deadline; returns its due time (None if it had none)."""
    deadline = deadline_latest_for(DeadlineKind.AV_STORAGE, record)
    if deadline is None:
        deadline = store_open(record)
    deadline_met(kind=DeadlineKind.AV_STORAGE, target=record, met_at=stored_at)
    return deadline.due


def store_moved(record: AVRecord) -> None:
    """The record was put on a case: its open deadline belongs to that case now."""
    deadlines_move(kind=DeadlineKind.AV_STORAGE, target=record, case=record.case)


def expected_open(expected: ExpectedRecord) -> Deadline:
    return deadline_open(
        case=expected.case,
        kind=DeadlineKind.AV_EXPECTED,
        article=ARTICLE,
        label=fit(Deadline, "label", f"应到音像记录：{expected.label}"),
        start=expected.ended_at,
        working_days=WORKING_DAYS,
        responsible=_responsible(expected.officer),
        target=expected,
    )


def expected_met(expected: ExpectedRecord, at: dt.datetime) -> None:
    deadline_met(kind=DeadlineKind.AV_EXPECTED, target=expected, met_at=at)
