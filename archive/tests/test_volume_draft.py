"""No 档号 before sealing (trial defect D2; 第二十八条): a concluded case's volume is a draft —
its cover, catalogue, every numbered page and 备考表 carry 未归档（草稿） and the 档号 is the
placeholder （归档时编号）; sealing assigns the code (the Seal row) and the volume then shows it,
with no draft mark. A case not concluded has no volume: a Chinese page (409), and no link."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from archive.casefile import DRAFT_MARK, PENDING_CODE, archival_code, assemble
from archive.models import Seal
from archive.volume import render_volume
from cases.models import Case, CaseState
from cases.tests.factories import CaseFactory

from .factories_export import concluded_case_with_records, seal

pytestmark = pytest.mark.django_db
CODE = re.compile(r"[0-9A-Za-z]+-[0-9A-Za-z]+·\d{4}-(Y|D30|D10)-[0-9A-Za-z]+-\d{4}")


def _pages(data: bytes) -> list[str]:
    return [re.sub(r"\s+", "", p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a_concluded_case_before_sealing_has_no_code_and_every_page_is_marked_draft(head, archivist, client, tmp_path):
    case = concluded_case_with_records(head, tmp_path)
    cf = assemble(case)
    assert (cf.code, cf.draft, cf.code_label) == ("", True, PENDING_CODE)
    client.force_login(archivist)
    resp = client.get(reverse("archive:volume_pdf", args=[case.pk]))  # the archivist's preview
    assert resp.status_code == 200
    pages = _pages(resp.content)
    assert len(pages) > 3 and all(DRAFT_MARK in p for p in pages), pages
    assert not any(CODE.search(p) for p in pages)
    assert PENDING_CODE in pages[0] and PENDING_CODE in pages[-1]  # the cover and the 备考表
    assert DRAFT_MARK in PdfReader(io.BytesIO(resp.content)).metadata.title

    # Sealing assigns the code; the volume then shows it and no draft mark.
    seal(case, archivist, head)
    row = Seal.objects.get(case=case)
    assert CODE.fullmatch(row.archival_code) and row.archival_code == archival_code(case, 1)  # its series' first
    cf = assemble(case)
    assert (cf.code, cf.draft) == (row.archival_code, False)
    pages = _pages(render_volume(case))
    assert row.archival_code in pages[0] and row.archival_code in pages[-1]
    assert not any(DRAFT_MARK in p or PENDING_CODE in p for p in pages)


@pytest.mark.parametrize("state", [CaseState.REGISTERED, CaseState.INVESTIGATING, CaseState.EXECUTING])
def test_a_case_not_concluded_has_no_volume_and_no_link(archivist, client, officer, state):
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer)
    Case.objects.filter(pk=case.pk).update(state=state)
    client.force_login(archivist)
    resp = client.get(reverse("archive:volume_pdf", args=[case.pk]))
    body = resp.content.decode()
    assert resp.status_code == 409 and "尚未结案" in body and resp["Content-Type"].startswith("text/html")
    assert not CODE.search(body)
    seal_page = client.get(reverse("archive:seal", args=[case.pk]))  # nor a seal page with a 卷内目录
    assert seal_page.status_code == 409 and "尚未结案" in seal_page.content.decode()
    page = client.get(case.get_absolute_url()).content.decode()
    assert reverse("archive:volume_pdf", args=[case.pk]) not in page
