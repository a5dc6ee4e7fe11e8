"""The ingest pipeline with real ffmpeg on generated media: each kind of file ends in the
right state, nothing is lost, and every step can be run again."""

import hashlib
from pathlib import Path

import ffmpeg
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from audit.models import Entry
from avrecords.ingest import derive_run, ingest_run
from avrecords.models import AVRecord, AVRecordStatus, MediaKind
from avrecords.storage import original_hash, original_key, originals, staging_path
from avrecords.tasks import record_ingest_task

from .conftest import receive

pytestmark = pytest.mark.django_db


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def actions(record: AVRecord) -> list[str]:
    return list(
        Entry.objects.filter(object_type="avrecords.avrecord", object_id=str(record.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def test_video_with_odd_size_and_two_audio_tracks_becomes_playable(officer, media):
    record = receive(
        media["video"],
        user=officer,
        sha256=sha(media["video"]),
        started_at="2026-11-20T16:29:59+08:00",
        ended_at="2026-11-20T16:30:00+08:00",
    )
    record.refresh_from_db()

    assert record.status == AVRecordStatus.READY, record.problems
    assert record.kind == MediaKind.VIDEO
    assert (record.width, record.height, record.audio_tracks) == (161, 121, 2)
    assert record.duration == pytest.approx(1.0, abs=0.2)
    assert record.media_created_at.isoformat().startswith("2026-11-20T08:30:00")
    # The original is in dedicated storage under its hash, byte for byte.
    assert record.original_key == original_key(sha(media["video"]))
    assert original_hash(record.original_key) == (sha(media["video"]), media["video"].stat().st_size)
    assert not staging_path(record.upload_id).exists()
    # Proxy: H.264, even dimensions, both audio tracks as AAC.
    proxy = ffmpeg.probe(default_storage.path(record.proxy))["streams"]
    video = [s for s in proxy if s["codec_type"] == "video"]
    audio = [s for s in proxy if s["codec_type"] == "audio"]
    assert video[0]["codec_name"] == "h264" and (video[0]["width"], video[0]["height"]) == (160, 120)
    assert [s["codec_name"] for s in audio] == ["aac", "aac"]
    with Image.open(default_storage.path(record.poster)) as poster:
        assert poster.format == "JPEG" and poster.size == (161, 121)
    assert actions(record) == ["av.received", "av.hashed", "av.stored", "av.probed", "av.processed"]


def test_audio_only_gets_a_waveform_and_an_aac_proxy(officer, media):
    record = receive(media["audio"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.kind == MediaKind.AUDIO and record.audio_tracks == 1
    with Image.open(default_storage.path(record.waveform)) as wave:
        assert wave.format == "PNG" and wave.size == (960, 160)
    streams = ffmpeg.probe(default_storage.path(record.proxy))["streams"]
    assert [s["codec_name"] for s in streams] == ["aac"]


def test_photo_thumbnail_is_turned_upright_by_exif(officer, media):
    record = receive(media["photo"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.kind == MediaKind.PHOTO and not record.proxy
    with Image.open(default_storage.path(record.thumbnail)) as thumb:
        assert thumb.size == (32, 64)  # stored 64x32, EXIF orientation 6


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("truncated", "not_media", "无法识别为音视频或图片"),
        ("text", "not_media", "无法识别为音视频或图片"),
        ("empty", "empty", "空文件"),
    ],
)
def test_bad_files_are_kept_and_flagged_with_a_reason(officer, media, name, code, words):
    path = media[name]
    record = receive(path, user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.FLAGGED
    assert [p["code"] for p in record.problems] == [code]
    assert words in record.problem_reasons[0]
    # Nothing lost: the exact bytes are in dedicated storage.
    assert record.stored_at is not None
    assert original_hash(record.original_key) == (sha(path), path.stat().st_size)


def test_declared_hash_mismatch_is_flagged_and_the_bytes_kept(officer, media):
    record = receive(media["video"], user=officer, sha256="0" * 64, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    assert record.status == AVRecordStatus.FLAGGED
    assert record.problems[0]["code"] == "sha256_mismatch"
    assert "与申报值不符" in record.problem_reasons[0]
    assert record.sha256 == sha(media["video"])
    assert original_hash(record.original_key)[0] == sha(media["video"])


def test_same_content_twice_is_two_records_and_one_stored_object(officer, media, tmp_path):
    first = receive(media["audio"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    second = receive(media["audio"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.pk != second.pk and first.original_key == second.original_key
    stored = [p for p in Path(originals().location).rglob("*") if p.is_file()]
    assert len(stored) == 1 and oct(stored[0].stat().st_mode & 0o777) == "0o444"
    new_object = [e.data["new_object"] for e in Entry.objects.filter(action="av.stored").order_by("seq")]
    assert new_object == [True, False]


def test_steps_already_done_are_skipped_when_the_task_runs_again(officer, media):
    """A worker killed after some steps: the redelivered task redoes only the rest."""
    record = receive(media["video"], user=officer, ended_at="2026-11-20T16:30:00+08:00")
    record.refresh_from_db()
    before = actions(record)
    # Lose the derived files and the "processed" mark, as if the worker died mid-derive.
    AVRecord.objects.filter(pk=record.pk).update(proxy="", processed_at=None, status=AVRecordStatus.STORED)
    record_ingest_task.delay(record.pk)
    record.refresh_from_db()
    assert record.status == AVRecordStatus.READY and record.proxy
    after = actions(record)
    assert after[: len(before)] == before
    assert after[len(before) :] == ["av.processed"]  # not hashed, stored or probed twice
    ingest_run(record.pk)  # and further runs are no-ops
    derive_run(record.pk)
    assert actions(record) == after


def test_unknown_recorder_goes_to_the_admin_inbox(media):
    from avrecords.selectors import admin_inbox
    from avrecords.services import station_create

    station, _ = station_create(name="一号采集站")
    record = receive(
        media["audio"],
        station=station,
        recorder="UNKNOWN-42",
        officer="no-such-cert",
        ended_at="2026-11-20T16:30:00+08:00",
    )
    record.refresh_from_db()
    assert record.owner is None and record.case is None
    assert list(admin_inbox()) == [record]
    assert {p["code"] for p in record.problems} == {"unknown_recorder", "unknown_officer"}
    # The bytes are fine: playable, and the notes say what to sort out.
    assert record.status == AVRecordStatus.READY and record.stored_at is not None


def test_recorder_officer_owns_the_record_and_case_number_links_it(officer, media):
    from avrecords.models import Recorder
    from avrecords.services import station_create
    from cases.tests.factories import CaseFactory

    Recorder.objects.create(serial="DSJ-001", model="DSJ-V9", officer=officer)
    case = CaseFactory(officers=[officer])
    station, _ = station_create(name="二号采集站")
    record = receive(
        media["audio"],
        station=station,
        recorder="DSJ-001",
        case=case.number,
        important="1",
        started_at="2026-11-20T16:29:00+08:00",
        ended_at="2026-11-20T16:30:00+08:00",
    )
    record.refresh_from_db()
    assert record.owner == officer and record.maker == officer and record.case == case
    assert record.important and record.method == "执法记录仪现场录制"
    assert record.made_at == record.started_at
