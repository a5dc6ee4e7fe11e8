"""The ingest pipeline, step by step. Each step looks at what the record already has and skips what is done, so a run that a
killed worker abandoned is simply run again (acks_late) and loses nothing.

`record_ingest_task` (ingest_run):
1. hash: SHA-256 and size, compared with what was declared: the digest the web process computed
   while writing the staging file (`received_digest`), else the file is streamed once
2. store: put the original in dedicated storage under its content hash (第二十七条)
3. probe: ffprobe
`record_derive_task` (derive_run; on AV_DERIVE_QUEUE when transcoding has its own workers):
4. derive: poster frame / photo display image and thumbnail / the player's source: the
   original itself when browsers play it as it is and its index is in front (no copy:
   ProxyMethod.ORIGINAL, media.original_plan), else a proxy MP4 (remuxed when browsers play
   the streams, else transcoded: media.proxy_plan) / waveform
5. done: READY, or FLAGGED with the reasons; then the staging copy is removed
"""

import logging
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError

from . import hashstate, media
from .models import AVRecord, MediaKind, ProxyMethod
from .services import (
    record_derived,
    record_flag,
    record_hashed,
    record_probed,
    record_processed,
    record_stored,
)
from .storage import (
    CHUNK,
    hash_file,
    original_local_path,
    original_open,
    original_put,
    original_size,
    staging_path,
)

log = logging.getLogger(__name__)


class StagingLost(Exception):
    """The staging file is gone before the original was stored (should never happen)."""


@contextmanager
def timed(record_id: int, step: str) -> Iterator[None]:
    """Log (INFO) how long `step` of a record's ingest took: "record 12: remux 1.234 s".
    bench/ingest.py reads these lines for its breakdown; an operator sees where time goes."""
    start = time.perf_counter()
    try:
        yield
    finally:
        log.info("record %s: %s %.3f s", record_id, step, time.perf_counter() - start)


def derived_name(record: AVRecord, name: str) -> str:
    return f"av/{record.uuid}/{name}"


class _FinishedFile(File):
    """A derived file finished on disk: a local storage moves it into place (one rename on the
    same disk) instead of copying it; S3 reads it as any file."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def _save_derived(record: AVRecord, name: str, content: File) -> str:
    # Derived files, unlike originals, are remade at will: replace a half-written one.
    key = derived_name(record, name)
    if default_storage.exists(key):
        default_storage.delete(key)
    return default_storage.save(key, content)


@contextmanager
def source_path(record: AVRecord) -> Iterator[str]:
    """A local path to the bytes: the staging file while it exists, the local original,
    or a temporary copy streamed from the S3 original."""
    staged = staging_path(record.upload_id) if record.upload_id else None
    if staged is not None and staged.exists():
        yield str(staged)
        return
    local = original_local_path(record.original_key)
    if local:
        yield local
        return
    with tempfile.NamedTemporaryFile(prefix="linke-av-", suffix=Path(record.filename).suffix[:10]) as tmp:
        with original_open(record.original_key, record.original_version) as stream:
            while chunk := stream.read(CHUNK):
                tmp.write(chunk)
        tmp.flush()
        yield tmp.name


@contextmanager
def served_path(record: AVRecord) -> Iterator[str]:
    """A local path to the bytes the record's page shows (avrecords.views.media_response): a
    photo's display image (poster), else the player's source: the original when it plays as it
    is (source_path), else the proxy. A default storage without local files (S3) is streamed
    to a temporary copy. Raises FileNotFoundError when the record has no such copy yet."""
    if record.kind != MediaKind.PHOTO and record.plays_original and record.original_key:
        with source_path(record) as src:
            yield src
        return
    name = record.poster if record.kind == MediaKind.PHOTO else record.proxy
    if not name:
        raise FileNotFoundError(f"record {record.pk} has no browser copy")
    try:
        local = default_storage.path(name)
    except NotImplementedError:  # S3: no local file
        local = ""
    if local:
        yield local
        return
    with tempfile.NamedTemporaryFile(prefix="linke-av-", suffix=Path(name).suffix[:10]) as tmp:
        with default_storage.open(name, "rb") as stream:
            shutil.copyfileobj(stream, tmp, CHUNK)
        tmp.flush()
        yield tmp.name


def received_digest(record: AVRecord, staged: Path) -> tuple[str, int] | None:
    """The SHA-256 the web process computed while writing the staging file (hashstate), when
    it covers exactly the file as it is on disk now; else None and the file is read."""
    upload = record.upload
    if upload is None or not upload.hash_state:
        return None
    size = staged.stat().st_size
    running = hashstate.resume(upload.hash_state, size) if size == upload.length else None
    return (running.hexdigest(), size) if running is not None else None


def ingest_run(record_id: int) -> AVRecord:
    """Steps 1–3 (hash, store, probe). Returns the record; if it has a playable kind and is
    not processed yet, the caller queues `derive_run` (transcoding may use other workers)."""
    record = AVRecord.objects.get(pk=record_id)
    staged = staging_path(record.upload_id) if record.upload_id else None

    if not record.sha256:
        if staged is None or not staged.exists():
            raise StagingLost(f"staging file of record {record_id} is missing")
        with timed(record_id, "hash"):
            received = received_digest(record, staged)
            sha256, size = received or hash_file(staged)
        record = record_hashed(record_id=record_id, sha256=sha256, size=size, method="received" if received else "read")

    if record.stored_at is None:
        if staged is None or not staged.exists():
            raise StagingLost(f"staging file of record {record_id} is missing")
        # The same content stored before: keep the version recorded then (not the latest).
        known = (
            AVRecord.objects.filter(sha256=record.sha256)
            .exclude(original_version="")
            .values_list("original_version", flat=True)
            .first()
            or ""
        )
        with timed(record_id, "store"):
            key, version, created = original_put(staged, record.sha256, known)
        record = record_stored(record_id=record_id, key=key, version=version, created=created)

    if record.probed_at is None:
        if record.size == 0:
            info = {"kind": "", "raw": {}}  # the empty-file problem says it all
        else:
            with timed(record_id, "probe"), source_path(record) as src:
                info = media.probe(src)
            if info.get("detail"):
                log.warning("record %s: probe failed: %s", record.pk, info["detail"])
        record = record_probed(record_id=record_id, info=info)
    return record


def needs_derive(record: AVRecord) -> bool:
    return bool(record.kind) and record.processed_at is None


def derive_run(record_id: int) -> AVRecord:
    """Steps 4–5: derived files, then READY/FLAGGED, then the staging copy goes."""
    record = AVRecord.objects.get(pk=record_id)
    if needs_derive(record):
        _derive(record)
    record = record_processed(record_id=record_id)
    with timed(record_id, "drop staging"):
        _drop_staging(record)
    return record


def derive_work_dir(record_id: int) -> Path:
    """Where the proxy of a record is transcoded: beside the staging files, on the disk the
    web and worker processes share."""
    return Path(settings.AV_STAGING_DIR) / "derive" / str(record_id)


# A derive step that fails for one of these is retried (the task's backoff): the machine or
# a service is at fault, not the file. Any other failure is the file's and is flagged at once.
TRANSIENT = (OSError, media.MediaResourceError, OperationalError, InterfaceError, BotoCoreError, ClientError)


def _derive(record: AVRecord) -> None:
    """Step 4, one derived file after another (each skipped when it exists). Every failure
    is caught: a MediaError or any unexpected error flags the record with its reason at once
    (retrying cannot help a file ffmpeg cannot read, 第二十七条: nothing is stuck); TRANSIENT
    ones propagate and the task retries."""
    step = "检查画面尺寸"
    try:
        if record.kind in (MediaKind.VIDEO, MediaKind.PHOTO):
            media.check_frame_size(media.coded_size(record.probe))
        step = "读取原件"
        with source_path(record) as src:
            if record.kind == MediaKind.PHOTO:
                if not (record.poster and record.thumbnail):
                    step = "生成照片预览"
                    display, thumb = media.photo_images(src)
                    record_derived(
                        record_id=record.pk,
                        poster=_save_derived(record, "poster.jpg", ContentFile(display)),
                        thumbnail=_save_derived(record, "thumb.jpg", ContentFile(thumb)),
                    )
                return
            if record.kind == MediaKind.VIDEO and not record.poster:
                step = "截取封面帧"
                with timed(record.pk, "poster"):
                    poster = media.video_poster(src, record.duration)
                record_derived(record_id=record.pk, poster=_save_derived(record, "poster.jpg", ContentFile(poster)))
            if record.kind == MediaKind.AUDIO and not record.waveform:
                step = "生成波形图"
                png = media.waveform(src)
                record_derived(record_id=record.pk, waveform=_save_derived(record, "waveform.png", ContentFile(png)))
            if not record.playable:
                step = "生成播放副本"
                plan = media.proxy_plan(record.probe, max_side=media.proxy_max_side())
                # The original plays as it is: no copy is written, the player is served the
                # original (read-only, from dedicated storage; views.derived).
                with timed(record.pk, "index check"):
                    as_is = media.original_plan(record.probe, src, plan)
                if as_is is not None:
                    record_derived(record_id=record.pk, proxy_method=ProxyMethod.ORIGINAL, proxy_reason=as_is.reason)
                    return
                # One work folder per record, emptied first: a transcode killed with its
                # worker leaves a partial proxy there, and the redo clears it.
                work = derive_work_dir(record.pk)
                shutil.rmtree(work, ignore_errors=True)
                work.mkdir(parents=True)
                try:
                    with timed(record.pk, "proxy"):
                        out, method, reason = _make_proxy(record, src, work, plan)
                    with timed(record.pk, "proxy saved"), open(out, "rb") as fh:
                        name = _save_derived(record, "proxy.mp4", _FinishedFile(fh))
                finally:
                    shutil.rmtree(work, ignore_errors=True)
                record_derived(record_id=record.pk, proxy=name, proxy_method=method, proxy_reason=reason)
    except media.MediaError as exc:
        # Bad content is not a reason to retry: flag it; the original is kept as it is.
        log.warning("record %s: %s failed: %s", record.pk, step, exc.detail)
        record_flag(record_id=record.pk, code="derive_failed", reason=exc.reason, detail=exc.detail)
    except TRANSIENT:
        raise
    except Exception as exc:
        log.exception("record %s: %s failed", record.pk, step)
        record_flag(
            record_id=record.pk,
            code="derive_failed",
            reason=f"{step}时出错，未能生成预览。原件已完整保存，请联系管理员。",
            detail=media.scrub(f"{type(exc).__name__}: {exc}"[:1000]),
        )


def _make_proxy(record: AVRecord, src: str, work: Path, plan: media.ProxyPlan) -> tuple[Path, str, str]:
    """The browser copy in `work`: the streams copied as they are when browsers play them
    (`plan.remux`, from `media.proxy_plan`: seconds become milliseconds, and the picture is
    the original's), else transcoded; a copy ffmpeg cannot make is transcoded instead.
    Returns (path, ProxyMethod, the reason in Chinese)."""
    has_video = record.kind == MediaKind.VIDEO
    reason = plan.reason
    if plan.remux:
        try:
            out = media.proxy(src, has_video=has_video, audio_tracks=record.audio_tracks, work_dir=work, remux=True)
            return out, ProxyMethod.REMUX, reason
        except media.MediaError as exc:
            log.warning("record %s: remux failed, transcoding: %s", record.pk, exc.detail)
            reason = "源文件本可直接播放，但转封装未成功（技术细节见系统日志），改为转码"
    out = media.proxy(src, has_video=has_video, audio_tracks=record.audio_tracks, work_dir=work)
    return out, ProxyMethod.TRANSCODE, reason


def _drop_staging(record: AVRecord) -> None:
    """The staging copy goes once dedicated storage holds an object of the same size."""
    staged = staging_path(record.upload_id) if record.upload_id else None
    if staged is None or not staged.exists() or not record.original_key:
        return
    if original_size(record.original_key) != record.size:
        log.error("original %s of record %s has the wrong size; keeping staging file", record.original_key, record.pk)
        return
    staged.unlink(missing_ok=True)
