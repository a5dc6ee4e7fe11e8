"""Uploads over tus: create, advance, complete (the record from the station's metadata), terminate."""

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

import audit
from accounts.models import User
from accounts.selectors import officer_by_cert_no
from cases.selectors import case_by_ref
from linke.fields import fit

from .. import deadlines_link
from ..audit_actions import AuditAction
from ..models import (
    AVRecord,
    CollectionStation,
    Recorder,
    Upload,
    UploadConcat,
    UploadState,
)
from ..tusmeta import RAW_KEY, b64decode
from .common import RECORDER_METHOD, AVError, _problem, av_refusal
from .stations import station_seen, station_seen_due
from .work import _match_expected

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
    (tus concatenation) only waits for its final upload: no record, None.

    No hot rows: the station's `last_seen_at` is bookkeeping, updated after the commit and
    at most once a minute (`station_seen`), and the audit entries are appended together at
    the end, so the chain's lock is held only from there to the commit."""
    from ..tasks import record_ingest_task

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
    if upload.station is not None and station_seen_due(upload.station, now):
        # robust: the upload has committed; failed bookkeeping is logged, never the answer.
        transaction.on_commit(partial(station_seen, station_id=upload.station.pk, at=now), robust=True)
    with audit.appends_deferred():
        record = _record_complete(upload)
    record_ingest_task.delay_on_commit(record.pk)
    return record


def _record_complete(upload: Upload) -> AVRecord:
    """The record of a complete upload, its audit entry, its 第二十七条 deadline, the
    expectation it fulfils."""
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
        record.owner = officer_by_cert_no(cert)
        if record.owner is None:
            _problem(record, "unknown_officer", f"未找到执法证号为 {cert[:80]} 的执法人员。")
    if record.owner is None and record.recorder is not None:
        record.owner = record.recorder.officer
    if record.owner is None:
        record.owner = upload.uploaded_by

    number = _text(meta, "case").strip()
    if number:
        # A station names the case by its 案号 or, before filing, its 登记号.
        case = case_by_ref(number)
        if case is None:
            _problem(record, "unknown_case", f"未找到案号为 {number[:80]} 的案件，记录暂存于收件箱。")
        elif refused := av_refusal(upload.uploaded_by, case):
            # The case takes no recording now (archived, not filed …) or not from this uploader:
            # the record waits in the inbox, and says why.
            code, reason = refused
            _problem(record, code, f"{reason}（案件 {number}），记录暂存于收件箱。")
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
