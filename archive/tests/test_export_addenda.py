"""The export after approved addenda (trial defect D1; 第二十八条): an addendum item in the bag is
the volume's pages for it (the generated 归档后补充材料 page, then its scan), its 责任者 is the
agency and its page count the volume's; the four-properties report passes. Every item's
metadata carries the volume's page count and 页号. Both with the stored volume and rendered
(no stored version for the latest addendum yet)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from archive import fourprops, sealing
from archive.export import build_bag
from archive.sealed_volume import current_volume
from archive.volume import write_volume

from .test_casefile import _pdf as pdf_bytes
from .test_sealed_volume import stored_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _add(case, head, archivist, title, scan=None):
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title=title, text=f"{title}的说明。", scan=scan)
    if scan is not None:
        sealing.addendum_scan_viewed(addendum=row, by=head)  # the head approves what he has opened
    return sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意补充。")


def _metadata(bag: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]


@pytest.mark.parametrize("stored", [True, False])
def test_addenda_in_the_bag_are_the_volumes_pages_with_the_agency_and_page_count(
    stored_case, head, archivist, tmp_path, django_capture_on_commit_callbacks, stored
):
    scan = SimpleUploadedFile("送达回证.pdf", pdf_bytes(1), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=stored):
        _add(stored_case, head, archivist, "送达回证扫描件补充", scan=scan)
        _add(stored_case, head, archivist, "当事人地址更正说明")
    assert (current_volume(stored_case) is not None) is stored

    with open(tmp_path / "volume.pdf", "wb") as fh:
        casefile = write_volume(stored_case, fh)  # the volume's numbering, as the archivist sees it
    bag = build_bag(stored_case, tmp_path / "out")
    report = fourprops.check_bag(bag)
    assert report["passed"], report
    metas = {m["item_number"]: m for m in _metadata(bag)}
    for item in casefile.items:
        meta = metas[item.number]
        assert meta["responsible_party"] == settings.AGENCY_NAME
        assert (meta["pages"], meta["page_range"]) == (item.pages, item.page_range)
    addenda = [metas[i.number] for i in casefile.addenda]
    assert [m["title"] for m in addenda] == ["送达回证扫描件补充", "当事人地址更正说明"]
    assert [m["pages"] for m in addenda] == [2, 1]  # the generated page, then the 1-page scan
    for meta in addenda:
        assert meta["kind"] == "addendum" and meta["file"]["path"].endswith(".pdf")
        reader = PdfReader(bag / meta["file"]["path"])
        assert len(reader.pages) == meta["pages"]
        text = _flat("".join(p.extract_text() for p in reader.pages))
        assert "归档后补充材料" in text and _flat(meta["title"]) in text
    assert addenda[0]["scan_name"].endswith(".pdf") and addenda[1]["scan_name"] == ""


def test_the_catalogue_names_the_agency_for_an_addendum(stored_case, head, archivist):
    from archive.casefile import assemble

    _add(stored_case, head, archivist, "当事人地址更正说明")
    casefile = assemble(stored_case)
    assert casefile.addenda and {i.responsible for i in casefile.items} == {settings.AGENCY_NAME}
