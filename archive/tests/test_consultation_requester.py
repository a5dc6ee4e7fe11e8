"""第二十九条 consultation: who asks is checked against the case's recorded parties where the
request is entered (trial defect D10: a natural person recorded as 当事人 of a company's case was
accepted). 当事人: one of the parties, by ID number (its kind fitting the ID type) or, for a party
with no number recorded, by exact name. 法定代表人（负责人）: the case has an organisation party,
a resident ID, and the name of a recorded legal representative. 委托代理人: the principal and the
授权委托书 (test_consultation_agent). Other relations: not checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive.consultation import consultation_request, requester_errors
from archive.models import ConsultationRequest
from archive.tests.test_casefile import _pdf
from cases import services
from cases.models import PartyKind
from cases.stages import TransitionError
from cases.tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db

PERSON_ID = "110101199003074514"  # valid 居民身份证号码
OTHER_ID = "110101198506121234"  # valid, another person
X_ID = "11010119900307459X"  # valid, check character X
COMPANY = "91371300MA3C8XY012"  # valid 统一社会信用代码
OTHER_COMPANY = "91371302MA3D2K5P1L"  # valid, another organisation

AS_REP_OR_AGENT = "其工作人员应选择“当事人的法定代表人（负责人）”或“当事人的委托代理人”"


@pytest.fixture
def case(officer, officer2):
    return CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)


@pytest.fixture
def item(case, officer) -> str:
    upload = SimpleUploadedFile("evidence.pdf", _pdf(1), content_type="application/pdf")
    att = services.attachment_add(case=case, file=upload, by=officer, description="证据")
    return f"attachment:{att.pk}"


def _company(case: Any, **over: Any) -> Any:
    fields = {"name": "临沂某某新材料有限公司", "id_number": COMPANY, "legal_rep": "王建国", **over}
    return PartyFactory(case=case, kind=PartyKind.ORGANISATION, **fields)


def _person(case: Any, **over: Any) -> Any:
    fields = {"name": "王小明", "id_number": PERSON_ID, "legal_rep": "", **over}
    return PartyFactory(case=case, kind=PartyKind.PERSON, **fields)


def _request(case: Any, by: Any, item: str, **over: Any) -> ConsultationRequest:
    data = {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": PERSON_ID,
        "relation": "party",
        "purpose": "ordinary",
        "reason": "了解处罚依据。",
        **over,
    }
    return consultation_request(case_id=case.pk, by=by, items=[item], **data)


def _refused(case: Any, by: Any, item: str, match: str, **over: Any) -> None:
    with pytest.raises(TransitionError, match=match):
        _request(case, by, item, **over)
    assert not ConsultationRequest.objects.filter(case=case).exists()


# --- 当事人 ----------------------------------------------------------------------------------


def test_a_person_is_not_the_party_of_a_companys_case_d10(case, item, archivist):
    _company(case)
    _refused(case, archivist, item, AS_REP_OR_AGENT)
    # the company itself, by its credit code and its name as recorded
    req = _request(case, archivist, item, requester_name="临沂某某新材料有限公司", id_type="uscc", id_number=COMPANY)
    assert req.relation == "party" and req.id_number == COMPANY


def test_a_partys_number_under_another_name_is_refused(case, item, archivist):
    """Trial F2-1: the right credit code with a wrong name was recorded as the 当事人."""
    _company(case, name="临沂某某（新材料）有限公司")
    _refused(
        case,
        archivist,
        item,
        "查阅人姓名（名称）与本案当事人登记的“临沂某某（新材料）有限公司”不一致",
        requester_name="张三",
        id_type="uscc",
        id_number=COMPANY,
    )
    # The same name written with half-width brackets and a space is the same name.
    req = _request(case, archivist, item, requester_name="临沂某某(新材料) 有限公司", id_type="uscc", id_number=COMPANY)
    assert req.requester_name == "临沂某某(新材料) 有限公司"


def test_a_party_by_id_number_another_number_refused(case, item, archivist):
    _person(case)
    _refused(case, archivist, item, "查阅人证件号码与本案当事人“王小明”登记的证件号码不一致", id_number=OTHER_ID)
    _refused(case, archivist, item, "查阅人与本案登记的当事人不一致", requester_name="赵六", id_number=OTHER_ID)
    assert _request(case, archivist, item).requester_name == "王小明"


def test_a_lower_case_check_letter_is_the_same_number(case, item, archivist):
    _person(case, id_number=X_ID)
    assert _request(case, archivist, item, id_number=X_ID.lower()).id_number == X_ID


def test_a_company_by_another_credit_code_is_refused(case, item, archivist):
    _company(case)
    _refused(case, archivist, item, "查阅人与本案登记的当事人不一致", id_type="uscc", id_number=OTHER_COMPANY)


def test_a_credit_code_is_not_a_persons_party(case, item, archivist):
    _person(case)
    _refused(case, archivist, item, "本案当事人为自然人", id_type="uscc", id_number=COMPANY)


def test_the_id_type_must_fit_the_matched_partys_kind(case, item, archivist):
    # a person recorded (wrongly) with a credit code: the number matches, the kind does not
    _person(case, id_number=COMPANY)
    _refused(
        case, archivist, item, "本案当事人“王小明”为自然人，证件类型应为居民身份证", id_type="uscc", id_number=COMPANY
    )


def test_a_party_without_a_number_matches_by_exact_name(case, item, archivist):
    _person(case, id_number="")
    _refused(case, archivist, item, "查阅人与本案登记的当事人不一致", requester_name="王小名")
    _refused(
        case, archivist, item, "本案当事人“王小明”为自然人，证件类型应为居民身份证", id_type="uscc", id_number=COMPANY
    )
    assert _request(case, archivist, item, id_number=OTHER_ID).requester_name == "王小明"


def test_a_case_without_parties_has_no_party_to_consult(case, item, archivist):
    _refused(case, archivist, item, "本案未登记当事人")


# --- 法定代表人（负责人） ----------------------------------------------------------------------


def test_legal_rep_needs_an_organisation_party(case, item, archivist):
    _person(case)
    _refused(case, archivist, item, "本案当事人均为自然人", relation="legal_rep", requester_name="王建国")


def test_legal_rep_is_a_recorded_one_with_a_resident_id(case, item, archivist):
    _company(case)
    rep = {"relation": "legal_rep", "requester_name": "王建国"}
    _refused(case, archivist, item, r"法定代表人（负责人）（王建国）不一致", **{**rep, "requester_name": "李四"})
    _refused(case, archivist, item, "居民身份证", **{**rep, "id_type": "uscc", "id_number": COMPANY})
    assert _request(case, archivist, item, **rep).relation == "legal_rep"


def test_legal_rep_of_a_company_with_none_recorded_is_any_name(case, item, archivist):
    _company(case, legal_rep="")
    _company(case, name="另一公司", id_number=OTHER_COMPANY, legal_rep="王建国")
    assert _request(case, archivist, item, relation="legal_rep", requester_name="李四").requester_name == "李四"


# --- the others, and the page --------------------------------------------------------------------


@pytest.mark.parametrize("relation", ["third_party", "other"])
def test_other_relations_are_for_the_head_to_judge(case, item, archivist, relation):
    _company(case)
    assert _request(case, archivist, item, relation=relation, requester_name="李四").relation == relation
    assert requester_errors(case, requester_name="李四", id_type="uscc", id_number=PERSON_ID, relation=relation) == []


def test_the_form_shows_the_refusal_with_everything_typed(client, case, item, archivist):
    company = _company(case)
    client.force_login(archivist)
    url = reverse("archive:consult_new", args=[case.pk])
    assert client.get(url).status_code == 200
    post = {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": PERSON_ID,
        "relation": "party",
        "purpose": "reconsideration",
        "reason": "申请行政复议需要查阅证据。",
        "items": [item],
    }
    resp = client.post(url, post)
    html = resp.content.decode()
    assert resp.status_code == 400 and AS_REP_OR_AGENT in html
    assert 'value="王小明"' in html and PERSON_ID in html and "申请行政复议需要查阅证据。" in html
    assert not ConsultationRequest.objects.exists()
    scan = SimpleUploadedFile("授权委托书.pdf", _pdf(1), content_type="application/pdf")
    resp = client.post(url, {**post, "relation": "agent", "principal": str(company.pk), "authorisation": scan})
    assert resp.status_code == 302 and ConsultationRequest.objects.get().relation == "agent"
