"""The sealed volume made once (第二十八条): sealing stores the volume (hash, size, pages) by a task
on commit; the volume page and the export use the stored file instead of rendering (counted, not
timed); an approved addendum stores the next version and keeps the earlier; a stored file whose
bytes no longer match its digest is refused. The four-properties PDF check reads the xref and the
page tree's /Count only, and still reports a broken PDF."""

import hashlib
import io
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from archive import export, fourprops, sealing, views
from archive.export import ExportRefused, build_bag
from archive.models import Seal, SealedVolume
from archive.sealed_volume import current_volume, latest_volume
from audit.models import Entry

from .factories_export import concluded_case_with_records, seal
from .test_casefile import _pdf as pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored_case(head, archivist, tmp_path, django_capture_on_commit_callbacks):
    """A sealed case whose sealing's on-commit task (archive.tasks.volume_store_task) ran."""
    case = concluded_case_with_records(head, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        seal(case, archivist, head)
    return case


def _counting(monkeypatch, module, name):
    """Replace module.name by a wrapper counting its calls; returns the list of calls."""
    calls: list[int] = []
    real = getattr(module, name)

    def wrapper(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_sealing_stores_the_volume_with_its_hash_size_and_pages(stored_case):
    row = SealedVolume.objects.get(case=stored_case)
    with row.pdf.open("rb") as fh:
        data = fh.read()
    assert (row.version, row.addenda) == (1, 0)
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
    assert row.sm3 == hashlib.new("sm3", data).hexdigest()  # from the same read (the export reuses it)
    assert row.pages == len(PdfReader(io.BytesIO(data)).pages) > 1
    assert row.pdf.name == f"archive/volumes/{row.sha256[:2]}/{row.sha256}.pdf"
    assert not os.access(row.pdf.path, os.W_OK) or os.geteuid() == 0  # read-only on local storage
    entry = Entry.objects.get(case_id=stored_case.pk, action="archive.volume_stored")
    assert entry.data["sha256"] == row.sha256 and entry.data["version"] == 1


def test_sealing_without_commit_stores_nothing_and_the_export_renders(head, archivist, tmp_path, monkeypatch):
    case = seal(concluded_case_with_records(head, tmp_path), archivist, head)  # the task not run yet
    assert current_volume(case) is None
    rendered = _counting(monkeypatch, export, "write_volume")
    build_bag(case, tmp_path / "out")
    assert len(rendered) == 1


def test_the_export_copies_the_stored_volume_without_rendering(stored_case, tmp_path, monkeypatch):
    row = latest_volume(stored_case)
    rendered = _counting(monkeypatch, export, "write_volume")
    bag = build_bag(stored_case, tmp_path / "out")
    assert rendered == []
    assert hashlib.sha256((bag / "data/volume/volume.pdf").read_bytes()).hexdigest() == row.sha256
    manifest = dict(reversed(line.split(" ", 1)) for line in (bag / "manifest-sha256.txt").read_text().splitlines())
    assert manifest["data/volume/volume.pdf"] == row.sha256


def test_the_volume_page_streams_the_stored_volume(client, archivist, stored_case, monkeypatch):
    row = latest_volume(stored_case)
    rendered = _counting(monkeypatch, views, "rendered_volume")
    client.force_login(archivist)
    resp = client.get(reverse("archive:volume_pdf", args=[stored_case.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    # Named by its 档号 (archive.views.volume_filename), sent as RFC 5987 for the "·".
    assert resp["Content-Disposition"] == f"inline; filename*=utf-8''{quote(views.volume_filename(stored_case))}"
    assert views.volume_filename(stored_case) == f"{Seal.objects.get(case=stored_case).archival_code}.pdf"
    assert hashlib.sha256(b"".join(resp.streaming_content)).hexdigest() == row.sha256
    assert rendered == []
    entry = Entry.objects.filter(case_id=stored_case.pk, action="archive.volume_downloaded").latest("seq")
    assert entry.data["version"] == 1 and entry.data["sha256"] == row.sha256


def test_an_approved_addendum_stores_the_next_version_and_keeps_the_first(
    stored_case, head, archivist, client, monkeypatch, django_capture_on_commit_callbacks
):
    first = latest_volume(stored_case)
    scan = SimpleUploadedFile("更正说明.pdf", pdf_bytes(1), content_type="application/pdf")
    add = sealing.addendum_request(
        case_id=stored_case.pk, by=archivist, title="补充材料", text="补充送达回证照片。", scan=scan
    )
    sealing.addendum_scan_viewed(addendum=add, by=head)  # the head approves what he has opened
    sealing.addendum_decide(addendum_id=add.pk, by=head, approve=True, opinion="同意补充。")
    # Approved, its version not stored yet: the stored version 1 is not served; rendered instead.
    assert current_volume(stored_case) is None
    rendered = _counting(monkeypatch, views, "rendered_volume")
    client.force_login(archivist)
    assert client.get(reverse("archive:volume_pdf", args=[stored_case.pk])).status_code == 200
    assert len(rendered) == 1

    add2 = sealing.addendum_request(case_id=stored_case.pk, by=archivist, title="补充材料", text="补充照片说明。")
    with django_capture_on_commit_callbacks(execute=True):
        sealing.addendum_decide(addendum_id=add2.pk, by=head, approve=True, opinion="同意。")
    versions = list(SealedVolume.objects.filter(case=stored_case).order_by("version"))
    assert [(v.version, v.addenda) for v in versions] == [(1, 0), (2, 2)]
    assert versions[0] == first and versions[0].pdf.storage.exists(first.pdf.name)
    assert versions[1].sha256 != first.sha256 and versions[1].pages > first.pages
    assert current_volume(stored_case) == versions[1]


def test_a_refused_addendum_stores_no_version(stored_case, head, archivist, django_capture_on_commit_callbacks):
    add = sealing.addendum_request(case_id=stored_case.pk, by=archivist, title="补充材料", text="补充。")
    with django_capture_on_commit_callbacks(execute=True):
        sealing.addendum_decide(addendum_id=add.pk, by=head, approve=False, opinion="不予补充。")
    assert SealedVolume.objects.filter(case=stored_case).count() == 1


def test_a_stored_volume_changed_on_disk_is_refused(stored_case, tmp_path):
    path = Path(latest_volume(stored_case).pdf.path)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"\n%tampered\n")
    with pytest.raises(ExportRefused, match="摘要与登记不符"):
        build_bag(stored_case, tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())  # no half-written bag left


def test_pdf_check_counts_pages_from_the_page_tree_and_reports_a_broken_file(tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(pdf_bytes(3))
    with open(good, "rb") as fh:
        assert fourprops.pdf_pages(fh) == 3
    assert fourprops._opens(good) == ""
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf_bytes(3)[:200])
    assert fourprops._opens(broken) != ""
