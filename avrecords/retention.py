"""The originals' storage retention follows the case file's (issue 16 item 1).

An original is stored with ORIGINALS_RETENTION_DAYS (183) of Object Lock. When its case is
concluded (已结案) or its file sealed (已归档), each original of the case is kept as long as the
case file: settings.ARCHIVE_RETENTION per case kind (国家档案局令第8号: "Y" 永久, "D30" 30 years,
"D10" 10 years), counted from 1 January of the year after the case was concluded (archival
retention runs from the year after the file was formed). "Y" is a legal hold (no expiry) plus
COMPLIANCE retention for ORIGINALS_PERMANENT_LOCK_YEARS.

- S3 (Object Lock): PutObjectRetention (COMPLIANCE, retain-until) on the recorded version, only
  when it extends what the object already has (the same bytes may belong to several records and
  cases: the longest wins), and PutObjectLegalHold ON for "Y". Never shortened.
- Local read-only files (the embedded default): the files stay 0o444 and the app has no path
  that deletes them; the retention is what the database records.

Both record `AVRecord.retain_until` / `retain_permanent` and write an audit entry
(`av.retention_extended`) per record whose retention grew.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.selectors import user_or_none
from cases.models import Case, CaseState
from cases.selectors import case_of

from .audit_actions import AuditAction
from .models import AVRecord
from .storage import OriginalsS3Storage, originals

log = logging.getLogger(__name__)

# 国家档案局令第8号: the retention periods of a case file, in years; "Y" (永久) has none.
RETENTION_YEARS = {"D30": 30, "D10": 10}
PERMANENT = "Y"


def case_file_retention(case: Case) -> tuple[dt.datetime, bool]:
    """(retain_until, permanent) of the case's file: settings.ARCHIVE_RETENTION[case.kind],
    counted from 1 January (local time) of the year after the case was concluded (or sealed,
    or today for neither). ImproperlyConfigured for a kind without a code or an unknown code."""
    code = settings.ARCHIVE_RETENTION.get(case.kind)
    if code != PERMANENT and code not in RETENTION_YEARS:
        raise ImproperlyConfigured(f"ARCHIVE_RETENTION[{case.kind!r}] = {code!r}: 应为 Y、D30 或 D10")
    formed = case.concluded_at or case.archived_at or timezone.now()
    start = timezone.localtime(formed).year + 1
    years = settings.ORIGINALS_PERMANENT_LOCK_YEARS if code == PERMANENT else RETENTION_YEARS[code]
    return timezone.make_aware(dt.datetime(start + years, 1, 1)), code == PERMANENT


def _s3_extend(store: OriginalsS3Storage, key: str, version: str, until: dt.datetime, permanent: bool) -> None:
    """Lock the S3 version until `until` unless it is locked that long already; legal hold for
    permanent files. COMPLIANCE retention cannot be shortened (the server refuses it too)."""
    client = store.connection.meta.client
    params: dict[str, Any] = {"Bucket": store.bucket_name, "Key": store._normalize_name(key)}
    if version:
        params["VersionId"] = version
    current = client.get_object_retention(**params).get("Retention", {}).get("RetainUntilDate")
    if current is None or current < until:
        client.put_object_retention(**params, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
    if permanent:
        client.put_object_legal_hold(**params, LegalHold={"Status": "ON"})


def original_retention_extend(
    *, record_id: int, until: dt.datetime, permanent: bool, by: User | None = None, reason: str = ""
) -> bool:
    """Extend the retention of the record's original to `until` (and a legal hold when
    `permanent`); never shortens: a later date or a permanent flag already recorded stays.
    True when the retention grew (recorded and audited), False when it was already as long or
    the record has no stored original. Storage errors propagate (the task retries)."""
    with transaction.atomic():
        record = AVRecord.objects.select_for_update(of=("self",)).select_related("case").get(pk=record_id)
        if not record.original_key:
            return False
        new_until = max(until, record.retain_until) if record.retain_until else until
        new_permanent = permanent or record.retain_permanent
        if new_until == record.retain_until and new_permanent == record.retain_permanent:
            return False
        store = originals()
        backend = "local"
        # A bucket configured without Object Lock (object_lock=False) has none to extend.
        if isinstance(store, OriginalsS3Storage) and store.object_lock:
            _s3_extend(store, record.original_key, record.original_version, new_until, new_permanent)
            backend = "s3"
        # An update, not save(): the record's own fields are not touched (a sealed case's
        # records are read-only; their originals' retention is storage bookkeeping).
        AVRecord.objects.filter(pk=record.pk).update(retain_until=new_until, retain_permanent=new_permanent)
        audit.record(
            record,
            AuditAction.RETENTION_EXTENDED,
            actor=by,
            case=record.case,
            retain_until=new_until.isoformat(),
            previous=record.retain_until.isoformat() if record.retain_until else "",
            permanent=new_permanent,
            storage=backend,
            reason=reason,
        )
        return True


def case_originals_retain(*, case_id: int, by: User | None = None) -> int:
    """Every stored original of the case kept as long as its case file (case_file_retention).
    Returns how many records' retention grew."""
    case = case_of(case_id)
    until, permanent = case_file_retention(case)
    reason = f"随案卷保管期限（{settings.ARCHIVE_RETENTION[case.kind]}）"
    ids = AVRecord.objects.filter(case_id=case_id).exclude(original_key="").order_by("pk").values_list("pk", flat=True)
    return sum(
        original_retention_extend(record_id=pk, until=until, permanent=permanent, by=by, reason=reason) for pk in ids
    )


@shared_task(bind=True, acks_late=True, max_retries=8)
def case_originals_retain_task(self: Any, case_id: int, by_id: int | None = None) -> int:
    """case_originals_retain in a worker; storage unavailable: retry with backoff (each record
    is extended once: a redo skips those already as long)."""
    by = user_or_none(by_id)
    try:
        return case_originals_retain(case_id=case_id, by=by)
    except ImproperlyConfigured:
        raise
    except Exception as exc:
        log.warning("case %s: originals' retention not extended yet: %r", case_id, exc)
        backoff = getattr(settings, "AV_RETRY_BACKOFF", 30)
        raise self.retry(exc=exc, countdown=min(backoff * 2**self.request.retries, 3600)) from exc


# 第二十八条: concluding opens the 30-day archiving period; sealing ends it. Either way the case
# file's retention is known from then on.
_RETAIN_ON = (CaseState.CONCLUDED, CaseState.ARCHIVED)


def on_case_transitioned(sender: Any, case: Case, from_state: str, to_state: str, **kwargs: Any) -> None:
    """cases.signals.case_transitioned: a case concluded or sealed has its originals kept as long
    as its file, once the transition commits."""
    if to_state in _RETAIN_ON:
        by = kwargs.get("by")
        # robust: storage trouble must not fail the transition's request after it committed
        # (tasks run in-process in the embedded default); it is logged.
        transaction.on_commit(
            partial(case_originals_retain_task.delay, case.pk, by.pk if by is not None else None), robust=True
        )
