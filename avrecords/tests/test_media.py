"""Field faults of the media pipeline (issue 13), with real ffmpeg on generated media:
anamorphic and rotated video keep their display aspect ratio, an oversized frame is flagged
(not stuck, not retried) by a worker that stays under its memory budget, and the reasons an
officer reads are Chinese, without server paths, the technical detail on the custody trail."""

import hashlib
import re
import subprocess
import time
from fractions import Fraction
from pathlib import Path

import ffmpeg
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from audit.models import Entry
from avrecords.models import AVRecord, AVRecordStatus
from avrecords.storage import original_hash

from .conftest import receive, recent

# The worker's memory budget (DESIGN.md: a transcoding worker stays under 200 MB).
WORKER_BUDGET_MB = 200


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def _displayed(path: str) -> Fraction:
    """The display aspect ratio a player uses, from ffprobe (not from Linke's code): coded
    size stretched by the sample aspect ratio, turned by the display matrix."""
    stream = next(s for s in ffmpeg.probe(path)["streams"] if s["codec_type"] == "video")
    num, _, den = stream.get("sample_aspect_ratio", "1:1").partition(":")
    sar = Fraction(int(num), int(den)) if num.isdigit() and den.isdigit() and int(num) and int(den) else 1
    ratio = Fraction(stream["width"], stream["height"]) * sar
    rotation = next((int(s["rotation"]) for s in stream.get("side_data_list", []) if "rotation" in s), 0)
    return 1 / ratio if rotation % 180 == 90 else ratio


@pytest.fixture(scope="session")
def anamorphic(tmp_path_factory) -> dict[int, Path]:
    """320x240 H.264 with a sample aspect ratio of 4:3 (shown 16:9), as it is and turned 90°."""
    d = tmp_path_factory.mktemp("anamorphic")
    flat, turned = d / "变形镜头.mp4", d / "变形镜头_竖.mp4"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=320x240:rate=25:duration=2",
        "-vf",
        "setsar=4/3",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(flat),
    )
    _ffmpeg("-i", str(flat), "-c", "copy", "-metadata:s:v:0", "rotate=90", str(turned))
    return {0: flat, 90: turned}


@pytest.mark.django_db
@pytest.mark.parametrize(("rotation", "shown"), [(0, (427, 240)), (90, (240, 427))])
def test_anamorphic_video_keeps_its_display_aspect_ratio(officer, anamorphic, rotation, shown):
    source = anamorphic[rotation]
    expected = _displayed(str(source))
    assert expected == (Fraction(16, 9) if rotation == 0 else Fraction(9, 16))

    record = receive(source, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    # The record shows the size as displayed: SAR applied, then turned.
    assert (record.width, record.height) == shown

    proxy = default_storage.path(record.proxy)
    assert float(_displayed(proxy)) == pytest.approx(float(expected), rel=0.01)
    stream = next(s for s in ffmpeg.probe(proxy)["streams"] if s["codec_type"] == "video")
    assert stream.get("sample_aspect_ratio", "1:1") in ("1:1", "0:1")  # square pixels
    with Image.open(default_storage.path(record.poster)) as poster:
        assert poster.width / poster.height == pytest.approx(float(expected), rel=0.01)


@pytest.fixture(scope="session")
def broken_after_index(tmp_path_factory) -> Path:
    """An MP4 whose index (moov, in front) is whole but whose frames were cut off: ffprobe
    reads it, decoding fails with ffmpeg's English errors."""
    d = tmp_path_factory.mktemp("broken")
    whole, cut = d / "whole.mp4", d / "录像_中断.mp4"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=2",
        "-c:v",
        "libx264",
        "-movflags",
        "+faststart",
        str(whole),
    )
    data = whole.read_bytes()
    cut.write_bytes(data[: data.index(b"mdat") + 68])
    return cut


def _flag_entries(record: AVRecord) -> list[Entry]:
    return list(Entry.objects.filter(object_id=str(record.pk), action__in=["av.flagged", "av.probed"]).order_by("seq"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "code", "words", "technical"),
    [
        ("text", "not_media", "无法识别为音视频或图片", "Invalid data found when processing input"),
        ("truncated", "not_media", "文件缺少索引", "moov atom not found"),
        ("broken_after_index", "derive_failed", "无法截取封面帧", "partial file"),
    ],
)
def test_flag_reasons_are_chinese_and_the_detail_is_on_the_custody_trail(
    officer, media, broken_after_index, settings, caplog, name, code, words, technical
):
    path = broken_after_index if name == "broken_after_index" else media[name]
    record = receive(path, user=officer, ended_at=recent())
    record.refresh_from_db()
    assert record.status == AVRecordStatus.FLAGGED
    problem = next(p for p in record.problems if p["code"] == code)
    reason = problem["reason"]
    # The officer reads Chinese: no server path, none of ffmpeg's English.
    assert words in reason and "原件已完整保存" in reason
    assert "/" not in reason and settings.AV_STAGING_DIR not in reason
    assert not re.search(r"[A-Za-z]{5,}", reason), reason
    # The technical detail is kept: on the record, in the audit entries (the custody trail)
    # and in the log, and nowhere with the server's paths.
    assert technical in problem["detail"]
    trail = " ".join(str(e.data) for e in _flag_entries(record))
    assert technical in trail
    assert technical in caplog.text
    for text in (problem["detail"], trail):
        assert settings.AV_STAGING_DIR not in text and str(record.upload_id) not in text
    # Nothing lost.
    assert original_hash(record.original_key) == (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)


# --- an oversized frame on a real worker, its memory measured ------------------------------


@pytest.fixture(scope="session")
def oversized(tmp_path_factory) -> dict[str, Path]:
    """A 2 s video of 16384x11000 frames (180 MP: Pillow's DecompressionBombError) and a
    48 MP PNG photo (under AV_MAX_PIXELS: made, but Pillow must not decode it whole)."""
    d = tmp_path_factory.mktemp("oversized")
    out = {"video": d / "超大画面.mp4", "photo": d / "高像素照片.png"}
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "color=c=gray:size=16384x11000:rate=1",
        "-frames:v",
        "2",
        "-c:v",
        "mjpeg",
        str(out["video"]),
    )
    _ffmpeg("-f", "lavfi", "-i", "color=c=teal:size=8000x6000:rate=1", "-frames:v", "1", str(out["photo"]))
    return out


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM")


def _wait_processed(pk: int, timeout: float = 120) -> AVRecord:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = AVRecord.objects.get(pk=pk)
        if record.processed_at is not None:
            return record
        time.sleep(0.2)
    record = AVRecord.objects.get(pk=pk)
    pytest.fail(f"record {pk} still {record.status} after {timeout} s: {record.problems}")


@pytest.mark.worker
def test_oversized_frame_is_flagged_at_once_and_the_worker_stays_in_budget(own_workers, officer, oversized):
    worker = own_workers("solo")
    video = receive(oversized["video"], user=officer, ended_at=recent())
    photo = receive(oversized["photo"], user=officer, ended_at=recent())
    # Flagged, not stuck "stored", and at once: retries would wait AV_RETRY_BACKOFF (30 s) first.
    started = time.monotonic()
    video = _wait_processed(video.pk, timeout=25)
    photo = _wait_processed(photo.pk, timeout=60)
    took = time.monotonic() - started
    assert video.status == AVRecordStatus.FLAGGED
    assert [p["code"] for p in video.problems] == ["derive_failed"]
    assert "画面尺寸过大（16384×11000" in video.problem_reasons[0]
    assert (video.width, video.height) == (16384, 11000) and not video.poster and not video.proxy
    assert Entry.objects.filter(object_id=str(video.pk), action="av.flagged").count() == 1
    assert "retry" not in worker.output().lower(), worker.output()[-2000:]
    # The 48 MP photo is under the limit: previews made, scaled by ffmpeg first.
    assert photo.status == AVRecordStatus.READY, photo.problems
    with Image.open(default_storage.path(photo.poster)) as poster:
        assert poster.size == (1280, 960)
    # The worker process never held a full-size picture (a 48 MP RGB image alone is 137 MiB,
    # Pillow's decode of it with the copies made for the JPEG well over the budget).
    peak = _peak_rss_mb(worker.proc.pid)
    print(f"worker peak RSS {peak:.0f} MiB; both records processed in {took:.1f} s")
    assert peak < WORKER_BUDGET_MB
    # Nothing lost: both originals stored byte for byte.
    for record, path in ((video, oversized["video"]), (photo, oversized["photo"])):
        assert original_hash(record.original_key)[1] == path.stat().st_size
