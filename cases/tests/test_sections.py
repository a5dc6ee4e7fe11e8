"""The case page in sections (issue 17, item 3): each tab its own URL, the same access as the
case, lists paged, a fixed number of queries whatever the size of the case, and every
checklist item linking to where it is recorded."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

import audit
from accounts.models import Role
from accounts.tests.factories import UserFactory
from avrecords.models import AVRecord
from cases import panels, policy, requirements, services, views
from cases.audit_actions import AuditAction
from cases.models import Attachment, CaseState
from cases.panels import SECTIONS, section_url
from cases.tests.factories import CaseFactory, PartyFactory, party_data
from cases.tests.pages import section_html
from documents.models import Document
from linke.pagination import PER_PAGE
from records.models import Inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _case(officer, officer2, **kw):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer, **kw)
    PartyFactory(case=case)
    return case


def _fill(case, officer, n: int) -> None:
    """`n` AV records, documents, attachments, written records and audit entries on `case`."""
    AVRecord.objects.bulk_create(
        AVRecord(
            case=case,
            filename=f"现场{i}.mp4",
            kind="video",
            status="ready",
            proxy=f"proxy/{case.pk}-{i}.mp4",
            poster=f"poster/{case.pk}-{i}.jpg",
            sha256=f"{i:064x}",
            uploaded_by=officer,
        )
        for i in range(n)
    )
    Document.objects.bulk_create(
        Document(
            case=case,
            doc_type="filing_approval",
            year=2026,
            seq=case.pk * 1000 + i,
            number=f"临科立审〔2026〕{case.pk * 1000 + i}号",
            title="立案审批表",
            issued_by=officer,
        )
        for i in range(n)
    )
    Attachment.objects.bulk_create(
        Attachment(
            case=case,
            file=f"att/{case.pk}-{i}.pdf",
            sha256=f"{i:064x}",
            size=100 + i,
            original_name=f"扫描件{i}.pdf",
            uploaded_by=officer,
        )
        for i in range(n)
    )
    for _ in range(n):  # one row per table of the kind (multi-table inheritance)
        Inspection.objects.create(case=case, kind="inspection", maker=officer)
    for i in range(n):
        audit.record(case, AuditAction.PARTY_UPDATED, actor=officer, case=case, name=f"修改{i}")


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx.captured_queries)


def test_every_section_is_shown_to_who_reads_the_case_and_404_to_others(
    client, officer, officer2, section_chief, reviewer, head, archivist, admin_user
):
    case = _case(officer, officer2, state=CaseState.UNDER_REVIEW)
    outsider = UserFactory(roles=[Role.OFFICER])  # another department's officer
    people = [officer, officer2, section_chief, reviewer, head, archivist, admin_user, outsider]
    assert not policy.may_read(outsider, case) and policy.may_read(officer, case)
    for user in people:
        client.force_login(user)
        expected = 200 if policy.may_read(user, case) else 404
        for key in SECTIONS:
            assert client.get(section_url(case.pk, key)).status_code == expected, (user, key)
        assert client.get(reverse("cases:section", args=[case.pk, "overview"])).status_code == expected
        # An unknown section is 404 for everyone, reader or not.
        assert client.get(reverse("cases:section", args=[case.pk, "nosuch"])).status_code == 404


def test_the_tab_bar_links_every_section_with_counts_and_marks_the_current(client, officer, officer2):
    case = _case(officer, officer2)
    _fill(case, officer, 3)
    client.force_login(officer)
    html = section_html(client, case, "av")
    for key, section in SECTIONS.items():
        assert f'href="{section_url(case.pk, key)}"' in html and section.title in html
    assert re.search(r'class="current" aria-current="page">音像记录 <span class="count">\(3\)</span>', html)
    assert '执法文书 <span class="count">(3)</span>' in html and '附件 <span class="count">(3)</span>' in html
    assert '调查取证记录 <span class="count">(3)</span>' in html
    # Each section shows only its own content: the overview's checklist is not here.
    assert 'id="checklist"' not in html and 'id="checklist"' in section_html(client, case, "overview")


@pytest.mark.parametrize(
    ("section", "marker"),
    [
        ("av", 'class="av-lazy"'),
        ("documents", 'class="doc-status"'),
        ("attachments", "扫描件"),
        ("records", "/records/"),
    ],
)
def test_lists_in_sections_are_paged(client, officer, officer2, section, marker):
    case = _case(officer, officer2)
    _fill(case, officer, PER_PAGE + 3)
    client.force_login(officer)
    url = section_url(case.pk, section)
    first = client.get(url).content.decode()
    assert "第 1 / 2 页" in first and 'href="?page=2"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    rows = first.count(marker)
    assert rows >= PER_PAGE and rows < (PER_PAGE + 3) * 2
    # A page number out of range or not a number gives a page, never an error.
    assert client.get(url, {"page": "x"}).status_code == 200 and client.get(url, {"page": 99}).status_code == 200


def test_timeline_pages_keep_every_entry_once(client, officer, officer2):
    case = _case(officer, officer2)
    for i in range(120):
        audit.record(case, AuditAction.PARTY_UPDATED, actor=officer, case=case, name=f"修改第{i}号")
    client.force_login(officer)
    url = section_url(case.pk, "timeline")
    seen = []
    for n in (1, 2, 3):
        html = client.get(url, {"page": n}).content.decode()
        assert f"第 {n} / 3 页" in html  # 50 a page
        seen += re.findall(r"修改第(\d+)号", html)
    assert sorted(map(int, seen)) == list(range(120))


def test_each_section_costs_the_same_queries_for_a_small_and_a_big_case(client, officer, officer2, calendar_held):
    small, big = _case(officer, officer2), _case(officer, officer2)
    _fill(small, officer, 1)
    _fill(big, officer, 60)
    client.force_login(officer)
    for key in SECTIONS:
        _queries(client, section_url(small.pk, key))  # warm per-process caches (e.g. the calendar)
        assert _queries(client, section_url(small.pk, key)) == _queries(client, section_url(big.pk, key)), key


def test_every_requirement_names_where_it_is_recorded():
    """Issue 17: each "尚缺" item links to where it is recorded: a section of the case page and
    an element that section has (a panel, a record form, a card)."""
    overview_ids = {"facts", "checklist", "actions", "parties", "application", "complaint", "filing", "non-initiation"}
    overview_ids |= {f"record-{key}" for key in views._RECORD_FORMS}
    reqs = requirements.all_requirements()
    assert len(reqs) > 40
    for req in reqs:
        assert req.target, req.code
        section, _, anchor = req.target.partition("#")
        assert section in SECTIONS, req.code
        url = requirements.target_url(req, 7)
        match = resolve(url.partition("#")[0])
        assert match.url_name in ("detail", "section") and match.kwargs["pk"] == 7, req.code
        if section == "overview":
            assert anchor in overview_ids, req.code
        else:
            key = anchor.removeprefix("panel-")
            assert anchor.startswith("panel-") and panels._panels[key].section == section, req.code


def test_missing_items_link_to_their_section(client, officer, officer2):
    case = _case(officer, officer2, state=CaseState.REGISTERED, filed_at=None)
    client.force_login(officer)
    html = section_html(client, case, "overview")
    assert "尚缺" in html
    missing = [i for i in requirements.checklist(case) if i.status == "missing" and i.requirement.stage == case.state]
    assert missing
    for item in missing:
        url = requirements.target_url(item.requirement, case.pk)
        linked, named = f'href="{url}"' in html, f'<span data-code="{item.requirement.code}"' in html
        assert linked or named, item.requirement.code


def _ids(html):
    return set(re.findall(r'id="([^"]+)"', html))


@pytest.mark.parametrize("role", ["officer", "chief"])
def test_each_missing_item_link_lands_on_an_element_the_user_sees(client, officer, officer2, role):
    # The 尚缺 link to "#record-unit_opinion" landed nowhere for the officer (only the chief
    # sees that form); a link must land on an element of its page, or the item is not a link.
    case = services.case_register_ex_officio(
        by=officer,
        title="测试案",
        officers=[officer, officer2],
        parties=[party_data()],
        cause="检查发现",
        source="inspection",
        summary="案情",
    )
    user = officer if role == "officer" else UserFactory(roles=[Role.SECTION_CHIEF], department=officer.department)
    client.force_login(user)
    html = section_html(client, case, "overview")
    block = html[html.index('id="checklist-missing"') :]
    block = block[: block.index("</div>")]
    links = re.findall(r'<a href="([^"]+)" data-code="([^"]+)"', block)
    plain = re.findall(r'<span data-code="([^"]+)"', block)
    assert links and len(links) + len(plain) == block.count("<li>")
    for url, code in links:
        path, _, anchor = url.partition("#")
        target = client.get(path)
        assert target.status_code == 200, code
        assert not anchor or anchor in _ids(target.content.decode()), (role, code, url)
    if role == "officer":
        assert "ex_officio.unit_opinion" in plain and "您无此权限" in block


def test_a_bad_attachment_comes_back_to_the_attachments_section(client, officer, officer2):
    case = _case(officer, officer2)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"description": "现场照片（已输入）", "next": section_url(case.pk, "attachments")},
    )
    html = resp.content.decode()
    assert resp.status_code == 400
    assert 'class="current" aria-current="page">附件' in html and "现场照片（已输入）" in html
    assert 'class="errorlist' in html
    # A good one goes back to the section it was posted from.
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("照片.jpg", b"jpeg"), "next": section_url(case.pk, "attachments")},
    )
    assert resp.status_code == 302 and resp.url == section_url(case.pk, "attachments")


def test_a_refused_record_form_comes_back_to_the_overview(client, officer, officer2):
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
    resp = client.post(reverse("cases:record", args=[case.pk, "officer_opinion"]), {"opinion": ""})
    html = resp.content.decode()
    assert resp.status_code == 400 and 'class="current" aria-current="page">概况' in html
    assert re.search(r'<details class="record-form" data-key="officer_opinion" id="record-officer_opinion" open>', html)


def test_register_refuses_an_unknown_section():
    with pytest.raises(ValueError, match="unknown section"):
        panels.register(panels.Panel("x", "x", "x.html", lambda c, u, r: {}, section="nosuch"))
