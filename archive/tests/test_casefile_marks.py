"""Every archived copy carries an item's confidentiality mark (第二十九条第二款: 国家秘密、商业秘密、
个人隐私): the 卷内目录's 备注 (frozen at sealing), the bag's item metadata and the answer
package's listing. An AV record's item is its 音像记录说明 page (第二十六条: 制作方法、制作时间、
制作人、证明对象), "未记录" where the record lacks a field; its original stays in data/media."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from archive import record_pages
from archive.answer import answer_package
from archive.casefile import assemble
from archive.demo import VIDEO_METHOD, VIDEO_PROVES
from archive.export import build_bag
from archive.models import Seal
from avrecords.models import AVRecord
from cases.models import Attachment, Confidentiality
from cases.tests.factories import CaseFactory

from .factories_export import concluded_case_with_records, seal

pytestmark = pytest.mark.django_db


def _text(pdf: Any) -> str:
    return "".join(p.extract_text() for p in PdfReader(pdf).pages).replace("\n", "").replace(" ", "")


@pytest.fixture
def marked_case(head: Any, archivist: Any, tmp_path: Path) -> Any:
    """The demo-like sealed case: its photo marked 商业秘密, its video described before sealing."""
    case = concluded_case_with_records(head, tmp_path)
    Attachment.objects.filter(case=case, original_name="现场照片.jpg").update(
        confidentiality=Confidentiality.TRADE_SECRET
    )
    AVRecord.objects.filter(case=case).update(
        method=VIDEO_METHOD, proves=VIDEO_PROVES, maker=case.created_by, made_at=timezone.now()
    )
    return seal(case, archivist, head)


def test_a_trade_secret_is_marked_in_the_catalogue_the_bag_and_the_answer(marked_case, tmp_path):
    cf = assemble(marked_case)
    (photo,) = [i for i in cf.items if getattr(i.source, "original_name", "") == "现场照片.jpg"]
    assert photo.secrecy == Confidentiality.TRADE_SECRET and photo.remarks.startswith("商业秘密；")
    others = [i for i in cf.items if i is not photo]
    assert not any("商业秘密" in i.remarks for i in others)
    # Frozen with the catalogue at sealing.
    row = Seal.objects.get(case=marked_case).catalogue["items"][photo.number - 1]
    assert row["remarks"] == photo.remarks and row["secrecy"] == "trade_secret"

    bag = build_bag(marked_case, tmp_path / "out")
    # The volume's 卷内目录.
    assert "商业秘密" in _text(bag / "data/volume/volume.pdf")
    # The item's metadata (DA/T 46 密级).
    meta = json.loads((bag / f"data/metadata/items/{photo.number:03d}.json").read_text())
    assert meta["confidentiality"] == {"code": "trade_secret", "label": "商业秘密"}
    assert meta["remarks"].startswith("商业秘密")
    plain = json.loads((bag / "data/metadata/items/001.json").read_text())
    assert plain["confidentiality"] == {"code": "", "label": "无"}
    # The answer package's catalogue lists the photo with its mark.
    answer = _text(io.BytesIO(answer_package(marked_case)))
    assert "现场检查照片" in answer and "商业秘密" in answer


def test_the_video_has_its_description_page_in_the_volume_and_the_bag(marked_case, tmp_path):
    cf = assemble(marked_case)
    (video,) = [i for i in cf.items if isinstance(i.source, AVRecord)]
    bag = build_bag(marked_case, tmp_path / "out")
    text = _text(bag / "data/volume/volume.pdf")
    assert "音像记录说明" in text and VIDEO_PROVES.replace(" ", "") in text and VIDEO_METHOD in text
    assert video.source.sha256 in text

    meta = json.loads((bag / f"data/metadata/items/{video.number:03d}.json").read_text())
    assert meta["file"]["path"] == f"data/media/{video.number:03d}.mp4"  # the original, as before
    assert (bag / meta["file"]["path"]).stat().st_size == video.source.size
    assert meta["page"]["path"] == f"data/items/{video.number:03d}.pdf"
    assert "音像记录说明" in _text(bag / meta["page"]["path"])
    # Numbered in the volume's one continuous series: the video's page among the others.
    assert meta["pages"] >= 1
    metas = [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]
    page = 1
    for m in metas:
        if m["pages"]:
            assert m["page_range"].split("-")[0] == str(page), m["item_number"]
            page += m["pages"]
    report = json.loads((bag / "fourprops/report.json").read_text())
    assert report["passed"], report


def test_an_undescribed_record_prints_unrecorded_never_a_guess(officer):
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer)
    record = AVRecord.objects.create(
        case=case, filename="询问录音.m4a", original_key="originals/x", sha256="ab" * 32, stored_at=timezone.now()
    )
    record.late, record.kind = True, "audio"
    text = _text(io.BytesIO(record_pages.render(record_pages.av_description(record, "询问录音"), case)))
    for label in ("制作方法未记录", "制作时间未记录", "制作人未记录", "证明对象未记录", "时长未记录"):
        assert label in text, label
    assert "声音内容文字记录未记录" in text and "逾期存储说明未记录" in text
    assert "M4A" in text and "ab" * 32 in text
