"""The export copies the AV originals two at a time (export.MEDIA_WORKERS, issue 16: the media's
SHA-256 on both cores): both files' manifests are right, and a failure of one copy (a missing
original) is raised promptly while the other stops — never a hang."""

import hashlib
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.utils import timezone

from archive import export, fourprops
from archive.export import ExportCancelled, build_bag
from archive.models import Seal
from archive.verifier import verify_bag
from avrecords.models import AVRecord, AVRecordStatus
from avrecords.selectors import records_of_case
from avrecords.storage import original_put, originals
from avrecords.tests.conftest import _fresh_originals  # noqa: F401  (autouse: these tests alter originals)
from cases.models import Case, CaseState

from .factories_export import sealed_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _second_original(case, tmp_path: Path, data: bytes) -> AVRecord:
    """Another AV original of the sealed `case`, its SM3 recorded (the fixity check's), made an
    item of the sealed catalogue (Seal.catalogue: the last item, as if sealed with it), so the
    export copies it (data/media/NNN.bin)."""
    path = tmp_path / "second.dat"
    path.write_bytes(data)
    sha256 = hashlib.sha256(data).hexdigest()
    key, version, _ = original_put(path, sha256)
    Case.objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED)  # archive.guard: the sealed case is read-only
    record = AVRecord.objects.create(
        case=case,
        filename="second.dat",
        sha256=sha256,
        sm3=hashlib.new("sm3", data).hexdigest(),
        size=len(data),
        original_key=key,
        original_version=version,
        status=AVRecordStatus.READY,
        stored_at=timezone.now(),
    )
    Case.objects.filter(pk=case.pk).update(state=CaseState.ARCHIVED)
    frozen: dict = Seal.objects.get(case=case).catalogue or {}
    last = frozen["items"][-1]
    row = {**last, "key": f"x:avrecords.avrecord:{record.pk}", "number": last["number"] + 1, "title": "second"}
    Seal.objects.filter(case=case).update(catalogue={**frozen, "items": [*frozen["items"], row]})
    case.refresh_from_db()
    return record


def _stored(record: AVRecord) -> bytes:
    with open(originals().path(record.original_key), "rb") as fh:
        return fh.read()


def test_two_originals_copied_at_once_both_manifests_right(sealed_case, tmp_path, monkeypatch):
    first = records_of_case(sealed_case.pk).get()  # no SM3 recorded: computed in the copy
    second = _second_original(sealed_case, tmp_path, b"\x01\x02" * (3 * export.CHUNK // 2 + 777))  # 3 pieces
    together = threading.Barrier(2, timeout=20)  # each copy waits for the other to be open
    real = export._av_opener

    def opener(record):
        @contextmanager
        def both_open():
            with real(record)() as stream:
                together.wait()  # BrokenBarrierError when the copies run one after the other
                yield stream

        return both_open

    monkeypatch.setattr(export, "_av_opener", opener)
    threads: set[int] = set()
    bag = build_bag(sealed_case, tmp_path / "out", progress=lambda done, total: threads.add(threading.get_ident()))
    assert threads == {threading.get_ident()}  # progress (the task writes it to the database) from this thread only
    sha256 = verify_bag.read_manifest(bag / "manifest-sha256.txt")
    sm3 = verify_bag.read_manifest(bag / "manifest-sm3.txt")
    media = sorted((bag / "data/media").iterdir())
    assert len(media) == 2
    for path, record in zip(media, (first, second), strict=True):
        rel, data = path.relative_to(bag).as_posix(), path.read_bytes()
        assert data == _stored(record)
        assert sha256[rel] == hashlib.sha256(data).hexdigest() == record.sha256
        assert sm3[rel] == hashlib.new("sm3", data).hexdigest()
    first.refresh_from_db()
    assert first.sm3 == sm3[media[0].relative_to(bag).as_posix()]  # recorded from the concurrent copy
    monkeypatch.undo()
    assert verify_bag.verify(bag) == []
    assert fourprops.check_bag(bag)["properties"][0]["passed"]  # 真实性: both match their records


@contextmanager
def _opened(stream):
    yield stream


class _Endless:
    """An original that does not end soon: 64 KiB a read every 20 ms, `limit` reads."""

    def __init__(self, limit: int) -> None:
        self.reads, self.limit = 0, limit

    def readinto(self, buffer) -> int:
        time.sleep(0.02)
        self.reads += 1
        if self.reads > self.limit:
            return 0
        n = min(len(buffer), 64 * 1024)
        buffer[:n] = b"\x07" * n
        return n


def test_a_missing_original_is_raised_and_the_other_copy_stops(sealed_case, tmp_path, monkeypatch):
    first = records_of_case(sealed_case.pk).get()
    second = _second_original(sealed_case, tmp_path, b"gone")
    AVRecord.objects.filter(pk=second.pk).update(original_key=second.original_key + "-missing")
    endless = _Endless(limit=1000)  # 20 s when nothing stops it
    real = export._av_opener

    def opener(record):
        if record.pk == first.pk:
            return lambda: _opened(endless)
        return real(record)

    monkeypatch.setattr(export, "_av_opener", opener)
    with pytest.raises(FileNotFoundError):  # the missing original's own error, not ExportCancelled
        build_bag(sealed_case, tmp_path / "out")
    assert endless.reads < endless.limit  # the other copy stopped at its next piece (one at a time: all read)
    stopped_at = endless.reads
    time.sleep(0.2)
    assert endless.reads == stopped_at  # and no thread reads on


def test_a_failing_copy_in_this_thread_stops_the_media_copies(sealed_case, tmp_path, monkeypatch):
    """A document or attachment copy (this thread) failing: the media workers stop too."""
    endless = _Endless(limit=1000)
    monkeypatch.setattr(export, "_av_opener", lambda record: lambda: _opened(endless))

    def broken(ff):
        raise OSError("存储不可用")

    monkeypatch.setattr(export, "_fieldfile", broken)
    with pytest.raises(OSError, match="存储不可用") as info:
        build_bag(sealed_case, tmp_path / "out")
    assert not isinstance(info.value, ExportCancelled)
    assert endless.reads < endless.limit
