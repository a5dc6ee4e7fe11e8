"""No hot rows on the upload path (issue 17): completing an upload does not write the
station's row inside its transaction (bookkeeping after the commit, at most once a minute,
never waiting for a lock), and the audit chain's lock is taken last, right before the commit."""

import datetime as dt
import shutil
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import Entry
from audit.services import verify_chain
from avrecords.models import CollectionStation
from avrecords.services import station_create, upload_complete, upload_create
from avrecords.services.stations import station_seen
from avrecords.storage import staging_path

STATION_TABLE = CollectionStation._meta.db_table
AUDIT_TABLE = Entry._meta.db_table


@pytest.fixture
def station(db):
    return station_create(name="一号采集站")[0]


def _staged(path, station):
    upload = upload_create(length=path.stat().st_size, metadata={"filename": path.name}, station=station)
    shutil.copyfile(path, staging_path(upload.pk))
    type(upload).objects.filter(pk=upload.pk).update(offset=upload.length)
    return upload


def _seen(station, ago: dt.timedelta) -> None:
    CollectionStation.objects.filter(pk=station.pk).update(last_seen_at=timezone.now() - ago)


def _bookkeeping(callbacks) -> list:
    return [c for c in callbacks if getattr(c, "func", None) is station_seen]


@pytest.mark.django_db
def test_completion_does_not_touch_a_recently_seen_station(station, media):
    _seen(station, dt.timedelta(seconds=10))
    upload = _staged(media["audio"], station)
    with TestCase.captureOnCommitCallbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        record = upload_complete(upload_id=upload.pk)
    assert record is not None
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if q.startswith("UPDATE") and STATION_TABLE in q]
    assert not _bookkeeping(callbacks)

    # The chain's lock comes last: after it, only the chain's head is read and entries written.
    locks = [i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q]
    assert len(locks) == 1, "one lock for all the completion's entries"
    after = [q for q in sql[locks[0] + 1 :] if not q.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert sql[: locks[0]] and all(AUDIT_TABLE in q for q in after), after
    actions = list(Entry.objects.order_by("seq").values_list("action", flat=True))[-2:]
    assert actions == ["av.received", "deadline.opened"]
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_station_not_seen_for_a_minute_is_updated_after_the_commit(station, media):
    _seen(station, dt.timedelta(minutes=5))
    upload = _staged(media["audio"], station)
    with TestCase.captureOnCommitCallbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        upload_complete(upload_id=upload.pk)
    assert not [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE") and STATION_TABLE in q["sql"]
    ]
    (seen,) = _bookkeeping(callbacks)
    seen()
    upload.refresh_from_db()
    station.refresh_from_db()
    assert station.last_seen_at == upload.completed_at


@pytest.mark.django_db
def test_a_first_upload_sets_last_seen(station, media):
    upload = _staged(media["audio"], station)
    with TestCase.captureOnCommitCallbacks(execute=True):
        upload_complete(upload_id=upload.pk)
    station.refresh_from_db()
    upload.refresh_from_db()
    assert station.last_seen_at == upload.completed_at


@pytest.mark.django_db(transaction=True)
def test_completion_never_waits_for_a_locked_station_row(media):
    """Another transaction has updated the station's row and not committed yet (what every
    completion of the same station did before: the hot row): the upload completes and its
    bookkeeping is skipped, not queued behind it. lock_timeout turns a wait into an error, so
    a regression fails instead of hanging."""
    station = station_create(name="二号采集站")[0]
    _seen(station, dt.timedelta(minutes=5))
    before = CollectionStation.objects.get(pk=station.pk).last_seen_at
    upload = _staged(media["audio"], station)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                CollectionStation.objects.filter(pk=station.pk).update(last_seen_at=timezone.now())
                locked.set()
                release.wait(60)
                transaction.set_rollback(True)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = '10s'")
        record = upload_complete(upload_id=upload.pk)
        assert record is not None and record.station_id == station.pk
        assert CollectionStation.objects.get(pk=station.pk).last_seen_at == before  # skipped
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cur:
            cur.execute("SET lock_timeout = 0")
    # Free again: the next completion's bookkeeping writes it.
    assert station_seen(station_id=station.pk, at=timezone.now()) == 1
