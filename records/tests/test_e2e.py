"""Browser: an officer records an inquiry and an on-site inspection, finalises both and
downloads the generated PDF. The PDFs are rendered by a real Celery worker: the record page
shows the document's progress and swaps in the download link when it is ready."""

import io

import pytest
from pypdf import PdfReader

from cases.tests.factories import CaseFactory, PartyFactory
from records.models import Record, RecordKind

pytestmark = [pytest.mark.e2e, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _common(page, officer2) -> None:
    page.fill("#id_started_at", "2026-11-27T09:30")
    page.fill("#id_ended_at", "2026-11-27T10:45")
    page.fill("#id_place", "临沂市兰山区科技大道88号")
    page.check(f"input[name=officers][value='{officer2.pk}']")
    page.select_option("#id_confirmation", "signed")


def _finalise_and_download(page, tmp_path) -> str:
    page.click("#finalise")
    page.wait_for_selector(".doc-status")  # queued or rendering, or already final
    page.wait_for_selector("a.doc-download", timeout=60_000)
    with page.expect_download() as info:
        page.click("a.doc-download")
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "".join("".join(p.extract_text().split()) for p in reader.pages)


def test_officer_records_inquiry_and_inspection_and_downloads_pdfs(
    celery_worker, login, live_server, officer, officer2, tmp_path
):
    case = CaseFactory(department=officer.department, created_by=officer, officers=[officer, officer2])
    PartyFactory(case=case, name="临沂市华科新材料有限公司")
    page = login(officer)

    page.goto(f"{live_server.url}/records/case/{case.pk}/")
    page.click("text=询问笔录")
    assert page.input_value("#id_party_name") == "临沂市华科新材料有限公司"
    _common(page, officer2)
    page.fill("#id_person_name", "王建国")
    page.fill("#id_person_id_no", "371302198001011239")
    page.fill("#id_transcript", "问：你是否听清？\n答：听清了。")
    page.click("form.card button.primary")
    page.wait_for_selector("text=已保存询问笔录草稿")
    text = _finalise_and_download(page, tmp_path)
    inquiry = Record.objects.get(case=case, kind=RecordKind.INQUIRY)
    assert inquiry.is_final
    assert case.number in text and "临沂市华科新材料有限公司" in text and inquiry.document.number in text
    assert "王建国" in text and "答：听清了。" in text

    page.goto(f"{live_server.url}/records/case/{case.pk}/")
    page.click("text=现场检查（勘验）笔录")
    _common(page, officer2)
    page.check("#id_with_av")
    page.fill("#id_present_persons", "王建国（法定代表人）")
    page.fill("#id_findings", "现场查见实验设备三台。")
    page.click("form.card button.primary")
    page.wait_for_selector("text=已保存")
    text = _finalise_and_download(page, tmp_path)
    inspection = Record.objects.get(case=case, kind=RecordKind.INSPECTION)
    assert inspection.is_final and inspection.with_av
    assert inspection.document.number in text and "现场查见实验设备三台" in text

    page.goto(f"{live_server.url}/records/case/{case.pk}/")
    assert page.locator("text=已定稿").count() == 2
