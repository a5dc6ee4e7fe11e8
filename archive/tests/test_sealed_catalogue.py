"""The sealed catalogue is frozen (第二十八条: the file as sealed is the fixed record): sealing
stores the catalogue as checked (Seal.catalogue), and a sealed file is assembled from it — a
later change of the volume order, the agency's name or the fonds, or a record kind the order no
longer names, renumbers nothing: the catalogue, the stored volume's 页号 and the bag's metadata
stay as sealed. Without the frozen catalogue the same change would renumber the file."""

import json

import pytest
from django.conf import settings

from archive import sealing
from archive.casefile import AV_RECORD, MAIN, SUBSIDIARY, assemble, frozen_catalogue, key_of
from archive.export import SealedPages, build_bag, paginate_stored
from archive.models import Seal
from archive.sealed_volume import latest_volume

from .test_sealed_volume import stored_case  # noqa: F401

pytestmark = pytest.mark.django_db


def _rows(case) -> list[tuple]:
    return [
        (i.number, key_of(i), i.volume, i.title, i.doc_number, i.date, i.remarks, i.responsible)
        for i in assemble(case).items
    ]


def _pages(case) -> list[tuple[int, int, int]]:
    cf = assemble(case)
    assert paginate_stored(cf, SealedPages(latest_volume(case))) == []
    return [(i.number, i.start_page, i.pages) for i in cf.items]


def _bag_meta(case, out) -> tuple[dict, list[dict]]:
    bag = build_bag(case, out)
    case_meta = json.loads((bag / "data/metadata/case.json").read_text())
    items = [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]
    for meta in [case_meta, *items]:
        meta.pop("exported_at", None)
    return case_meta, [
        {k: m[k] for k in ("item_number", "title", "responsible_party", "date", "page_range")} for m in items
    ]


def _changed_settings(settings) -> None:
    """The order reversed within each volume, AV records no longer named, another agency name
    and fonds: what a later deployment might configure."""
    order = settings.ARCHIVE_VOLUME_ORDER["penalty"]
    settings.ARCHIVE_VOLUME_ORDER = {
        **settings.ARCHIVE_VOLUME_ORDER,
        "penalty": {
            MAIN: [c for c in reversed(order[MAIN]) if c != AV_RECORD],
            SUBSIDIARY: list(reversed(order[SUBSIDIARY])),
        },
    }
    settings.AGENCY_NAME = "另一机关名称"
    settings.ARCHIVE_FONDS = "9999"


def test_sealing_stores_the_catalogue_as_checked(stored_case):
    row = Seal.objects.get(case=stored_case)
    cf = assemble(stored_case)
    assert row.catalogue == frozen_catalogue(cf)
    assert [r["key"] for r in row.catalogue["items"]] == [key_of(i) for i in cf.items]
    assert row.catalogue["agency"] == settings.AGENCY_NAME and row.catalogue["items"][0]["number"] == 1
    # It is the catalogue the 检查人 agreed to.
    assert sealing.catalogue_digest(cf) == row.check_signoff.digest


def test_a_settings_change_after_sealing_renumbers_nothing(stored_case, settings, tmp_path):
    rows, pages = _rows(stored_case), _pages(stored_case)
    case_meta, items_meta = _bag_meta(stored_case, tmp_path / "before")
    assert any(r[1].startswith("x:avrecords") for r in rows)  # the video is an item
    _changed_settings(settings)
    assert _rows(stored_case) == rows
    assert _pages(stored_case) == pages
    after_case, after_items = _bag_meta(stored_case, tmp_path / "after")
    assert after_items == items_meta
    assert after_case["source"] == case_meta["source"] and after_case["items"] == case_meta["items"]


def test_without_the_frozen_catalogue_the_same_change_would_renumber(stored_case, settings):
    rows = _rows(stored_case)
    Seal.objects.filter(case=stored_case).update(catalogue=None)  # a seal from before the freeze
    _changed_settings(settings)
    assert _rows(stored_case) != rows


def test_a_sealed_item_whose_record_is_not_found_keeps_its_place_and_is_named(stored_case):
    row = Seal.objects.get(case=stored_case)
    frozen = row.catalogue
    frozen["items"][1]["key"] = "doc:999999"
    Seal.objects.filter(pk=row.pk).update(catalogue=frozen)
    cf = assemble(stored_case)
    assert [i.number for i in cf.items] == list(range(1, len(frozen["items"]) + 1))
    assert cf.items[1].source is None and cf.items[1].title == frozen["items"][1]["title"]
    assert cf.missing == [f"第2件 {frozen['items'][1]['title']} 的记录未找到（归档时为 doc:999999）"]


def test_an_av_record_not_yet_in_storage_blocks_sealing_until_stored(head, archivist, tmp_path):
    from avrecords.models import AVRecord
    from cases.stages import TransitionError

    from .factories_export import concluded_case_with_records, seal

    case = concluded_case_with_records(head, tmp_path)
    late = AVRecord.objects.create(case=case, filename="补传执法录像.mp4")  # received, not stored yet
    review = sealing.review(case)
    assert "音像记录“补传执法录像.mp4”尚未存入专用存储（已接收，待入库），入库后方能列入卷内" in review.blockers
    assert not review.may_seal
    assert all(i.source != late for i in review.casefile.items)
    with pytest.raises(TransitionError, match="补传执法录像"):
        sealing.seal(case_id=case.pk, by=archivist, description="案卷材料齐全。")
    stored = AVRecord.objects.filter(case=case).exclude(pk=late.pk).first()
    AVRecord.objects.filter(pk=late.pk).update(original_key=stored.original_key)  # the ingest stored it
    assert sealing.review(case).blockers == []
    sealed = seal(case, archivist, head)
    assert any(r["key"] == f"x:avrecords.avrecord:{late.pk}" for r in Seal.objects.get(case=sealed).catalogue["items"])
