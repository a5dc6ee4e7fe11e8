"""The ingest pipeline on a real Celery worker process (over Redis), end to end on real
generated media: each kind of file ends in the right state and nothing is lost."""

import hashlib

import pytest
from celery.exceptions import TimeoutError
from celery.result import AsyncResult
from django.core.files.storage import default_storage

from avrecords.models import AVRecord, AVRecordStatus
from avrecords.storage import original_hash
from avrecords.tasks import record_ingest_task

from .conftest import receive, recent

pytestmark = [pytest.mark.worker]


def _run_on_worker(record_id: int, worker) -> AVRecord:
    # The upload's completion queued the task on commit; asking again is harmless (every
    # step it finds done is skipped) and gives this test a result to wait for.
    try:
        derive_id = record_ingest_task.delay(record_id).get(timeout=120)
        if derive_id:
            AsyncResult(derive_id).get(timeout=120)
    except TimeoutError as exc:
        raise AssertionError(f"not processed in time; worker log:\n{worker.output()[-4000:]}") from exc
    return AVRecord.objects.get(pk=record_id)


def test_real_worker_ingests_a_video(celery_worker, officer, media):
    digest = hashlib.sha256(media["video"].read_bytes()).hexdigest()
    record = receive(media["video"], user=officer, sha256=digest, ended_at=recent())
    record = _run_on_worker(record.pk, celery_worker)
    assert record.status == AVRecordStatus.READY
    assert record.sha256 == digest and record.audio_tracks == 2 and (record.width, record.height) == (161, 121)
    assert original_hash(record.original_key) == (digest, media["video"].stat().st_size)
    assert default_storage.exists(record.proxy) and default_storage.exists(record.poster)
    assert "record_derive_task" in celery_worker.output()


@pytest.mark.parametrize(
    ("name", "status", "kind"),
    [
        ("audio", AVRecordStatus.READY, "audio"),
        ("photo", AVRecordStatus.READY, "photo"),
        ("truncated", AVRecordStatus.FLAGGED, ""),
        ("text", AVRecordStatus.FLAGGED, ""),
        ("empty", AVRecordStatus.FLAGGED, ""),
    ],
)
def test_real_worker_puts_each_kind_of_file_in_its_state(celery_worker, officer, media, name, status, kind):
    path = media[name]
    record = _run_on_worker(receive(path, user=officer, ended_at=recent()).pk, celery_worker)
    assert (record.status, record.kind) == (status, kind), record.problems
    assert bool(record.problems) == (status == AVRecordStatus.FLAGGED)
    assert original_hash(record.original_key) == (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)
