"""The whole file's SHA-256, computed by the web process while it writes the staging file
and carried from PATCH to PATCH in the upload (avrecords.hashstate): the same digest as
hashlib however the bytes are split, saved and resumed; and through the tus endpoint, the
worker uses it only when it covers exactly the bytes on disk, else reads the file."""

import base64
import hashlib
import io
import os
import random

import pytest
import requests
from tusclient.uploader import Uploader

from audit.models import Entry
from avrecords import hashstate, tusbody
from avrecords.hashstate import InvalidState, ResumableSHA256, resume
from avrecords.ingest import received_digest
from avrecords.models import AVRecord, AVRecordStatus, Upload
from avrecords.storage import staging_path
from avrecords.tests.test_tus import (  # noqa: F401 - endpoint and station are fixtures
    TUS,
    Sha256Uploader,
    _client,
    _create,
    _meta,
    _patch,
    endpoint,
    station,
)

pytestmark = pytest.mark.skipif(not hashstate.available(), reason="libcrypto's SHA256_* not found")


# --- the hasher ---------------------------------------------------------------------------


def test_same_digest_as_hashlib_however_split_and_resumed():
    rng = random.Random(7)
    data = rng.randbytes(300_000)
    for _ in range(20):
        cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 12)))
        running, last = ResumableSHA256(), 0
        for cut in [*cuts, len(data)]:
            # Every piece in a "new process": only the saved bytes go across.
            running.update(memoryview(bytearray(data[last:cut])))
            assert running.length == cut
            running = ResumableSHA256.from_state(running.state())
            last = cut
        assert running.hexdigest() == hashlib.sha256(data).hexdigest()


def test_digest_does_not_end_the_hash_and_read_only_data_is_taken():
    running = ResumableSHA256()
    running.update(b"abc")
    assert running.digest() == hashlib.sha256(b"abc").digest()
    running.update(memoryview(b"--def")[2:])  # a read-only slice
    assert running.hexdigest() == hashlib.sha256(b"abcdef").hexdigest()
    empty = ResumableSHA256()
    empty.update(b"")
    assert empty.hexdigest() == hashlib.sha256(b"").hexdigest() and empty.length == 0


def test_more_than_4_gib_is_counted():
    """The byte count lives in two 32-bit words of bits: past 512 MiB the low word wraps."""
    running = ResumableSHA256()
    block = bytearray(64 * 1024 * 1024)
    for _ in range(9):  # 576 MiB
        running.update(block)
    assert running.length == 9 * len(block)
    assert ResumableSHA256.from_state(running.state()).length == 9 * len(block)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: s[:-1],  # too short
        lambda s: b"X" + s[1:],  # not our tag
        lambda s: s[:-4] + b"\x00\x00\x00\x00",  # md_len is not 32: some other digest's state
        lambda s: s[:-8] + (200).to_bytes(4, "little") + s[-4:],  # more than a block pending
    ],
)
def test_a_damaged_state_is_refused(mangle):
    running = ResumableSHA256()
    running.update(b"x" * 100)
    with pytest.raises(InvalidState):
        ResumableSHA256.from_state(mangle(running.state()))


def test_the_context_fits_and_comes_from_hashlibs_libcrypto():
    assert hashstate._self_test(hashstate._lib())  # the bytes past the 112 we save stay untouched


def test_resume_only_from_exactly_the_offset():
    running = ResumableSHA256()
    running.update(b"0123456789")
    state = running.state()
    assert resume(None, 0).length == 0
    assert resume(state, 0).length == 0  # offset 0 always starts afresh
    assert resume(state, 10).hexdigest() == running.hexdigest()
    assert resume(state, 9) is None and resume(state, 11) is None  # a rewound or lost offset
    assert resume(None, 10) is None and resume(b"junk", 10) is None


# --- receiving ------------------------------------------------------------------------------


class _Body:
    """A request whose body arrives in uneven pieces (the portable wsgi.input path)."""

    META: dict[str, str] = {}

    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.rng = random.Random(3)

    def read(self, n: int) -> bytes:
        return self.stream.read(min(n, self.rng.randint(1, 300_000)))


def test_receive_hashes_and_flushes_every_byte_written(tmp_path, monkeypatch):
    data = os.urandom(5 * 1024 * 1024 + 77)
    syncs = []
    real = os.fdatasync
    monkeypatch.setattr(tusbody.os, "fdatasync", lambda fd: (syncs.append(fd), real(fd)))
    path = tmp_path / "staging"
    path.write_bytes(b"head")
    running, check = ResumableSHA256(), hashlib.sha256()
    running.update(b"head")
    with open(path, "r+b") as fh:
        got = tusbody.receive_into(
            _Body(data), fh.fileno(), 4, len(data), [check.update, running.update], every=1024 * 1024
        )
    assert got == len(data)
    assert path.read_bytes() == b"head" + data
    assert check.digest() == hashlib.sha256(data).digest()
    assert running.hexdigest() == hashlib.sha256(b"head" + data).hexdigest()
    assert len(syncs) >= 4  # made durable as it went, not only at the end


def test_receive_stops_where_the_body_stops_and_hashes_what_was_written(tmp_path):
    data = os.urandom(3 * 1024 * 1024)
    path = tmp_path / "staging"
    path.touch()
    running = ResumableSHA256()
    with open(path, "r+b") as fh:
        got = tusbody.receive_into(_Body(data[:2_500_000]), fh.fileno(), 0, len(data), [running.update])
    assert got == 2_500_000 == running.length
    assert running.hexdigest() == hashlib.sha256(data[:2_500_000]).hexdigest()


def test_an_error_in_the_hash_thread_reaches_the_request(tmp_path):
    def broken(piece):
        raise RuntimeError("hash failed")

    path = tmp_path / "staging"
    path.touch()
    with open(path, "r+b") as fh, pytest.raises(RuntimeError, match="hash failed"):
        tusbody.receive_into(_Body(os.urandom(3 * 1024 * 1024)), fh.fileno(), 0, 3 * 1024 * 1024, [broken])


# --- through the endpoint and the worker ----------------------------------------------------


def _method(record: AVRecord) -> str:
    return Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"]


@pytest.mark.django_db(transaction=True)
def test_chunked_upload_resumed_by_another_client_is_hashed_on_receipt(endpoint, station, media):
    path = media["video"]
    first = Sha256Uploader(
        file_path=str(path),
        client=_client(endpoint, station.token),
        chunk_size=3000,
        metadata=_meta(path),
        upload_checksum=True,
    )
    first.upload_chunk()
    upload = Upload.objects.get()
    assert ResumableSHA256.from_state(upload.hash_state).length == 3000 == upload.offset

    second = Sha256Uploader(
        file_path=str(path),
        url=first.url,
        client=_client(endpoint, station.token),
        chunk_size=5000,
        upload_checksum=True,
    )
    second.upload()
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == record.declared_sha256
    assert record.status == AVRecordStatus.READY, record.problems
    assert _method(record) == "received"


@pytest.mark.django_db(transaction=True)
def test_a_chunk_failing_its_checksum_leaves_the_running_hash_where_it_was(endpoint, station):
    data = os.urandom(10_000)
    url = _create(
        endpoint,
        station.token,
        len(data),
        filename="a.bin",
        sha256=hashlib.sha256(data).hexdigest(),
        ended_at="2026-11-27T09:00:00+08:00",
    )
    assert _patch(url, station.token, data[:4000], 0).status_code == 204
    wrong = base64.b64encode(hashlib.sha256(b"other").digest()).decode()
    assert _patch(url, station.token, data[4000:], 4000, **{"Upload-Checksum": f"sha256 {wrong}"}).status_code == 460
    assert ResumableSHA256.from_state(Upload.objects.get().hash_state).length == 4000
    assert _patch(url, station.token, data[4000:], 4000).status_code == 204
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest() and _method(record) == "received"


@pytest.mark.django_db(transaction=True)
def test_lost_staging_bytes_drop_the_running_hash_and_the_worker_reads_the_file(endpoint, station):
    data = os.urandom(10_000)
    url = _create(endpoint, station.token, len(data), filename="a.bin", sha256=hashlib.sha256(data).hexdigest())
    assert _patch(url, station.token, data[:6000], 0).status_code == 204
    upload = Upload.objects.get()
    with open(staging_path(upload.pk), "r+b") as fh:  # the staging disk lost bytes
        fh.truncate(2000)
    resp = _patch(url, station.token, data[6000:], 6000)
    assert resp.status_code == 409 and resp.headers["Upload-Offset"] == "2000"
    assert Upload.objects.get().hash_state is None
    assert _patch(url, station.token, data[2000:], 2000).status_code == 204
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest() and _method(record) == "read"


@pytest.mark.django_db(transaction=True)
def test_without_openssl_sha256_the_worker_reads_the_file(endpoint, station, media, monkeypatch):
    monkeypatch.setattr(hashstate, "available", lambda: False)
    path = media["audio"]
    Uploader(
        file_path=str(path), client=_client(endpoint, station.token), chunk_size=2000, metadata=_meta(path)
    ).upload()
    record = AVRecord.objects.get()
    assert Upload.objects.get().hash_state is None
    assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and _method(record) == "read"


@pytest.mark.django_db(transaction=True)
def test_a_patch_served_without_openssl_sha256_ends_the_running_hash(endpoint, station, monkeypatch):
    """PATCHes served by processes with and without the hash (a mixed deployment): once one
    had none, the later ones cannot go on, and the worker reads the file."""
    data = os.urandom(9000)
    url = _create(endpoint, station.token, len(data), filename="a.bin", sha256=hashlib.sha256(data).hexdigest())
    assert _patch(url, station.token, data[:3000], 0).status_code == 204
    monkeypatch.setattr(hashstate, "available", lambda: False)
    assert _patch(url, station.token, data[3000:6000], 3000).status_code == 204
    assert Upload.objects.get().hash_state is None
    monkeypatch.undo()
    assert _patch(url, station.token, data[6000:], 6000).status_code == 204
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest() and _method(record) == "read"


@pytest.mark.django_db(transaction=True)
def test_a_running_hash_that_does_not_cover_the_file_on_disk_is_not_used(endpoint, station):
    data = os.urandom(5000)
    url = _create(endpoint, station.token, len(data), filename="a.bin")
    assert _patch(url, station.token, data[:4000], 0).status_code == 204
    upload = Upload.objects.get()
    record = AVRecord(upload=upload, filename="a.bin")
    staged = staging_path(upload.pk)
    upload.length = 4000  # as if complete: the state covers the file exactly
    assert received_digest(record, staged) == (hashlib.sha256(data[:4000]).hexdigest(), 4000)
    with open(staged, "ab") as fh:  # bytes on disk that the web process never hashed
        fh.write(b"x")
    assert received_digest(record, staged) is None
    resp = requests.head(url, headers={**TUS, "Authorization": f"Token {station.token}"})
    assert resp.headers["Upload-Offset"] == "4000"


@pytest.mark.django_db(transaction=True)
def test_a_retry_while_a_patch_is_being_recorded_cannot_cut_its_bytes(endpoint, station, monkeypatch):
    """The offset and hash state are saved while the PATCH still holds the staging file's
    lock: a retry arriving in between is turned away (423), and afterwards sees the new
    offset (409); it never cuts the file back under a state that covers other bytes."""
    from avrecords import tus

    data = os.urandom(9000)
    url = _create(endpoint, station.token, len(data), filename="a.bin", sha256=hashlib.sha256(data).hexdigest())
    real, seen = tus.upload_advance, []

    def advance_with_a_retry_racing(**kwargs):
        if not seen:
            seen.append(_patch(url, station.token, b"B" * 4000, 0).status_code)
        return real(**kwargs)

    monkeypatch.setattr(tus, "upload_advance", advance_with_a_retry_racing)
    assert _patch(url, station.token, data[:4000], 0).status_code == 204
    assert seen == [423]
    late = _patch(url, station.token, b"B" * 4000, 0)
    assert late.status_code == 409 and late.headers["Upload-Offset"] == "4000"
    assert _patch(url, station.token, data[4000:], 4000).status_code == 204
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest() == record.declared_sha256
    assert _method(record) == "received"
    assert "sha256_mismatch" not in {p["code"] for p in record.problems}


@pytest.mark.django_db(transaction=True)
def test_a_failed_write_loses_nothing_and_the_upload_goes_on(endpoint, station, monkeypatch):
    """The disk fills up mid-PATCH: the request fails, the offset and the hash state stay
    where they were, the buffers go back to the pool, and the resent chunk completes it."""
    data = os.urandom(3 * 1024 * 1024 + 5)
    url = _create(endpoint, station.token, len(data), filename="a.bin", sha256=hashlib.sha256(data).hexdigest())
    assert _patch(url, station.token, data[:100], 0).status_code == 204
    before = Upload.objects.get()
    real, calls = os.pwrite, []

    def disk_full(fd, buf, pos):
        calls.append(pos)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(fd, buf, pos)

    monkeypatch.setattr(tusbody.os, "pwrite", disk_full)
    assert _patch(url, station.token, data[100:], 100).status_code == 500
    monkeypatch.setattr(tusbody.os, "pwrite", real)
    after = Upload.objects.get()
    assert (after.offset, bytes(after.hash_state)) == (100, bytes(before.hash_state))
    assert len(tusbody._BUFFERS) >= tusbody._Follower.RING
    assert _patch(url, station.token, data[100:], 100).status_code == 204
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest() and _method(record) == "received"
