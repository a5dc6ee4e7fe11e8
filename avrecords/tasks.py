"""Celery tasks of the audio-visual records: ids in, services do the writes."""

import logging
from typing import Any, NoReturn

from celery import shared_task
from django.conf import settings
from django.db.models import F

from .ingest import StagingLost, derive_run, ingest_run, needs_derive
from .media import scrub
from .models import AVRecord
from .services import record_flag, record_verify

log = logging.getLogger(__name__)

FIXITY_BATCH = 50


def _retry_or_flag(task: Any, record_id: int, exc: Exception) -> NoReturn:
    """A transient failure (storage, database, disk): retry with backoff; after the last
    retry, flag it (Chinese reason; the exception, without paths, for the custody trail)."""
    if task.request.retries >= task.max_retries:
        log.error("record %s: giving up after %s retries: %r", record_id, task.request.retries, exc)
        record_flag(
            record_id=record_id,
            code="ingest_failed",
            reason="入库处理多次重试仍未成功，暂存文件已保留，请联系管理员。",
            detail=scrub(f"{type(exc).__name__}: {exc}"[:1000]),
        )
        raise exc
    backoff = getattr(settings, "AV_RETRY_BACKOFF", 30)  # 30 s, 60 s, 2 min, … at most an hour
    raise task.retry(exc=exc, countdown=min(backoff * 2**task.request.retries, 3600))


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def record_ingest_task(self: Any, record_id: int) -> str:
    """Hash, store, probe; then queue the derived files. Every step is idempotent, so a
    retry or a redelivery after a killed worker redoes only what is missing. Returns the id
    of the queued derive task ("" when there is nothing to derive)."""
    try:
        record = ingest_run(record_id)
    except StagingLost as exc:
        # Nothing to retry with; say so on the record (the upload's bytes are gone).
        record_flag(record_id=record_id, code="staging_lost", reason="暂存文件丢失，原件未能入库，请联系管理员。")
        log.error("%s", exc)
        raise
    except Exception as exc:  # storage or database unavailable: try again later
        raise _retry_or_flag(self, record_id, exc) from exc
    if needs_derive(record):
        # Transcoding may have workers of its own (AV_DERIVE_QUEUE); else it follows this task.
        queue = getattr(settings, "AV_DERIVE_QUEUE", "") or (self.request.delivery_info or {}).get("routing_key")
        return record_derive_task.apply_async((record_id,), queue=queue or None).id
    derive_run(record_id)  # nothing to make: mark it processed now
    return ""


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8)
def record_derive_task(self: Any, record_id: int) -> str:
    """Poster, proxy, waveform, thumbnail; then READY or FLAGGED."""
    try:
        return derive_run(record_id).status
    except Exception as exc:
        raise _retry_or_flag(self, record_id, exc) from exc


@shared_task(bind=True, acks_late=True, max_retries=3)
def record_verify_task(self: Any, record_id: int, user_id: int | None = None) -> bool:
    from accounts.selectors import user_or_none

    by = user_or_none(user_id)
    return record_verify(record_id=record_id, by=by).ok


@shared_task(acks_late=True)
def fixity_scan_task(batch: int = FIXITY_BATCH) -> int:
    """Re-hash a bounded batch of originals, the longest unchecked first; a mismatch is an
    alert (log, mail to admins, a failed FixityCheck on the record)."""
    ids = list(
        AVRecord.objects.exclude(original_key="")
        .order_by(F("last_fixity_at").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)[:batch]
    )
    bad = 0
    for pk in ids:
        if not record_verify(record_id=pk).ok:
            bad += 1
    return bad
