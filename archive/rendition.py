"""第二十九条: the watermarked copy (查阅副本) of each AV record a consultation provides.

A document is shown as a PDF with the watermark laid over every page (archive.watermark). An
AV record is played in the reading room, and what the player fetches can be saved by anyone
with the browser's tools: so the bytes it is served carry the watermark themselves. On
approval (`consultation_decide`) each provided AV item is marked pending and
`consultation_rendition_task` queued on commit; the task burns `rendition_text` into the
record's browser copy (avrecords.media.burn_text: ffmpeg drawtext in three places of every
frame of a video, the same on a photo; a sound has no picture, its copy names the requester
in its metadata) and stores it in the default storage under its content hash
(cases.services.file_store). The reading room serves that copy only (`reading_media`), never
the record's own copy: while pending it says so, failed it says why and may be asked again
(`renditions_queue`).

The text is the request's watermark dated the day of the head's approval: the copy is made
once per request, not per view (the page's overlay shows the day of the view).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from avrecords.ingest import served_path
from avrecords.media import MediaError, burn_text
from cases.services import file_store
from documents.fonts import font_file

from .models_consultation import ConsultationItem, ConsultationRequest, RenditionStatus

log = logging.getLogger(__name__)

# The faces the watermark is drawn in, the first installed (fonts-noto-cjk; documents.fonts).
FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC")
_SUFFIX = {"video": ".mp4", "audio": ".m4a", "photo": ".jpg"}
CONTENT_TYPES = {"video": "video/mp4", "audio": "audio/mp4", "photo": "image/jpeg"}


def rendition_text(req: ConsultationRequest) -> str:
    """The text burnt into `req`'s copies: archive.consultation.watermark_text (the requester's
    name, the purpose) dated the day of the head's approval (local date)."""
    from .consultation import watermark_text

    signed = req.signoff.signed_at if req.signoff_id and req.signoff else timezone.now()
    return watermark_text(req, on=timezone.localdate(signed))


def watermark_font() -> str:
    """The font file of the first installed face of FONT_FAMILIES (documents.fonts.font_file).
    Raises MediaError (Chinese) when none is installed: the copy cannot be made."""
    for family in FONT_FAMILIES:
        path = font_file(family)
        if path:
            return path
    raise MediaError("服务器未安装中文字体（Noto CJK），无法生成带水印的查阅副本，请联系管理员。", "no CJK font")


def renditions_queue(items: Iterable[ConsultationItem]) -> list[int]:
    """Mark each provided AV item among `items` that has no copy, or whose copy failed, pending
    (its error cleared) and queue consultation_rendition_task for it on commit. An item ready or
    already pending is left alone (a second call queues nothing). Returns the ids queued."""
    from .tasks import consultation_rendition_task

    items = list(items)
    ids = [
        i.pk
        for i in items
        if i.av_record_id is not None and i.provided and i.rendition_status in ("", RenditionStatus.FAILED)
    ]
    if not ids:
        return []
    with transaction.atomic():
        # Only rows still without a copy: two page views racing queue one task.
        ids = list(
            ConsultationItem.objects.select_for_update()
            .filter(pk__in=ids, rendition_status__in=["", RenditionStatus.FAILED])
            .values_list("pk", flat=True)
        )
        ConsultationItem.objects.filter(pk__in=ids).update(rendition_status=RenditionStatus.PENDING, rendition_error="")
        for pk in ids:
            consultation_rendition_task.delay_on_commit(pk)
    for item in items:
        if item.pk in ids:
            item.rendition_status, item.rendition_error = RenditionStatus.PENDING, ""
    return ids


def rendition_make(item_id: int) -> ConsultationItem:
    """Make the watermarked copy of the pending item `item_id` (module docstring) and record it
    ready, or failed with the Chinese reason (a MediaError: the file's fault or no font; no
    browser copy to mark). An item not pending (ready: a repeated task; failed; none asked) is
    returned as it is, nothing made. Transient faults (storage, disk, database:
    avrecords.ingest.TRANSIENT) propagate for the task to retry."""
    item = ConsultationItem.objects.select_related("request__signoff", "av_record").get(pk=item_id)
    record = item.av_record
    if item.rendition_status != RenditionStatus.PENDING or record is None:
        return item
    try:
        font = watermark_font()
        with served_path(record) as src, tempfile.TemporaryDirectory(prefix="linke-consult-") as work:
            out = Path(work) / f"rendition{_SUFFIX.get(record.kind, '.mp4')}"
            burn_text(src, out, text=rendition_text(item.request), font=font, kind=record.kind)
            with out.open("rb") as fh:
                key, _sha, _size = file_store(fh)
    except MediaError as exc:
        log.warning("consultation item %s: rendition failed: %s", item_id, exc.detail)
        return _finish(item_id, RenditionStatus.FAILED, error=exc.reason)
    except FileNotFoundError:
        return _finish(item_id, RenditionStatus.FAILED, error="该音像记录暂无可播放的副本，无法生成带水印的查阅副本。")
    return _finish(item_id, RenditionStatus.READY, key=key)


RENDITION_GONE = "带水印的查阅副本文件缺失，请在查阅页面重新生成。"


def rendition_failed(item_id: int, error: str, *, ready: bool = False) -> ConsultationItem:
    """Record the pending item `item_id` failed with `error` (Chinese): the task gave up. With
    `ready`, a ready item too: its copy's file is gone from storage (RENDITION_GONE), so it is
    failed and may be asked for again (renditions_queue)."""
    return _finish(item_id, RenditionStatus.FAILED, error=error, also_ready=ready)


@transaction.atomic
def _finish(item_id: int, status: str, *, key: str = "", error: str = "", also_ready: bool = False) -> ConsultationItem:
    item = ConsultationItem.objects.select_for_update().get(pk=item_id)
    finishing = [RenditionStatus.PENDING, RenditionStatus.READY] if also_ready else [RenditionStatus.PENDING]
    if item.rendition_status not in finishing:
        return item  # another run finished it first: its copy stands
    item.rendition_status, item.rendition_error = status, error
    if key:
        item.rendition = key
    item.save(update_fields=["rendition", "rendition_status", "rendition_error"])
    return item
