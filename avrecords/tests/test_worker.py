"""The ingest pipeline on a real Celery worker process (over Redis), end to end on a real
small video: what a station sends is hashed, stored, probed and made playable."""

import hashlib

import pytest
from celery.result import AsyncResult
from django.core.files.storage import default_storage

from avrecords.models import AVRecord, RecordStatus
from avrecords.storage import original_hash
from avrecords.tasks import record_ingest_task

from .conftest import receive

pytestmark = [pytest.mark.worker]


def test_real_worker_ingests_a_video(celery_worker, officer, media):
    digest = hashlib.sha256(media["video"].read_bytes()).hexdigest()
    # The upload's completion queues the task on commit (to the worker); asking again is
    # harmless: the second run finds every step done.
    record = receive(media["video"], user=officer, sha256=digest, ended_at="2026-11-27T09:00:00+08:00")
    derive_id = record_ingest_task.delay(record.pk).get(timeout=120)
    # The first run (queued on commit) queued the derive task; this repeat found it all done
    # except, possibly, the derive task it queues again: that one is a no-op if it comes second.
    if derive_id:
        assert AsyncResult(derive_id).get(timeout=120) == RecordStatus.READY
    record = AVRecord.objects.get(pk=record.pk)
    assert record.status == RecordStatus.READY
    assert record.sha256 == digest and record.audio_tracks == 2
    assert original_hash(record.original_key) == (digest, media["video"].stat().st_size)
    assert default_storage.exists(record.proxy) and default_storage.exists(record.poster)
    assert "record_ingest_task" in celery_worker.output()
