"""The case file (案卷, 第二十八条): order from settings, 档号, 8-digit dates, page counts, the PDF
volume (cover, 卷内目录, continuous page numbers, 备考表), and who may download it."""

import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.casefile import MAIN, SUBSIDIARY, archival_code, archival_series, assemble
from archive.volume import VolumeIncomplete, render_volume
from audit.models import Entry
from cases import services
from cases.models import CaseState
from cases.tests.factories import CaseFactory
from documents.registry import DocTypeCode
from documents.services import document_issue

pytestmark = pytest.mark.django_db


def _pdf(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def case(officer, officer2):
    return CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)


def _conclude(case):
    """Mark the case 已结案 (its volume may then be previewed) without walking the flow."""
    type(case).objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED, concluded_at=timezone.now())
    case.refresh_from_db()


def _issue(case, by, *, render: bool):
    """An 调查取证记录 (正卷), a 不予立案告知书 (副卷 in the default order), a 2-page PDF scan and a
    photo, in that order of making."""
    activity = document_issue(
        case=case,
        doc_type=DocTypeCode.OTHER_ACTIVITY,
        by=by,
        context={"activity": "调阅记录", "description": "调阅申报材料原件。"},
        render=render,
        dated=dt.date(2026, 3, 15),
    )
    notice = document_issue(
        case=case,
        doc_type=DocTypeCode.NON_FILING_NOTICE,
        by=by,
        context={"party_name": "沂南县某某农业合作社", "reason": "不属于本机关管辖"},
        render=render,
    )
    scan = services.attachment_add(
        case=case,
        file=SimpleUploadedFile("申报书扫描件.pdf", _pdf(2), content_type="application/pdf"),
        by=by,
        description="项目申报书（扫描件）",
    )
    photo = services.attachment_add(
        case=case, file=SimpleUploadedFile("现场照片.jpg", b"\xff\xd8jpeg", content_type="image/jpeg"), by=by
    )
    return activity, notice, scan, photo


def test_order_follows_the_setting(case, officer, settings):
    activity, notice, scan, photo = _issue(case, officer, render=False)

    cf = assemble(case)
    assert [i.source for i in cf.items] == [activity, scan, photo, notice]
    assert [i.volume for i in cf.items] == [MAIN, MAIN, MAIN, SUBSIDIARY]
    assert [i.number for i in cf.items] == [1, 2, 3, 4]

    # The archivist's order changes: the notice first in the 正卷, evidence before the record.
    settings.ARCHIVE_VOLUME_ORDER = {
        "penalty": {MAIN: ["non_filing_notice", "attachment"], SUBSIDIARY: ["other_activity"]},
    }
    cf = assemble(case)
    assert [i.source for i in cf.items] == [notice, scan, photo, activity]
    assert [i.volume for i in cf.items] == [MAIN, MAIN, MAIN, SUBSIDIARY]

    # A type the order does not name goes to the end of the 正卷, with a remark.
    settings.ARCHIVE_VOLUME_ORDER = {"penalty": {MAIN: ["attachment"], SUBSIDIARY: ["other_activity"]}}
    cf = assemble(case)
    assert [i.source for i in cf.items] == [scan, photo, notice, activity]
    assert cf.items[2].remarks == "未列入排列顺序" and cf.items[2].volume == MAIN


def test_the_shipped_order_names_only_known_codes():
    from django.conf import settings as conf

    from archive.casefile import volume_order

    for kind in ("penalty", "licensing"):
        order = volume_order(kind)  # raises on an unknown code
        assert order[MAIN] and DocTypeCode.SERVICE_RECEIPT in order[MAIN]
        assert kind in conf.ARCHIVE_RETENTION and kind in conf.ARCHIVE_CLASS_CODE


def test_an_unknown_code_in_the_order_is_refused(case, settings):
    settings.ARCHIVE_VOLUME_ORDER = {"penalty": {MAIN: ["filing_aproval"], SUBSIDIARY: []}}
    with pytest.raises(ImproperlyConfigured, match="filing_aproval"):
        assemble(case)


def test_archival_code_dates_and_catalogue_fields(case, officer, settings):
    settings.ARCHIVE_FONDS = "J012"
    settings.ARCHIVE_RETENTION = {"penalty": "Y", "licensing": "D10"}
    activity, notice, scan, photo = _issue(case, officer, render=False)
    case.refresh_from_db()

    cf = assemble(case)
    year = case.filed_at.year
    # 全宗号-类别代码·年度-保管期限-机构代码-案卷号 (DA/T 22-2015), the number assigned at sealing
    assert archival_series(case) == (f"archive:J012-XZZF-Y-{officer.department.code}", year)
    assert archival_code(case, 17) == f"J012-XZZF·{year}-Y-{officer.department.code}-0017"
    assert cf.code == ""  # not sealed: no 档号 yet
    assert cf.retention_label == "永久"
    for item in cf.items:
        assert re.fullmatch(r"\d{8}", item.date), item.date
        assert item.responsible == settings.AGENCY_NAME
    assert cf.items[0].date == "20260315"  # the date the record bears, not the day it was issued
    assert cf.items[0].doc_number == activity.number
    assert cf.start_date == "20260315" and re.fullmatch(r"\d{8}", cf.end_date)
    assert cf.items[2].remarks.startswith("电子文件（image/jpeg）")  # the photo: not merged
    assert cf.item_count == 4


def test_unrendered_documents_are_listed_not_a_crash(case, officer, archivist, client):
    activity, *_ = _issue(case, officer, render=False)
    cf = assemble(case)
    assert len(cf.missing) == 2 and activity.number in cf.missing[0] and "尚未生成PDF" in cf.missing[0]
    with pytest.raises(VolumeIncomplete) as exc:
        render_volume(case)
    assert exc.value.missing == cf.missing

    _conclude(case)  # the volume exists from 已结案 on (archive.volume.has_case_file)
    client.force_login(archivist)
    resp = client.get(reverse("archive:volume_pdf", args=[case.pk]))
    assert resp.status_code == 409
    assert "尚未生成PDF" in resp.content.decode() and activity.number in resp.content.decode()


def _top_right_text(page) -> str:
    """The text printed in the page's top right corner (the stamped page number's place)."""
    height, width = float(page.mediabox.height), float(page.mediabox.width)
    found: list[str] = []

    def visit(text, cm, tm, font, size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() and x > width / 2 and y > height - 80:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return "".join(found)


def test_volume_pdf_cover_catalogue_and_continuous_page_numbers(case, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity, notice, scan, photo = _issue(case, officer, render=True)
    activity.refresh_from_db()
    notice.refresh_from_db()
    assert activity.is_final and notice.is_final

    data = render_volume(case, compiler="王芳")
    reader = PdfReader(io.BytesIO(data))
    cf = assemble(case)
    content = activity.pages + 2 + notice.pages
    front = len(reader.pages) - content - 1  # cover and catalogue; the 备考表 is the last page
    assert front >= 2

    text = "".join(p.extract_text() for p in reader.pages[:front])
    for needed in ("行政执法案卷", cf.code_label, cf.agency, "行政处罚", case.title, "30年", "4件", f"{content}页"):
        assert needed in text, needed
    assert "卷内目录" in text
    text = re.sub(r"\s+", "", text)  # a long cell wraps inside the catalogue
    assert activity.number in text and notice.number in text and "项目申报书（扫描件）" in text
    # Catalogue rows with their 页号: the scan follows the record, the notice (副卷) the scan.
    n = activity.pages
    first = f"1正卷{cf.agency}{activity.number}{activity.title}20260315{'1' if n == 1 else f'1-{n}'}"
    assert first in text
    assert f"项目申报书（扫描件）{cf.items[1].date}{n + 1}-{n + 2}" in text
    assert f"4副卷{cf.agency}{notice.number}{notice.title}{cf.items[3].date}{n + 3}" in text

    # Continuous numbers from 1 on the merged pages; none on the cover, catalogue or 备考表.
    numbers = [_top_right_text(p) for p in reader.pages]
    assert numbers[front : front + content] == [str(n) for n in range(1, content + 1)]
    assert all(n == "" for n in numbers[:front] + numbers[front + content :])

    back = reader.pages[-1].extract_text()
    assert "备考表" in back and "王芳" in back and "检查人" in back and cf.code_label in back


def test_only_archivist_and_head_download_it(
    case, officer, archivist, head, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        document_issue(
            case=case,
            doc_type=DocTypeCode.OTHER_ACTIVITY,
            by=officer,
            context={"activity": "调阅记录", "description": "调阅。"},
        )
    _conclude(case)
    url = reverse("archive:volume_pdf", args=[case.pk])
    outsider = UserFactory(roles=[Role.OFFICER])
    for user in (outsider, officer):  # an outsider, and the case's own officer (reads, does not archive)
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert client.get(reverse("archive:volume_pdf", args=[case.pk + 10_000])).status_code == 404

    for user in (archivist, head):
        client.force_login(user)
        resp = client.get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert len(PdfReader(io.BytesIO(resp.content)).pages) >= 4
        assert Entry.objects.filter(case_id=case.pk, action="archive.volume_downloaded", actor=user).exists()
