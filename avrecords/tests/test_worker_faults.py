"""Faults on real Celery worker processes (no mocks): a worker killed with SIGKILL in the
middle of a step, whose unacknowledged task (acks_late) Redis hands to a fresh worker; and
dedicated storage unavailable for a while, the step retried with a growing countdown."""

import hashlib
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

from audit.models import Entry
from avrecords.ingest import derive_work_dir
from avrecords.models import AVRecord, AVRecordStatus
from avrecords.storage import original_hash, staging_path

from .conftest import receive, recent

pytestmark = [pytest.mark.worker]


def _wait_for(what: str, check, timeout: float = 300):
    """Poll until check() is truthy; return its value. The limit is generous: it only bounds
    a hung test. On a loaded machine (the whole suite on two cores) a 20-second 720p
    transcode, redone after the kill, has taken over a minute; a pass returns at once."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


def _record(pk: int) -> AVRecord:
    return AVRecord.objects.get(pk=pk)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _running(pid: int, program: str) -> list[int]:
    """Descendants of `pid` running `program`."""
    found = []
    for child in _children(pid):
        try:
            argv0 = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[0]
        except FileNotFoundError:
            continue
        if Path(argv0.decode()).name == program:
            found.append(child)
        found += _running(child, program)
    return found


def _events(record: AVRecord, action: str) -> int:
    return Entry.objects.filter(action=action, object_id=str(record.pk)).count()


def _task_ids(log: str, task: str, event: str) -> list[str]:
    return re.findall(rf"{re.escape(task)}\[([0-9a-f-]+)\] {event}", log)


@pytest.fixture
def long_video(tmp_path: Path) -> Path:
    """A 720p video whose proxy takes seconds to transcode: a step long enough to be killed in."""
    path = tmp_path / "长录像.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1280x720:rate=25:duration=20",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=20",
            "-c:v",
            "mpeg4",
            "-q:v",
            "5",
            "-c:a",
            "aac",
            "-b:a",
            "32k",
            str(path),
        ],
        check=True,
    )
    return path


def test_worker_killed_mid_transcode_the_task_is_redelivered_and_nothing_is_lost(own_workers, officer, long_video):
    # This test's workers keep their unacknowledged tasks under keys of their own (so their
    # short visibility timeout never touches other workers' tasks on the same Redis) and
    # look for abandoned ones every second.
    tag = os.urandom(4).hex()
    options = json.dumps(
        {
            "visibility_timeout": 2,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
            "unacked_key": f"unacked-{tag}",
            "unacked_index_key": f"unacked_index-{tag}",
            "unacked_mutex_key": f"unacked_mutex-{tag}",
        }
    )
    # prefork: the pool child runs the task, the main process acknowledges (an early ack
    # would be sent as the child starts it; with acks_late nothing is acknowledged yet).
    first = own_workers("prefork", CELERY_BROKER_TRANSPORT_OPTIONS=options)
    data = long_video.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    record = receive(long_video, user=officer, sha256=digest, ended_at=recent())  # queues the ingest on commit
    staged = staging_path(record.upload_id)

    # Hashed, stored, probed and the poster made; the proxy not yet, and ffmpeg is running
    # under the worker: the transcode is under way. The whole worker dies at once (as when
    # its machine does): main process, then the pool child.
    _wait_for(
        "the proxy step to start",
        lambda: (r := _record(record.pk)).poster and not r.proxy and _running(first.proc.pid, "ffmpeg"),
    )
    pool = _children(first.proc.pid)
    os.kill(first.proc.pid, signal.SIGKILL)
    for pid in pool:
        os.kill(pid, signal.SIGKILL)
    first.proc.wait()
    killed = _record(record.pk)
    assert killed.stored_at is not None and not killed.proxy and killed.processed_at is None
    assert killed.status == AVRecordStatus.STORED and staged.exists()
    assert derive_work_dir(record.pk).exists()  # the killed transcode's partial proxy
    derive_ids = _task_ids(first.output(), "avrecords.tasks.record_derive_task", "received")
    assert len(derive_ids) == 1 and not _task_ids(first.output(), "record_derive_task", "succeeded")

    second = own_workers("prefork", CELERY_BROKER_TRANSPORT_OPTIONS=options)
    # The same message, redelivered: the step is redone, not lost. (With a visibility
    # timeout shorter than the transcode, Redis may hand it out once more while it runs:
    # that run finds everything done.)
    _wait_for(
        "the derive task to succeed on the fresh worker",
        lambda: set(_task_ids(second.output(), "avrecords.tasks.record_derive_task", "succeeded")) == set(derive_ids),
    )
    record = _record(record.pk)
    assert record.status == AVRecordStatus.READY, record.problems
    assert not derive_work_dir(record.pk).exists()  # the redo cleared the partial proxy
    assert record.sha256 == digest and record.size == len(data)
    assert original_hash(record.original_key) == (digest, len(data))
    assert default_storage.exists(record.proxy) and default_storage.size(record.proxy) > 0
    # The original was stored once and the record finished once; the staging copy is gone
    # only now that the original is safe.
    assert (_events(record, "av.stored"), _events(record, "av.processed")) == (1, 1)
    assert not staged.exists()


def test_storage_unavailable_the_step_is_retried_with_growing_backoff(own_workers, officer, media, tmp_path, settings):
    # Dedicated storage whose folder cannot be made: a plain file stands where it should be.
    root = tmp_path / "originals"
    root.write_text("not a folder")
    settings.STORAGES = {
        **settings.STORAGES,
        "originals": {
            "BACKEND": "avrecords.storage.OriginalsFileStorage",
            "OPTIONS": {"location": str(root), "base_url": None, "file_permissions_mode": 0o444},
        },
    }
    worker = own_workers(ORIGINALS_ROOT=str(root), AV_RETRY_BACKOFF="1")
    path = media["audio"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    record = receive(path, user=officer, sha256=digest, ended_at=recent())  # queues the ingest on commit

    retry = re.compile(r"record_ingest_task\[[0-9a-f-]+\] retry: Retry in ([\d.]+)s")
    _wait_for("two retries", lambda: len(retry.findall(worker.output())) >= 2)
    waiting = _record(record.pk)
    assert waiting.sha256 == digest and waiting.stored_at is None and waiting.status == AVRecordStatus.RECEIVED
    assert staging_path(record.upload_id).exists() and not waiting.problems

    root.unlink()  # storage back
    _wait_for(
        "the derive task to succeed",
        lambda: (
            "record_derive_task" in worker.output()
            and _task_ids(worker.output(), "avrecords.tasks.record_derive_task", "succeeded")
        ),
    )
    record = _record(record.pk)
    countdowns = [float(c) for c in retry.findall(worker.output())]
    assert countdowns[:2] == [1, 2] and countdowns == sorted(countdowns)
    assert "NotADirectoryError" in worker.output() or "FileExistsError" in worker.output()
    assert record.status == AVRecordStatus.READY and not record.problems
    assert original_hash(record.original_key) == (digest, path.stat().st_size)
    assert _events(record, "av.stored") == 1 and not staging_path(record.upload_id).exists()
