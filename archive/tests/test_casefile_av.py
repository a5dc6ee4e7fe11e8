"""AV records are items of the case file (第二十六、二十八条; trial defect 4): the seal page's
卷内目录, the volume's catalogue and cover 件数, the 备考表 counts and the bag's case.json list the
same items under one numbering, the video among them (0 pages, its original in the bag)."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from archive.casefile import MAIN, SUBSIDIARY, assemble
from archive.export import build_bag
from avrecords.models import AVRecord
from cases.models import CaseState
from cases.tests.factories import CaseFactory

from .factories_export import sealed_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _stored_record(case, filename, *, duration=None, made_at=None):
    """An AV record of `case` whose original is in dedicated storage (the key and digest only:
    the assembly reads no bytes)."""
    return AVRecord.objects.create(
        case=case,
        filename=filename,
        original_key=f"originals/{filename}",
        sha256="0" * 64,
        size=10,
        duration=duration,
        made_at=made_at,
        stored_at=timezone.now(),
    )


def test_a_stored_av_record_is_an_item_after_the_evidence_without_pages(officer, settings):
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer)
    _stored_record(case, "现场检查录像.mp4", duration=65.4, made_at=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC))
    AVRecord.objects.create(case=case, filename="未入库.mp4")  # not in dedicated storage: no original to file
    settings.ARCHIVE_VOLUME_ORDER = {"penalty": {MAIN: ["attachment", "av_record"], SUBSIDIARY: []}}

    (item,) = assemble(case).items
    assert (item.number, item.volume, item.title, item.pages, item.pdf_name) == (1, MAIN, "现场检查录像", 0, "")
    assert item.date == "20260305"
    assert item.remarks == "音像记录（MP4，时长1分5秒），原件随电子档案移交"


def test_an_av_record_the_order_does_not_name_goes_to_the_end_of_the_main_volume(officer, settings):
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer)
    _stored_record(case, "询问录音.m4a")
    settings.ARCHIVE_VOLUME_ORDER = {"penalty": {MAIN: [], SUBSIDIARY: ["closing_report"]}}

    (item,) = assemble(case).items
    assert item.volume == MAIN and item.title == "询问录音"
    assert item.remarks == "音像记录（M4A），原件随电子档案移交"


def _catalogue_rows(text: str) -> list[str]:
    return re.findall(r"执法现场录像", text)


def test_catalogue_cover_back_page_and_bag_agree_on_the_video(sealed_case, archivist, client, tmp_path):
    assert sealed_case.state == CaseState.ARCHIVED
    cf = assemble(sealed_case)
    (video,) = [i for i in cf.items if isinstance(i.source, AVRecord)]
    assert video.title == "执法现场录像" and video.pages == 0
    assert video.remarks.startswith("音像记录（MP4，时长")

    # The seal page's 卷内目录 lists it under its number.
    client.force_login(archivist)
    page = client.get(reverse("archive:seal", args=[sealed_case.pk])).content.decode()
    assert "执法现场录像" in page

    # The bag: case.json counts the file's items, the video under the catalogue's number.
    bag = build_bag(sealed_case, tmp_path / "out")
    case_meta = json.loads((bag / "data/metadata/case.json").read_text())
    assert case_meta["item_count"] == cf.item_count
    assert [(i["item_number"], i["title"]) for i in case_meta["items"]] == [(i.number, i.title) for i in cf.items]
    av = json.loads((bag / f"data/metadata/items/{video.number:03d}.json").read_text())
    assert av["kind"] == "av" and av["file"]["path"] == f"data/media/{video.number:03d}.mp4"
    assert av["remarks"] == video.remarks and av["volume"] == MAIN

    # The volume: the cover's 件数 and the 备考表's count are the catalogue's; the video is listed.
    text = "".join(p.extract_text() for p in PdfReader(bag / "data/volume/volume.pdf").pages)
    assert f"{cf.item_count}件" in text
    assert f"本卷共{cf.item_count}件" in text.replace("\n", "").replace(" ", "")
    assert _catalogue_rows(text)
