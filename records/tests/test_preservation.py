"""先行登记保存 (第十条第（六）项, 《行政处罚法》第五十六条) and commissioning (第（七）项)."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind
from records.models import RecordKind
from records.selectors import attachments_of
from records.services import (
    RecordError,
    RecordIncomplete,
    commission_opinion_record,
    preservation_approve,
    preservation_decide,
    record_finalise,
    record_update,
)
from records.tests.factories import make_record

pytestmark = pytest.mark.django_db


def test_preservation_needs_the_heads_approval():
    rec = make_record(RecordKind.PRESERVATION)
    with pytest.raises(RecordIncomplete, match="机关负责人批准"):
        record_finalise(record_id=rec.pk, by=rec.maker)
    with pytest.raises(RecordError, match="机关负责人"):
        preservation_approve(record_id=rec.pk, by=rec.maker, opinion="同意")
    head = UserFactory(roles=[Role.HEAD])
    preservation_approve(record_id=rec.pk, by=head, opinion="同意先行登记保存")
    record_finalise(record_id=rec.pk, by=rec.maker)
    rec.refresh_from_db()
    assert rec.is_final and rec.approved_by == head
    assert rec.document.context["approved_by"] == str(head)


def test_finalising_opens_the_7_working_day_deadline_and_the_decision_meets_it():
    rec = make_record(RecordKind.PRESERVATION, approve_by=UserFactory(roles=[Role.HEAD]), finalise=True)
    deadline = Deadline.objects.get(kind=DeadlineKind.EVIDENCE_PRESERVATION, object_id=rec.pk)
    start = timezone.localtime(rec.started_at).date()
    assert timezone.localtime(deadline.due).date() == add_working_days(start, 7).date
    assert deadline.case_id == rec.case_id and deadline.met_at is None
    assert set(deadline.responsible.all()) == set(rec.officers.all())

    decided = timezone.now()
    preservation_decide(
        record_id=rec.pk, by=rec.maker, outcome="release", detail="经核查，解除先行登记保存。", decided_at=decided
    )
    deadline.refresh_from_db()
    assert deadline.met_at == decided
    with pytest.raises(RecordError, match="已经作出"):
        preservation_decide(record_id=rec.pk, by=rec.maker, outcome="release", detail="再次")


def test_the_decision_needs_a_final_record():
    rec = make_record(RecordKind.PRESERVATION, approve_by=UserFactory(roles=[Role.HEAD]))
    with pytest.raises(RecordError):
        preservation_decide(record_id=rec.pk, by=rec.maker, outcome="release", detail="x")


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


def test_changing_an_approved_preservation_voids_the_approval():
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
    assert rec.approved_by is None and rec.approved_at is None
    with pytest.raises(RecordIncomplete, match="机关负责人批准"):
        record_finalise(record_id=rec.pk, by=rec.maker)
