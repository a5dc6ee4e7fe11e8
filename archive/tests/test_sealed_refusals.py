"""A write to a sealed case says why (trial issue 16, defect 12; 第二十八条): every write the access
policy refuses because the case is sealed raises one exception (cases.stages.CaseSealed, from
cases.selectors.refuse_if_sealed) that archive.guard.SealedMiddleware answers with 409 and
"该案件已归档（档号 …），不能修改；更正请申请补充材料" — as a page, or as JSON for the API. Who may not
see the case still gets 404. The addendum page on a case not sealed is a 409 naming the way to
correct it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.models import Seal
from avrecords.models import AVRecord
from cases.models import Case, CaseState
from cases.tests.factories import CaseFactory
from documents.models import Document
from records.models import RecordKind
from records.tests.factories import make_record

pytestmark = pytest.mark.django_db

CODE = "0001-XZZF·2026-D30-0007"
SAID = f"该案件已归档（档号 {CODE}），不能修改；更正请申请补充材料。"


def seal_in_place(case, archivist):
    """`case` sealed as archive.sealing.seal leaves it (a Seal row with CODE, then 已归档),
    whatever stage it was in: the refusals need records a real walk to sealing does not make."""
    Seal.objects.create(
        case=case,
        archival_code=CODE,
        score=100,
        description="案卷材料齐全。",
        compiler="档案员",
        checker="检查人",
        sealed_by=archivist,
        sealed_at=timezone.now(),
    )
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(state=CaseState.ARCHIVED, concluded_at=now, archived_at=now)
    case.state = CaseState.ARCHIVED


@pytest.fixture
def sealed(officer, officer2, archivist):
    """A sealed case with a finalised investigation record, a document and an AV record; the
    officer (its lead) is the one who tries to change them."""
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    rec = make_record(RecordKind.INSPECTION, case=case, finalise=True)
    doc = Document.objects.get(case=case)  # the record's, issued on finalising
    av = AVRecord.objects.create(case=case)
    seal_in_place(case, archivist)
    return case, rec, doc, av


def _writes(case, rec, doc, av):
    """The trial's refused writes: (method, url, data)."""
    return [
        ("post", f"/records/{rec.pk}/correct/", {"reason": "笔录中时间有误，予以更正。"}),
        ("get", f"/records/{rec.pk}/edit/", None),
        ("post", f"/av/{av.pk}/describe", {"method": "body_worn"}),
        ("post", f"/documents/{doc.pk}/rerender/", {}),
        ("post", f"/delivery/case/{case.pk}/receipt/", {"document": doc.pk}),
    ]


def test_each_write_on_a_sealed_case_answers_409_naming_the_archival_code(client, sealed, officer):
    client.force_login(officer)
    for method, url, data in _writes(*sealed):
        resp = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert resp.status_code == 409, (url, resp.status_code)
        assert SAID in resp.content.decode(), url


def test_a_stranger_still_gets_404(client, sealed):
    client.force_login(UserFactory(roles=[Role.OFFICER]))  # another department, no assignment
    for method, url, data in _writes(*sealed):
        resp = getattr(client, method)(url, data) if data is not None else client.get(url)
        assert resp.status_code == 404, url
        assert CODE not in resp.content.decode()


def test_the_refusal_is_json_for_a_client_that_accepts_only_json(client, sealed, officer):
    _case, _rec, doc, _av = sealed
    client.force_login(officer)
    resp = client.post(f"/documents/{doc.pk}/rerender/", {}, HTTP_ACCEPT="application/json")
    assert resp.status_code == 409 and resp.json() == {"error": SAID}


def test_the_addendum_page_on_a_case_not_sealed_says_to_correct_it_in_the_case(client, officer, head):
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer)
    for user in (officer, head):
        client.force_login(user)
        resp = client.get(f"/archive/case/{case.pk}/addenda/new/")
        assert resp.status_code == 409
        assert "案件尚未归档，无需申请补充材料；请直接在案件中更正" in resp.content.decode()
    client.force_login(UserFactory(roles=[Role.OFFICER]))
    assert client.get(f"/archive/case/{case.pk}/addenda/new/").status_code == 404


def test_an_invalid_form_posted_to_a_sealed_case_answers_409_first(client, sealed, officer):
    """Issue 16 leftover: the seal's refusal comes before the form is read — an empty (invalid)
    form to a sealed case is a 409 naming the 档号 as a valid one is, never 400 with form errors.
    Every form view that writes the case (linke.http.form_accepted)."""
    case, rec, _doc, av = sealed
    posts = [
        f"/cases/{case.pk}/record/party_add/",
        f"/cases/{case.pk}/record/filing_info/",
        f"/cases/{case.pk}/attachments/",
        f"/delivery/case/{case.pk}/execution/start/",
        f"/review/case/{case.pk}/defence/defence/",
        f"/review/case/{case.pk}/legal-review/",
        f"/review/case/{case.pk}/discussion/",
        f"/review/case/{case.pk}/sign/",
        f"/review/case/{case.pk}/decision/",
        f"/records/case/{case.pk}/new/inspection/",
        f"/records/{rec.pk}/correct/",
        f"/av/{av.pk}/describe",
    ]
    client.force_login(officer)
    answers = {url: client.post(url, {"party-name": "\x00"}) for url in posts}
    wrong = {url: r.status_code for url, r in answers.items() if r.status_code != 409 or SAID not in r.content.decode()}
    assert not wrong
