"""The export reads each original once (issue 16, export speed): an AV original's SM3 recorded with
its SHA-256 (avrecords: the fixity check) is written to the SM3 manifest without hashing the
original in SM3 again — only when the copy's SHA-256 is the recorded one; an original whose
bytes no longer match gets its own SM3 and fails 真实性; a record without an SM3 gets one
computed in the copy and recorded. A recorded row's page comes from the stored sealed volume
(the pages as sealed), rendered only when the stored volume does not mark it."""

import hashlib
import os
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from archive import export, fourprops, record_pages, volume
from archive.export import build_bag
from archive.verifier import verify_bag
from audit.models import Entry
from avrecords.models import AVRecord
from avrecords.selectors import records_of_case
from avrecords.storage import originals
from avrecords.tests.conftest import _fresh_originals  # noqa: F401  (autouse: these tests alter originals)

from .factories_export import sealed_case  # noqa: F401
from .test_sealed_page_numbers import count_renders, fresh_count_cache
from .test_sealed_volume import stored_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _av(bag: Path) -> tuple[str, bytes]:
    (path,) = list((bag / "data/media").iterdir())
    return path.relative_to(bag).as_posix(), path.read_bytes()


def _stored_bytes(record: AVRecord) -> bytes:
    with open(originals().path(record.original_key), "rb") as fh:
        return fh.read()


def _tamper(record: AVRecord) -> bytes:
    """Someone with shell access alters the read-only original behind the app's back."""
    path = originals().path(record.original_key)
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"X")
    return _stored_bytes(record)


def _hashed_bytes(monkeypatch) -> dict[str, int]:
    """Count the bytes the export feeds to each algorithm's hashers."""
    fed = {"sha256": 0, "sm3": 0}
    real = verify_bag.new_hash

    class Counting:
        def __init__(self, alg: str) -> None:
            self.alg, self.h = alg, real(alg)

        def update(self, data) -> None:
            fed[self.alg] += len(data)
            self.h.update(data)

        def hexdigest(self) -> str:
            return self.h.hexdigest()

    monkeypatch.setattr(verify_bag, "new_hash", Counting)
    return fed


def test_a_record_without_sm3_gets_it_computed_in_the_copy_and_recorded(sealed_case, tmp_path):
    record = records_of_case(sealed_case.pk).get()
    assert record.sm3 == ""
    bag = build_bag(sealed_case, tmp_path / "out")
    path, data = _av(bag)
    assert verify_bag.read_manifest(bag / "manifest-sm3.txt")[path] == _sm3(data)
    record.refresh_from_db()
    assert record.sm3 == _sm3(data)
    entry = Entry.objects.get(action="av.sm3_recorded", object_id=str(record.pk))
    assert entry.data == {"sha256": record.sha256, "sm3": record.sm3}
    assert verify_bag.verify(bag) == [] and fourprops.check_bag(bag)["passed"]


def test_a_recorded_sm3_is_written_without_hashing_the_original_again(sealed_case, tmp_path, monkeypatch):
    record = records_of_case(sealed_case.pk).get()
    AVRecord.objects.filter(pk=record.pk).update(sm3=_sm3(_stored_bytes(record)))  # the fixity check's
    fed = _hashed_bytes(monkeypatch)
    bag = build_bag(sealed_case, tmp_path / "out")
    path, data = _av(bag)
    files = [p for p in bag.rglob("*") if p.is_file()]
    payload = sum(p.stat().st_size for p in files if p.relative_to(bag).parts[0] == "data")
    tags = sum(p.stat().st_size for p in files if p.parent == bag and not p.name.startswith(("data", "tagmanifest-")))
    tags += sum(p.stat().st_size for p in (bag / "fourprops").iterdir())
    # Every byte hashed once in SHA-256; in SM3 all but the AV original's.
    assert fed == {"sha256": payload + tags, "sm3": payload - len(data) + tags}
    assert verify_bag.read_manifest(bag / "manifest-sm3.txt")[path] == _sm3(data)
    monkeypatch.undo()
    assert verify_bag.verify(bag) == [] and fourprops.check_bag(bag)["passed"]


@pytest.mark.parametrize("recorded_sm3", [True, False])
def test_an_original_that_no_longer_matches_its_sha256_gets_no_recorded_sm3(sealed_case, tmp_path, recorded_sm3):
    record = records_of_case(sealed_case.pk).get()
    ingested = _sm3(_stored_bytes(record))
    if recorded_sm3:
        AVRecord.objects.filter(pk=record.pk).update(sm3=ingested)
    tampered = _tamper(record)
    bag = build_bag(sealed_case, tmp_path / "out")
    path, data = _av(bag)
    assert data == tampered
    # The manifests describe the bytes in the bag, never the recorded SM3 of other bytes.
    assert verify_bag.read_manifest(bag / "manifest-sm3.txt")[path] == _sm3(tampered) != ingested
    report = fourprops.check_bag(bag)
    authenticity = report["properties"][0]
    assert not report["passed"] and not authenticity["passed"]
    assert any("与系统登记的原件SHA256摘要不符" in f for f in authenticity["failures"]), authenticity
    assert ("与系统登记的原件SM3摘要不符" in "".join(authenticity["failures"])) is recorded_sm3
    record.refresh_from_db()
    assert record.sm3 == (ingested if recorded_sm3 else "")  # nothing recorded for the altered bytes
    assert not Entry.objects.filter(action="av.sm3_recorded").exists()


def _metas(bag: Path) -> list[dict]:
    import json

    return [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]


def _page_of(m: dict) -> dict:
    """An item's generated page in the bag: a recorded row's file, an AV record's 说明 (`page`)."""
    return m.get("page") or m["file"]


def _record_items(bag: Path) -> list[Path]:
    return [bag / _page_of(m)["path"] for m in _metas(bag) if m["kind"] == "record" or "page" in m]


def test_recorded_rows_pages_are_the_stored_volumes_pages(stored_case, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(record_pages, "render", refuse)
    bag = build_bag(stored_case, tmp_path / "out")
    sealed = [p.extract_text() for p in PdfReader(bag / "data/volume/volume.pdf").pages]
    records = _record_items(bag)
    assert records
    for path in records:
        pages = [p.extract_text() for p in PdfReader(path).pages]
        start = sealed.index(pages[0])  # the sealed pages, with their stamped page numbers
        assert pages == sealed[start : start + len(pages)]
    assert fourprops.check_bag(bag)["passed"]


def test_a_stored_volume_without_marks_has_its_recorded_rows_rendered_once(
    head, archivist, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from .factories_export import concluded_case_with_records, seal

    monkeypatch.setattr(volume, "mark_items", lambda *args: None)  # a volume stored before the marks
    case = concluded_case_with_records(head, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        seal(case, archivist, head)
    monkeypatch.undo()
    # No page count remembered: counting each for the items' pages and 页号 (volume.paginate ->
    # record_pages.page_count: the volume does not mark them) renders it, and the bag takes that
    # PDF (record_pages.render) instead of rendering it again; the volume itself is not rendered.
    fresh_count_cache(monkeypatch)
    calls = count_renders(monkeypatch)
    rendered = []
    monkeypatch.setattr(export, "write_volume", lambda *a: rendered.append(1))
    bag = build_bag(case, tmp_path / "out")
    records = _record_items(bag)
    assert rendered == [] and 0 < len(records) == len(calls)
    metas = {Path(_page_of(m)["path"]).name: m for m in _metas(bag)}
    for path in records:  # the pages counted for 页号 are the pages copied
        assert len(PdfReader(path).pages) == metas[path.name]["pages"] > 0
    assert fourprops.check_bag(bag)["passed"]


def test_pdfs_copied_as_recorded_are_not_parsed_again(stored_case, tmp_path, monkeypatch):
    """The volume (parsed when stored) and each document's PDF (its page count recorded with its
    SHA-256 when rendered) are copied with their recorded SHA-256: the four-properties check
    takes their page counts instead of parsing them; the other PDFs are parsed."""
    import json

    parsed: list[str] = []
    real = fourprops.pdf_pages

    def counting(fh):
        parsed.append(Path(fh.name).name)
        return real(fh)

    monkeypatch.setattr(fourprops, "pdf_pages", counting)
    bag = build_bag(stored_case, tmp_path / "out")
    items = [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]
    files = [(ref["path"], m["kind"]) for m in items for ref in (m["file"], m.get("page")) if ref]  # page: AV 说明
    kinds = {Path(path).name: kind for path, kind in files if path.endswith(".pdf")}
    assert {"document", "attachment", "record"} <= set(kinds.values())
    assert sorted(parsed) == sorted(name for name, kind in kinds.items() if kind != "document")
    report = json.loads((bag / "fourprops/report.json").read_text())
    usability = report["properties"][2]
    assert report["passed"] and any("沿用入库时的页数" in c for c in usability["checks"])
    # Re-run on the directory, nothing passed along: every PDF parsed, and it still passes.
    parsed.clear()
    assert fourprops.check_bag(bag)["passed"]
    assert sorted(parsed) == sorted([*kinds, "volume.pdf"])


@pytest.mark.parametrize("recorded", [True, False])
def test_the_stored_volume_is_copied_with_the_sm3_recorded_when_it_was_stored(
    stored_case, tmp_path, monkeypatch, recorded
):
    """The sealed volume's SM3 is recorded with its SHA-256 (sealed_volume.volume_store): the
    export hashes the volume in SHA-256 only and writes the recorded SM3; a row stored before
    (no SM3) has it computed in the copy."""
    from archive.models import SealedVolume

    row = SealedVolume.objects.get(case=stored_case)
    if not recorded:
        SealedVolume.objects.filter(pk=row.pk).update(sm3="")
    fed = _hashed_bytes(monkeypatch)
    bag = build_bag(stored_case, tmp_path / "out")
    data = (bag / export.VOLUME).read_bytes()
    assert fed["sha256"] - fed["sm3"] == (len(data) if recorded else 0)  # every other byte in both
    assert verify_bag.read_manifest(bag / "manifest-sm3.txt")[export.VOLUME] == _sm3(data) == row.sm3
    monkeypatch.undo()
    assert verify_bag.verify(bag) == [] and fourprops.check_bag(bag)["passed"]
