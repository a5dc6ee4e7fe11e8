"""The addendum path (第二十八条, 可追溯): after sealing, a correction is an addendum requested by
an officer of the case or the archivist and approved (or refused) by the head with an opinion;
an approved one follows the sealed items in the file; the original rows never change."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.models import Addendum, AddendumStatus
from archive.tests.test_sealing import concluded_case, seal_checked, sealed_case
from audit.models import Entry
from cases.models import SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from documents.models import Document
from tests.scans import scan_pdf

pytestmark = pytest.mark.django_db


def _snapshot(case):
    """Every original row the file is made of, as stored."""
    return (
        list(Document.objects.filter(case=case).order_by("pk").values()),
        list(case.attachments.order_by("pk").values()),
        list(case.parties.order_by("pk").values()),
        type(case).objects.filter(pk=case.pk).values().get(),
    )


def test_request_and_approval_append_the_addendum_after_the_sealed_items(head, archivist):
    case = sealed_case(head, archivist)
    before_items = [(i.title, i.source) for i in sealing.assemble(case).items]
    before = _snapshot(case)
    officer = case.created_by
    scan = SimpleUploadedFile("更正说明.pdf", scan_pdf("scan"), content_type="application/pdf")
    row = sealing.addendum_request(
        case_id=case.pk, by=officer, title="补充材料", text="当事人地址笔误，应为沂南县界湖街道。", scan=scan
    )
    assert (row.number, row.status, row.requested_by) == (1, AddendumStatus.PENDING, officer)
    assert row.scan.name.endswith(".pdf")
    assert Entry.objects.filter(case_id=case.pk, action="archive.addendum_requested").exists()
    # Pending: not in the file yet.
    assert [(i.title, i.source) for i in sealing.assemble(case).items] == before_items

    sealing.addendum_scan_viewed(addendum=row, by=head)  # the head approves what he has opened
    row = sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意补充。")
    assert row.status == AddendumStatus.APPROVED
    signoff = SignOff.objects.get(case=case, step=SignOffStep.ADDENDUM)
    assert (signoff.outcome, signoff.opinion, row.signoff) == (SignOffOutcome.AGREE, "同意补充。", signoff)
    assert Entry.objects.filter(case_id=case.pk, action="archive.addendum_approved").exists()
    items = sealing.assemble(case).items
    assert [(i.title, i.source) for i in items[:-1]] == before_items
    assert items[-1].source == row and items[-1].title == "补充材料" and items[-1].number == len(items)
    assert _snapshot(case) == before


def test_refusal_keeps_the_addendum_out_of_the_file(head, archivist):
    case = sealed_case(head, archivist)
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="补充材料", text="补充送达回证照片。")
    row = sealing.addendum_decide(addendum_id=row.pk, by=head, approve=False, opinion="原卷已有回证，不予补充。")
    assert row.status == AddendumStatus.REFUSED
    assert SignOff.objects.get(case=case, step=SignOffStep.ADDENDUM).outcome == SignOffOutcome.REFUSE
    assert Entry.objects.filter(case_id=case.pk, action="archive.addendum_refused").exists()
    assert all(i.source != row for i in sealing.assemble(case).items)
    with pytest.raises(TransitionError, match="不能再次审批"):
        sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="改为同意。")
    # A second addendum is numbered on and decided in its own round.
    second = sealing.addendum_request(case_id=case.pk, by=archivist, title="补充材料", text="补充执行情况说明。")
    assert second.number == 2
    sealing.addendum_decide(addendum_id=second.pk, by=head, approve=True, opinion="同意。")
    assert SignOff.objects.filter(case=case, step=SignOffStep.ADDENDUM).count() == 2


def test_who_may_request_and_decide(head, archivist, reviewer):
    case = concluded_case(head)
    with pytest.raises(TransitionError, match="尚未归档"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title="补充材料", text="x")
    seal_checked(case, by=archivist, description="齐全。")
    stranger = UserFactory(roles=[Role.OFFICER])
    for who in (reviewer, stranger):
        with pytest.raises(TransitionDenied):
            sealing.addendum_request(case_id=case.pk, by=who, title="补充材料", text="x")
    with pytest.raises(TransitionError, match="说明"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title="补充材料", text="  ")
    with pytest.raises(TransitionError, match="题名"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title="  ", text="补充。")
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="补充材料", text="补充。")
    for who in (archivist, case.created_by):
        with pytest.raises(TransitionDenied):
            sealing.addendum_decide(addendum_id=row.pk, by=who, approve=True, opinion="同意。")
    assert Addendum.objects.get(pk=row.pk).status == AddendumStatus.PENDING


def test_the_addendum_pages(client, head, archivist):
    case = sealed_case(head, archivist)
    client.force_login(case.created_by)
    url = reverse("archive:addendum_new", args=[case.pk])
    assert client.get(url).status_code == 200
    resp = client.post(url, {"title": "更正笔误的说明", "text": "更正笔误。"})
    assert resp.status_code == 302
    row = Addendum.objects.get(case=case)
    assert client.get(reverse("archive:addendum_decide", args=[row.pk])).status_code == 404  # not the head
    client.force_login(head)
    page = client.get(reverse("cases:section", args=[case.pk, "archive"]))
    assert (
        "补充材料1" in page.content.decode()
        and reverse("archive:addendum_decide", args=[row.pk]) in page.content.decode()
    )
    resp = client.post(reverse("archive:addendum_decide", args=[row.pk]), {"decision": "agree", "opinion": "同意。"})
    assert resp.status_code == 302
    assert Addendum.objects.get(pk=row.pk).status == AddendumStatus.APPROVED
    resp = client.post(reverse("archive:addendum_decide", args=[row.pk]), {"decision": "agree", "opinion": "再次。"})
    assert resp.status_code == 400 and "不能再次审批" in resp.content.decode()
