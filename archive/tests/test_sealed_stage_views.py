"""A stage's POST to a sealed case (已归档, 第二十八条) answers 409 naming the 档号, from every view
that shows a refused action (linke.http.refusal): the refusal is the seal's, whatever the
service said (a state refusal, the model guard's CaseSealed). Views whose action is allowed on a
sealed case (consultation, addenda, publication) keep their own 400 refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from archive.consultation import candidates
from archive.tests.test_sealed_refusals import CODE, seal_in_place
from cases import services
from cases.models import PartyKind
from cases.stages import CaseSealed, TransitionError
from cases.tests.factories import CaseFactory, PartyFactory
from documents.rendering import render_pdf
from linke.http import refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def sealed(officer, officer2, archivist):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    PartyFactory(case=case, kind=PartyKind.PERSON, name="王小明", id_number="110101199003074514", legal_rep="")
    pdf = render_pdf("<html><body><p>证据</p></body></html>").pdf
    upload = SimpleUploadedFile("evidence.pdf", pdf, content_type="application/pdf")
    services.attachment_add(case=case, file=upload, by=officer, description="证据")
    seal_in_place(case, archivist)
    return case


def _sealed_409(resp) -> None:
    body = resp.content.decode()
    assert resp.status_code == 409, body[:500]
    assert CODE in body and "已归档" in body


def test_the_case_pages_stage_button_on_a_sealed_case_is_409_with_the_code(client, sealed, officer):
    client.force_login(officer)
    url = reverse("cases:action", args=[sealed.pk, "submit_for_review"])
    _sealed_409(client.post(url, {"opinion": "调查终结，提请审查。"}))


def test_the_review_queues_take_on_a_sealed_case_is_409_with_the_code(client, sealed, reviewer):
    client.force_login(reviewer)
    _sealed_409(client.post(reverse("review:take", args=[sealed.pk])))


def test_the_guards_refusal_carries_the_views_case(rf: RequestFactory, sealed, officer):
    request = rf.post("/")
    request.user = officer
    with pytest.raises(CaseSealed) as raised:
        refusal(request, CaseSealed(), sealed)
    assert raised.value.case == sealed
    with pytest.raises(CaseSealed) as raised:  # a state refusal on a sealed case is the seal's
        refusal(request, TransitionError("案件当前处于“已归档”阶段。"), sealed)
    assert raised.value.case == sealed
    assert refusal(request, TransitionError("请填写题名。"), sealed, writes_case=False) == "请填写题名。"


def test_a_consultation_refused_on_a_sealed_case_stays_a_400_on_its_form(client, sealed, archivist):
    client.force_login(archivist)
    post = {
        "requester_name": "李四",  # not the party the number belongs to
        "id_type": "resident_id",
        "id_number": "110101199003074514",
        "relation": "party",
        "purpose": "ordinary",
        "reason": "了解处罚依据。",
        "items": [c.key for c in candidates(sealed)],
    }
    resp = client.post(reverse("archive:consult_new", args=[sealed.pk]), post)
    body = resp.content.decode()
    assert resp.status_code == 400 and "不一致" in body and CODE not in body
