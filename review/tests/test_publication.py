"""行政执法公示: the 7-working-day period opened on the decision and met on publishing, the
masked published fields, the public page (no login; only published, current, not withdrawn;
linking nowhere into the application), withdrawal within 3 working days (《行政处罚法》第四十八条),
and 404 for users outside the case's reach.

`decide` (待决定→已决定) is declared on another branch: these tests put a case into 已决定 in a
fixture (state updated, Decision row with decided_at/by, its document issued without rendering)
and send `cases.signals.case_transitioned` as `stages.advance` does. After the merge an
end-to-end test runs the real `decide`."""

import datetime as dt
import itertools
import re

import pytest
from django.utils import timezone

from audit.models import Entry
from cases.models import Case, CaseState, PartyKind
from cases.signals import case_transitioned
from cases.stages import TransitionDenied, TransitionError
from cases.tests.factories import PartyFactory
from cases.tests.pages import section_html
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import local_date
from documents import registry
from documents.models import Document
from documents.registry import DocTypeCode
from documents.services import document_issue
from review.models import DecisionChangeKind, DecisionOutcome, Publication
from review.publication import decision_change_record, mask_person_name, publication_publish, publication_withdraw

from .legal_helpers import PERSON_ID, draft_decision, penalty_case, qualified_reviewer

pytestmark = pytest.mark.django_db


_SEQ = itertools.count(1)


def _decision_document(case, head, decision):
    """The 行政处罚决定书 (its 文号 is what is published). The review branch that builds `decide`
    registers the type; until then a stand-in row with the same shape of number."""
    try:
        registry.get(DocTypeCode.PENALTY_DECISION)
    except LookupError:
        n, year = next(_SEQ), timezone.localdate().year
        return Document.objects.create(
            case=case,
            doc_type=DocTypeCode.PENALTY_DECISION,
            year=year,
            seq=n,
            number=f"临科罚决〔{year}〕{n}号",
            title="行政处罚决定书",
            issued_by=head,
        )
    return document_issue(
        case=case,
        doc_type=DocTypeCode.PENALTY_DECISION,
        context={"facts": decision.facts},
        by=head,
        source=decision,
        render=False,
    )


def decided(head, *, person=True, outcome=DecisionOutcome.PENALTY):
    """A case in 已决定 with its decision (see the module docstring)."""
    case = penalty_case(state=CaseState.PENDING_DECISION)
    case.parties.all().delete() if person else None
    if person:
        PartyFactory(case=case, kind=PartyKind.PERSON, name="张三丰", id_number=PERSON_ID, legal_rep="")
    decision = draft_decision(
        case,
        outcome,
        facts=f"当事人张三丰（身份证号{PERSON_ID}，电话13912345678）在项目申报中提供虚假材料。",
        content="对张三丰罚款人民币伍仟元。",
    )
    decided_at = timezone.now()
    decision.decided_at, decision.decided_by = decided_at, head
    decision.document = _decision_document(case, head, decision)
    decision.save()
    Case.objects.filter(pk=case.pk).update(state=CaseState.DECIDED, decided_at=decided_at)
    case.refresh_from_db()
    case_transitioned.send(
        sender=Case, case=case, from_state=CaseState.PENDING_DECISION, to_state=CaseState.DECIDED, by=head
    )
    return case


def test_decision_opens_the_publication_period_and_publishing_meets_it(head):
    reviewer = qualified_reviewer()
    case = decided(head)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.PUBLICATION)
    expected = add_working_days(local_date(case.decision.decided_at), 7).date
    assert local_date(deadline.due) == expected and deadline.met_at is None
    assert set(deadline.responsible.all()) == {reviewer}  # 法规科 publishes
    pub = publication_publish(case_id=case.pk, by=reviewer)
    deadline.refresh_from_db()
    assert deadline.met_at is not None and deadline.met_at <= deadline.due
    assert Entry.objects.filter(action="deadline.met", case_id=case.pk).exists()
    assert Entry.objects.filter(action="review.published", case_id=case.pk).get().data["decision_number"] == (
        case.decision.document.number
    )
    # A repeated request does not duplicate.
    assert publication_publish(case_id=case.pk, by=reviewer).pk == pub.pk
    assert Publication.objects.filter(case=case).count() == 1


def test_no_penalty_decision_is_not_published(head):
    case = decided(head, outcome=DecisionOutcome.NO_PENALTY_MINOR)
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.PUBLICATION).exists()
    with pytest.raises(TransitionError, match="不予公示"):
        publication_publish(case_id=case.pk, by=qualified_reviewer())


def test_natural_persons_name_and_id_are_masked(head):
    assert mask_person_name("张三丰") == "张**" and mask_person_name("李娜") == "李*"
    case = decided(head)
    pub = publication_publish(case_id=case.pk, by=qualified_reviewer())
    assert pub.party_name == "张**" and pub.party_is_person and pub.credit_code == ""
    assert pub.id_masked == "1101**********002X"
    for text in (pub.facts, pub.content):
        assert "张三丰" not in text and PERSON_ID not in text
    assert "张**" in pub.facts and "1101**********002X" in pub.facts and "139****5678" in pub.facts
    assert pub.decided_on == timezone.localdate() and pub.period_end == pub.period_start + dt.timedelta(days=365)


def test_organisations_name_and_credit_code_are_published(head):
    case = decided(head, person=False)
    party = case.parties.get()
    pub = publication_publish(case_id=case.pk, by=qualified_reviewer())
    assert pub.party_name == party.name and pub.credit_code == party.id_number and pub.legal_rep == party.legal_rep


def test_only_legal_reviewers_publish_and_only_after_the_decision(head):
    case = decided(head)
    with pytest.raises(TransitionDenied, match="法规科"):
        publication_publish(case_id=case.pk, by=case.created_by)
    with pytest.raises(TransitionDenied):
        publication_publish(case_id=case.pk, by=head)
    undecided = penalty_case(state=CaseState.PENDING_DECISION)
    with pytest.raises(TransitionError, match="已决定"):
        publication_publish(case_id=undecided.pk, by=qualified_reviewer())


_LINK = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']*)["']""", re.I)


def _links(html):
    return _LINK.findall(html)


def test_public_page_without_login_lists_only_current_live_publications(client, head):
    reviewer = qualified_reviewer()
    live = publication_publish(case_id=decided(head).pk, by=reviewer)
    withdrawn_case = decided(head, person=False)
    withdrawn = publication_publish(case_id=withdrawn_case.pk, by=reviewer)
    publication_withdraw(publication_id=withdrawn.pk, by=reviewer, reason="发布错误。")
    expired = publication_publish(case_id=decided(head, person=False).pk, by=reviewer)
    Publication.objects.filter(pk=expired.pk).update(
        period_start=timezone.localdate() - dt.timedelta(days=400),
        period_end=timezone.localdate() - dt.timedelta(days=35),
    )
    unpublished = decided(head, person=False)

    resp = client.get("/gongshi/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert live.decision_number in html and "张**" in html
    for absent in (
        withdrawn.decision_number,
        expired.decision_number,
        unpublished.decision.document.number,
        "张三丰",
        PERSON_ID,
    ):
        assert absent not in html
    # Nothing else is reachable: every link stays inside /gongshi/, no site navigation, no assets.
    assert _links(html) and all(u.startswith("/gongshi/") or u.startswith("?") for u in _links(html))
    assert "/cases/" not in html and "/accounts/" not in html and "/static/" not in html

    detail = client.get(f"/gongshi/{live.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "张**" in body and "1101**********002X" in body and "张三丰" not in body and PERSON_ID not in body
    assert all(u.startswith("/gongshi/") for u in _links(body))
    for gone in (withdrawn, expired):
        missing = client.get(f"/gongshi/{gone.pk}/")
        assert missing.status_code == 404 and gone.decision_number not in missing.content.decode()
        assert all(u.startswith("/gongshi/") for u in _links(missing.content.decode()))


def test_public_list_is_paginated(client, head, monkeypatch):
    from review import views_publication

    monkeypatch.setattr(views_publication, "PAGE_SIZE", 2)
    reviewer = qualified_reviewer()
    pubs = [publication_publish(case_id=decided(head, person=False).pk, by=reviewer) for _ in range(3)]
    first = client.get("/gongshi/").content.decode()
    second = client.get("/gongshi/?page=2").content.decode()
    assert pubs[2].decision_number in first and pubs[0].decision_number not in first
    assert pubs[0].decision_number in second and "第 2 / 2 页" in second


def test_revoked_decision_is_withdrawn_within_three_working_days(client, head):
    reviewer = qualified_reviewer()
    case = decided(head)
    pub = publication_publish(case_id=case.pk, by=reviewer)
    with pytest.raises(TransitionDenied):
        decision_change_record(case_id=case.pk, by=reviewer, kind=DecisionChangeKind.REVOKED, reason="复议撤销。")
    with pytest.raises(TransitionError, match="理由"):
        decision_change_record(case_id=case.pk, by=head, kind=DecisionChangeKind.REVOKED, reason="")
    change = decision_change_record(
        case_id=case.pk,
        by=head,
        kind=DecisionChangeKind.REVOKED,
        reason="临沂市人民政府临政复决字〔2026〕8号复议决定撤销。",
    )
    deadline = Deadline.objects.get(kind=DeadlineKind.PUBLICATION_WITHDRAWAL, object_id=pub.pk)
    assert local_date(deadline.due) == add_working_days(local_date(change.recorded_at), 3).date
    assert deadline.article == "《行政处罚法》第四十八条第二款" and reviewer in deadline.responsible.all()
    assert "review.withdrawn" in [i.requirement.code for i in _missing(case)]
    assert pub.decision_number in client.get("/gongshi/").content.decode()

    publication_withdraw(publication_id=pub.pk, by=reviewer, reason="决定已被撤销。")
    deadline.refresh_from_db()
    pub.refresh_from_db()
    assert deadline.met_at is not None and deadline.met_at <= deadline.due and pub.withdrawn_by == reviewer
    assert pub.decision_number not in client.get("/gongshi/").content.decode()
    assert "review.withdrawn" not in [i.requirement.code for i in _missing(case)]
    # A revoked decision is not published again.
    with pytest.raises(TransitionError, match="已被撤销"):
        publication_publish(case_id=case.pk, by=reviewer)


def _missing(case):
    from cases import requirements

    return [i for i in requirements.checklist(case) if i.status == "missing"]


def test_users_outside_the_cases_reach_get_404(client, head, officer):
    reviewer = qualified_reviewer()
    case = decided(head)  # officer belongs to another department
    pub = publication_publish(case_id=case.pk, by=reviewer)
    client.force_login(officer)
    for url in (
        f"/review/case/{case.pk}/sheet/",
        f"/review/case/{case.pk}/legal-review/",
        f"/review/case/{case.pk}/experts/",
        f"/review/case/{case.pk}/discussion/",
        f"/review/case/{case.pk}/decision-change/",
        f"/review/case/{case.pk}/publication/{pub.pk}/withdraw/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/review/case/{case.pk}/publish/").status_code == 404
    assert client.post(f"/review/case/{case.pk}/publication/{pub.pk}/withdraw/", {"reason": "x"}).status_code == 404
    pub.refresh_from_db()
    assert pub.withdrawn_at is None


def test_case_page_offers_publishing_to_the_reviewer(client, head):
    reviewer = qualified_reviewer()
    case = decided(head)
    client.force_login(reviewer)
    html = section_html(client, case, "review")
    assert 'data-panel="review_publication"' in html and "公示决定" in html
    resp = client.post(f"/review/case/{case.pk}/publish/")
    assert resp.status_code == 302 and Publication.objects.filter(case=case, withdrawn_at__isnull=True).count() == 1
    client.force_login(case.created_by)
    assert "公示决定</button>" not in section_html(client, case, "review")
