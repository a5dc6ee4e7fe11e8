"""Issue 11, defect 6: a form of the case page posted with bad input (or refused by its
service) renders the case page again with that form open, what was typed in it, and the
Chinese error next to the field — never a redirect that drops the input."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Attachment, CaseState
from cases.tests.factories import CaseFactory, FilingRecordFactory, PartyFactory, party_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _block(page: str, key: str) -> str:
    """The case page's record form `key` (its <details> element); fails when it is absent."""
    m = re.search(rf'<details class="record-form" data-key="{key}"[^>]*>.*?</details>', page, re.S)
    assert m, f"record form {key} not on the page"
    return m.group(0)


def _field(html: str, name: str) -> str:
    """The field box (`cases/_field.html`) holding the input `name`: its label, input, help and errors."""
    boxes = [b for b in re.split(r'(?=<div class="field)', html) if f'name="{name}"' in b]
    assert boxes, f"no field {name}"
    return boxes[0]


def _later() -> str:
    return (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


def _complaint(officer, officer2):
    return services.case_register_complaint(
        by=officer,
        title="举报案",
        officers=[officer, officer2],
        parties=[],
        channel="letter",
        received_at=timezone.now(),
        content="举报内容",
        complainant_name="钱某",
        complainant_phone="13900000000",
    )


def _application(officer, officer2):
    return services.case_register_application(
        by=officer,
        title="申请",
        officers=[officer, officer2],
        parties=[],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表",
    )


def test_a_future_time_keeps_what_was_typed_and_says_why_next_to_the_field(client, officer, officer2):
    case = _application(officer, officer2)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:record", args=[case.pk, "application_event"]),
        {"kind": "correction", "occurred_at": _later(), "content": "补正营业执照复印件一份"},
    )
    assert resp.status_code == 400
    block = _block(resp.content.decode(), "application_event")
    assert " open>" in block.split("\n", 1)[0]
    assert "补正营业执照复印件一份</textarea>" in block
    assert re.search(r'<option value="correction"[^>]*selected', block)
    # The error stands in the time field's own box.
    field = _field(block, "occurred_at")
    assert "has-errors" in field and "errorlist" in field
    assert "时间不能晚于当前时间。" in field
    assert not case.application_events.exists()


def test_a_bad_identity_number_keeps_the_party_typed(client, officer, officer2):
    case = _application(officer, officer2)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:record", args=[case.pk, "party_add"]),
        {
            "party-kind": "person",
            "party-name": "陈国栋",
            "party-id_number": "371302198503124210",
            "party-address": "河东区九曲街道",
            "party-phone": "13900000000",
        },
    )
    assert resp.status_code == 400
    block = _block(resp.content.decode(), "party_add")
    for typed in ('value="陈国栋"', 'value="371302198503124210"', "河东区九曲街道", 'value="13900000000"'):
        assert typed in block, typed
    field = _field(block, "party-id_number")
    assert "has-errors" in field
    assert "居民身份证号码格式或校验位不正确" in field
    assert not case.parties.exists()


def test_a_refusal_by_the_service_keeps_the_choice_made(client, officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    client.force_login(officer)
    # One officer passes the form's shape; the service refuses (《行政处罚法》第四十二条: two or more).
    resp = client.post(reverse("cases:record", args=[case.pk, "officers"]), {"officers": [officer2.pk]})
    assert resp.status_code == 400
    block = _block(resp.content.decode(), "officers")
    assert re.search(rf'value="{officer2.pk}"[^>]*checked', block)
    assert not re.search(rf'value="{officer.pk}"[^>]*checked', block)
    assert "errorlist nonfield" in block and "两名" in block
    assert case.assignments.count() == 2


def test_a_form_not_offered_any_more_still_shows_its_refusal(client, officer, officer2):
    case = services.case_register_ex_officio(
        by=officer,
        title="测试案",
        officers=[officer, officer2],
        parties=[party_data()],
        cause="检查发现",
        source="inspection",
        summary="案情",
    )
    client.force_login(officer)
    # 承办机构意见 is the section chief's (第八条第一款): the officer has no such form on the page.
    resp = client.post(reverse("cases:record", args=[case.pk, "unit_opinion"]), {"opinion": "同意"})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert re.search(r'<ul class="messages"><li class="msg-error">[^<]+</li>', page)
    assert not case.signoffs.filter(level="unit").exists()


def test_the_head_not_filing_from_the_queue_keeps_both_texts(client, officer, officer2, head):
    case = _complaint(officer, officer2)
    client.force_login(head)
    resp = client.post(
        reverse("cases:record", args=[case.pk, "not_file"]),
        {"opinion": "同意不予立案，由承办人告知。", "notice_reason": "", "next": reverse("cases:approvals")},
    )
    assert resp.status_code == 400
    block = _block(resp.content.decode(), "not_file")
    assert "同意不予立案，由承办人告知。</textarea>" in block
    field = _field(block, "notice_reason")
    assert "has-errors" in field and "errorlist" in field
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED


def test_a_refused_opinion_action_keeps_the_opinion_typed(client, officer, officer2, head):
    filing = FilingRecordFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    )
    case = filing.case
    PartyFactory(case=case, name="临沂\ue000科技有限公司")  # no document font prints U+E000
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    client.force_login(head)
    resp = client.post(
        reverse("cases:action", args=[case.pk, "approve_filing"]),
        {"opinion": "同意立案，由执法一科调查。", "next": reverse("cases:approvals")},
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    form = re.search(r'<form[^>]*data-action="approve_filing".*?</form>', page, re.S)
    assert form, "the approve_filing form is on the page again"
    assert "同意立案，由执法一科调查。</textarea>" in form.group(0)
    assert "errorlist" in form.group(0) and "U+E000" in form.group(0)
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_FILING


def test_an_upload_without_a_file_keeps_the_description(client, officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"description": "现场照片三张的说明", "confidentiality": "privacy"},
    )
    assert resp.status_code == 400
    form = re.search(r'<form[^>]*class="upload".*?</form>', resp.content.decode(), re.S)
    assert form
    assert 'value="现场照片三张的说明"' in form.group(0)
    assert re.search(r'<option value="privacy"[^>]*selected', form.group(0))
    field = _field(form.group(0), "file")
    assert "has-errors" in field and "errorlist" in field
    assert not Attachment.objects.exists()


def _offered(client, case) -> list[str]:
    return re.findall(
        r'<details class="record-form" data-key="([a-z_]+)"', client.get(case.get_absolute_url()).content.decode()
    )


def test_every_record_form_of_the_case_page_answers_empty_input_in_place(
    client, officer, officer2, section_chief, head
):
    """The kind: each record form any user is offered, posted empty, comes back open with its
    errors (the opinion forms, notices, parties, officers, withdrawal …)."""
    registered = services.case_register_ex_officio(
        by=officer,
        title="测试案",
        officers=[officer, officer2],
        parties=[party_data()],
        cause="检查发现",
        source="inspection",
        summary="案情",
    )
    applied = _application(officer, officer2)
    complaint = _complaint(officer, officer2)
    not_filed = _complaint(officer, officer2)
    services.case_not_file(case_id=not_filed.pk, by=head, opinion="同意不予立案。", notice_reason="不属于本机关管辖")
    services.registration_withdrawal_request(case_id=complaint.pk, by=officer, reason="重复登记")
    seen = set()
    # Fields that may be empty: an empty post of these forms is valid and is not what is tested here.
    may_be_empty = {"application_complete"}
    for user in (officer, section_chief, head):
        client.force_login(user)
        for case in (registered, applied, complaint, not_filed):
            for key in _offered(client, case):
                if key in may_be_empty:
                    continue
                resp = client.post(reverse("cases:record", args=[case.pk, key]), {})
                assert resp.status_code == 400, (key, user)
                block = _block(resp.content.decode(), key)
                assert " open>" in block.split("\n", 1)[0] and "errorlist" in block, (key, user)
                seen.add(key)
    expected = {
        "filing_info",
        "officer_opinion",
        "unit_opinion",
        "withdraw_request",
        "withdraw_decide",
        "not_file",
        "complaint_handling",
        "application_event",
        "party_add",
        "officers",
        "notice",
        "complainant_notice",
        # Licensing acceptance (《行政许可法》第三十二条); 补正材料的接收 is offered only after the notice.
        "reject_application",
        "supplement_notice",
    }
    assert seen == expected
