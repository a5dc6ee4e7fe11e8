import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases import services
from cases.models import Attachment, Case, CaseState
from cases.panels import section_url
from cases.tests.factories import CaseFactory, FilingRecordFactory, PartyFactory, party_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _case(officer, officer2, **kw):
    return CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer, **kw)


def test_home_redirects_to_the_dashboard(client, officer):
    client.force_login(officer)
    assert client.get("/").url == reverse("cases:dashboard")


def test_dashboard_shows_my_cases_counts_and_approvals(client, officer, officer2, head):
    case = _case(officer, officer2)
    pending = FilingRecordFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    ).case
    pending.state = CaseState.PENDING_FILING
    pending.save()
    client.force_login(officer)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert case.ref in page and "调查取证" in page and "待立案审批" in page
    client.force_login(head)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert "待我审批" in page and pending.ref in page


def test_dashboard_shows_my_overdue_deadline_in_red(client, officer, officer2, head):
    import datetime as dt
    import re

    from deadlines.models import DeadlineKind
    from deadlines.services import deadline_open, deadlines_scan

    case = _case(officer, officer2)
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="行政处罚决定（立案之日起九十日内）",
        start=timezone.now() - dt.timedelta(days=120),
        days=90,
        responsible=[officer],
    )
    client.force_login(officer)
    page = client.get(reverse("cases:dashboard")).content.decode()
    card = re.search(r'<section class="card deadlines-card">(.*?)</section>', page, re.S).group(1)
    row = re.search(r'<tr class="deadline[^"]*" data-state="(\w+)">(.*?)</tr>', card, re.S)
    assert row.group(1) == "red" and case.ref in row.group(2) and "行政处罚决定" in row.group(2)
    assert '<span class="badge bad">已逾期</span>' in row.group(2)
    client.force_login(officer2)  # not responsible for it
    assert "行政处罚决定" not in client.get(reverse("cases:dashboard")).content.decode()

    deadlines_scan()  # overdue: escalated to the heads, who see it under 逾期督办
    client.force_login(head)
    page = client.get(reverse("cases:dashboard")).content.decode()
    card = re.search(r'<section class="card deadlines-card">(.*?)</section>', page, re.S).group(1)
    assert "逾期督办" in card and case.ref in card and 'data-state="red"' in card


def test_list_filters_by_party_state_and_officer(client, officer, officer2, department):
    a = _case(officer, officer2)
    PartyFactory(case=a, name="临沂蓝海生物科技有限公司")
    b = _case(officer, officer2, state=CaseState.REGISTERED)
    third = UserFactory(department=department, roles=[Role.OFFICER])
    c = _case(officer2, third)
    client.force_login(officer)
    url = reverse("cases:list")

    def numbers(**params):
        body = client.get(url, params).content.decode()
        return {x.ref for x in (a, b, c) if x.ref in body}

    assert numbers() == {a.ref, b.ref, c.ref}
    assert numbers(q="蓝海") == {a.ref}
    assert numbers(q=b.ref) == {b.ref}
    assert numbers(state="registered") == {b.ref}
    assert numbers(officer=third.pk) == {c.ref}
    today = timezone.localdate().isoformat()
    assert numbers(date_from=today, date_to=today) == {a.ref, b.ref, c.ref}


def test_list_paginates(client, officer, officer2):
    for _ in range(27):
        _case(officer, officer2)
    client.force_login(officer)
    assert "第 1 / 2 页" in client.get(reverse("cases:list")).content.decode()
    assert "第 2 / 2 页" in client.get(reverse("cases:list"), {"page": 2}).content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_use_a_constant_number_of_queries(client, officer, officer2, calendar_held):
    client.force_login(officer)
    case = _case(officer, officer2)
    PartyFactory(case=case)
    # One of each row the page lists, so the baseline already names a person on the timeline
    # (their names and roles: two queries, however many entries).
    services.attachment_add(case=case, file=SimpleUploadedFile("first.txt", b"first"), by=officer)
    urls = [reverse("cases:list"), reverse("cases:dashboard"), case.get_absolute_url()]
    [_count_queries(client, u) for u in urls]  # warm per-process caches (e.g. the calendar)
    before = [_count_queries(client, u) for u in urls]
    for _ in range(6):
        other = _case(officer, officer2)
        PartyFactory(case=other)
        PartyFactory(case=case)
        services.attachment_add(case=case, file=SimpleUploadedFile(f"{other.pk}.txt", b"x%d" % other.pk), by=officer)
    after = [_count_queries(client, u) for u in urls]
    assert after == before


# --- the wizard -------------------------------------------------------------------------------


def _post_data(officer, officer2, **extra):
    data = {
        "title": "某公司涉嫌违规案",
        "summary": "基本案情",
        "officers": [officer.pk, officer2.pk],
        "confidentiality": "",
        "party-kind": "organisation",
        "party-name": "临沂某某新材料有限公司",
        "party-id_number": "91371300MA3C8XY012",
        "party-legal_rep": "王建国",
        "party-address": "兰山区",
        "party-phone": "0539-8123456",
        "party-confidentiality": "",
    }
    data.update(extra)
    return data


def test_wizard_registers_an_ex_officio_case(client, officer, officer2):
    client.force_login(officer)
    assert client.get(reverse("cases:create_start")).status_code == 200
    resp = client.post(
        reverse("cases:create", args=["ex_officio"]),
        _post_data(
            officer, officer2, cause="检查发现", source="inspection", source_detail="", officer_opinion="建议立案"
        ),
    )
    case = Case.objects.get()
    assert resp.url == case.get_absolute_url()
    assert case.state == CaseState.REGISTERED
    row = case.signoffs.get()
    assert (row.step, row.level, row.actor, row.opinion) == ("filing", "officer", officer, "建议立案")


def test_wizard_refuses_one_officer_and_a_bad_credit_code(client, officer, officer2):
    client.force_login(officer)
    resp = client.post(
        reverse("cases:create", args=["ex_officio"]),
        _post_data(
            officer,
            officer2,
            officers=[officer.pk],
            cause="检查发现",
            source="inspection",
            **{"party-id_number": "91371300MA3C8XY013"},
        ),
    )
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "不得少于两人" in body and "统一社会信用代码格式或校验位不正确" in body
    assert not Case.objects.exists()


def test_wizard_registers_an_anonymous_complaint_without_party(client, officer, officer2):
    client.force_login(officer)
    data = _post_data(
        officer,
        officer2,
        channel="phone",
        received_at="2026-11-20T09:30",
        content="举报内容",
        anonymous="on",
        **{"party-name": "", "party-id_number": ""},
    )
    resp = client.post(reverse("cases:create", args=["complaint"]), data)
    case = Case.objects.get()
    assert resp.status_code == 302
    assert case.complaint.anonymous and not case.parties.exists()


def test_wizard_registers_an_oral_application(client, officer, officer2):
    client.force_login(officer)
    data = _post_data(
        officer,
        officer2,
        form="oral",
        received_at="2026-11-20T09:30",
        matter="技术合同认定登记",
        materials="",
        oral_record="申请人口述……",
    )
    resp = client.post(reverse("cases:create", args=["application"]), data)
    assert resp.status_code == 302
    assert Case.objects.get().application.oral_record == "申请人口述……"


def test_only_officers_register_cases(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("cases:create", args=["ex_officio"])).status_code == 404


# --- the case page ----------------------------------------------------------------------------


def test_checklist_blocks_the_transition_with_articles(client, officer, officer2):
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
    page = client.get(case.get_absolute_url()).content.decode()
    assert '<li class="missing">第八条第一款：承办人意见及时间' in page
    assert '<li class="done">第八条第一款：启动原因' in page
    resp = client.post(reverse("cases:action", args=[case.pk, "submit_for_filing"]), follow=True)
    assert "第八条第一款：承办机构意见及时间" in resp.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED

    client.post(reverse("cases:record", args=[case.pk, "officer_opinion"]), {"opinion": "建议立案"})
    # 承办机构意见 is the section chief's (第八条第一款): an officer's post is refused.
    client.post(reverse("cases:record", args=[case.pk, "unit_opinion"]), {"opinion": "同意"})
    assert not case.signoffs.filter(level="unit").exists()
    chief = UserFactory(department=case.department, roles=[Role.SECTION_CHIEF])
    client.force_login(chief)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="unit_opinion"' in page and 'data-key="officer_opinion"' not in page
    client.post(reverse("cases:record", args=[case.pk, "unit_opinion"]), {"opinion": "同意"})
    client.force_login(officer)
    client.post(reverse("cases:action", args=[case.pk, "submit_for_filing"]))
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_FILING


def test_head_approves_from_the_queue(client, officer, officer2, head):
    case = FilingRecordFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    ).case
    PartyFactory(case=case)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    client.force_login(head)
    assert case.ref in client.get(reverse("cases:approvals")).content.decode()
    resp = client.post(
        reverse("cases:action", args=[case.pk, "approve_filing"]),
        {"opinion": "同意立案", "next": reverse("cases:approvals")},
    )
    assert resp.url == reverse("cases:approvals")
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING


def test_approval_queue_is_for_heads(client, officer):
    client.force_login(officer)
    assert client.get(reverse("cases:approvals")).status_code == 404


def test_officer_cannot_approve_through_the_page(client, officer, officer2):
    case = FilingRecordFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    ).case
    PartyFactory(case=case)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    client.force_login(officer)
    resp = client.post(reverse("cases:action", args=[case.pk, "approve_filing"]), {"opinion": "同意"}, follow=True)
    assert "机关负责人" in resp.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_FILING


def test_ids_are_masked_for_those_who_do_not_handle_the_case(client, officer, officer2, department):
    case = _case(officer, officer2)
    PartyFactory(case=case, id_number="91371300MA3C8XY012")
    colleague = UserFactory(department=department, roles=[Role.OFFICER])
    client.force_login(officer)
    assert "91371300MA3C8XY012" in client.get(case.get_absolute_url()).content.decode()
    client.force_login(colleague)
    body = client.get(case.get_absolute_url()).content.decode()
    assert "91371300MA3C8XY012" not in body and "9137**********Y012" in body


# --- who sees what: 404 for outsiders -----------------------------------------------------------


def test_other_departments_officer_gets_404_everywhere(client, officer, officer2):
    case = _case(officer, officer2)
    att = services.attachment_add(case=case, file=SimpleUploadedFile("笔录.pdf", b"%PDF secret"), by=officer)
    outsider = UserFactory(roles=[Role.OFFICER])
    client.force_login(outsider)
    for url in (case.get_absolute_url(), reverse("cases:timeline", args=[case.pk]), att.get_absolute_url()):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("cases:action", args=[case.pk, "submit_for_review"]),
        reverse("cases:record", args=[case.pk, "officer_opinion"]),
        reverse("cases:attachment_upload", args=[case.pk]),
    ):
        assert client.post(url, {"opinion": "x"}).status_code == 404, url
    assert case.ref not in client.get(reverse("cases:list")).content.decode()
    assert not Entry.objects.filter(action="attachment.downloaded").exists()


def test_attachment_upload_and_download(client, officer, officer2, archivist):
    case = _case(officer, officer2)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {
            "file": SimpleUploadedFile("现场照片.jpg", b"\xff\xd8photo", content_type="image/jpeg"),
            "description": "现场照片",
            "confidentiality": "",
        },
    )
    assert resp.status_code == 302
    att = Attachment.objects.get()
    assert att.mime_type == "image/jpeg"
    client.force_login(archivist)  # sees every case (第二十八条)
    resp = client.get(att.get_absolute_url())
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == b"\xff\xd8photo"
    assert "attachment" in resp["Content-Disposition"]
    assert Entry.objects.filter(case_id=case.pk, action="attachment.downloaded", actor=archivist).exists()


def test_unknown_attachment_of_a_visible_case_is_404(client, officer, officer2):
    case = _case(officer, officer2)
    other = _case(officer, officer2)
    att = services.attachment_add(case=other, file=SimpleUploadedFile("a.txt", b"a"), by=officer)
    client.force_login(officer)
    assert client.get(reverse("cases:attachment", args=[case.pk, att.pk])).status_code == 404


def test_records_and_notices_through_the_page(client, officer, officer2, head):
    case = services.case_register_complaint(
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
    client.force_login(head)
    # Not a generic button: the head's form has the opinion and the reason for the complainant.
    assert client.post(reverse("cases:action", args=[case.pk, "not_file"]), {"opinion": "x"}).status_code == 404
    client.post(
        reverse("cases:record", args=[case.pk, "not_file"]),
        {"opinion": "同意不予立案。", "notice_reason": "不属于本机关管辖"},
    )
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "告知实名投诉举报人" in page and "第九条第二款" in page
    client.post(
        reverse("cases:record", args=[case.pk, "notice"]),
        {"method": "public", "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "detail": "网站公示"},
    )
    client.post(
        reverse("cases:record", args=[case.pk, "complainant_notice"]),
        {"method": "phone", "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "detail": "电话告知钱某"},
    )
    case.refresh_from_db()
    assert case.non_initiation.notice_detail == "网站公示"
    assert case.non_initiation.complainant_notice_detail == "电话告知钱某"


def test_party_and_application_records_through_the_page(client, officer, officer2):
    case = services.case_register_application(
        by=officer,
        title="申请",
        officers=[officer, officer2],
        parties=[],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表",
    )
    client.force_login(officer)
    resp = client.post(
        reverse("cases:record", args=[case.pk, "party_add"]),
        {
            "party-kind": "person",
            "party-name": "陈国栋",
            "party-id_number": "371302198503124217",
            "party-legal_rep": "",
            "party-address": "河东区",
            "party-phone": "13900000000",
            "party-confidentiality": "privacy",
        },
        follow=True,
    )
    assert "已添加当事人" in resp.content.decode()
    assert case.parties.get().confidentiality == "privacy"
    resp = client.post(
        reverse("cases:record", args=[case.pk, "party_add"]),
        {"party-kind": "person", "party-name": "错号", "party-id_number": "371302198503124210"},
        follow=True,
    )
    assert "居民身份证号码格式或校验位不正确" in resp.content.decode()
    client.post(
        reverse("cases:record", args=[case.pk, "application_event"]),
        {
            "kind": "correction",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "content": "当场更正申请表笔误",
        },
    )
    assert case.application_events.get().content == "当场更正申请表笔误"
    client.post(reverse("cases:action", args=[case.pk, "accept_application"]), {"opinion": "予以受理"})
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    page = client.get(case.get_absolute_url()).content.decode()
    assert "<dt>受理时间</dt>" in page and "立案时间" not in page  # a licensing case is accepted, not filed


def test_full_audit_timeline_page(client, officer, officer2):
    case = _case(officer, officer2)
    services.party_add(case_id=case.pk, by=officer, **party_data())
    client.force_login(officer)
    body = client.get(reverse("cases:timeline", args=[case.pk])).content.decode()
    assert "party.added" not in body  # names only, never the internal code (issue 11, 8)
    assert "添加当事人" in body and "当事人 #" in body  # its Chinese name; the object by its model's name
    assert "张伟（执法人员）" in body and "officer1" not in body  # people by name and role
    assert "添加当事人" in client.get(case.get_absolute_url()).content.decode()


def _timeline_html(client, case):
    page = client.get(section_url(case.pk, "timeline")).content.decode()
    return page[page.index('id="timeline"') : page.index("查看完整审计记录")]


def test_timeline_shows_each_act_once_by_name_and_role(client, officer, officer2, section_chief):
    """Issue 11 (8): 受理 / 不予受理 / 承办人意见 appeared twice (the record row and its audit
    entry), actions carried their codes, people their usernames."""
    import re

    app_case = services.case_register_application(
        by=officer,
        title="申请",
        officers=[officer, officer2],
        parties=[],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表",
    )
    services.party_add(case_id=app_case.pk, by=officer, **party_data())
    services.application_event_add(
        case_id=app_case.pk, by=officer, kind="correction", occurred_at=timezone.now(), content="当场更正笔误"
    )
    services.case_accept_application(case_id=app_case.pk, by=officer, opinion="材料齐全，予以受理")
    rejected = services.case_register_application(
        by=officer,
        title="申请二",
        officers=[officer, officer2],
        parties=[],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表",
    )
    services.party_add(case_id=rejected.pk, by=officer, **party_data())
    services.case_reject_application(
        case_id=rejected.pk,
        by=officer,
        opinion="不属于本机关职权范围",
        ground="not_competent",
        notice_reason="请向省科技厅申请",
        competent_organ="山东省科学技术厅",
    )
    filing = _case(officer, officer2, registration_number="临科登〔2026〕9001号", state=CaseState.REGISTERED)
    services.filing_opinion_record(case_id=filing.pk, by=officer, level="officer", opinion="建议立案调查")
    services.filing_opinion_record(case_id=filing.pk, by=section_chief, level="unit", opinion="同意承办人意见")
    client.force_login(officer)

    accepted = _timeline_html(client, app_case)
    assert accepted.count("材料齐全，予以受理") == 1 and accepted.count("当场更正笔误") == 1
    assert _timeline_html(client, rejected).count("不属于本机关职权范围") == 1
    signed = _timeline_html(client, filing)
    assert signed.count("建议立案调查") == 1 and signed.count("同意承办人意见") == 1
    for html in (accepted, signed):
        assert not re.search(r"\b(case|signoff|application|filing|party|av)\.[a-z_]+", html), html
        assert "officer1" not in html and "chief1" not in html
    assert "张伟（执法人员）" in accepted
    assert "张伟（执法人员）" in signed and "周敏（承办机构负责人）" in signed


def test_upload_to_one_of_the_case_records(client, officer, officer2):
    case = services.case_register_complaint(
        by=officer,
        title="举报案",
        officers=[officer, officer2],
        parties=[],
        channel="letter",
        received_at=timezone.now(),
        content="举报内容",
        anonymous=True,
    )
    client.force_login(officer)
    page = client.get(section_url(case.pk, "attachments")).content.decode()
    ref = f"cases.complaint:{case.complaint.pk}"
    assert f'value="{ref}"' in page
    client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("举报信.pdf", b"%PDF letter"), "owner": ref},
    )
    assert Attachment.objects.get().owner == case.complaint
    assert "属于：投诉举报记录" in client.get(section_url(case.pk, "attachments")).content.decode()
    other = _case(officer, officer2)
    resp = client.post(
        reverse("cases:attachment_upload", args=[other.pk]), {"file": SimpleUploadedFile("x.pdf", b"x"), "owner": ref}
    )
    assert resp.status_code == 404  # a record of another case


def test_withdrawal_through_the_case_page_and_the_heads_queue(client, officer, officer2, head):
    case = services.case_register_ex_officio(
        by=officer, title="误登记案", officers=[officer, officer2], parties=[], cause="c", source="inspection"
    )
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="withdraw_request"' in page and 'data-key="withdraw_decide"' not in page
    client.post(reverse("cases:record", args=[case.pk, "withdraw_request"]), {"reason": "重复登记"})
    client.force_login(head)
    assert case.registration_number in client.get(reverse("cases:dashboard")).content.decode()
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="withdraw_decide"' in page and "重复登记" in page
    client.post(
        reverse("cases:record", args=[case.pk, "withdraw_decide"]), {"decision": "approve", "opinion": "同意撤销。"}
    )
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "已撤销登记" in page and case.registration_number in page
