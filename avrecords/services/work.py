"""The officer's work on a record (assign, describe, explain lateness, finalise) and its custody (access, fixity)."""

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from audit import selectors as audit_selectors
from cases.models import Case

from .. import deadlines_link
from ..audit_actions import AuditAction
from ..models import (
    AVRecord,
    ExpectedRecord,
    FixityCheck,
)
from ..selectors import details_missing
from .common import CONTENT_POINTS_ORDER, AVError, av_refusal
from .expected import _fulfil

# --- the officer's work on a record -----------------------------------------------------


def _lock_editable(record_id: int) -> AVRecord:
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.finalised_at is not None:
        raise AVError("记录已定稿，不能再修改。")
    return record


@transaction.atomic
def record_assign(*, record_id: int, case: Case, by: User) -> AVRecord:
    """Put an inbox record on a case (or move it to another before it is finalised)."""
    record = _lock_editable(record_id)
    refused = av_refusal(by, case)
    if refused:
        raise AVError(refused[1] + "。")
    old = record.case_id
    if old == case.pk:
        return record
    record.case = case
    record.save(update_fields=["case", "updated_at"])
    audit.record(record, AuditAction.ASSIGNED, actor=by, case=case, from_case=old, to_case=case.pk, number=case.ref)
    deadlines_link.store_moved(record)
    _match_expected(record, by)
    return record


def _match_expected(record: AVRecord, by: User | None) -> None:
    """A recording the case was waiting for (第二十七条): one open expectation whose time the
    recording covers is matched automatically; others are matched by hand."""
    if record.case_id is None:
        return  # in the inbox: no case waits for it yet
    candidates = [
        e
        for e in ExpectedRecord.objects.select_for_update().filter(
            case_id=record.case_id, fulfilled_at__isnull=True, withdrawn_at__isnull=True
        )
        if _covers(record, e)
    ]
    if len(candidates) == 1:
        _fulfil(candidates[0], record, by)


def _covers(record: AVRecord, expected: ExpectedRecord) -> bool:
    end = record.ended_at or record.created_at
    start = record.started_at or end
    slack = dt.timedelta(hours=2)
    return start - slack <= expected.ended_at <= end + slack


@transaction.atomic
def record_set_owner(*, record_id: int, owner: User, by: User) -> AVRecord:
    """The admin inbox hands a record (e.g. from an unknown recorder) to an officer."""
    record = _lock_editable(record_id)
    old = record.owner.username if record.owner else ""
    record.owner = owner
    if record.maker_id is None:
        record.maker = owner
    record.save(update_fields=["owner", "maker", "updated_at"])
    audit.record(record, AuditAction.OWNER_SET, actor=by, case=record.case, old=old, new=owner.username)
    return record


DESCRIBE_FIELDS = (
    "method",
    "made_at",
    "maker",
    "proves",
    "transcript",
    "content_points",
    "content_other",
    "confidentiality",
    "important",
)


@transaction.atomic
def record_describe(*, record_id: int, by: User, **values: Any) -> AVRecord:
    """第二十六条 / 第十二条 fields. Every change is in the audit entry (old → new)."""
    record = _lock_editable(record_id)
    changes: dict[str, Any] = {}
    for field, value in values.items():
        if field not in DESCRIBE_FIELDS:
            raise TypeError(field)
        if field == "content_points":
            value = [c for c in CONTENT_POINTS_ORDER if c in set(value)]
        old = getattr(record, field)
        if old != value:
            changes[field] = {"old": _plain(old), "new": _plain(value)}
            setattr(record, field, value)
    if not changes:
        return record
    record.save()
    audit.record(record, AuditAction.DESCRIBED, actor=by, case=record.case, changes=changes)
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, User):
        return value.username
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


@transaction.atomic
def record_explain_late(*, record_id: int, reason: str, by: User) -> AVRecord:
    """第二十七条: a record stored after its 2 working days needs a written reason."""
    record = _lock_editable(record_id)
    if not record.late:
        raise AVError("该记录未逾期，无需说明。")
    reason = reason.strip()
    if not reason:
        raise AVError("请填写逾期原因。")
    old = record.late_reason
    record.late_reason = reason
    record.save(update_fields=["late_reason", "updated_at"])
    audit.record(record, AuditAction.LATE_EXPLAINED, actor=by, case=record.case, reason=reason, old=old)
    return record


def finalise_missing(record: AVRecord) -> list[str]:
    """What keeps the record from being finalised, article by article (empty: ready)."""
    out = []
    if record.case_id is None:
        out.append("尚未归入案件")
    if record.stored_at is None:
        out.append("第二十七条：原件尚未存入专用存储")
    if record.late and not record.late_reason:
        out.append("第二十七条：逾期存储，须书面说明原因")
    out += details_missing(record)
    if not record.content_points:
        out.append("第十二条：重点记录内容（至少一项）")
    if "other" in record.content_points and not record.content_other.strip():
        out.append("第十二条：其他应当记录的内容（请写明）")
    return out


@transaction.atomic
def record_finalise(*, record_id: int, by: User) -> AVRecord:
    record = _lock_editable(record_id)
    missing = finalise_missing(record)
    if missing:
        raise AVError("不能定稿，缺少：" + "；".join(missing))
    record.finalised_at, record.finalised_by = timezone.now(), by
    record.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
    audit.record(
        record,
        AuditAction.FINALISED,
        actor=by,
        case=record.case,
        sha256=record.sha256,
        method=record.method,
        made_at=record.made_at,
        maker=record.maker.username if record.maker else "",
        proves=record.proves,
        content_points=record.content_points,
    )
    return record


_ACCESS_ACTIONS = (AuditAction.VIEWED, AuditAction.PLAYED, AuditAction.DOWNLOADED, AuditAction.CUSTODY_REPORT)


def record_access(*, record: AVRecord, by: User, action: AuditAction, **data: Any) -> None:
    """Chain of custody: a view, play or download of a record is an audit entry.

    `action` is one of AuditAction.VIEWED / PLAYED / DOWNLOADED / CUSTODY_REPORT; any other
    raises ValueError."""
    if action not in _ACCESS_ACTIONS:
        raise ValueError(f"not an access action: {action!r}")
    audit.record(record, action, actor=by, case=record.case_id, sha256=record.sha256, **data)


@transaction.atomic
def record_played(*, record_id: int, by: User, viewing: str) -> bool:
    """Chain of custody (第二十六条、第二十七条): playback of a record actually started in a
    player. `viewing` is the token of one page view of the player (32 hex characters, made
    when the page was rendered); the first play of a viewing is one `av.played` entry, every
    later `play` event of it (pause and resume, replay) adds nothing. Returns True when the
    entry was written now. The record's row is locked, so two requests racing with one token
    still make one entry. Raises ValueError for a malformed token, AVRecord.DoesNotExist."""
    if not _VIEWING.fullmatch(viewing or ""):
        raise ValueError("viewing token must be 32 hex characters")
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if audit_selectors.recorded(record, AuditAction.PLAYED, actor=by, viewing=viewing):
        return False
    record_access(record=record, by=by, action=AuditAction.PLAYED, viewing=viewing)
    return True


_VIEWING = re.compile(r"[0-9a-f]{32}")


def record_verify(*, record_id: int, by: User | None = None) -> FixityCheck:
    """Recompute the original's SHA-256 from dedicated storage (streamed, outside any
    transaction), then record the result. A mismatch is an alert. The same read gives the
    SM3 (GB/T 32905) that the archive export writes to its SM3 manifest: recorded once, when
    the SHA-256 matches (record_sm3), so the export need not read the original for it."""
    from ..storage import original_digests

    record = AVRecord.objects.get(pk=record_id)
    if not record.original_key:
        raise AVError("原件尚未存入专用存储，无法核验。")
    computed, sm3, error = "", "", ""
    try:
        computed, sm3, _size = original_digests(record.original_key, record.original_version)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    check = _fixity_record(record_id=record_id, computed=computed, error=error, by=by)
    if check.ok and sm3:
        record_sm3(record_id=record_id, sha256=computed, sm3=sm3)
    return check


@transaction.atomic
def record_sm3(*, record_id: int, sha256: str, sm3: str) -> bool:
    """Record the SM3 of the original's bytes whose SHA-256 is `sha256`, computed in the same
    read as that SHA-256 (the fixity check, or an export of a record that had none). Recorded
    only when `sha256` is the record's own (the bytes are the ingested bytes) and no SM3 is
    recorded yet; audited. Returns True when recorded now. Raises ValueError for a malformed
    digest, AVRecord.DoesNotExist."""
    if not (_HEX64.fullmatch(sha256 or "") and _HEX64.fullmatch(sm3 or "")):
        raise ValueError("digests must be 64 lowercase hex characters")
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    if record.sm3 or not record.sha256 or record.sha256 != sha256:
        return False
    record.sm3 = sm3
    record.save(update_fields=["sm3", "updated_at"])
    audit.record(record, AuditAction.SM3_RECORDED, case=record.case, sha256=sha256, sm3=sm3)
    return True


_HEX64 = re.compile(r"[0-9a-f]{64}")


@transaction.atomic
def _fixity_record(*, record_id: int, computed: str, error: str, by: User | None) -> FixityCheck:
    import logging

    from django.core.mail import mail_admins

    record = AVRecord.objects.select_for_update().get(pk=record_id)
    ok = not error and computed == record.sha256
    check = FixityCheck.objects.create(
        record=record, by=by, expected=record.sha256, computed=computed, ok=ok, error=error
    )
    record.last_fixity_at, record.fixity_ok = check.checked_at, ok
    record.save(update_fields=["last_fixity_at", "fixity_ok", "updated_at"])
    audit.record(
        record,
        AuditAction.INTEGRITY_CHECKED,
        actor=by,
        case=record.case,
        ok=ok,
        expected=record.sha256,
        computed=computed,
        error=error,
    )
    if not ok:
        message = (
            f"音像记录原件完整性核验失败：记录 {record.pk}（{record.filename}），应为 {record.sha256}，"
            f"实算 {computed or '（无法读取）'} {error}"
        )
        logging.getLogger(__name__).error(message)
        transaction.on_commit(lambda: mail_admins("原件完整性告警", message, fail_silently=True))
    return check
