"""A tus 1.0.0 server (https://tus.io/protocols/resumable-upload): core, creation,
termination, checksum (sha256) and concatenation (parallel uploads: `avrecords.concat`). Collection stations authenticate with
`Authorization: Token <token>`; officers in the browser with their session (and CSRF).

Bodies are streamed to a staging file through a few 1 MiB buffers (`tusbody.receive_into`,
straight from the socket under gunicorn), hashed on the way in (`hashstate`), never read whole: Django's
DATA_UPLOAD_MAX_MEMORY_SIZE only applies to `request.body`/`request.POST`, which this module
never touches. The database offset is the truth: a PATCH first cuts the
staging file back to it, so bytes written by a request that died before saving its offset
are simply received again.
"""

import base64
import fcntl
import hashlib
import hmac
import logging
import os
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.csrf import csrf_exempt

from accounts.models import Role

from . import hashstate
from .concat import PartMissing, assemble
from .models import CollectionStation, Upload, UploadConcat, UploadState
from .services import (
    AVError,
    token_digest,
    upload_advance,
    upload_concat_create,
    upload_create,
    upload_rewind,
    upload_terminate,
)
from .storage import staging_path
from .tusbody import receive_into
from .tusmeta import encode_metadata, parse_metadata

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
EXTENSIONS = "creation,termination,checksum,concatenation"
CHECKSUM_ALGORITHMS = {"sha256": hashlib.sha256}
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def max_size() -> int:
    return int(getattr(settings, "AV_UPLOAD_MAX_SIZE", 64 * 1024**3))


def _response(status: int, text: str = "", **headers: str) -> HttpResponse:
    resp = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    resp["Tus-Resumable"] = TUS_VERSION
    resp["Cache-Control"] = "no-store"
    for key, value in headers.items():
        resp[key.replace("_", "-")] = value
    return resp


def _number(value: str | None) -> int | None:
    """A tus number: non-negative decimal digits only (no sign, space, `_` or other
    digits that int() would accept); None otherwise."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 1000:
        return None
    return int(value)


class _Caller:
    def __init__(self, station: CollectionStation | None = None, user: Any = None) -> None:
        self.station, self.user = station, user

    def owns(self, upload: Upload) -> bool:
        if self.station is not None:
            return upload.station_id == self.station.pk
        return upload.uploaded_by_id == self.user.pk


def _authenticate(request: HttpRequest) -> _Caller | HttpResponse:
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "token" or not token.strip():
            return _response(401, "认证失败", WWW_Authenticate="Token")
        digest = token_digest(token.strip())
        station = CollectionStation.objects.filter(token_hash=digest, active=True).first()
        # The look-up is by digest (indexed); compare again in constant time for good measure.
        if station is None or not hmac.compare_digest(station.token_hash, digest):
            return _response(401, "认证失败：令牌无效或采集站已停用", WWW_Authenticate="Token")
        return _Caller(station=station)
    user = request.user
    if not (user.is_authenticated and user.is_active and user.has_role(Role.OFFICER)):
        return _response(401, "请登录或提供采集站令牌", WWW_Authenticate="Token")
    # Session auth rides on a cookie: require the CSRF token (X-CSRFToken header) like any form.
    reason = CsrfViewMiddleware(lambda r: HttpResponse()).process_view(request, lambda r: HttpResponse(), (), {})
    if reason is not None:
        return _response(403, "CSRF 校验失败")
    return _Caller(user=user)


def _options() -> HttpResponse:
    return _response(
        204,
        Tus_Version=TUS_VERSION,
        Tus_Extension=EXTENSIONS,
        Tus_Max_Size=str(max_size()),
        Tus_Checksum_Algorithm=",".join(CHECKSUM_ALGORITHMS),
    )


def _preamble(request: HttpRequest, methods: tuple[str, ...]) -> _Caller | HttpResponse:
    """OPTIONS, the method, the protocol version and the caller: a response ends it here."""
    if request.method == "OPTIONS":
        return _options()
    if request.method not in methods:
        return _response(405, Allow=", ".join(("OPTIONS", *methods)))
    if request.META.get("HTTP_TUS_RESUMABLE") != TUS_VERSION:
        return _response(412, "Tus-Resumable 1.0.0 required", Tus_Version=TUS_VERSION)
    return _authenticate(request)


@csrf_exempt
def uploads(request: HttpRequest) -> HttpResponse:
    """OPTIONS (discovery) and POST (creation)."""
    caller = _preamble(request, ("POST",))
    if isinstance(caller, HttpResponse):
        return caller
    if "HTTP_UPLOAD_DEFER_LENGTH" in request.META:
        return _response(400, "不支持延迟长度（creation-defer-length）")
    metadata = parse_metadata(request.META.get("HTTP_UPLOAD_METADATA", ""))
    concat = request.META.get("HTTP_UPLOAD_CONCAT", "").strip()
    if concat.startswith("final;"):
        return _create_final(request, caller, concat, metadata)
    if concat not in ("", UploadConcat.PARTIAL):
        return _response(400, "无效的 Upload-Concat（须为 partial 或 final;<部分上传地址>）")
    length = _number(request.META.get("HTTP_UPLOAD_LENGTH"))
    if length is None:
        return _response(400, "缺少或无效的 Upload-Length（须为非负十进制整数）")
    if length > max_size():
        return _response(413, f"文件超过上限 {max_size()} 字节")
    upload = upload_create(length=length, metadata=metadata, station=caller.station, user=caller.user, concat=concat)
    staging_path(upload.pk).touch()
    if length == 0:
        # Nothing to PATCH: an empty file is complete on creation (and still kept).
        upload_advance(upload_id=upload.pk, offset=0)
    return _response(201, Location=_location(request, upload), Upload_Offset="0")


def _location(request: HttpRequest, upload: Upload) -> str:
    return request.build_absolute_uri(reverse("avrecords_api:upload", args=[upload.pk]))


def _part_id(url: str) -> Any:
    """The upload id in a partial upload's URL (absolute or a path), None if it is none."""
    try:
        match = resolve(urlsplit(url).path)
    except (Resolver404, ValueError):
        return None
    return match.kwargs.get("pk") if match.view_name == "avrecords_api:upload" else None


def _create_final(request: HttpRequest, caller: _Caller, concat: str, metadata: dict[str, Any]) -> HttpResponse:
    """`Upload-Concat: final;<url> <url>…`: the parts' bytes are copied, in order, into a new
    upload, which becomes the record (the parts never do)."""
    urls = concat[len("final;") :].split()
    parts = [_part_id(url) for url in urls]
    if not parts or any(pk is None for pk in parts):
        return _response(400, "Upload-Concat 中的部分上传地址无效")
    try:
        final = upload_concat_create(
            parts=parts, metadata=metadata, station=caller.station, user=caller.user, max_length=max_size()
        )
    except AVError as exc:
        return _response(400, str(exc))
    staging_path(final.pk).touch()
    final = _assemble(final)
    return _response(201, Location=_location(request, final))


def _assemble(final: Upload) -> Upload:
    try:
        return assemble(final)
    except PartMissing:
        # The parts' bytes were lost before they were copied: tell whoever looks, keep the rest.
        log.exception("upload %s: cannot assemble its parts", final.pk)
        return final


@csrf_exempt
def upload(request: HttpRequest, pk: Any) -> HttpResponse:
    """HEAD (offset), PATCH (append), DELETE (termination)."""
    caller = _preamble(request, ("HEAD", "PATCH", "DELETE"))
    if isinstance(caller, HttpResponse):
        return caller
    obj = Upload.objects.filter(pk=pk).first()
    if obj is None or not caller.owns(obj):
        return _response(404)
    if obj.state == UploadState.TERMINATED:
        return _response(410)
    if obj.concat == UploadConcat.FINAL and obj.state == UploadState.RECEIVING:
        obj = _assemble(obj)  # a copy that a killed process left half-done is made again
    if obj.state == UploadState.RECEIVING and obj.length > 0 and obj.offset == obj.length:
        # Every byte arrived but the record was not made (the PATCH that completed it
        # failed after saving its offset): make it now, on whatever request comes next.
        upload_advance(upload_id=obj.pk, offset=obj.length)
        obj.refresh_from_db()
    if request.method == "HEAD":
        headers = {"Upload_Offset": str(obj.offset), "Upload_Length": str(obj.length)}
        if obj.concat == UploadConcat.PARTIAL:
            headers["Upload_Concat"] = "partial"
        elif obj.concat == UploadConcat.FINAL:
            parts = " ".join(reverse("avrecords_api:upload", args=[pk]) for pk in obj.parts)
            headers["Upload_Concat"] = f"final;{parts}"
        return _response(200, Upload_Metadata=encode_metadata(obj.metadata), **headers)
    if request.method == "DELETE":
        try:
            upload_terminate(upload_id=obj.pk, by=caller.user, station=caller.station)
        except AVError as exc:
            return _response(403, str(exc))
        staging_path(obj.pk).unlink(missing_ok=True)
        return _response(204)
    return _patch(request, obj)


def _finished(obj: Upload, offset: int, content_length: int) -> HttpResponse:
    """A PATCH to an upload that is complete (a repeat of the last, empty one is fine) or
    terminated."""
    if obj.state == UploadState.COMPLETE and offset == obj.length and content_length == 0:
        return _response(204, Upload_Offset=str(obj.offset))
    return _response(410 if obj.state == UploadState.TERMINATED else 403, "上传已结束")


def _patch(request: HttpRequest, obj: Upload) -> HttpResponse:
    if obj.concat == UploadConcat.FINAL:
        return _response(403, "拼接上传不接受 PATCH（由其部分上传组成）")
    if request.content_type != OFFSET_CONTENT_TYPE:
        return _response(415, f"Content-Type 须为 {OFFSET_CONTENT_TYPE}")
    offset = _number(request.META.get("HTTP_UPLOAD_OFFSET"))
    content_length = _number(request.META.get("CONTENT_LENGTH"))
    if offset is None or content_length is None:
        return _response(400, "缺少或无效的 Upload-Offset / Content-Length（须为非负十进制整数）")
    checksum = None
    if header := request.META.get("HTTP_UPLOAD_CHECKSUM"):
        algorithm, _, b64 = header.partition(" ")
        if algorithm not in CHECKSUM_ALGORITHMS:
            return _response(400, f"不支持的校验算法 {algorithm}")
        try:
            checksum = (CHECKSUM_ALGORITHMS[algorithm](), base64.b64decode(b64.strip(), validate=True))
        except ValueError:  # binascii.Error, or text that is not ASCII
            return _response(400, "Upload-Checksum 格式错误")

    if obj.state != UploadState.RECEIVING:
        return _finished(obj, offset, content_length)
    path = staging_path(obj.pk)
    try:
        fh = open(path, "r+b")  # noqa: SIM115 - closed by the `with fh` below
    except FileNotFoundError:
        return _response(410, "上传的暂存文件已不存在")
    with fh:
        try:
            # One PATCH at a time per upload (a client retrying while its first request
            # still streams must not interleave bytes).
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _response(423, "该上传正在被另一请求写入")
        obj.refresh_from_db()
        if obj.state != UploadState.RECEIVING:
            return _finished(obj, offset, content_length)
        if offset != obj.offset:
            return _response(409, f"偏移量不符：服务器为 {obj.offset}", Upload_Offset=str(obj.offset))
        if offset + content_length > obj.length:
            return _response(413, "数据超出 Upload-Length")
        on_disk = os.fstat(fh.fileno()).st_size
        if on_disk < offset:
            # Bytes acknowledged before were lost (a crash of the staging disk): never pad
            # with zeros; tell the client where the file really ends.
            log.error("upload %s: staging file has %s bytes, offset was %s", obj.pk, on_disk, offset)
            obj = upload_rewind(upload_id=obj.pk, offset=on_disk)
            return _response(409, f"偏移量不符：服务器为 {obj.offset}", Upload_Offset=str(obj.offset))
        fh.truncate(offset)
        # The whole file's SHA-256 goes on from where the last PATCH left it (see hashstate).
        # A part is hashed once, when its final upload copies it (avrecords.concat).
        running = None if obj.concat == UploadConcat.PARTIAL else hashstate.resume(obj.hash_state, offset)
        updates = [h.update for h in (checksum[0] if checksum else None, running) if h is not None]
        saved = [offset]  # where the database has this upload (checkpoints move it on)

        def checkpoint(position: int) -> None:
            # A long PATCH records its durable progress as it goes (from the receiver's
            # second thread), so a web process killed mid-body (a restart, a timeout) has
            # kept it. Not with a checksum, which covers the whole body or nothing; and the
            # last byte is left to the end of the PATCH, which completes the upload.
            if position < obj.length:
                upload_advance(
                    upload_id=obj.pk,
                    offset=position,
                    from_offset=saved[0],
                    hash_state=running.state() if running is not None else None,
                )
                saved[0] = position

        started = time.perf_counter()
        received = receive_into(
            request,
            fh.fileno(),
            offset,
            content_length,
            updates,  # durable on return
            checkpoint=None if checksum else checkpoint,
        )
        broken = received < content_length
        if checksum and (broken or checksum[0].digest() != checksum[1]):
            # 第二十七条 needs the exact bytes: a chunk that fails its checksum is dropped.
            fh.truncate(offset)
            if broken:
                return _response(400, "请求体不完整")
            return _response(460, "校验和不符（Checksum Mismatch）", Upload_Offset=str(offset))
        # Still holding the lock: the offset and the hash state saved are those of the bytes
        # on disk (a retry waiting for the lock then sees the new offset, and cannot cut the
        # file back under a state that covers bytes it replaced).
        body = time.perf_counter()
        try:
            obj = upload_advance(
                upload_id=obj.pk,
                offset=offset + received,
                from_offset=saved[0],
                hash_state=running.state() if running is not None else None,
            )
        except AVError as exc:  # pragma: no cover - the lock serialises PATCHes; a safety net
            return _response(409, str(exc))
        # Where an upload's time goes (bench/ingest.py reads these lines): the body received,
        # written, hashed and made durable; then the offset saved (and, for the last PATCH,
        # the record made).
        log.info(
            "upload %s: PATCH %s bytes at %s: body %.3f s, saved %.3f s",
            obj.pk,
            received,
            offset,
            body - started,
            time.perf_counter() - body,
        )
    return _response(204, Upload_Offset=str(obj.offset))
