"""The fresh-user trial's addendum defects (issue 16; 第二十八条): the scan is a PDF or an image
by content and within a size (8); the head opens the scan before deciding (9); the addendum has
a bounded title, the catalogue's 题名, and a bounded explanation (10); the volume after an
addendum: a page for it, the 备考表 updated, the cover's end date kept, no numbering gap (11)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.casefile import assemble, date8
from archive.models import TITLE_MAX, Addendum
from archive.tests.factories_export import concluded_case_with_records, seal
from archive.tests.test_casefile import _pdf
from archive.tests.test_sealing import sealed_case
from archive.volume import render_volume
from audit.models import Entry
from cases.models import SignOff
from cases.stages import TransitionError

pytestmark = pytest.mark.django_db
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(out, format="PNG")
    return out.getvalue()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _request(case, by, **kw):
    kw.setdefault("title", "送达回证补充")
    kw.setdefault("text", "补充送达回证的说明。")
    return sealing.addendum_request(case_id=case.pk, by=by, **kw)


def _approve(row, head, opinion="同意补充。"):
    if row.scan:  # the head approves a scan he has opened (trial defect D3)
        sealing.addendum_scan_viewed(addendum=row, by=head)
    return sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion=opinion)


# --- 8: the scan's type and size ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("setup.exe", EXE), ("更正.pdf", EXE), ("说明.pdf", b"just text, no PDF"), ("scan.png", b"%PDF-1.4 x")],
)
def test_a_scan_that_is_no_pdf_or_image_is_refused_and_the_typed_text_kept(client, head, archivist, name, data):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    resp = client.post(
        reverse("archive:addendum_new", args=[case.pk]),
        {"title": "地址更正说明", "text": "当事人地址笔误，应为界湖街道。", "scan": SimpleUploadedFile(name, data)},
    )
    body = resp.content.decode()
    assert resp.status_code == 400 and "扫描件须为PDF或图片" in body
    assert "地址更正说明" in body and "当事人地址笔误，应为界湖街道。" in body
    assert not Addendum.objects.filter(case=case).exists()
    # The service refuses it too (one validator: linke.validators.validate_scan).
    with pytest.raises(TransitionError, match="扫描件须为PDF或图片"):
        _request(case, archivist, scan=SimpleUploadedFile(name, data))


def test_a_scan_over_the_size_limit_is_refused(client, head, archivist, settings):
    settings.SCAN_UPLOAD_MAX_SIZE = 1024 * 1024
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    big = SimpleUploadedFile("大.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024))
    resp = client.post(reverse("archive:addendum_new", args=[case.pk]), {"title": "t", "text": "x", "scan": big})
    assert resp.status_code == 400 and "扫描件不能超过1 MB" in resp.content.decode()
    assert not Addendum.objects.filter(case=case).exists()


def test_a_pdf_or_image_scan_is_accepted(head, archivist):
    case = sealed_case(head, archivist)
    png = _request(case, archivist, scan=SimpleUploadedFile("回证.png", _png()))
    pdf = _request(case, archivist, scan=SimpleUploadedFile("回证.PDF", _pdf(1)))
    assert png.scan.name.endswith(".png") and pdf.scan.name.endswith(".PDF")


# --- 9: the head opens the scan before deciding --------------------------------------------------


def test_the_decide_page_links_the_scan_served_inline_audited_and_hidden_from_outsiders(client, head, archivist):
    case = sealed_case(head, archivist)
    row = _request(case, archivist, scan=SimpleUploadedFile("回证.pdf", _pdf(1)))
    url = reverse("archive:addendum_scan", args=[row.pk])
    client.force_login(head)
    page = client.get(reverse("archive:addendum_decide", args=[row.pk])).content.decode()
    assert url in page and "送达回证补充" in page
    resp = client.get(url)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp["Content-Disposition"].startswith("inline") and resp["X-Content-Type-Options"] == "nosniff"
    assert b"".join(resp.streaming_content) == _pdf(1)
    entry = Entry.objects.get(case_id=case.pk, action="archive.addendum_scan_viewed")
    assert entry.actor_id == head.pk and entry.data["number"] == row.number
    client.force_login(UserFactory(roles=[Role.OFFICER]))  # may not read the case
    assert client.get(url).status_code == 404
    client.force_login(head)
    plain = _request(case, archivist)
    assert client.get(reverse("archive:addendum_scan", args=[plain.pk])).status_code == 404
    assert Entry.objects.filter(case_id=case.pk, action="archive.addendum_scan_viewed").count() == 1


# --- 10: a bounded title, the catalogue's 题名; a bounded explanation ---------------------------


def test_the_title_is_required_bounded_and_is_the_catalogue_title(client, head, archivist):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    url = reverse("archive:addendum_new", args=[case.pk])
    long_text = "说" * 5000
    resp = client.post(url, {"title": "", "text": "这段说明保留。"})
    assert resp.status_code == 400 and "这段说明保留。" in resp.content.decode()
    resp = client.post(url, {"title": "题" * (TITLE_MAX + 1), "text": "说明。"})
    assert resp.status_code == 400
    resp = client.post(url, {"title": "题名", "text": long_text})
    assert resp.status_code == 400
    assert not Addendum.objects.filter(case=case).exists()
    with pytest.raises(TransitionError, match="题名不能超过200字"):
        _request(case, archivist, title="题" * (TITLE_MAX + 1))
    with pytest.raises(TransitionError, match="说明不能超过4000字"):
        _request(case, archivist, text=long_text)
    row = _request(case, archivist, title="送达回证补充", text="说" * 4000)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database bounds the text too
        Addendum.objects.filter(pk=row.pk).update(text="说" * 4001)
    _approve(row, head)
    item = assemble(case).items[-1]
    assert item.source == row and item.title == "送达回证补充"


# --- 11: the volume after an addendum ------------------------------------------------------------


def _volume_case(head, archivist, tmp_path):
    """A sealed case whose every item opens (its volume renders)."""
    case = concluded_case_with_records(head, tmp_path)
    seal(case, archivist, head)
    case.refresh_from_db()
    return case


def test_a_text_only_addendum_has_its_page_and_the_back_sheet_lists_it(head, archivist, tmp_path):
    case = _volume_case(head, archivist, tmp_path)
    before = assemble(case)
    refused = _request(case, archivist, title="被拒的补充", text="不予补充的说明。")
    sealing.addendum_decide(addendum_id=refused.pk, by=head, approve=False, opinion="不予补充。")
    row = _approve(_request(case, case.created_by, title="送达回证补充", text="补充送达回证的说明。"), head)
    signoff = SignOff.objects.get(pk=row.signoff_id)
    later = signoff.signed_at + dt.timedelta(days=40)  # approved long after the case ended
    SignOff.objects.filter(pk=signoff.pk).update(signed_at=later)

    cf = assemble(case)
    item = cf.items[-1]
    assert item.source == row and item.record is not None and item.number == before.item_count + 1
    assert "归档后补充第1件" in item.remarks  # request 2, the first approved: no gap
    assert item.date == date8(later) and item.date > before.end_date
    assert (cf.start_date, cf.end_date) == (before.start_date, before.end_date)  # the cover's dates

    reader = PdfReader(io.BytesIO(render_volume(case)))
    texts = [_flat(p.extract_text()) for p in reader.pages]
    page = next(t for t in texts if "补充送达回证的说明。" in t)
    assert "归档后补充第1件（申请序号2）" in page and "送达回证补充" in page
    assert str(case.created_by) in page and str(head) in page and "同意补充。" in page
    local = timezone.localtime(later)
    assert f"{local.year}年{local.month}月{local.day}日" in page  # the approval's date
    cover = texts[0]
    assert f"{before.start_date}—{before.end_date}" in cover and f"{cf.item_count}件" in cover
    back = texts[-1]
    assert f"本卷共{cf.item_count}件" in back and "其中归档后补充1件" in back
    assert f"第{item.number}件送达回证补充" in back and f"{item.date}经{head}批准" in back
    check = SignOff.objects.get(pk=case.seal.check_signoff_id)  # the 检查人's check, not the approval
    assert f"检查时间：{date8(check.signed_at)}" in back and item.date != date8(check.signed_at)
    assert "被拒的补充" not in "".join(texts)


def test_addenda_are_numbered_and_ordered_as_approved_and_a_scan_follows_its_page(head, archivist, tmp_path):
    case = _volume_case(head, archivist, tmp_path)
    first = _request(case, archivist, title="第一份申请", text="先申请。")
    second = _request(case, archivist, title="第二份申请", text="后申请。", scan=SimpleUploadedFile("s.pdf", _pdf(2)))
    _approve(second, head)
    _approve(first, head)
    items = assemble(case).items
    assert [i.source for i in items[-2:]] == [second, first]
    assert ["归档后补充第1件" in items[-2].remarks, "归档后补充第2件" in items[-1].remarks] == [True, True]
    volume = assemble(case)
    reader = PdfReader(io.BytesIO(render_volume(case)))
    cf_pages = [_flat(p.extract_text()) for p in reader.pages]
    start = next(n for n, t in enumerate(cf_pages) if "后申请。" in t)
    assert "先申请。" in cf_pages[start + 3]  # the generated page, the scan's two pages, the next
    assert volume.items[-2].record.appendix == second.scan
