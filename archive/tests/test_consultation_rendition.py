"""第二十九条: an AV record provided for consultation is played only as its copy with the
watermark burnt in (archive.rendition), made by a task queued on approval: the bytes the
reading room serves are not the record's own copy and show the requester's name in every frame.
Real ffmpeg on tiny media (avrecords' `media` fixture and its proxy maker)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import ffmpeg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from archive.consultation import Treatment
from archive.models import ConsultationAccess, ConsultationItem
from archive.models_consultation import ItemTreatment
from archive.rendition import renditions_queue
from archive.tasks import consultation_rendition_task
from archive.tests.test_consultation import ID, _approve, _request
from audit.models import Entry
from avrecords import media as av_media
from avrecords.audit_actions import AuditAction as AVAction
from avrecords.models import AVRecord
from avrecords.tests.conftest import media  # noqa: F401  (the fixture: tiny real media)
from cases.models import PartyKind
from cases.tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db
NOT_A_VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"NOT-A-VIDEO" * 20


@pytest.fixture
def case(officer, officer2, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    PartyFactory(case=case, kind=PartyKind.PERSON, name="王小明", id_number=ID, legal_rep="")
    return case


@pytest.fixture(scope="module")
def proxy_file(media, tmp_path_factory) -> Path:
    """The browser copy avrecords makes of its test video (161x121 MPEG-4: H.264 160x120)."""
    return av_media.proxy(str(media["video"]), has_video=True, audio_tracks=2, work_dir=tmp_path_factory.mktemp("p"))


def _record(case: Any, kind: str, data: bytes, name: str) -> AVRecord:
    key = default_storage.save(f"av/test/{name}", ContentFile(data))
    copy = {"poster": key} if kind == "photo" else {"proxy": key}
    return AVRecord.objects.create(case=case, filename=name, kind=kind, proves="现场检查过程", **copy)


def _approved_item(case: Any, archivist: Any, head: Any, record: AVRecord, capture: Any) -> ConsultationItem:
    with capture(execute=True):  # the rendition task runs on commit (eagerly in tests)
        req = _approve(_request(case, archivist, [record]), head, {record: Treatment(ItemTreatment.FULL)})
    return req.items.get()


def _urls(item: ConsultationItem) -> tuple[str, str]:
    token = item.request.token
    return (
        reverse("archive:reading_av", args=[token, item.pk]),
        reverse("archive:reading_media", args=[token, item.pk]),
    )


def _gray_frame(path: Path) -> tuple[bytes, int, int]:
    """The first frame of a video as 8-bit grey pixels, with its width and height."""
    info = next(s for s in ffmpeg.probe(str(path))["streams"] if s["codec_type"] == "video")
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return out, int(info["width"]), int(info["height"])


def _band_diff(a: bytes, b: bytes, width: int, rows: range) -> float:
    """Mean absolute difference of two grey frames over `rows`."""
    total = sum(abs(a[r * width + c] - b[r * width + c]) for r in rows for c in range(width))
    return total / (len(rows) * width)


def test_the_video_played_carries_the_watermark_in_its_frames(
    client, case, archivist, head, proxy_file, tmp_path, django_capture_on_commit_callbacks
):
    proxy_bytes = proxy_file.read_bytes()
    record = _record(case, "video", proxy_bytes, "现场检查.mp4")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    assert item.rendition_status == "ready" and item.rendition and not item.rendition_error
    page_url, media_url = _urls(item)
    client.force_login(archivist)
    page = client.get(page_url, REMOTE_ADDR="10.1.2.3").content.decode()
    assert "<video" in page and media_url in page and "consult-av-mark" in page and "正在生成" not in page
    assert ConsultationAccess.objects.filter(item=item, viewer=archivist, ip="10.1.2.3").count() == 1
    resp = client.get(media_url)
    served = b"".join(resp.streaming_content)
    assert resp.status_code == 200 and resp["Content-Type"] == "video/mp4" and served != proxy_bytes
    # A whole copy fetched without a range is a download in the record's chain of custody.
    fetched = Entry.objects.filter(action=AVAction.DOWNLOADED, actor=archivist)
    assert [e.data.get("copy") for e in fetched] == ["consultation"]
    part = client.get(media_url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and b"".join(part.streaming_content) == served[:100]
    # A valid video (ffprobe), the size of the proxy.
    rendition = tmp_path / "served.mp4"
    rendition.write_bytes(served)
    streams = {s["codec_type"]: s for s in ffmpeg.probe(str(rendition))["streams"]}
    assert streams["video"]["codec_name"] == "h264" and "audio" in streams
    marked, width, height = _gray_frame(rendition)
    plain, pw, ph = _gray_frame(proxy_file)
    assert (width, height) == (pw, ph) == (160, 120)
    # The middle line (av_media.MARK_PLACES: from 45 % of the height, 10 px high here) changes
    # the picture there; the band above it, without text, only by the re-encoding.
    text_band = _band_diff(marked, plain, width, range(int(height * 0.45) + 1, int(height * 0.45) + 9))
    blank_band = _band_diff(marked, plain, width, range(int(height * 0.22), int(height * 0.38)))
    assert text_band > 8 and text_band > 4 * blank_band, (text_band, blank_band)


def test_a_repeated_task_makes_no_second_rendition(
    case, archivist, head, proxy_file, settings, django_capture_on_commit_callbacks
):
    record = _record(case, "video", proxy_file.read_bytes(), "现场检查.mp4")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    stored = sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())
    assert consultation_rendition_task.delay(item.pk).get() == "ready"
    assert renditions_queue([item]) == []  # ready: nothing queued again
    again = ConsultationItem.objects.get(pk=item.pk)
    assert again.rendition == item.rendition and again.rendition_status == "ready"
    assert sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()) == stored


def test_a_photo_is_shown_with_the_watermark_drawn_on_it(
    client, case, archivist, head, django_capture_on_commit_callbacks
):
    picture = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 90, 160)).save(picture, "JPEG", quality=95)
    record = _record(case, "photo", picture.getvalue(), "现场照片.jpg")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    page_url, media_url = _urls(item)
    client.force_login(archivist)
    assert f'<img src="{media_url}"' in client.get(page_url).content.decode()
    for url in (media_url, media_url + "?copy=poster"):  # the record's own picture is never served
        resp = client.get(url)
        served = b"".join(resp.streaming_content)
        assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg" and served != picture.getvalue()
    with Image.open(io.BytesIO(served)) as shown:
        assert shown.size == (320, 240)
        # Light text on a flat blue picture: far brighter pixels than the blue's where it is drawn.
        rgb = shown.convert("RGB").tobytes()
        bright = sum(1 for i in range(0, len(rgb), 3) if rgb[i] > 120 and rgb[i + 1] > 140)
    assert bright > 200


def test_a_sound_copy_names_the_requester(client, case, archivist, head, media, django_capture_on_commit_callbacks):
    record = _record(case, "audio", media["audio"].read_bytes(), "询问录音.m4a")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    client.force_login(archivist)
    resp = client.get(_urls(item)[1])
    served = b"".join(resp.streaming_content)
    assert resp.status_code == 200 and resp["Content-Type"] == "audio/mp4"
    assert served != media["audio"].read_bytes()
    tags = ffmpeg.probe(default_storage.path(item.rendition))["format"]["tags"]
    assert tags["comment"].startswith("仅供王小明查阅")


def test_a_failed_rendition_says_why_and_is_made_again(
    client, case, archivist, head, proxy_file, django_capture_on_commit_callbacks
):
    record = _record(case, "video", NOT_A_VIDEO, "损坏.mp4")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    assert item.rendition_status == "failed" and not item.rendition
    assert "无法生成带水印的副本" in item.rendition_error and "/" not in item.rendition_error  # no server path
    page_url, media_url = _urls(item)
    client.force_login(archivist)
    page = client.get(page_url).content.decode()
    assert "带水印的查阅副本生成失败：" in page and "重新生成查阅副本" in page and "<video" not in page
    assert client.get(media_url).status_code == 409
    # The record's copy is fixed (made again by avrecords); the archivist asks again.
    AVRecord.objects.filter(pk=record.pk).update(
        proxy=default_storage.save("av/test/fixed.mp4", ContentFile(proxy_file.read_bytes()))
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(page_url)
    assert resp.status_code == 302
    item.refresh_from_db()
    assert item.rendition_status == "ready" and not item.rendition_error
    assert client.get(media_url).status_code == 200
    # An item approved before copies existed (no status) has its copy asked for by a page view.
    ConsultationItem.objects.filter(pk=item.pk).update(rendition_status="", rendition="")
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(page_url).content.decode()
        assert "正在生成带水印的查阅副本，请稍后刷新" in page and "<video" not in page
    assert ConsultationItem.objects.get(pk=item.pk).rendition_status == "ready"
    assert "<video" in client.get(page_url).content.decode()


def test_without_a_cjk_font_the_copy_fails_saying_so(
    case, archivist, head, proxy_file, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("archive.rendition.FONT_FAMILIES", ("No Such Family Linke",))
    record = _record(case, "video", proxy_file.read_bytes(), "现场检查.mp4")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    assert item.rendition_status == "failed" and "服务器未安装中文字体" in item.rendition_error


def test_a_copy_gone_from_storage_answers_409_and_is_made_again(
    client, case, archivist, head, proxy_file, django_capture_on_commit_callbacks
):
    record = _record(case, "video", proxy_file.read_bytes(), "现场检查.mp4")
    item = _approved_item(case, archivist, head, record, django_capture_on_commit_callbacks)
    assert item.rendition_status == "ready"
    default_storage.delete(item.rendition)
    page_url, media_url = _urls(item)
    client.force_login(archivist)
    resp = client.get(media_url)
    assert resp.status_code == 409 and "查阅副本文件缺失" in resp.content.decode()
    item.refresh_from_db()
    assert item.rendition_status == "failed"
    assert "重新生成查阅副本" in client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page_url)
    assert client.get(media_url).status_code == 200
