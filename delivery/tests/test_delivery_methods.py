"""第十八至二十二条 and 《行政处罚法》第六十一条: each method refuses to record a service without each
element its article asks for (omitted in turn, the refusal names the article), and records one
given them all; the announcement's service date; electronic service refused without consent;
attempts failing then succeeding; one success per document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from avrecords.models import AVRecord
from cases.models import Attachment, CaseState, PartyKind
from cases.stages import TransitionDenied, TransitionError
from cases.tests.factories import CaseFactory, PartyFactory
from deadlines.models import Deadline, DeadlineKind
from delivery import actions, selectors
from delivery.methods import COMPLETE, METHODS, START
from delivery.models import (
    AttemptOutcome,
    Carrier,
    DeliveryAttempt,
    DeliveryFile,
    DeliveryMethod,
    PostalKind,
    RecipientRelation,
)
from delivery.tests.helpers import complete_elements, scan, serve
from documents.registry import DocTypeCode
from documents.services import document_issue

pytestmark = pytest.mark.django_db
M = DeliveryMethod


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def a_document(case: Any = None, *, person: bool = False) -> Any:
    """A numbered document of a case with one party (the 不予立案告知书 needs no workflow)."""
    case = case or CaseFactory(state=CaseState.INVESTIGATING)
    if not case.parties.exists():
        PartyFactory(
            case=case,
            **(
                {"kind": PartyKind.PERSON, "name": "王某某", "legal_rep": "", "id_number": "371302198001011239"}
                if person
                else {"name": "临沂市华科新材料有限公司"}
            ),
        )
    return document_issue(
        case=case, doc_type=DocTypeCode.NON_FILING_NOTICE, context={"reason": "x"}, by=case.created_by, render=False
    )


def record(doc: Any, method: str, *, by: Any = None, drop: str = "", **changes: Any) -> DeliveryAttempt:
    by = by or doc.case.created_by
    kw = complete_elements(method, doc, by=by)
    kw.pop(drop, None)
    kw["files"].pop(drop, None)
    kw.update(changes)
    party = doc.case.parties.order_by("pk").first()
    return actions.delivery_record(
        case_id=doc.case_id, by=by, document_id=doc.pk, method=method, party_id=party.pk, **kw
    )


def _required(method: str, phase: str) -> list[str]:
    """The elements of `phase` a complete record of `method` needs (conditional ones as the
    helper's values make them: a witness for a lien, no photo for a notice board)."""
    return [e.name for e in METHODS[method].of_phase(phase) if e.kind != "av" and e.required({"carrier": ""})]


CASES = [(method, name) for method in METHODS for name in _required(method, START)]


@pytest.mark.parametrize(("method", "element"), CASES, ids=[f"{m}-{e}" for m, e in CASES])
def test_each_required_element_omitted_in_turn_is_refused_naming_the_article(method, element):
    doc = a_document()
    if method == M.ELECTRONIC:
        _consent(doc)
    m = METHODS[method]
    label = next(e.label for e in m.elements if e.name == element)
    article = next(e.article for e in m.elements if e.name == element)
    stored = Attachment.objects.filter(case=doc.case).count()  # the consent's scan, if any
    with pytest.raises(TransitionError) as exc:
        record(doc, method, drop=element)
    assert article in str(exc.value) and label in str(exc.value)
    assert not DeliveryAttempt.objects.filter(document=doc).exists()
    assert Attachment.objects.filter(case=doc.case).count() == stored  # nothing stored before the checks


COMPLETE_CASES = [(method, name) for method in METHODS for name in _required(method, COMPLETE)]


@pytest.mark.parametrize(("method", "element"), COMPLETE_CASES, ids=[f"{m}-{e}" for m, e in COMPLETE_CASES])
def test_a_result_element_omitted_is_refused_naming_the_article(method, element):
    """Given some of the result's elements (the return receipt …) but not all: refused."""
    doc = a_document()
    with pytest.raises(TransitionError, match=METHODS[method].article):
        record(doc, method, drop=element)
    later = METHODS[method].of_phase(COMPLETE)
    start_files = complete_elements(method, doc, by=doc.case.created_by)["files"]
    for e in later:
        start_files.pop(e.name, None)
    pending = record(doc, method, files=start_files, **{e.name: None for e in later if e.kind != "file"})
    kw = complete_elements(method, doc, by=doc.case.created_by)
    result = {e.name: kw.get(e.name) for e in METHODS[method].of_phase(COMPLETE) if e.kind != "file"}
    files = {e.name: kw["files"][e.name] for e in METHODS[method].of_phase(COMPLETE) if e.kind == "file"}
    result.pop(element, None)
    files.pop(element, None)
    with pytest.raises(TransitionError, match=METHODS[method].article):
        actions.delivery_complete(attempt_id=pending.pk, by=doc.case.created_by, files=files, **result)
    pending.refresh_from_db()
    assert pending.outcome == AttemptOutcome.PENDING


@pytest.mark.parametrize("method", [m for m in METHODS if m not in (M.ANNOUNCEMENT, M.ELECTRONIC)])
def test_each_method_complete_serves_the_document_with_its_files(method):
    doc = a_document()
    attempt = record(doc, method)
    assert attempt.outcome == AttemptOutcome.SERVED and attempt.served_on == timezone.localdate()
    assert selectors.service_date(doc.pk) == timezone.localdate()
    wanted = {e.name for e in METHODS[method].elements if e.kind == "file" and e.required({"carrier": ""})}
    assert set(DeliveryFile.objects.filter(attempt=attempt).values_list("element", flat=True)) == wanted
    entry = Entry.objects.get(action="delivery.attempt_recorded", object_id=str(attempt.pk))
    data = json.loads(entry.payload)
    assert data["outcome"] == "served" and data["method"] == method


def test_direct_records_seal_deliverers_signer_and_receipt():
    doc = a_document()
    attempt = record(doc, M.DIRECT)
    assert attempt.seal and list(attempt.deliverers.all()) == [doc.case.created_by]
    assert (attempt.recipient_name, attempt.recipient_relation) == ("王建国", RecipientRelation.LEGAL_REP)
    receipt = DeliveryFile.objects.get(attempt=attempt, element="receipt").attachment
    assert receipt.case == doc.case and len(receipt.sha256) == 64


def test_each_delivery_file_is_titled_by_the_document_it_concerns():
    # Trial defect 19: two receipts of one case were both "签收的送达回证（扫描件）" in the 卷内目录.
    doc = a_document()
    other = a_document(doc.case)
    for served in (doc, other):
        record(served, M.DIRECT)
    titles = sorted(
        DeliveryFile.objects.filter(attempt__document__case=doc.case).values_list("attachment__description", flat=True)
    )
    assert titles == sorted(f"送达回证（{d.title} {d.number}）" for d in (doc, other))
    assert titles[0] != titles[1]
    postal = record(a_document(), M.POSTAL)
    by_element = dict(DeliveryFile.objects.filter(attempt=postal).values_list("element", "attachment__description"))
    assert by_element["return_receipt"] == f"邮件回执（{postal.document.title} {postal.document.number}）"


def test_direct_signer_must_fit_the_party_kind():
    org = a_document()
    with pytest.raises(TransitionError, match="第十八条"):
        record(org, M.DIRECT, recipient_relation=RecipientRelation.FAMILY)
    person = a_document(person=True)
    with pytest.raises(TransitionError, match="第十八条"):
        record(person, M.DIRECT, recipient_relation=RecipientRelation.LEGAL_REP)
    assert record(person, M.DIRECT, recipient_relation=RecipientRelation.FAMILY).outcome == AttemptOutcome.SERVED


def test_direct_signer_named_as_legal_rep_or_the_person_must_be_who_the_case_records():
    # 第十八条: "王五（法定代表人）" was accepted for a party whose legal representative is 王建国.
    org = a_document()
    with pytest.raises(TransitionError, match="第十八条.*不是本案登记的当事人法定代表人（王建国）"):
        record(org, M.DIRECT, recipient_name="王五", recipient_relation=RecipientRelation.LEGAL_REP)
    person = a_document(person=True)
    with pytest.raises(TransitionError, match="第十八条.*不是受送达人本人（王某某）"):
        record(person, M.DIRECT, recipient_name="王五", recipient_relation=RecipientRelation.PARTY)
    assert DeliveryAttempt.objects.count() == 0
    served = record(org, M.DIRECT, recipient_name=" 王 建国", recipient_relation=RecipientRelation.LEGAL_REP)
    assert served.outcome == AttemptOutcome.SERVED
    other = record(person, M.DIRECT, recipient_name="王某某", recipient_relation=RecipientRelation.PARTY)
    assert other.outcome == AttemptOutcome.SERVED


def test_deliverers_are_certified_officers():
    doc = a_document()
    clerk = UserFactory(roles=[Role.ARCHIVIST])
    with pytest.raises(TransitionError, match="执法证"):
        record(doc, M.DIRECT, deliverers=[clerk.pk])


def test_dates_not_in_the_future_nor_before_the_document():
    doc = a_document()
    with pytest.raises(TransitionError, match="不能晚于今天"):
        record(doc, M.DIRECT, served_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="不能早于文书制作日期"):
        record(doc, M.DIRECT, served_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="不能晚于当前时间"):
        record(doc, M.DIRECT, delivered_at=timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(TransitionError, match="不能早于文书制作时间"):
        record(doc, M.DIRECT, delivered_at=doc.issued_at - dt.timedelta(hours=2))


# --- 第十九条: postal -----------------------------------------------------------------------------


def test_postal_only_registered_or_ems_and_the_list_names_the_document():
    doc = a_document()
    with pytest.raises(TransitionError, match="挂号信"):
        record(doc, M.POSTAL, postal_kind="courier")
    with pytest.raises(TransitionError, match="第十九条：邮寄清单应载明"):
        record(doc, M.POSTAL, listed_documents="处罚决定书一份")
    assert record(doc, M.POSTAL, postal_kind=PostalKind.REGISTERED).outcome == AttemptOutcome.SERVED


def test_postal_waits_for_the_return_receipt_whose_date_is_the_service_date():
    doc = a_document()
    officer = doc.case.created_by
    attempt = record(
        doc, M.POSTAL, served_on=None, files={k: scan() for k in ("registration", "postage_receipt", "mailing_list")}
    )
    assert attempt.outcome == AttemptOutcome.PENDING and attempt.served_on is None
    assert list(selectors.pending_attempts(doc.case_id)) == [attempt]
    with pytest.raises(TransitionError, match="尚有送达中的记录"):
        record(doc, M.DIRECT)
    done = actions.delivery_complete(
        attempt_id=attempt.pk, by=officer, served_on=timezone.localdate(), files={"return_receipt": scan("回执.pdf")}
    )
    assert done.outcome == AttemptOutcome.SERVED and done.served_on == timezone.localdate()
    assert done.completed_by == officer
    assert Entry.objects.filter(action="delivery.attempt_completed", object_id=str(attempt.pk)).exists()
    with pytest.raises(TransitionError, match="不能重复登记结果"):
        actions.delivery_complete(attempt_id=attempt.pk, by=officer, served_on=timezone.localdate())


def test_returned_letter_fails_with_its_reason_and_another_method_follows():
    doc = a_document()
    officer = doc.case.created_by
    attempt = record(
        doc, M.POSTAL, served_on=None, files={k: scan() for k in ("registration", "postage_receipt", "mailing_list")}
    )
    with pytest.raises(TransitionError, match="原因"):
        actions.delivery_complete(attempt_id=attempt.pk, by=officer, outcome=AttemptOutcome.FAILED)
    actions.delivery_complete(
        attempt_id=attempt.pk, by=officer, outcome=AttemptOutcome.FAILED, failure_reason="查无此人，邮件退回。"
    )
    served = record(doc, M.LIEN)
    rows = list(DeliveryAttempt.objects.filter(document=doc).values_list("method", "outcome", "failure_reason"))
    assert rows == [(M.POSTAL, "failed", "查无此人，邮件退回。"), (M.LIEN, "served", "")]
    assert selectors.service_date(doc.pk) == served.served_on


# --- 第二十条: lien --------------------------------------------------------------------------------


def test_lien_needs_a_witness_or_the_av_record_of_the_process():
    doc = a_document()
    with pytest.raises(TransitionError, match="第二十条") as exc:
        record(doc, M.LIEN, witnesses="")
    assert "见证人" in str(exc.value) and "音像记录" in str(exc.value)
    elsewhere = AVRecord.objects.create(case=CaseFactory(), filename="other.mp4")
    with pytest.raises(TransitionError, match="不属于本案"):
        record(doc, M.LIEN, witnesses="", av_record=elsewhere.pk)
    own = AVRecord.objects.create(case=doc.case, filename="lien.mp4")
    attempt = record(doc, M.LIEN, witnesses="", av_record=own.pk)
    assert attempt.av_record == own and attempt.served_on == timezone.localdate()


# --- 第二十一条: entrusted, transferred ----------------------------------------------------------------


def test_transfer_only_through_the_allowed_units():
    doc = a_document()
    with pytest.raises(TransitionError, match="第二十一条"):
        record(doc, M.TRANSFERRED, organ_kind="admin_organ")
    assert record(doc, M.TRANSFERRED, organ_kind="prison").outcome == AttemptOutcome.SERVED


# --- 第二十二条: announcement ------------------------------------------------------------------------


def test_announcement_served_date_is_publication_plus_the_period_and_a_deadline_runs(settings):
    doc = a_document()
    attempt = record(doc, M.ANNOUNCEMENT)
    published = timezone.localdate()
    assert attempt.outcome == AttemptOutcome.PENDING
    assert attempt.served_on == published + dt.timedelta(days=30)
    deadline = Deadline.objects.get(kind=DeadlineKind.ANNOUNCEMENT, case=doc.case, met_at__isnull=True)
    assert deadline.days == 30
    with pytest.raises(TransitionError, match="期满前不能登记为已送达"):
        actions.delivery_complete(attempt_id=attempt.pk, by=doc.case.created_by)
    settings.DELIVERY_ANNOUNCEMENT_DAYS = 60  # the period before the 2021 amendment: a setting
    assert actions.announcement_served_on(published) == published + dt.timedelta(days=60)


def test_announcement_period_run_completes_it(settings):
    doc = a_document()
    settings.DELIVERY_ANNOUNCEMENT_DAYS = 0
    attempt = record(doc, M.ANNOUNCEMENT)
    assert attempt.outcome == AttemptOutcome.SERVED and attempt.served_on == timezone.localdate()


def test_announcement_at_the_residence_needs_its_photo_or_video():
    doc = a_document()
    files = complete_elements(M.ANNOUNCEMENT, doc, by=doc.case.created_by)["files"]
    files.pop("photo")
    assert record(doc, M.ANNOUNCEMENT, files=dict(files)).carrier == Carrier.NOTICE_BOARD  # no photo needed
    other = a_document()
    with pytest.raises(TransitionError, match="第二十二条第二款.*照片或视频"):
        record(other, M.ANNOUNCEMENT, carrier=Carrier.RESIDENCE, files=dict(files))
    files["photo"] = scan("张贴照片.jpg")
    assert record(other, M.ANNOUNCEMENT, carrier=Carrier.RESIDENCE, files=files).carrier == Carrier.RESIDENCE


# --- 《行政处罚法》第六十一条: electronic --------------------------------------------------------------


def _consent(doc: Any, *, consent: bool = True) -> Any:
    return actions.address_confirm(
        case_id=doc.case_id,
        by=doc.case.created_by,
        party_id=doc.case.parties.first().pk,
        postal_address="临沂市兰山区工业大道18号",
        phone="0539-8123456",
        electronic_consent=consent,
        electronic_address="huake@example.com" if consent else "",
        signed_on=timezone.localdate(),
        scan=scan("送达地址确认书.pdf"),
    )


def test_electronic_refused_without_the_partys_consent():
    doc = a_document()
    with pytest.raises(TransitionError, match="第六十一条.*送达地址确认书"):
        record(doc, M.ELECTRONIC)
    _consent(doc, consent=False)
    with pytest.raises(TransitionError, match="送达地址确认书"):
        record(doc, M.ELECTRONIC)
    with pytest.raises(TransitionError, match="电子送达地址"):
        actions.address_confirm(
            case_id=doc.case_id,
            by=doc.case.created_by,
            party_id=doc.case.parties.first().pk,
            postal_address="x",
            phone="",
            electronic_consent=True,
            electronic_address="",
            signed_on=timezone.localdate(),
            scan=scan(),
        )
    confirmation = _consent(doc)
    attempt = record(doc, M.ELECTRONIC)
    assert attempt.consent == confirmation and attempt.electronic_address == "huake@example.com"
    assert attempt.served_on == timezone.localtime(attempt.delivered_at).date()
    assert DeliveryFile.objects.filter(attempt=attempt, element="evidence").exists()


# --- attempts, one success, the policy ------------------------------------------------------------


def test_a_failed_attempt_keeps_its_reason_then_another_succeeds():
    doc = a_document()
    with pytest.raises(TransitionError, match="原因"):
        record(doc, M.DIRECT, outcome=AttemptOutcome.FAILED)
    failed = record(
        doc,
        M.DIRECT,
        outcome=AttemptOutcome.FAILED,
        failure_reason="受送达人拒绝签收。",
        recipient_name="",
        files={},
    )
    assert failed.outcome == AttemptOutcome.FAILED and failed.served_on is None
    assert selectors.service_date(doc.pk) is None
    served = record(doc, M.LIEN)
    assert served.outcome == AttemptOutcome.SERVED
    assert DeliveryAttempt.objects.get(pk=failed.pk).failure_reason == "受送达人拒绝签收。"


def test_one_success_per_document_a_repeat_is_refused_and_adds_nothing():
    doc = a_document()
    record(doc, M.DIRECT)
    for method in (M.DIRECT, M.POSTAL):
        with pytest.raises(TransitionError, match="不能重复送达"):
            record(doc, method)
    assert DeliveryAttempt.objects.filter(document=doc).count() == 1
    assert Entry.objects.filter(action="delivery.attempt_recorded").count() == 1


def test_only_the_cases_officers_deliver(reviewer, head):
    doc = a_document()
    outsider = UserFactory(roles=[Role.OFFICER])  # another department
    for who in (reviewer, head, outsider):
        with pytest.raises(TransitionDenied):
            record(doc, M.DIRECT, by=who, deliverers=[doc.case.created_by.pk])
    assert not DeliveryAttempt.objects.exists()


def test_a_document_of_another_case_is_refused():
    doc = a_document()
    other = a_document()
    with pytest.raises(TransitionError, match="不属于本案"):
        actions.delivery_record(
            case_id=other.case_id,
            by=other.case.created_by,
            document_id=doc.pk,
            method=M.DIRECT,
            party_id=other.case.parties.first().pk,
            **complete_elements(M.DIRECT, doc, by=other.case.created_by),
        )


def test_serve_helper_serves_on_the_first_party():
    doc = a_document()
    assert serve(doc, by=doc.case.created_by).party == doc.case.parties.first()


def test_files_stored_before_the_titles_are_retitled_except_in_a_sealed_case():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("delivery.migrations.0004_receipt_titles")
    doc, sealed_doc = a_document(), a_document()
    for served in (doc, sealed_doc):
        record(served, M.DIRECT)
    old = DeliveryFile.objects.filter(attempt__document__in=[doc, sealed_doc]).values_list("attachment", flat=True)
    Attachment.objects.filter(pk__in=list(old)).update(description="签收的送达回证（扫描件）")  # as stored before
    now = timezone.now()
    type(sealed_doc.case).objects.filter(pk=sealed_doc.case_id).update(
        state=CaseState.ARCHIVED, concluded_at=now, archived_at=now
    )
    migration.retitle(apps, None)
    titles = dict(
        DeliveryFile.objects.filter(attempt__document__in=[doc, sealed_doc]).values_list(
            "attempt__document", "attachment__description"
        )
    )
    assert titles[doc.pk] == f"送达回证（{doc.title} {doc.number}）"
    assert titles[sealed_doc.pk] == "签收的送达回证（扫描件）"  # a sealed file is fixed (第二十八条)
