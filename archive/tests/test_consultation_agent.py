"""第二十九条 consultation by the party's 委托代理人: the request names the principal (委托人, one of
the case's recorded parties) and carries the scan of the party's 授权委托书, kept with its
SHA-256 and size; other relations carry neither. The head's decide page shows both; the scan is
opened only by who may decide or record the request; it is no item of the case file."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.audit_actions import AuditAction
from archive.consultation import consultation_request
from archive.models import ConsultationRequest
from archive.tests.test_consultation import ID, _key, _pdf, _request, case, items  # noqa: F401
from audit.models import Entry
from cases.models import PartyKind
from cases.stages import TransitionError
from cases.tests.factories import CaseFactory, PartyFactory
from cases.tests.pages import section_html

pytestmark = pytest.mark.django_db

AGENT_ID = "110101198506121234"  # valid, the agent's own 居民身份证号码


def _scan(marker: str = "AUTHORISATION-SCAN-MARK", name: str = "授权委托书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _pdf(marker), content_type="application/pdf")


def _agent(case: Any, by: Any, objs: list[Any], **over: Any) -> ConsultationRequest:
    data = {
        "relation": "agent",
        "requester_name": "李律师",
        "id_number": AGENT_ID,
        **over,
    }
    if "principal" not in over:
        data["principal"] = case.parties.get().pk
    if "authorisation" not in over:
        data["authorisation"] = _scan()
    return _request(case, by, objs, **data)


def _refused(case: Any, by: Any, objs: list[Any], match: str, **over: Any) -> None:
    with pytest.raises(TransitionError, match=match):
        _agent(case, by, objs, **over)
    assert not ConsultationRequest.objects.filter(case=case).exists()


def test_an_agent_is_recorded_with_principal_and_the_scan_hashed_and_audited(case, items, archivist):
    req = _agent(case, archivist, [items["plain"]])
    data = _pdf("AUTHORISATION-SCAN-MARK")
    sha = hashlib.sha256(data).hexdigest()
    assert req.principal == case.parties.get() and req.authorisation_sha256 == sha
    assert req.authorisation_size == len(data) and req.authorisation_name == "授权委托书.pdf"
    with req.authorisation.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == sha
    entry = Entry.objects.get(action=AuditAction.CONSULT_REQUESTED)
    assert entry.data["principal"] == "王小明" and entry.data["authorisation_sha256"] == sha


def test_an_agent_without_the_scan_is_refused(case, items, archivist):
    _refused(case, archivist, [items["plain"]], "授权委托书", authorisation=None)


def test_an_agent_without_a_principal_is_refused(case, items, archivist):
    _refused(case, archivist, [items["plain"]], "请选择委托人", principal=None)


def test_a_principal_not_of_this_case_is_refused(case, items, archivist):
    stranger = PartyFactory(case=CaseFactory(), kind=PartyKind.PERSON, name="他案当事人", legal_rep="")
    _refused(case, archivist, [items["plain"]], "不是本案登记的当事人", principal=stranger.pk)


def test_an_agent_of_a_case_with_no_party_recorded_is_refused(case, items, archivist):
    principal = case.parties.get().pk
    case.parties.all().delete()
    _refused(case, archivist, [items["plain"]], "本案未登记当事人", principal=principal)


def test_a_scan_that_is_no_pdf_nor_image_is_refused(case, items, archivist):
    bad = SimpleUploadedFile("授权委托书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    _refused(case, archivist, [items["plain"]], "授权委托书", authorisation=bad)


@pytest.mark.parametrize("over", [{"authorisation": "scan"}, {"principal": "party"}])
def test_a_party_relation_with_a_scan_or_principal_is_refused(case, items, archivist, over):
    value = _scan() if over.get("authorisation") else case.parties.get().pk
    name = next(iter(over))
    with pytest.raises(TransitionError, match="只有委托代理人"):
        _request(case, archivist, [items["plain"]], **{name: value})
    assert not ConsultationRequest.objects.exists()


def test_the_database_refuses_an_agent_without_principal_and_scan(case, items, archivist):
    party = _request(case, archivist, [items["plain"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.filter(pk=party.pk).update(relation="agent")
    agent = _agent(case, archivist, [items["doc"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.filter(pk=agent.pk).update(relation="party")


def _post(case: Any, items: Any, **over: Any) -> dict[str, Any]:
    return {
        "requester_name": "李律师",
        "id_type": "resident_id",
        "id_number": AGENT_ID,
        "relation": "agent",
        "purpose": "reconsideration",
        "reason": "受当事人委托申请查阅证据。",
        "items": [_key(items["plain"])],
        "principal": str(case.parties.get().pk),
        **over,
    }


def test_the_form_shows_the_fields_and_keeps_what_was_typed(client, case, items, archivist):
    client.force_login(archivist)
    url = reverse("archive:consult_new", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'name="principal"' in page and 'name="authorisation"' in page and "委托代理人查阅时必填" in page
    # no scan: refused on its field, everything typed kept
    resp = client.post(url, _post(case, items))
    html = resp.content.decode()
    assert resp.status_code == 400 and "请上传当事人的授权委托书" in html
    assert 'value="李律师"' in html and "受当事人委托申请查阅证据。" in html and "selected>王小明" in html
    # a party relation with a scan: refused on its field, the file to be chosen again
    resp = client.post(
        url,
        _post(
            case, items, relation="party", requester_name="王小明", id_number=ID, principal="", authorisation=_scan()
        ),
    )
    html = resp.content.decode()
    assert resp.status_code == 400 and "只有委托代理人" in html and "请重新选择授权委托书文件" in html
    # a principal of another case
    stranger = PartyFactory(case=CaseFactory(), kind=PartyKind.PERSON, name="他案当事人", legal_rep="")
    resp = client.post(url, _post(case, items, principal=str(stranger.pk), authorisation=_scan()))
    assert resp.status_code == 400 and "不是本案登记的当事人" in resp.content.decode()
    assert not ConsultationRequest.objects.exists()
    resp = client.post(url, _post(case, items, authorisation=_scan()))
    assert resp.status_code == 302 and ConsultationRequest.objects.get().authorisation_sha256


def test_the_decide_page_shows_the_principal_and_the_scan_only_to_who_may_see_it(
    client, case, items, archivist, head, officer, reviewer
):
    req = _agent(case, archivist, [items["plain"]])
    scan_url = reverse("archive:consult_authorisation", args=[req.pk])
    client.force_login(head)
    html = client.get(reverse("archive:consult_decide", args=[req.pk])).content.decode()
    assert "委托人：王小明" in html and scan_url in html
    assert "委托人：王小明" in section_html(client, case, "archive")  # the case's request list too
    for user in (head, archivist, officer):  # who decides or records it
        client.force_login(user)
        resp = client.get(scan_url)
        assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")
    outsider = UserFactory(roles=[Role.OFFICER])
    for user in (outsider, reviewer):
        client.force_login(user)
        assert client.get(scan_url).status_code == 404
    party = _request(case, archivist, [items["doc"]])  # no scan: 404 too
    client.force_login(head)
    assert client.get(reverse("archive:consult_authorisation", args=[party.pk])).status_code == 404


def test_the_scan_is_no_item_of_the_sealed_file_nor_the_answer(head, archivist, settings, tmp_path):
    from archive.answer import answer_package
    from archive.casefile import assemble
    from archive.consultation import candidates
    from archive.tests.test_consultation_av import _approved_addendum
    from archive.tests.test_sealing import back, concluded_case, seal_checked

    settings.MEDIA_ROOT = str(tmp_path)
    case = concluded_case(head)
    party = case.parties.first() or PartyFactory(case=case, kind=PartyKind.PERSON, name="王小明", legal_rep="")
    seal_checked(case, by=archivist, **back())
    case.refresh_from_db()
    assert case.state == "archived"
    addendum = _approved_addendum(case, head, archivist)
    before = [(i.title, i.pdf_name) for i in assemble(case).items]
    req = consultation_request(
        case_id=case.pk,
        by=archivist,
        requester_name="李律师",
        id_type="resident_id",
        id_number=AGENT_ID,
        relation="agent",
        purpose="reconsideration",
        reason="受托申请复议。",
        items=[f"addendum:{addendum.pk}"],
        principal=party.pk,
        authorisation=_scan("AGENT-AUTHORISATION-ONLY"),
    )
    assert req.authorisation_sha256
    assert [(i.title, i.pdf_name) for i in assemble(case).items] == before
    assert not any("授权委托书" in c.title for c in candidates(case))
    text = "".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(answer_package(case))).pages)
    assert "AGENT-AUTHORISATION-ONLY" not in "".join(text.split())


def test_the_case_panel_links_the_authorisation_and_the_decided_request(client, case, items, archivist, head, reviewer):
    """Trial of 572f713: the case page's 查阅 panel linked neither the 授权委托书 (for who may
    open it) nor, once a request was decided, the head's decision page."""
    from archive.consultation import Treatment
    from archive.tests.test_consultation import _approve

    req = _agent(case, archivist, [items["plain"]])
    scan_url = reverse("archive:consult_authorisation", args=[req.pk])
    decide = reverse("archive:consult_decide", args=[req.pk])
    for user in (archivist, head):
        client.force_login(user)
        assert scan_url in section_html(client, case, "archive"), user
    client.force_login(reviewer)  # reads the case, may not open the scan: no link
    html = section_html(client, case, "archive")
    assert "李律师" in html and scan_url not in html
    _approve(req, head, {items["plain"]: Treatment("full")})
    client.force_login(head)
    assert f'href="{decide}">查看审批意见' in section_html(client, case, "archive")
    client.force_login(archivist)
    assert decide not in section_html(client, case, "archive")
