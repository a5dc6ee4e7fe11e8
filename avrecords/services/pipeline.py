"""The ingest pipeline's state changes, called by the tasks: hashed, stored, probed, derived, flagged, processed."""

from typing import Any

from django.db import transaction
from django.utils import timezone

import audit
from linke.fields import fit

from .. import deadlines_link
from ..audit_actions import AuditAction
from ..media import scrub
from ..models import (
    AVRecord,
    AVRecordStatus,
)
from .common import CONTENT_PROBLEMS, AVError, _problem

DERIVED_FIELDS = ("poster", "proxy", "waveform", "thumbnail", "proxy_method", "proxy_reason")

# --- the ingest pipeline's state changes (called by tasks) ----------------------------


@transaction.atomic
def record_hashed(*, record_id: int, sha256: str, size: int, method: str = "read") -> AVRecord:
    """`method`: "received" (hashed by the web process as the bytes were written to
    staging) or "read" (the staging file streamed once by the worker)."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.sha256:
        return record
    record.sha256, record.size = sha256, size
    if record.declared_sha256 and record.declared_sha256 != sha256:
        _problem(
            record,
            "sha256_mismatch",
            f"SHA-256与申报值不符（申报 {record.declared_sha256}，实际 {sha256}），文件可能在传输中损坏。",
        )
    if record.declared_size is not None and record.declared_size != size:
        _problem(record, "size_mismatch", f"文件大小与申报值不符（申报 {record.declared_size}，实际 {size} 字节）。")
    if size == 0:
        _problem(record, "empty", "空文件（0 字节），没有可播放的内容。")
    record.save(update_fields=["sha256", "size", "problems", "updated_at"])
    audit.record(
        record,
        AuditAction.HASHED,
        case=record.case,
        sha256=sha256,
        size=size,
        method=method,
        matches_declared=not record.declared_sha256 or record.declared_sha256 == sha256,
    )
    return record


@transaction.atomic
def record_stored(*, record_id: int, key: str, version: str, created: bool) -> AVRecord:
    """RECEIVED -> STORED: the original is in dedicated storage (第二十七条); the deadline is
    met now, and a late arrival is flagged for a written reason."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.stored_at is not None:
        return record
    now = timezone.now()
    record.original_key, record.original_version, record.stored_at = key, version, now
    record.status = AVRecordStatus.STORED
    due = deadlines_link.store_met(record, now)
    if due is not None:
        record.store_due_at = due
        record.late = now > due
    record.save(
        update_fields=["original_key", "original_version", "stored_at", "status", "store_due_at", "late", "updated_at"]
    )
    audit.record(
        record,
        AuditAction.STORED,
        case=record.case,
        key=key,
        version=version,
        new_object=created,
        sha256=record.sha256,
        due=record.store_due_at,
        late=record.late,
    )
    return record


@transaction.atomic
def record_probed(*, record_id: int, info: dict[str, Any]) -> AVRecord:
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.probed_at is not None:
        return record
    record.probed_at = timezone.now()
    record.probe = info.get("raw", {})
    record.kind = info.get("kind", "")
    for field in ("duration", "width", "height", "media_created_at"):
        setattr(record, field, info.get(field))
    record.video_codec = info.get("video_codec", "")
    record.audio_codecs = ",".join(info.get("audio_codecs", []))
    record.audio_tracks = len(info.get("audio_codecs", []))
    if info.get("error"):
        _problem(record, info.get("error_code", "not_media"), info["error"], info.get("detail", ""))
    record.save()
    audit.record(
        record,
        AuditAction.PROBED,
        case=record.case,
        kind=record.kind,
        duration=record.duration,
        width=record.width,
        height=record.height,
        video_codec=record.video_codec,
        audio_codecs=record.audio_codecs,
        error=scrub(info.get("error", "")),
        detail=scrub(info.get("detail", "")),
    )
    return record


@transaction.atomic
def record_derived(*, record_id: int, **names: str) -> AVRecord:
    """Save the names of derived files (poster, proxy, waveform, thumbnail) and how the proxy
    was made (proxy_method: a ProxyMethod, proxy_reason: why, in Chinese)."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    fields = []
    for field, name in names.items():
        if field == "proxy_reason":
            name = fit(AVRecord, field, name)
        if field in DERIVED_FIELDS and getattr(record, field) != name:
            setattr(record, field, name)
            fields.append(field)
    if fields:
        record.save(update_fields=[*fields, "updated_at"])
    return record


@transaction.atomic
def record_flag(*, record_id: int, code: str, reason: str, detail: str = "") -> AVRecord:
    """A problem found on the way in. The original stays; the officer sees the reason
    (Chinese); the technical `detail` goes on the custody trail (both without paths)."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if _problem(record, code, reason, detail):
        record.save(update_fields=["problems", "updated_at"])
        problem = record.problems[-1]
        audit.record(
            record,
            AuditAction.FLAGGED,
            case=record.case,
            code=code,
            reason=problem["reason"],
            detail=problem.get("detail", ""),
        )
    return record


@transaction.atomic
def record_processed(*, record_id: int) -> AVRecord:
    """STORED -> READY, or FLAGGED when any problem was found. The staging copy may go."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.processed_at is not None:
        return record
    if record.stored_at is None:
        raise AVError("原件尚未存入专用存储")
    record.processed_at = timezone.now()
    content_problems = [p for p in record.problems if p.get("code") in CONTENT_PROBLEMS]
    record.status = AVRecordStatus.FLAGGED if content_problems else AVRecordStatus.READY
    record.save(update_fields=["processed_at", "status", "updated_at"])
    audit.record(
        record,
        AuditAction.PROCESSED,
        case=record.case,
        status=record.status,
        problems=record.problem_reasons,
        proxy=record.get_proxy_method_display() if record.playable else "",
        proxy_reason=record.proxy_reason,
    )
    return record
