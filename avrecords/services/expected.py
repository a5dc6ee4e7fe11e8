"""Expected records (第二十七条): the recordings a written record says were made, until they arrive."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases.models import Case
from linke.fields import fit

from .. import deadlines_link
from ..audit_actions import AuditAction
from ..models import (
    AVRecord,
    ExpectedRecord,
)
from .common import AVError

# --- expected records (第二十七条) --------------------------------------------------------


@transaction.atomic
def expected_record_sync(
    *,
    source: Any,
    case: Case,
    made: bool,
    ended_at: dt.datetime | None = None,
    officer: User | None = None,
    label: str = "",
) -> ExpectedRecord | None:
    """Called by the app owning a written record (e.g. records/ on-site inspection) each
    time it saves whether audio-video was recorded. `made=True` opens (once) an expected
    record with a 2-working-day deadline from `ended_at`; `made=False` withdraws an open one.
    Idempotent per source."""
    source_type, source_id = source._meta.label_lower, str(source.pk)
    expected = ExpectedRecord.objects.select_for_update().filter(source_type=source_type, source_id=source_id).first()
    if not made:
        if expected is not None and expected.is_open:
            expected.withdrawn_at = timezone.now()
            expected.save(update_fields=["withdrawn_at"])
            audit.record(expected, AuditAction.EXPECTED_WITHDRAWN, case=case, source=f"{source_type}:{source_id}")
            deadlines_link.expected_met(expected, expected.withdrawn_at)
        return expected
    if ended_at is None:
        raise ValueError("ended_at is required when the recording was made")
    if expected is not None:
        if expected.withdrawn_at is not None:
            expected.withdrawn_at = None
            expected.save(update_fields=["withdrawn_at"])
            deadlines_link.expected_open(expected)
        return expected
    expected = ExpectedRecord.objects.create(
        case=case,
        source_type=source_type,
        source_id=source_id,
        ended_at=ended_at,
        officer=officer,
        label=fit(ExpectedRecord, "label", label or f"{source._meta.verbose_name}所记载的音像记录"),
    )
    audit.record(
        expected,
        AuditAction.EXPECTED,
        case=case,
        source=f"{source_type}:{source_id}",
        ended_at=ended_at,
        label=expected.label,
    )
    deadlines_link.expected_open(expected)
    return expected


@transaction.atomic
def expected_record_fulfil(*, expected_id: int, record_id: int, by: User) -> ExpectedRecord:
    expected = ExpectedRecord.objects.select_for_update().get(pk=expected_id)
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if not expected.is_open:
        raise AVError("该应到记录已到达或已撤销。")
    if record.case_id != expected.case_id:
        raise AVError("音像记录与应到记录不属于同一案件。")
    _fulfil(expected, record, by)
    return expected


def _fulfil(expected: ExpectedRecord, record: AVRecord, by: User | None) -> None:
    expected.record = record
    expected.fulfilled_at = record.stored_at or timezone.now()
    expected.save(update_fields=["record", "fulfilled_at"])
    audit.record(
        expected,
        AuditAction.EXPECTED_FULFILLED,
        actor=by,
        case=expected.case_id,
        record=record.pk,
        sha256=record.sha256,
    )
    deadlines_link.expected_met(expected, expected.fulfilled_at)
