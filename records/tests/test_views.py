"""The record pages: create through the form, edit a draft, finalise, download the PDF."""

import pytest
from django.utils import timezone

from records.models import Inspection, Record, RecordKind
from records.tests.factories import PARTY, make_case, make_record

pytestmark = pytest.mark.django_db


def _post_data(case, **extra):  # noqa: ANN001, ANN003, ANN202
    officers = [a.officer_id for a in case.assignments.all()]
    data = {"party_name": PARTY, "place": "当事人生产车间", "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "officers": officers, "confirmation": "signed", **extra}
    return data


def test_officer_creates_edits_and_finalises_an_inspection(client, django_capture_on_commit_callbacks):
    case = make_case()
    client.force_login(case.created_by)
    assert client.get(f"/records/case/{case.pk}/new/inspection/").status_code == 200
    resp = client.post(f"/records/case/{case.pk}/new/inspection/", _post_data(
        case, mode="inspection", with_av="on", present_persons="王建国", findings="<script>alert(1)</script>现场查见设备三台"))
    assert resp.status_code == 302
    rec = Inspection.objects.get(case=case)
    assert rec.with_av and rec.maker == case.created_by and rec.officers.count() == 2

    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page

    resp = client.post(f"/records/{rec.pk}/edit/", _post_data(case, mode="examination", present_persons="王建国、李明",
                                                             findings="现场查见设备三台"))
    assert resp.status_code == 302
    rec.refresh_from_db()
    assert rec.mode == "examination"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/records/{rec.pk}/finalize/").status_code == 302
    rec.refresh_from_db()
    assert rec.is_final
    status = client.get(f"/documents/{rec.document_id}/status/").json()
    assert status["status"] == "final" and status["download"]
    pdf = client.get(status["download"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")

    # A final record's edit page and edit POST change nothing.
    client.post(f"/records/{rec.pk}/edit/", _post_data(case, mode="inspection", present_persons="x", findings="x"))
    assert Record.objects.get(pk=rec.pk).specific().findings == "现场查见设备三台"


def test_invalid_form_is_shown_again(client):
    case = make_case()
    client.force_login(case.created_by)
    resp = client.post(f"/records/case/{case.pk}/new/inquiry/", {"started_at": "不是时间"})
    assert resp.status_code == 400
    assert not Record.objects.filter(case=case).exists()


def test_unknown_kind_is_404(client):
    case = make_case()
    client.force_login(case.created_by)
    assert client.get(f"/records/case/{case.pk}/new/nonsense/").status_code == 404


def test_items_are_saved_from_the_formset(client):
    case = make_case()
    client.force_login(case.created_by)
    data = _post_data(case, method="随机抽样", witness="赵强", **{
        "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "200",
        "items-0-name": "样品A", "items-0-quantity": "2件", "items-0-sample_mark": "YP-1",
        "items-1-name": "", "items-2-name": "样品B", "items-2-quantity": "1件", "items-2-sample_mark": "YP-2"})
    assert client.post(f"/records/case/{case.pk}/new/sampling/", data).status_code == 302
    rec = Record.objects.get(case=case, kind=RecordKind.SAMPLING)
    assert list(rec.items.values_list("position", "name")) == [(1, "样品A"), (2, "样品B")]


def test_head_approves_preservation_on_the_page(client, head):
    rec = make_record(RecordKind.PRESERVATION)
    client.force_login(head)
    assert client.post(f"/records/{rec.pk}/approve/", {"opinion": "同意"}).status_code == 302
    rec.refresh_from_db()
    assert rec.approved_by == head
