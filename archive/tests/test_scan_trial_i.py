"""Trial items of issue 16's archive chapter on scans (第二十八条, 第二十九条): one scan check that
opens the file for real — a decompression-bomb PNG (5) and a truncated PDF (6) are refused at
upload, in the addendum form and service and in the consultation's redaction alike, and a stored
scan that will not render is refused before the head's approval is signed; the scan is served
under its uploaded name (22); a form back with errors asks for the scan again (24); the
"already decided" message (18); the four-properties report's local time (20)."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zlib
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from archive import fourprops, sealing
from archive.forms_consultation import DecisionForm
from archive.models import Addendum, AddendumStatus
from archive.models_consultation import ItemTreatment
from archive.tests.test_addenda_trial import _png, _request
from archive.tests.test_casefile import _pdf
from archive.tests.test_consultation import _approve as _consult_approve
from archive.tests.test_consultation import _item, case, items  # noqa: F401  (fixtures)
from archive.tests.test_consultation import _request as _consult_request
from archive.tests.test_sealing import sealed_case
from archive.watermark import NotViewable, image_to_pdf
from cases.models import SignOff, SignOffStep
from cases.stages import TransitionError
from linke import validators
from linke.clock import clock_at

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _bomb(side: int = 30000) -> bytes:
    """A real PNG of side × side one-bit pixels, all zero: ~110 KB on disk, 900 million pixels
    (the trial's 150 KB 30000×30000 file)."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


TRUNCATED = b"%PDF-1.4\n1 0 obj\n<< /Type /"  # the trial's 27-byte file
assert len(TRUNCATED) == 27


# --- 5, 6: one validator that opens the file ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        ("回证.png", _bomb(), "pixels", "像素过多，不能超过5000万像素"),
        ("回证.pdf", TRUNCATED, "pdf", "不是有效的PDF文件"),
        ("回证.pdf", _pdf(2)[: len(_pdf(2)) // 2], "pdf", "不是有效的PDF文件"),
        ("回证.png", _png()[:60], "image", "无法打开"),
    ],
)
def test_the_scan_validator_opens_the_file(name, data, code, words):
    with pytest.raises(ValidationError, match=words) as exc:
        validators.validate_scan(SimpleUploadedFile(name, data))
    assert exc.value.code == code


def test_an_encrypted_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError, match="加密") as exc:
        validators.validate_scan(SimpleUploadedFile("a.pdf", out.getvalue()))
    assert exc.value.code == "encrypted"


def test_the_pixel_limit_is_a_setting_and_pillows_own_bomb_limit_never_escapes(settings):
    png = _png()  # 60 × 40
    settings.SCAN_MAX_PIXELS = 60 * 40
    validators.validate_scan(SimpleUploadedFile("a.png", png))
    settings.SCAN_MAX_PIXELS = 60 * 40 - 1
    with pytest.raises(ValidationError, match="像素过多（60×40），不能超过2399像素"):
        validators.validate_scan(SimpleUploadedFile("a.png", png))
    # Set above Pillow's own limit (2 × Image.MAX_IMAGE_PIXELS): its DecompressionBombError is
    # ours, with the Chinese message.
    settings.SCAN_MAX_PIXELS = 10**12
    with pytest.raises(ValidationError, match="像素过多") as exc:
        validators.image_pdf(_bomb())
    assert exc.value.code == "pixels"


def test_image_to_pdf_never_raises_anything_but_not_viewable():
    with pytest.raises(NotViewable, match="像素过多"):
        image_to_pdf(_bomb())
    with pytest.raises(NotViewable, match="不是可显示的PDF或图片"):
        image_to_pdf(b"not an image")
    assert PdfReader(io.BytesIO(image_to_pdf(_png()))).pages


@pytest.mark.parametrize(("name", "data"), [("回证.png", _bomb()), ("回证.pdf", TRUNCATED)])
def test_an_addendum_with_a_bomb_or_broken_scan_is_refused_at_upload(client, head, archivist, name, data):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    resp = client.post(
        reverse("archive:addendum_new", args=[case.pk]),
        {"title": "回证补充", "text": "补充送达回证。", "scan": SimpleUploadedFile(name, data)},
    )
    body = resp.content.decode()
    assert resp.status_code == 400 and ("像素过多" in body or "不是有效的PDF文件" in body)
    assert not Addendum.objects.filter(case=case).exists()
    with pytest.raises(TransitionError, match="像素过多|不是有效的PDF文件"):
        _request(case, archivist, scan=SimpleUploadedFile(name, data))


def test_the_redaction_uses_the_same_validator(case, items, archivist, head):
    req = _consult_request(case, archivist, [items["trade"]])
    field = DecisionForm(items=[_item(req, items["trade"])]).fields[f"f_{_item(req, items['trade']).pk}"]
    assert any(getattr(v, "func", v) is validators.validate_scan for v in field.validators)
    from archive.consultation import Treatment

    with pytest.raises(TransitionError, match="遮蔽件不是有效的PDF文件"):
        _consult_approve(
            req,
            head,
            {items["trade"]: Treatment(ItemTreatment.REDACTED, "遮蔽。", SimpleUploadedFile("r.pdf", TRUNCATED))},
        )
    with pytest.raises(TransitionError, match="遮蔽件不是有效的PDF文件"):  # PDF only: an image is no 遮蔽件
        _consult_approve(
            req,
            head,
            {items["trade"]: Treatment(ItemTreatment.REDACTED, "遮蔽。", SimpleUploadedFile("r.png", _png()))},
        )
    assert not SignOff.objects.filter(step=SignOffStep.CONSULTATION).exists()


def test_the_redaction_field_refuses_a_truncated_pdf(case, items, archivist):
    req = _consult_request(case, archivist, [items["trade"]])
    item = _item(req, items["trade"])
    form = DecisionForm(
        {"approve": "0", "opinion": "不同意。"}, {f"f_{item.pk}": SimpleUploadedFile("r.pdf", TRUNCATED)}, items=[item]
    )
    assert not form.is_valid()
    assert "遮蔽件不是有效的PDF文件" in str(form.errors[f"f_{item.pk}"])


def test_approval_is_refused_and_nothing_signed_when_the_stored_scan_cannot_render(client, head, archivist):
    case = sealed_case(head, archivist)
    row = _request(case, archivist, scan=SimpleUploadedFile("回证.png", _png()))
    # A scan stored before the upload check (or changed in storage) that will not render.
    with row.scan.storage.open(row.scan.name, "wb") as fh:
        fh.write(_bomb())
    sealing.addendum_scan_viewed(addendum=row, by=head)
    client.force_login(head)
    resp = client.post(reverse("archive:addendum_decide", args=[row.pk]), {"decision": "agree", "opinion": "同意。"})
    assert resp.status_code == 400 and "无法编入案卷，不能批准" in resp.content.decode()
    row.refresh_from_db()
    assert row.status == AddendumStatus.PENDING and row.signoff is None
    assert not SignOff.objects.filter(case=case, step=SignOffStep.ADDENDUM).exists()
    # A refusal needs no rendering.
    resp = client.post(
        reverse("archive:addendum_decide", args=[row.pk]), {"decision": "refuse", "opinion": "重新提交。"}
    )
    assert resp.status_code == 302
    assert Addendum.objects.get(pk=row.pk).status == AddendumStatus.REFUSED


# --- 22: the scan's name as uploaded ------------------------------------------------------------


def test_the_scan_is_served_under_its_uploaded_name(client, head, archivist):
    case = sealed_case(head, archivist)
    first = _request(case, archivist, title="一", scan=SimpleUploadedFile("trunc.pdf", _pdf(1)))
    second = _request(case, archivist, title="二", scan=SimpleUploadedFile("trunc.pdf", _pdf(2)))
    assert first.scan.name != second.scan.name  # the storage made the second name unique
    client.force_login(head)
    resp = client.get(reverse("archive:addendum_scan", args=[second.pk]))
    assert resp.status_code == 200
    assert resp["Content-Disposition"] == 'inline; filename="trunc.pdf"'


# --- 24: the scan is chosen again after a refused form -------------------------------------------


def test_a_form_back_with_errors_asks_for_the_scan_again(client, head, archivist):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    url = reverse("archive:addendum_new", args=[case.pk])
    assert "请重新选择扫描件文件" not in client.get(url).content.decode()
    resp = client.post(url, {"title": "", "text": "说明。", "scan": SimpleUploadedFile("回证.pdf", _pdf(1))})
    assert resp.status_code == 400 and "请重新选择扫描件文件" in resp.content.decode()
    # No file chosen: nothing to choose again.
    resp = client.post(url, {"title": "", "text": "说明。"})
    assert resp.status_code == 400 and "请重新选择扫描件文件" not in resp.content.decode()


# --- 18: the message of an addendum already decided ----------------------------------------------


def test_an_addendum_decided_twice_says_so_once(head, archivist):
    case = sealed_case(head, archivist)
    row = _request(case, archivist)
    sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意。")
    with pytest.raises(TransitionError) as exc:
        sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="再次。")
    assert str(exc.value) == f"补充材料{row.number}已审批（已批准），不能再次审批。"
    assert "已已" not in str(exc.value)


# --- 20: the four-properties report in Beijing time ---------------------------------------------


def test_the_report_time_is_beijing_time(tmp_path):
    at = dt.datetime(2026, 11, 30, 10, 51, 34, 100000, tzinfo=dt.UTC)
    with clock_at(at):
        report = fourprops.check_bag(tmp_path)
    assert report["checked_at"] == "2026-11-30T18:51:34+08:00"
    assert dt.datetime.fromisoformat(report["checked_at"]) == at.replace(microsecond=0)
    text = PdfReader(io.BytesIO(fourprops.report_pdf(report))).pages[0].extract_text()
    assert "2026-11-30 18:51:34" in text and "+00:00" not in text and "T10:51" not in text
    # A report written before (UTC ISO) prints in local time too.
    old = {**report, "checked_at": at.isoformat()}
    assert fourprops.checked_local(old) == "2026-11-30 18:51:34"
    assert at.astimezone(ZoneInfo("Asia/Shanghai")).hour == 18


def test_a_truncated_image_is_refused_even_where_weasyprint_allows_truncated_images(monkeypatch):
    """WeasyPrint sets PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True on import (the suite's order
    decided whether a truncated PNG passed): the check verifies the whole file regardless."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ValidationError, match="无法打开") as exc:
        validators.validate_scan(SimpleUploadedFile("回证.png", _png()[:60]))
    assert exc.value.code == "image"
    validators.validate_scan(SimpleUploadedFile("回证.png", _png()))  # a whole image still passes
