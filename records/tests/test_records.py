"""Per record kind (第十条): required elements, draft -> final immutability, the correction
chain, attachment hashing and 404 for outsiders."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import Case, CaseState
from documents.models import DocumentStatus
from records import elements
from records.models import Record, RecordImmutable, RecordItem, RecordKind, RecordStatus
from records.services import (
    RecordError,
    RecordIncomplete,
    record_attach,
    record_correct,
    record_create,
    record_finalise,
    record_update,
)
from records.tests.factories import approve, complete_data, make_record

pytestmark = pytest.mark.django_db
KINDS = list(RecordKind)
# One element per kind that, when blank, must stop finalisation (with its 第十条 label).
ESSENTIAL = {
    RecordKind.INQUIRY: ("transcript", "询问内容（问答）"),
    RecordKind.EVIDENCE_COLLECTION: ("holder_name", "被调取证据的单位或个人"),
    RecordKind.INSPECTION: ("findings", "检查（勘验）情况"),
    RecordKind.SAMPLING: ("witness", "见证人"),
    RecordKind.PRESERVATION: ("reason", "先行登记保存理由（证据可能灭失或者以后难以取得）"),
    RecordKind.COMMISSION: ("body_name", "受托的法定机构"),
    RecordKind.OTHER: ("description", "活动情况的文字记录"),
}


def _approver(kind):
    return UserFactory(roles=[Role.HEAD]) if kind == RecordKind.PRESERVATION else None


@pytest.mark.parametrize("kind", KINDS)
def test_missing_element_blocks_finalisation_and_names_it(kind, django_capture_on_commit_callbacks):
    field, label = ESSENTIAL[kind]
    rec = make_record(kind, data={**complete_data(kind), field: ""}, approve_by=_approver(kind))
    assert [e.label for e in elements.missing(rec)] == [label]
    with pytest.raises(RecordIncomplete) as exc:
        record_finalise(record_id=rec.pk, by=rec.maker)
    assert label in str(exc.value)
    assert Record.objects.get(pk=rec.pk).status == RecordStatus.DRAFT

    record_update(record_id=rec.pk, by=rec.maker, data={field: complete_data(kind)[field]})
    if kind == RecordKind.PRESERVATION:  # changed content needs the head's approval again
        approve(rec, by=rec.maker, head=UserFactory(roles=[Role.HEAD]))
    with django_capture_on_commit_callbacks(execute=True):
        record_finalise(record_id=rec.pk, by=rec.maker)
    rec = Record.objects.select_related("document").get(pk=rec.pk)
    assert rec.status == RecordStatus.FINAL
    assert rec.document.doc_type == kind and rec.document.status == DocumentStatus.FINAL
    assert rec.document.source_id == str(rec.pk)
    actions = list(
        Entry.objects.filter(case_id=rec.case_id, object_id=str(rec.pk), object_type="records.record").values_list(
            "action", flat=True
        )
    )
    assert actions[0] == "record.created" and actions[-1] == "record.finalised"


def test_two_certified_officers_are_required_for_an_inquiry():
    rec = make_record(RecordKind.INQUIRY)
    lone = make_record(RecordKind.INQUIRY, case=rec.case, officers=[rec.maker])
    assert elements.missing(rec) == []
    assert [e.code for e in elements.missing(lone)] == ["officers"]


def test_refused_signature_needs_a_note():
    data = {
        **complete_data(RecordKind.INSPECTION),
        "confirmation": "refused",
        "confirmation_note": "当事人拒绝签名，由见证人赵强见证。",
    }
    assert elements.missing(make_record(RecordKind.INSPECTION, data=data)) == []
    unconfirmed = {**data, "confirmation": "", "confirmation_note": ""}
    assert [e.code for e in elements.missing(make_record(RecordKind.INSPECTION, data=unconfirmed))] == ["confirmation"]


@pytest.mark.parametrize("kind", KINDS)
def test_final_record_is_immutable_everywhere(kind):
    rec = make_record(kind, approve_by=_approver(kind), finalise=True)
    # service
    with pytest.raises(RecordImmutable):
        record_update(record_id=rec.pk, by=rec.maker, data={"place": "改动"})
    # model guard: a plain save of the final record, and of its list
    rec.place = "改动"
    with pytest.raises(RecordImmutable):
        rec.save()
    with pytest.raises(RecordImmutable):
        rec.delete()
    with pytest.raises(RecordImmutable), transaction.atomic():  # the m2m manager's atomic spoils the outer one
        rec.officers.clear()
    if rec.items.exists():
        item = rec.items.first()
        item.name = "改动"
        with pytest.raises(RecordImmutable):
            item.save()
    # the database itself (bypassing the model): base row, kind's row, items
    updates = [
        (Record.objects.filter(pk=rec.pk), {"place": "改动"}),
        (type(rec).objects.filter(pk=rec.pk), {"place": "改动"}),
    ]
    if rec.items.exists():
        updates.append((RecordItem.objects.filter(record_id=rec.pk), {"name": "改动"}))
    for qs, values in updates:
        with pytest.raises(DatabaseError), transaction.atomic():
            qs.update(**values)
    assert Record.objects.get(pk=rec.pk).place == complete_data(kind)["place"]


@pytest.mark.parametrize("kind", KINDS)
def test_correction_is_a_new_linked_record(kind, django_capture_on_commit_callbacks):
    approver = _approver(kind)
    original = make_record(kind, approve_by=approver, finalise=True)
    with pytest.raises(Exception, match="更正原因含有不可见的控制字符"):  # trial S item 1
        record_correct(record_id=original.pk, by=original.maker, reason="开始时间\x00有误")
    fix = record_correct(record_id=original.pk, by=original.maker, reason="开始时间记录有误，应为上午9时")
    assert fix.pk != original.pk and fix.corrects_id == original.pk and fix.status == RecordStatus.DRAFT
    assert fix.kind == kind and fix.party_name == original.party_name
    assert list(fix.officers.all()) == list(original.officers.all())
    assert fix.items.count() == original.items.count()
    with pytest.raises(Exception, match="已有更正记录"):
        record_correct(record_id=original.pk, by=original.maker, reason="再次更正")

    record_update(record_id=fix.pk, by=fix.maker, data={"place": "临沂市兰山区科技大道88号三楼会议室"})
    if approver:
        approve(fix, by=fix.maker, head=approver)
    with django_capture_on_commit_callbacks(execute=True):
        record_finalise(record_id=fix.pk, by=fix.maker)

    original = Record.objects.get(pk=original.pk)
    fix = Record.objects.select_related("document").get(pk=fix.pk)
    assert original.status == RecordStatus.FINAL and original.place == complete_data(kind)["place"]  # kept
    assert original.correction == fix
    assert fix.document.number != original.document.number
    assert fix.document.context["corrects"]["reason"] == "开始时间记录有误，应为上午9时"
    assert Entry.objects.filter(
        object_type="records.record", object_id=str(original.pk), action="record.corrected"
    ).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_attachment_is_hashed_and_refused_after_finalisation(kind):
    rec = make_record(kind, approve_by=_approver(kind))
    content = f"现场照片 {kind}".encode() * 1000
    att = record_attach(
        record_id=rec.pk,
        by=rec.maker,
        file=SimpleUploadedFile("照片.jpg", content, "image/jpeg"),
        description="现场照片",
    )
    assert att.sha256 == hashlib.sha256(content).hexdigest()
    assert att.owner == rec.base() and att.size == len(content)
    with att.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == att.sha256

    record_finalise(record_id=rec.pk, by=rec.maker)
    with pytest.raises(RecordImmutable):
        record_attach(record_id=rec.pk, by=rec.maker, file=SimpleUploadedFile("后补.jpg", b"x"))


@pytest.mark.parametrize("kind", KINDS)
def test_outsiders_get_404(kind, client):
    rec = make_record(kind, approve_by=_approver(kind), finalise=True)
    outsider = UserFactory(roles=[Role.OFFICER])  # another department, not assigned
    client.force_login(outsider)
    for url in (
        f"/records/{rec.pk}/",
        f"/records/{rec.pk}/edit/",
        f"/records/case/{rec.case_id}/",
        f"/documents/{rec.document_id}/",
        f"/documents/{rec.document_id}/download/",
        f"/documents/{rec.document_id}/status/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/records/{rec.pk}/correct/", {"reason": "x"}).status_code == 404
    assert not Record.objects.filter(corrects_id=rec.pk).exists()

    client.force_login(rec.maker)
    assert client.get(f"/records/{rec.pk}/").status_code == 200


def test_services_refuse_outsiders_and_closed_stages():
    rec = make_record(RecordKind.OTHER)
    outsider = UserFactory(roles=[Role.OFFICER])
    with pytest.raises(RecordError, match="无权"):
        record_update(record_id=rec.pk, by=outsider, data={"place": "x"})
    with pytest.raises(RecordError, match="无权"):
        record_create(case_id=rec.case_id, kind=RecordKind.OTHER, by=outsider, data={})
    head = UserFactory(roles=[Role.HEAD])  # may see and write the case, but is no 执法人员
    with pytest.raises(RecordError, match="执法人员"):
        record_create(case_id=rec.case_id, kind=RecordKind.OTHER, by=head, data={})
    Case.objects.filter(pk=rec.case_id).update(state=CaseState.DECIDED)
    with pytest.raises(RecordError, match="已决定"):
        record_finalise(record_id=rec.pk, by=rec.maker)
