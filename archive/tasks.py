"""Celery tasks of the archive: the export of a sealed case's archival package, the sealed
volume, and the watermarked copies of AV records a consultation provides (第二十九条)."""

import json
import re
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

import audit

from .audit_actions import AuditAction
from .models_export import ACTIVE, ExportJob, ExportStatus

# Progress is written at most this often (seconds) besides start and end.
PROGRESS_EVERY = 0.5


def run_export(job_id: int) -> ExportJob:
    """Build the bag of the job's case (archive.export.build_bag) under
    settings.ARCHIVE_EXPORT_DIR/job-<id>/, tar it to job-<id>.tar, and record the result and
    the audit entry (finished or failed, with the Chinese reason). A job already finished is
    returned as it is (a redelivered task)."""
    from .export import ExportRefused, build_bag, tar_bag

    job = ExportJob.objects.select_related("case", "requested_by").get(pk=job_id)
    if job.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, message="正在导出")
    work = Path(settings.ARCHIVE_EXPORT_DIR) / f"job-{job.pk}"
    shutil.rmtree(work, ignore_errors=True)  # a redelivered task starts over
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or done >= total:
            last[0] = now
            ExportJob.objects.filter(pk=job.pk).update(bytes_done=done, bytes_total=total)

    try:
        bag = build_bag(job.case, work, progress=progress)
        passed = bool(json.loads((bag / "fourprops/report.json").read_text(encoding="utf-8"))["passed"])
        target = tar_bag(bag, work.with_suffix(".tar"))
        shutil.rmtree(work)
    except ExportRefused as exc:
        return _finish(job, ExportStatus.FAILED, str(exc))
    except Exception as exc:
        shutil.rmtree(work, ignore_errors=True)
        _finish(job, ExportStatus.FAILED, f"导出失败：{type(exc).__name__}")
        raise
    return _finish(job, ExportStatus.DONE, "导出完成", result=str(target), passed=passed)


def _finish(job: ExportJob, status: str, message: str, result: str = "", passed: bool | None = None) -> ExportJob:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        job.status, job.message, job.finished_at = status, message, timezone.now()
        job.four_properties_passed = passed
        if result:
            job.result, job.result_size = result, Path(result).stat().st_size
            job.bytes_done = job.bytes_total
        job.save()
        action = AuditAction.EXPORT_FINISHED if status == ExportStatus.DONE else AuditAction.EXPORT_FAILED
        data: dict[str, Any] = {"job": job.pk, "message": message}
        if result:
            data.update(size=job.result_size, four_properties_passed=passed)
        audit.record(job, action, actor=job.requested_by, case=job.case, **data)
    return job


@shared_task(acks_late=True)
def export_case_task(job_id: int) -> str:
    """Run the export job `job_id` (run_export); returns its status."""
    return run_export(job_id).status


def export_request(case: Any, by: Any, *, token: str = "") -> tuple[ExportJob, bool]:
    """Ask for an export of the sealed `case` by `by`: (job, created). Under the case lock: the
    job of an earlier request with the same form `token` (32 hex digits, export_token; any other
    value counts as none) is returned, whatever its status — the same form submitted twice makes
    one job; while a job of the case is queued or running that job is returned and nothing
    starts (the constraints export_once_per_form and export_one_active_per_case make both hold
    under a race too). Raises archive.export.ExportRefused (Chinese) for a case not sealed.
    Audited (requested)."""
    from django.db import IntegrityError

    from cases import stages

    from .export import ExportRefused
    from .selectors import is_sealed

    token = token if _TOKEN.fullmatch(token or "") else ""
    try:
        with transaction.atomic():
            stages.lock(case.pk)
            if not is_sealed(case):
                raise ExportRefused("案件尚未归档（封卷），不能导出电子案卷")
            same = ExportJob.objects.filter(case=case, request_token=token).first() if token else None
            active = same or ExportJob.objects.filter(case=case, status__in=ACTIVE).first()
            if active:
                return active, False
            job = ExportJob.objects.create(case=case, requested_by=by, request_token=token)
            audit.record(job, AuditAction.EXPORT_REQUESTED, actor=by, case=case, job=job.pk)
    except IntegrityError:
        return ExportJob.objects.filter(case=case, status__in=ACTIVE).first() or ExportJob.objects.get(
            case=case, request_token=token
        ), False
    transaction.on_commit(lambda: export_case_task.delay(job.pk))
    return job, True


_TOKEN = re.compile(r"[0-9a-f]{32}")


def export_token() -> str:
    """A new one-time token (32 hex digits) for the export form: export_request with it makes
    one job however often the form is submitted."""
    return uuid.uuid4().hex


@shared_task(acks_late=True)
def volume_store_task(case_id: int) -> int | None:
    """Store the sealed volume of `case_id` (archive.sealed_volume.volume_store), queued on commit
    of sealing and of an approved addendum; returns the stored version, or None."""
    from .sealed_volume import volume_store

    row = volume_store(case_id)
    return row.version if row is not None else None


# A rendition is retried this often for a transient fault (storage, disk, database), with
# backoff from settings.AV_RETRY_BACKOFF, then recorded failed.
RENDITION_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=RENDITION_RETRIES)
def consultation_rendition_task(self: Any, item_id: int) -> str:
    """Make the watermarked copy of the consultation item `item_id` (archive.rendition.
    rendition_make, 第二十九条); returns its rendition status. A repeated task finds it ready and
    makes nothing. A transient fault (avrecords.ingest.TRANSIENT) is retried with backoff,
    after the last retry recorded failed (the reading page offers to try again)."""
    from avrecords.ingest import TRANSIENT

    from .rendition import rendition_failed, rendition_make

    try:
        return rendition_make(item_id).rendition_status
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            rendition_failed(item_id, "生成带水印的查阅副本多次重试仍未成功，请稍后重试或联系管理员。")
            raise
        backoff = getattr(settings, "AV_RETRY_BACKOFF", 30)
        raise self.retry(exc=exc, countdown=min(backoff * 2**self.request.retries, 3600)) from exc
