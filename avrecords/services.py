"""Writes for audio-visual records. One public function per transition; each locks its
rows, checks the state, saves, writes the audit entry and queues what follows on commit.

Other apps call:
- `expected_record_sync(...)` when a written record says whether audio-video was recorded
  (records/ on-site inspection "with audio-video recording"), so the recording is expected
  and has its own 第二十七条 deadline until it arrives.
"""

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

import audit
from accounts.models import User
from audit.models import Entry
from cases.models import Case, CaseState
from linke.fields import fit

from . import deadlines_link
from .audit_actions import AuditAction
from .media import scrub
from .models import (
    AVRecord,
    AVRecordStatus,
    CollectionStation,
    ExpectedRecord,
    FixityCheck,
    MediaKind,
    Recorder,
    Upload,
    UploadConcat,
    UploadState,
)
from .tusmeta import RAW_KEY, b64decode

# 第十二条: what a recording of the scene should cover.
CONTENT_POINTS = [
    ("scene", "执法现场的环境"),
    ("persons", "当事人、证人、第三人等现场有关人员的体貌特征和言行举止"),
    ("evidence", "重要涉案物品等相关证据及其主要特征"),
    ("measures", "执法人员对有关人员、财物采取措施的情况"),
    ("delivery", "执法人员现场送达执法文书的情况"),
    ("other", "其他应当记录的内容"),
]
CONTENT_POINTS_ORDER = [code for code, _ in CONTENT_POINTS]

RECORDER_METHOD = "执法记录仪现场录制"


# Problems with the bytes themselves make a record FLAGGED; the others (unknown recorder,
# officer or case, unreadable times) are notes for whoever sorts the inbox.
CONTENT_PROBLEMS = frozenset(
    {
        "sha256_mismatch",
        "size_mismatch",
        "empty",
        "not_media",
        "no_streams",
        "derive_failed",
        "staging_lost",
        "ingest_failed",
    }
)


class AVError(Exception):
    """A refused action; the message is shown to the user (Chinese)."""


def _problem(record: AVRecord, code: str, reason: str, detail: str = "") -> bool:
    """Add a problem once (steps are redone after a crash). True if it was new. `reason` is
    what the officer reads (Chinese); `detail` the technical cause (ffmpeg's output), kept
    for the custody trail. Neither ever shows where a file lies on the server."""
    if any(p.get("code") == code for p in record.problems):
        return False
    problem = {"code": code, "reason": scrub(reason)}
    if detail:
        problem["detail"] = scrub(detail)
    record.problems = [*record.problems, problem]
    return True


# --- stations -------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def station_create(*, name: str, location: str = "", by: User | None = None) -> tuple[CollectionStation, str]:
    """A new station and its token. Only the token's SHA-256 is kept: show it once."""
    token = secrets.token_urlsafe(32)
    station = CollectionStation.objects.create(
        name=name, location=location, token_hash=token_digest(token), token_prefix=token[:8]
    )
    audit.record(station, AuditAction.STATION_CREATED, actor=by, name=name, location=location)
    return station, token


@transaction.atomic
def station_rotate_token(*, station_id: int, by: User | None = None) -> str:
    station = CollectionStation.objects.select_for_update().get(pk=station_id)
    token = secrets.token_urlsafe(32)
    station.token_hash, station.token_prefix = token_digest(token), token[:8]
    station.save(update_fields=["token_hash", "token_prefix"])
    audit.record(station, AuditAction.STATION_TOKEN_ROTATED, actor=by)
    return token


# --- uploads (tus) ----------------------------------------------------------------------


@transaction.atomic
def upload_create(
    *,
    length: int,
    metadata: dict[str, Any],
    station: CollectionStation | None = None,
    user: User | None = None,
    concat: str = UploadConcat.NONE,
) -> Upload:
    """A tus upload of `length` bytes (`concat`: UploadConcat.PARTIAL for a part that a final
    upload will take; it never becomes a record of its own)."""
    upload = Upload.objects.create(length=length, metadata=metadata, station=station, uploaded_by=user, concat=concat)
    audit.record(
        upload,
        AuditAction.UPLOAD_STARTED,
        actor=user,
        length=length,
        station=station.name if station else "",
        filename=_text(metadata, "filename"),
        recorder=_text(metadata, "recorder"),
        case_number=_text(metadata, "case"),
        concat=concat,
    )
    return upload


@transaction.atomic
def upload_concat_create(
    *,
    parts: list[Any],
    metadata: dict[str, Any],
    station: CollectionStation | None = None,
    user: User | None = None,
    max_length: int | None = None,
) -> Upload:
    """tus concatenation: a final upload made of `parts` (ids of partial uploads of the same
    sender, complete and not yet taken by another final upload), in that order. Its length is
    theirs together; its bytes are copied in by `concat.assemble` (outside this transaction).
    Raises AVError (Chinese) for a part that is not one."""
    locked = {u.pk: u for u in Upload.objects.select_for_update().filter(pk__in=parts).order_by("pk")}
    if len(set(parts)) != len(parts):
        raise AVError("Upload-Concat 中同一部分上传出现了两次。")
    for pk in parts:
        part = locked.get(pk)
        if part is None or (station is not None and part.station_id != station.pk):
            raise AVError(f"部分上传 {pk} 不存在。")
        if station is None and (user is None or part.uploaded_by_id != user.pk):
            raise AVError(f"部分上传 {pk} 不存在。")
        if part.concat != UploadConcat.PARTIAL:
            raise AVError(f"上传 {pk} 不是部分上传（Upload-Concat: partial）。")
        if part.state != UploadState.COMPLETE:
            raise AVError(f"部分上传 {pk} 尚未接收完整（{part.offset}/{part.length} 字节）。")
        if part.final_id is not None:
            raise AVError(f"部分上传 {pk} 已拼接到另一上传。")
    length = sum(locked[pk].length for pk in parts)
    if max_length is not None and length > max_length:
        raise AVError(f"拼接后的文件超过上限 {max_length} 字节")
    final = upload_create(length=length, metadata=metadata, station=station, user=user, concat=UploadConcat.FINAL)
    final.parts = [str(pk) for pk in parts]
    final.save(update_fields=["parts", "updated_at"])
    Upload.objects.filter(pk__in=parts).update(final=final)
    return final


def upload_assembled(*, upload_id: Any, hash_state: bytes | None) -> Upload:
    """The final upload's staging file holds all its parts' bytes (durable): it is complete
    and becomes a record like any other upload."""
    upload = Upload.objects.get(pk=upload_id)
    audit.record(upload, AuditAction.UPLOAD_ASSEMBLED, length=upload.length, parts=upload.parts)
    return upload_advance(upload_id=upload_id, offset=upload.length, from_offset=0, hash_state=hash_state)


def upload_advance(
    *, upload_id: Any, offset: int, hash_state: bytes | None = None, from_offset: int | None = None
) -> Upload:
    """Record the bytes a PATCH appended, and the running SHA-256 of everything received so
    far (None: there is none, the worker will read the file). With `from_offset`, only if the
    upload is still where that PATCH started (else AVError: another request moved it). When
    the upload is whole, it becomes a record."""
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload_id)
        if from_offset is not None and (upload.state != UploadState.RECEIVING or upload.offset != from_offset):
            raise AVError(f"偏移量不符：服务器为 {upload.offset}")
        if upload.state != UploadState.RECEIVING:
            return upload
        upload.offset, upload.hash_state = offset, hash_state
        upload.save(update_fields=["offset", "hash_state", "updated_at"])
    if offset == upload.length:
        upload_complete(upload_id=upload_id)
        upload.refresh_from_db()
    return upload


@transaction.atomic
def upload_rewind(*, upload_id: Any, offset: int) -> Upload:
    """The staging file holds fewer bytes than acknowledged: the client must resend from there."""
    upload = Upload.objects.select_for_update().get(pk=upload_id)
    if upload.state == UploadState.RECEIVING and offset < upload.offset:
        audit.record(upload, AuditAction.UPLOAD_REWOUND, old_offset=upload.offset, offset=offset)
        upload.offset, upload.hash_state = offset, None
        upload.save(update_fields=["offset", "hash_state", "updated_at"])
    return upload


@transaction.atomic
def upload_complete(*, upload_id: Any) -> AVRecord | None:
    """RECEIVING -> COMPLETE: the record is created (in an inbox or on its case), its
    第二十七条 deadline opened, and the ingest pipeline queued after commit. A partial upload
    (tus concatenation) only waits for its final upload: no record, None."""
    from .tasks import record_ingest_task

    upload = Upload.objects.select_for_update(of=("self",)).select_related("station").get(pk=upload_id)
    if upload.state == UploadState.COMPLETE:
        return getattr(upload, "record", None)
    if upload.state != UploadState.RECEIVING or upload.offset != upload.length:
        raise AVError("上传尚未完成")
    now = timezone.now()
    upload.state, upload.completed_at = UploadState.COMPLETE, now
    upload.save(update_fields=["state", "completed_at", "updated_at"])
    if upload.concat == UploadConcat.PARTIAL:
        return None
    if upload.station_id:
        CollectionStation.objects.filter(pk=upload.station_id).update(last_seen_at=now)

    record = _record_from_metadata(upload)
    record.save()
    audit.record(
        record,
        AuditAction.RECEIVED,
        actor=upload.uploaded_by,
        case=record.case,
        upload=str(upload.pk),
        filename=record.filename,
        size=upload.length,
        station=upload.station.name if upload.station else "",
        recorder=record.recorder_serial,
        declared_sha256=record.declared_sha256,
        started_at=record.started_at,
        ended_at=record.ended_at,
        store_deadline_from=deadlines_link.store_basis(record),
        owner=record.owner.username if record.owner else "",
        problems=record.problem_reasons,
    )
    deadlines_link.store_open(record)
    if record.case_id:
        _match_expected(record, upload.uploaded_by)
    record_ingest_task.delay_on_commit(record.pk)
    return record


def _record_from_metadata(upload: Upload) -> AVRecord:
    """Read the tus metadata. Nothing is refused for bad metadata (nothing recorded is
    turned away): a value that cannot be read is kept as sent and becomes a problem. Every
    value put in a column is cut to it (`fit`); the full value stays in `metadata`."""
    meta = upload.metadata
    record = AVRecord(
        upload=upload,
        station=upload.station,
        uploaded_by=upload.uploaded_by,
        filename=fit(AVRecord, "filename", _text(meta, "filename")),
        metadata=meta,
        declared_size=upload.length,
        important=_text(meta, "important").strip() in ("1", "true", "yes"),
    )
    _filename_notes(record, meta)
    serial = fit(AVRecord, "recorder_serial", _text(meta, "recorder").strip())
    record.recorder_serial = serial
    if serial:
        record.recorder = Recorder.objects.filter(serial=serial).select_related("officer").first()
        if record.recorder is None:
            _problem(record, "unknown_recorder", f"未登记的执法记录仪（序列号 {serial}），请管理员核实并分派。")
    for field in ("started_at", "ended_at"):
        raw = _text(meta, field).strip()
        if not raw:
            continue
        value = _parse_time(raw)
        if value is None:
            _problem(
                record, f"bad_{field}", f"{'开始' if field == 'started_at' else '结束'}录制时间无法识别：{raw[:80]}"
            )
        setattr(record, field, value)
    declared = _text(meta, "sha256").strip().lower()
    if declared:
        if len(declared) == 64 and all(c in "0123456789abcdef" for c in declared):
            record.declared_sha256 = declared
        else:
            _problem(record, "bad_sha256", f"申报的SHA-256格式错误：{declared[:80]}")

    # Whose inbox: the officer named by 执法证号, else the recorder's officer, else the uploader.
    cert = _text(meta, "officer").strip()
    if cert:
        record.owner = User.objects.filter(cert_no=cert, is_active=True).first()
        if record.owner is None:
            _problem(record, "unknown_officer", f"未找到执法证号为 {cert[:80]} 的执法人员。")
    if record.owner is None and record.recorder is not None:
        record.owner = record.recorder.officer
    if record.owner is None:
        record.owner = upload.uploaded_by

    number = _text(meta, "case").strip()
    if number:
        # A station names the case by its 案号 or, before filing, its 登记号.
        case = Case.objects.filter(Q(number=number) | Q(registration_number=number)).first()
        if case is None:
            _problem(record, "unknown_case", f"未找到案号为 {number[:80]} 的案件，记录暂存于收件箱。")
        elif case.state == CaseState.ARCHIVED:
            # An archived case file (第二十八条) is closed: the record waits in the inbox.
            _problem(record, "case_archived", f"案件 {number} 已归档，不再接收音像记录，记录暂存于收件箱。")
        elif upload.uploaded_by is not None and not _may_write_case(upload.uploaded_by, case):
            _problem(record, "case_not_allowed", f"上传人无权将记录归入案件 {number}，记录暂存于收件箱。")
        else:
            record.case = case
    if record.recorder is not None:
        record.method = RECORDER_METHOD
    record.made_at = record.started_at or record.ended_at
    record.maker = record.owner
    _time_notes(record)
    return record


def _text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _filename_notes(record: AVRecord, meta: dict[str, Any]) -> None:
    name = _text(meta, "filename")
    if len(name) > len(record.filename):
        _problem(
            record,
            "filename_long",
            f"文件名过长（{len(name)} 个字符），列表中仅显示前 {len(record.filename)} 个字符，完整文件名见上传元数据。",
        )
    sent = (meta.get(RAW_KEY) or {}).get("filename")
    if isinstance(sent, str):
        # Windows-based stations often send the name in GBK: say how it reads as GB18030.
        raw = b64decode(sent)
        try:
            guess = raw.decode("gb18030") if raw else ""
        except UnicodeDecodeError:
            guess = ""
        note = f"，按GB18030解读为“{guess[:120]}”" if guess and guess.isprintable() else ""
        _problem(record, "filename_encoding", f"文件名不是UTF-8文本，按原样保留并转义显示{note}。")


def _time_notes(record: AVRecord) -> None:
    """第二十七条 runs from the end of the recording: when the declared times cannot be
    that, say so and which time the 2 working days run from, for the officer to confirm."""
    if record.started_at and record.ended_at and record.ended_at < record.started_at:
        _problem(
            record,
            "times_reversed",
            "申报的结束录制时间早于开始时间，请执法人员核实录制时间；"
            f"第二十七条期限暂自{deadlines_link.store_basis(record)}起算。",
        )
    if record.ended_at is None:
        _problem(
            record,
            "no_end_time",
            f"未申报录制结束时间，第二十七条期限自{deadlines_link.store_basis(record)}起算，请执法人员核实录制时间。",
        )


def _parse_time(raw: str) -> dt.datetime | None:
    try:
        value = parse_datetime(raw)
    except ValueError:
        return None
    if value is None or timezone.is_naive(value):
        return None  # ISO 8601 with a UTC offset is required: a naive time is ambiguous
    return value


def _may_write_case(user: User, case: Case) -> bool:
    from cases import policy

    return policy.may_write(user, case)


@transaction.atomic
def upload_terminate(*, upload_id: Any, by: User | None = None, station: CollectionStation | None = None) -> Upload:
    """tus termination: an unfinished upload is abandoned. A complete one is a record and
    cannot be withdrawn (nothing recorded is lost)."""
    upload = Upload.objects.select_for_update().get(pk=upload_id)
    if upload.state == UploadState.TERMINATED:
        return upload
    if upload.concat == UploadConcat.PARTIAL:
        # A part is no record; once a final upload has copied it, it may go. Not before.
        if upload.final is not None and upload.final.state == UploadState.RECEIVING:
            raise AVError("该部分上传正在拼接，不能终止。")
    elif upload.state == UploadState.COMPLETE:
        raise AVError("上传已完成，已成为音像记录，不能终止。")
    elif upload.length > 0 and upload.offset == upload.length:
        # Every byte arrived (its record is being made, or making it failed and is retried):
        # the file is evidence now, and termination would delete it.
        raise AVError("文件已全部接收，正在转为音像记录，不能终止。")
    upload.state = UploadState.TERMINATED
    upload.save(update_fields=["state", "updated_at"])
    audit.record(
        upload,
        AuditAction.UPLOAD_TERMINATED,
        actor=by,
        offset=upload.offset,
        length=upload.length,
        station=station.name if station else "",
    )
    return upload


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
    """Save the names of derived files (poster, proxy, waveform, thumbnail)."""
    record = AVRecord.objects.select_for_update().get(pk=record_id)
    fields = []
    for field, name in names.items():
        if field in ("poster", "proxy", "waveform", "thumbnail") and getattr(record, field) != name:
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
    audit.record(record, AuditAction.PROCESSED, case=record.case, status=record.status, problems=record.problem_reasons)
    return record


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
    if not _may_write_case(by, case):
        raise AVError("无权将记录归入该案件。")
    if case.state == CaseState.ARCHIVED:
        raise AVError("案件已归档，不再接收音像记录。")
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
    if not record.method:
        out.append("第二十六条：制作方法")
    if record.made_at is None:
        out.append("第二十六条：制作时间")
    if record.maker_id is None:
        out.append("第二十六条：制作人")
    if not record.proves.strip():
        out.append("第二十六条：证明对象")
    if record.kind == MediaKind.AUDIO and not record.transcript.strip():
        out.append("第二十六条：声音资料的文字记录")
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
    seen = Entry.objects.filter(
        action=AuditAction.PLAYED,
        object_type="avrecords.avrecord",
        object_id=str(record.pk),
        actor=by,
        payload__contains=f'"viewing":"{viewing}"',
    ).exists()
    if seen:
        return False
    record_access(record=record, by=by, action=AuditAction.PLAYED, viewing=viewing)
    return True


_VIEWING = re.compile(r"[0-9a-f]{32}")


def record_verify(*, record_id: int, by: User | None = None) -> FixityCheck:
    """Recompute the original's SHA-256 from dedicated storage (streamed, outside any
    transaction), then record the result. A mismatch is an alert."""
    from .storage import original_hash

    record = AVRecord.objects.get(pk=record_id)
    if not record.original_key:
        raise AVError("原件尚未存入专用存储，无法核验。")
    computed, error = "", ""
    try:
        computed, _size = original_hash(record.original_key, record.original_version)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    return _fixity_record(record_id=record_id, computed=computed, error=error, by=by)


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
