"""The record pages: create through the form, edit a draft, finalise, download the PDF."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.panels import section_url
from cases.tests.pages import section_html
from records.models import CommissionOpinion, Inspection, Preservation, PreservationDecision, Record, RecordKind
from records.selectors import attachments_of
from records.tests.factories import PARTY, make_case, make_record
from tests.scans import scan_pdf

pytestmark = pytest.mark.django_db


def _post_data(case, **extra):
    officers = [a.officer_id for a in case.assignments.all()]
    data = {
        "party_name": PARTY,
        "place": "当事人生产车间",
        "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "officers": officers,
        "confirmation": "signed",
        **extra,
    }
    return data


def test_officer_creates_edits_and_finalises_an_inspection(client, django_capture_on_commit_callbacks):
    case = make_case()
    client.force_login(case.created_by)
    assert client.get(f"/records/case/{case.pk}/new/inspection/").status_code == 200
    resp = client.post(
        f"/records/case/{case.pk}/new/inspection/",
        _post_data(
            case,
            mode="inspection",
            with_av="on",
            present_persons="王建国",
            findings="<script>alert(1)</script>现场查见设备三台",
        ),
    )
    assert resp.status_code == 302
    rec = Inspection.objects.get(case=case)
    assert rec.with_av and rec.maker == case.created_by and rec.officers.count() == 2

    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page

    resp = client.post(
        f"/records/{rec.pk}/edit/",
        _post_data(case, mode="examination", present_persons="王建国、李明", findings="现场查见设备三台"),
    )
    assert resp.status_code == 302
    rec.refresh_from_db()
    assert rec.mode == "examination"

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/records/{rec.pk}/finalise/").status_code == 302
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
    data = _post_data(
        case,
        method="随机抽样",
        witness="赵强",
        **{
            "items-TOTAL_FORMS": "3",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "200",
            "items-0-name": "样品A",
            "items-0-quantity": "2件",
            "items-0-sample_mark": "YP-1",
            "items-1-name": "",
            "items-2-name": "样品B",
            "items-2-quantity": "1件",
            "items-2-sample_mark": "YP-2",
        },
    )
    assert client.post(f"/records/case/{case.pk}/new/sampling/", data).status_code == 302
    rec = Record.objects.get(case=case, kind=RecordKind.SAMPLING)
    assert list(rec.items.values_list("position", "name")) == [(1, "样品A"), (2, "样品B")]


def test_follow_up_pages_attach_correct_decide_and_register_an_opinion(client, head):
    draft = make_record(RecordKind.INSPECTION)
    client.force_login(draft.maker)
    photo = b"\x89PNG sketch" * 300
    client.post(
        f"/records/{draft.pk}/attach/",
        {"file": SimpleUploadedFile("现场草图.png", photo, "image/png"), "description": "现场草图"},
    )
    [att] = attachments_of(draft.base())
    assert att.sha256 == hashlib.sha256(photo).hexdigest()
    assert "现场草图.png" in client.get(f"/records/{draft.pk}/").content.decode()

    final = make_record(RecordKind.OTHER, case=draft.case, finalise=True)
    resp = client.post(f"/records/{final.pk}/correct/", {"reason": "活动名称写错"})
    fix = Record.objects.get(corrects_id=final.pk)
    assert resp.url == f"/records/{fix.pk}/"
    assert "本记录已被" in client.get(f"/records/{final.pk}/").content.decode()

    kept = make_record(RecordKind.PRESERVATION, case=draft.case, approve_by=head, finalise=True)
    client.post(f"/records/{kept.pk}/decide/", {"outcome": "release", "detail": "解除保存"})
    assert not PreservationDecision.objects.filter(record_id=kept.pk).exists()  # the head decides (第五十六条)
    client.force_login(head)
    client.post(f"/records/{kept.pk}/decide/", {"outcome": "release", "detail": "解除保存"})
    assert PreservationDecision.objects.filter(record_id=kept.pk).exists()
    client.force_login(draft.maker)

    commissioned = make_record(RecordKind.COMMISSION, case=draft.case, finalise=True)
    client.post(
        f"/records/{commissioned.pk}/opinion/",
        {
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "conclusion": "费用归集不实",
            "file": SimpleUploadedFile("意见书.pdf", scan_pdf("opinion"), "application/pdf"),
        },
    )
    opinion = CommissionOpinion.objects.get(record_id=commissioned.pk)
    assert "意见书.pdf" in client.get(f"/records/{commissioned.pk}/").content.decode()
    assert attachments_of(opinion).count() == 1


def test_identity_numbers_are_masked_for_those_who_do_not_need_them(client, archivist):
    rec = make_record(RecordKind.INQUIRY)
    client.force_login(rec.maker)
    assert "371302198001011239" in client.get(f"/records/{rec.pk}/").content.decode()
    client.force_login(archivist)
    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert "371302198001011239" not in page and "3713**********1239" in page


def test_refusal_without_a_note_is_a_form_error(client):
    case = make_case()
    client.force_login(case.created_by)
    resp = client.post(
        f"/records/case/{case.pk}/new/inspection/",
        _post_data(case, mode="inspection", findings="现场情况", confirmation="refused", confirmation_note=""),
    )
    assert resp.status_code == 400
    assert "拒绝签名的，应当在“确认情况说明”中注明情况。" in resp.content.decode()


def test_finalising_a_record_with_a_character_no_font_prints_names_it_and_keeps_the_draft(client):
    """Issue 13: the 询问笔录 would print a box for good; the officer is told which character
    of which field, the draft stays as it was, no number is taken."""
    from documents.models import Document
    from records.tests.factories import complete_data

    case = make_case()
    rec = make_record(
        RecordKind.INSPECTION,
        case=case,
        data={**complete_data(RecordKind.INSPECTION), "present_persons": "王\ue000明"},
    )
    client.force_login(case.created_by)
    resp = client.post(f"/records/{rec.pk}/finalise/", follow=True)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "U+E000" in page and "在场人员" in page
    rec.refresh_from_db()
    assert not rec.is_final and not Document.objects.filter(case=case).exists()
    assert rec.specific().present_persons == "王\ue000明"


def test_preservation_actions_are_offered_only_to_who_may_take_them(client, head):
    """报请批准 to a handling officer, the approval form to a head once requested, the decision to
    a head once final; opinion fields start empty; a bad post is refused in Chinese, not a 500."""
    rec = make_record(RecordKind.PRESERVATION)
    colleague = UserFactory(department=rec.case.department, roles=[Role.OFFICER])
    client.force_login(head)
    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert 'id="request-approval"' not in page and 'id="approve"' not in page
    # Approving by typing the URL, without a request, approves nothing.
    client.post(f"/records/{rec.pk}/approve/", {"decision": "approve", "opinion": "同意", "late_reason": "紧急"})
    assert Preservation.objects.get(pk=rec.pk).approved_by is None

    client.force_login(colleague)  # of the department, not a handling officer (承办人)
    assert 'id="request-approval"' not in client.get(f"/records/{rec.pk}/").content.decode()
    client.force_login(rec.maker)
    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert 'id="request-approval"' in page and 'id="approve"' not in page
    assert client.post(f"/records/{rec.pk}/request-approval/", {"opinion": ""}).status_code == 400  # page again
    assert Preservation.objects.get(pk=rec.pk).approval_request is None
    client.post(f"/records/{rec.pk}/request-approval/", {"opinion": "报请批准。"})

    client.force_login(head)
    page = client.get(f"/records/{rec.pk}/").content.decode()
    assert 'id="approve"' in page and 'id="request-approval"' not in page
    assert '<textarea name="opinion" cols="40" rows="3" maxlength="1000" required id="id_opinion">\n</textarea>' in page
    assert "先行登记保存 #" in client.get("/records/preservations/awaiting/").content.decode()
    resp = client.post(f"/records/{rec.pk}/approve/", {"decision": "approve", "opinion": "同意"}, follow=True)
    assert "事后补批理由" in resp.content.decode()  # preserved three hours ago: 事后补批 needs its reason
    assert Preservation.objects.get(pk=rec.pk).approved_by is None
    client.post(f"/records/{rec.pk}/approve/", {"decision": "approve", "opinion": "同意", "late_reason": "情况紧急。"})
    rec = Preservation.objects.get(pk=rec.pk)
    assert rec.approved_by == head and rec.approved_after_act
    assert "事后补批" in client.get(f"/records/{rec.pk}/").content.decode()

    client.force_login(rec.maker)
    assert client.get("/records/preservations/awaiting/").status_code == 404
    client.post(f"/records/{rec.pk}/finalise/")
    assert 'id="decide"' not in client.get(f"/records/{rec.pk}/").content.decode()
    client.force_login(head)
    assert 'id="decide"' in client.get(f"/records/{rec.pk}/").content.decode()
    assert client.post(f"/records/{rec.pk}/decide/", {"outcome": "nonsense", "detail": "x"}).status_code == 400
    assert not PreservationDecision.objects.filter(record_id=rec.pk).exists()


def test_new_record_is_offered_only_where_investigation_is_recorded(client):
    """Issue 11, defect 10: a case not (yet) filed offered 新建调查取证记录, refused after the
    form was filled. Now the panel says why instead."""
    from cases.models import CaseState

    case = make_case()
    client.force_login(case.created_by)
    assert "新建调查取证记录" in section_html(client, case, "records")
    case.state = CaseState.REGISTERED
    case.save(update_fields=["state"])
    page = section_html(client, case, "records")
    assert "新建调查取证记录" not in page and "不能制作或修改调查取证记录" in page


def test_record_buttons_follow_the_stage_and_the_role(client, head):
    """Issue 11, defect 10: a record's 编辑 / 定稿 / 附件 / 更正 and the preservation and
    commission follow-ups are offered exactly when the action would accept them — to the
    officers, while the case is in a stage where investigation is recorded; the head sees only
    the head's forms. Outside that stage the page says why."""
    from cases.models import CaseState
    from records.services import RecordError, record_update

    case = make_case()
    officer = case.created_by
    draft = make_record(RecordKind.INSPECTION, case=case)
    commission = make_record(RecordKind.COMMISSION, case=case, finalise=True)
    client.force_login(officer)
    page = client.get(f"/records/{draft.pk}/").content.decode()
    assert 'id="finalise"' in page and f"/records/{draft.pk}/edit/" in page
    assert f"/records/{commission.pk}/opinion/" in client.get(f"/records/{commission.pk}/").content.decode()
    # The head reads the records but makes none: no 编辑/定稿, no 登记意见.
    client.force_login(head)
    page = client.get(f"/records/{draft.pk}/").content.decode()
    assert 'id="finalise"' not in page and f"/records/{draft.pk}/edit/" not in page
    assert f"/records/{commission.pk}/opinion/" not in client.get(f"/records/{commission.pk}/").content.decode()
    # The case went on to 待决定: the officer is told why, and the action refuses the same way.
    case.state = CaseState.PENDING_DECISION
    case.save(update_fields=["state"])
    client.force_login(officer)
    page = client.get(f"/records/{draft.pk}/").content.decode()
    assert 'id="finalise"' not in page and f"/records/{draft.pk}/edit/" not in page
    assert "案件处于“待决定”阶段，不能制作或修改调查取证记录" in page
    assert f"/records/{commission.pk}/opinion/" not in client.get(f"/records/{commission.pk}/").content.decode()
    with pytest.raises(RecordError, match="待决定"):
        record_update(record_id=draft.pk, by=officer, data={"place": "车间"})


def test_the_records_page_offers_new_records_only_where_they_can_be_made(client, head):
    from cases.models import CaseState

    case = make_case()
    client.force_login(case.created_by)
    assert f"/records/case/{case.pk}/new/inspection/" in client.get(f"/records/case/{case.pk}/").content.decode()
    client.force_login(head)  # reads the case, makes no records: no links that answer 404
    page = client.get(f"/records/case/{case.pk}/").content.decode()
    assert "/new/" not in page and client.get(f"/records/case/{case.pk}/new/inspection/").status_code == 404
    case.state = CaseState.PENDING_DECISION
    case.save(update_fields=["state"])
    client.force_login(case.created_by)
    page = client.get(f"/records/case/{case.pk}/").content.decode()
    assert "/new/" not in page and "不能制作或修改调查取证记录" in page
    answer = client.get(f"/records/case/{case.pk}/new/inspection/", follow=True)
    assert answer.redirect_chain[-1][0] == section_url(case.pk, "records")
    assert "案件处于“待决定”阶段，不能制作或修改调查取证记录" in answer.content.decode()
