"""先行登记保存 (第十条第（六）项, 《行政处罚法》第五十六条): 报请批准 → the head's queue → 批准 /
不予批准 (sign-off rows, notifications both ways), 事后补批 when approved after the act, and the
head's 处理决定 with its document; and commissioning (第（七）项)."""

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import Level, SignOff, SignOffOutcome, SignOffStep
from cases.selectors import cases_awaiting, signoffs_awaiting
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind, Notification
from records.models import Preservation, Record, RecordKind
from records.selectors import attachments_of, preservations_awaiting
from records.services import (
    RecordDenied,
    RecordError,
    RecordIncomplete,
    commission_opinion_record,
    preservation_approve,
    preservation_decide,
    preservation_refuse,
    preservation_request,
    record_finalise,
    record_update,
)
from records.tests.factories import approve, complete_data, make_record

pytestmark = pytest.mark.django_db


def _ahead(hours: int) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


def _planned(**kwargs):
    """A preservation drafted before the act: it is to take place in an hour."""
    data = {**complete_data(RecordKind.PRESERVATION), "started_at": _ahead(1), "ended_at": _ahead(2)}
    return make_record(RecordKind.PRESERVATION, data=data, **kwargs)


def _pdf_text(doc) -> str:
    doc.refresh_from_db()
    with doc.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "")


def _notes(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_request_reaches_the_heads_queue_and_the_approval_notifies_the_officers(head):
    rec = _planned()
    officer = rec.maker
    assert not cases_awaiting(head).filter(pk=rec.case_id).exists()

    request = preservation_request(record_id=rec.pk, by=officer, opinion="账册可能被转移，报请批准先行登记保存。")
    assert (request.step, request.level, request.actor) == (SignOffStep.PRESERVATION, Level.OFFICER, officer)
    # The head's queue: the dashboard's 待我审批, the sign-off selector, the records' queue.
    assert cases_awaiting(head).filter(pk=rec.case_id).exists()
    assert list(signoffs_awaiting(head, SignOffStep.PRESERVATION)) == [request]
    assert [p.pk for p in preservations_awaiting(head)[0]] == [rec.pk]
    assert not signoffs_awaiting(officer, SignOffStep.PRESERVATION).exists()
    [note] = _notes(head)
    assert "报请批准" in note and rec.case.ref in note
    with pytest.raises(RecordError, match="已报请批准"):
        preservation_request(record_id=rec.pk, by=officer, opinion="再次报请")

    approved = preservation_approve(record_id=rec.pk, by=head, opinion="同意先行登记保存，妥善保管。")
    row = SignOff.objects.get(step=SignOffStep.PRESERVATION, level=Level.HEAD)
    assert (row.round, row.outcome, row.actor) == (request.round, SignOffOutcome.AGREE, head)
    assert approved.approval == row and approved.approved_by == head and approved.approved_at == row.signed_at
    assert approved.approval_opinion == "同意先行登记保存，妥善保管。"
    assert not approved.approved_after_act and approved.late_approval_reason == ""
    assert not cases_awaiting(head).filter(pk=rec.case_id).exists()
    assert not preservations_awaiting(head)[0].exists()
    for officer_ in rec.officers.all():
        assert any("已获机关负责人批准" in n for n in _notes(officer_))
    actions = list(Entry.objects.filter(case_id=rec.case_id).values_list("action", flat=True))
    assert "record.preservation_requested" in actions and "record.preservation_approved" in actions


def test_the_head_approves_only_a_request_and_only_as_a_head_who_does_not_handle_the_case(head):
    rec = _planned()
    with pytest.raises(RecordError, match="尚未报请"):
        preservation_approve(record_id=rec.pk, by=head, opinion="同意")
    preservation_request(record_id=rec.pk, by=rec.maker, opinion="报请批准。")
    with pytest.raises(RecordDenied, match="机关负责人"):
        preservation_approve(record_id=rec.pk, by=rec.maker, opinion="同意")
    handling_head = rec.officers.exclude(pk=rec.maker_id).get()
    handling_head.groups.add(*UserFactory(roles=[Role.HEAD]).groups.all())
    with pytest.raises(RecordDenied):
        preservation_approve(record_id=rec.pk, by=handling_head, opinion="同意")
    with pytest.raises(RecordError, match="意见"):
        preservation_approve(record_id=rec.pk, by=head, opinion="  ")
    colleague = UserFactory(department=rec.case.department, roles=[Role.OFFICER])
    other = _planned(case=rec.case)
    with pytest.raises(RecordDenied):  # 报请 is the handling officer's (承办人)
        preservation_request(record_id=other.pk, by=colleague, opinion="报请批准。")


def test_approval_after_the_act_is_late_approval_with_a_reason(head):
    rec = make_record(RecordKind.PRESERVATION)  # preserved three hours ago
    preservation_request(record_id=rec.pk, by=rec.maker, opinion="情况紧急已先行保存，报请补批。")
    with pytest.raises(RecordError, match="事后补批"):
        preservation_approve(record_id=rec.pk, by=head, opinion="同意")
    rec = preservation_approve(record_id=rec.pk, by=head, opinion="同意", late_reason="当事人正在转移账册，情况紧急。")
    rec.refresh_from_db()
    assert rec.approved_after_act and rec.late_approval_reason == "当事人正在转移账册，情况紧急。"
    entry = Entry.objects.filter(case_id=rec.case_id, action="record.preservation_approved_late").get()
    assert json.loads(entry.payload)["late_reason"] == "当事人正在转移账册，情况紧急。"
    assert any("已事后补批" in n for n in _notes(rec.maker))


def test_late_approval_prints_as_such_and_prior_approval_as_prior(head, django_capture_on_commit_callbacks):
    late = make_record(RecordKind.PRESERVATION, approve_by=head)
    prior = _planned(case=late.case)
    preservation_request(record_id=prior.pk, by=prior.maker, opinion="报请批准。")
    preservation_approve(record_id=prior.pk, by=head, opinion="同意")
    # Time passes: the act happens after the approval, and the record is finalised after the act
    # (a record's times are never in the future when it is finalised, linke.validators).
    now = timezone.now()
    approved = now - dt.timedelta(hours=3)
    Record.objects.filter(pk=prior.pk).update(
        started_at=now - dt.timedelta(hours=2), ended_at=now - dt.timedelta(hours=1)
    )
    Preservation.objects.filter(pk=prior.pk).update(approved_at=approved)
    SignOff.objects.filter(case=prior.case, step=SignOffStep.PRESERVATION).update(signed_at=approved)
    with django_capture_on_commit_callbacks(execute=True):
        record_finalise(record_id=late.pk, by=late.maker)
        record_finalise(record_id=prior.pk, by=prior.maker)
    late.refresh_from_db()
    prior.refresh_from_db()

    text = _pdf_text(late.document)
    assert "事后补批" in text and "事后补批理由：情况紧急，当场先行登记保存。" in text
    assert "经本机关负责人" not in text  # never reads as approved beforehand
    text = _pdf_text(prior.document)
    assert f"经本机关负责人{head}于" in text and "事后补批" not in text


def test_refusal_is_a_signoff_notifies_the_officers_and_a_new_request_opens_a_new_round(head):
    rec = _planned()
    first = preservation_request(record_id=rec.pk, by=rec.maker, opinion="报请批准。")
    preservation_refuse(record_id=rec.pk, by=head, opinion="保存理由不充分，请补充。")
    row = SignOff.objects.get(step=SignOffStep.PRESERVATION, level=Level.HEAD)
    assert (row.round, row.outcome, row.opinion) == (first.round, SignOffOutcome.REFUSE, "保存理由不充分，请补充。")
    rec.refresh_from_db()
    assert rec.approved_by is None and rec.approval_request is None
    assert any("未获批准" in n and "保存理由不充分" in n for n in _notes(rec.maker))
    assert not cases_awaiting(head).filter(pk=rec.case_id).exists()
    with pytest.raises(RecordIncomplete, match="机关负责人批准"):
        record_finalise(record_id=rec.pk, by=rec.maker)

    second = preservation_request(record_id=rec.pk, by=rec.maker, opinion="已补充理由，再次报请。")
    assert second.round == first.round + 1
    assert cases_awaiting(head).filter(pk=rec.case_id).exists()


def test_two_records_of_one_case_are_approved_each_on_its_own(head):
    a = _planned()
    b = _planned(case=a.case)
    ra = preservation_request(record_id=a.pk, by=a.maker, opinion="报请批准甲。")
    rb = preservation_request(record_id=b.pk, by=b.maker, opinion="报请批准乙。")
    assert ra.round != rb.round
    preservation_approve(record_id=b.pk, by=head, opinion="同意乙")
    assert [p.pk for p in preservations_awaiting(head)[0]] == [a.pk]
    preservation_approve(record_id=a.pk, by=head, opinion="同意甲")
    assert Preservation.objects.get(pk=a.pk).approval.round == ra.round


def test_finalising_opens_the_7_working_day_deadline_and_the_heads_decision_meets_it(
    head, django_capture_on_commit_callbacks
):
    rec = make_record(RecordKind.PRESERVATION, approve_by=head, finalise=True)
    deadline = Deadline.objects.get(kind=DeadlineKind.EVIDENCE_PRESERVATION, object_id=rec.pk)
    start = timezone.localtime(rec.started_at).date()
    assert timezone.localtime(deadline.due).date() == add_working_days(start, 7).date
    assert deadline.case_id == rec.case_id and deadline.met_at is None
    assert set(deadline.responsible.all()) == {*rec.officers.all(), head}
    assert [p.pk for p in preservations_awaiting(head)[1]] == [rec.pk]

    # 《行政处罚法》第五十六条: the decision needs the head's approval, not an officer's entry.
    with pytest.raises(RecordDenied, match="机关负责人"):
        preservation_decide(record_id=rec.pk, by=rec.maker, outcome="release", detail="解除。")
    with pytest.raises(RecordError, match="决定内容"):
        preservation_decide(record_id=rec.pk, by=head, outcome="release", detail=" ")
    with django_capture_on_commit_callbacks(execute=True):
        decision = preservation_decide(
            record_id=rec.pk, by=head, outcome="release", detail="经核查，解除先行登记保存，退还账册。"
        )
    assert decision.decided_by == head and decision.signoff.level == Level.HEAD
    assert decision.signoff.step == SignOffStep.PRESERVATION and decision.decided_at == decision.signoff.signed_at
    deadline.refresh_from_db()
    assert deadline.met_at == decision.decided_at
    assert decision.document.doc_type == "preservation_decision"
    text = _pdf_text(decision.document)
    assert (
        "先行登记保存物品处理决定书" in text
        and "解除先行登记保存" in text
        and "经核查，解除先行登记保存，退还账册。" in text
    )
    assert rec.document.number in text
    assert any("已作出处理决定" in n for n in _notes(rec.maker))
    assert not preservations_awaiting(head)[1].exists()
    with pytest.raises(RecordError, match="已经作出"):
        preservation_decide(record_id=rec.pk, by=head, outcome="release", detail="再次")


def test_the_decision_needs_a_final_record(head):
    rec = make_record(RecordKind.PRESERVATION, approve_by=head)
    with pytest.raises(RecordError, match="已定稿"):
        preservation_decide(record_id=rec.pk, by=head, outcome="release", detail="x")


def test_commission_opinion_is_recorded_with_its_hashed_file():
    rec = make_record(RecordKind.COMMISSION, finalise=True)
    content = "鉴定意见书：研发费用归集不实。".encode() * 50
    opinion = commission_opinion_record(
        record_id=rec.pk,
        by=rec.maker,
        received_at=timezone.now() - dt.timedelta(hours=1),
        conclusion="研发费用归集不实",
        file=SimpleUploadedFile("鉴定意见书.pdf", content, "application/pdf"),
    )
    [att] = attachments_of(opinion)
    assert att.sha256 == hashlib.sha256(content).hexdigest() and att.case_id == rec.case_id
    with pytest.raises(RecordError, match="已登记"):
        commission_opinion_record(
            record_id=rec.pk,
            by=rec.maker,
            received_at=timezone.now(),
            conclusion="x",
            file=SimpleUploadedFile("b.pdf", b"b"),
        )


def test_changing_an_approved_preservation_voids_the_approval_and_needs_a_new_request():
    head = UserFactory(roles=[Role.HEAD])
    rec = make_record(RecordKind.PRESERVATION, approve_by=head)
    officers = list(rec.officers.all())
    # Saving the same content (what the edit form posts) keeps the approval.
    record_update(
        record_id=rec.pk,
        by=rec.maker,
        data={"place": rec.place},
        officers=officers,
        items=[
            {"name": i.name, "spec": i.spec, "quantity": i.quantity, "sample_mark": i.sample_mark, "remarks": i.remarks}
            for i in rec.items.all()
        ],
    )
    rec.refresh_from_db()
    assert rec.approved_by == head
    record_update(record_id=rec.pk, by=rec.maker, data={}, items=[{"name": "另一台电脑", "quantity": "1台"}])
    rec.refresh_from_db()
    assert rec.approved_by is None and rec.approved_at is None and rec.approval is None
    assert rec.approval_request is None and rec.late_approval_reason == ""
    with pytest.raises(RecordIncomplete, match="机关负责人批准"):
        record_finalise(record_id=rec.pk, by=rec.maker)
    with pytest.raises(RecordError, match="尚未报请"):
        preservation_approve(record_id=rec.pk, by=head, opinion="同意", late_reason="紧急")
    approve(rec, by=rec.maker, head=head)


def test_the_heads_keep_the_decision_period_when_the_officers_change(head):
    """Issue 12 (deadlines follow reassignment) meets the head's 7-working-day 处理决定: changing
    the handling officers hands the period to the new officers and keeps the heads on it."""
    from cases import services as case_services

    rec = make_record(RecordKind.PRESERVATION, approve_by=head)
    record_finalise(record_id=rec.pk, by=rec.maker)
    deadline = Deadline.objects.get(kind=DeadlineKind.EVIDENCE_PRESERVATION, case=rec.case)
    assert head in deadline.responsible.all()
    newcomers = [
        UserFactory(department=rec.case.department, roles=[Role.OFFICER]),
        UserFactory(department=rec.case.department, roles=[Role.OFFICER]),
    ]
    case_services.case_assign_officers(case_id=rec.case_id, officers=newcomers, by=head)
    people = set(deadline.responsible.all())
    assert head in people and set(newcomers) <= people
    assert rec.maker not in people


def test_the_decision_period_follows_when_the_head_level_changes_hands(head, django_capture_on_commit_callbacks):
    """Issue 12: responsibility follows when a sign-off level changes hands — a new head is made
    responsible for the open 处理决定 period, a former head leaves it."""
    rec = make_record(RecordKind.PRESERVATION, approve_by=head)
    record_finalise(record_id=rec.pk, by=rec.maker)
    deadline = Deadline.objects.get(kind=DeadlineKind.EVIDENCE_PRESERVATION, case=rec.case)
    assert head in deadline.responsible.all()
    successor = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        successor.groups.add(*UserFactory(roles=[Role.HEAD]).groups.all())
    with django_capture_on_commit_callbacks(execute=True):
        head.groups.clear()
    people = set(deadline.responsible.all())
    assert successor in people and head not in people
    assert rec.maker in people  # the officers stay
    assert Entry.objects.filter(action="deadline.responsible_changed", case_id=rec.case_id).exists()


def test_one_heads_decision_on_a_request_settles_the_other_heads_bell(head):
    """报请批准 rings every head who may approve (待审批); once one approves or refuses, the
    others' notification is read (kept in the list) and their bell drops; another record's stays."""
    from deadlines.selectors import unread_count

    other_head = UserFactory(roles=[Role.HEAD])
    a = _planned()
    b = _planned(case=a.case)
    preservation_request(record_id=a.pk, by=a.maker, opinion="报请批准甲。")
    preservation_request(record_id=b.pk, by=b.maker, opinion="报请批准乙。")
    assert unread_count(head) == unread_count(other_head) == 2

    preservation_approve(record_id=a.pk, by=head, opinion="同意甲")
    asks = Notification.objects.filter(link=a.get_absolute_url(), text__startswith="待审批")
    assert asks.count() == 2 and not asks.filter(read_at__isnull=True).exists()
    assert unread_count(head) == unread_count(other_head) == 1
    assert Notification.objects.get(user=other_head, read_at__isnull=True).link == b.get_absolute_url()

    preservation_refuse(record_id=b.pk, by=other_head, opinion="理由不充分。")
    assert unread_count(head) == unread_count(other_head) == 0
