"""Issuing and rendering (eager, in-process): escaping of user text, storage once with its
SHA-256, immutability of a finalised document, re-render of a failed one, the page's progress."""

import hashlib
import io
import os

import pytest
from django.db import DatabaseError, transaction
from pypdf import PdfReader

from audit.models import Entry
from cases.tests.factories import CaseFactory, PartyFactory
from documents.models import Document, DocumentImmutable, DocumentStatus
from documents.registry import DocTypeCode
from documents.services import document_issue, document_render, document_rerender

pytestmark = pytest.mark.django_db


def pdf_text(doc) -> str:
    with doc.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "".join(page.extract_text() for page in reader.pages)


def test_user_text_is_escaped_not_interpreted(django_capture_on_commit_callbacks):
    case = CaseFactory()
    PartyFactory(case=case, name="临沂市蒙山茶业有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type=DocTypeCode.OTHER_ACTIVITY,
            by=case.created_by,
            context={
                "activity": "调阅记录",
                "description": '<b style="color:red">注入</b><img src="file:///etc/passwd">',
            },
        )
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL
    text = pdf_text(doc)
    assert "<b" in text and "注入</b>" in text and "<img" in text
    assert "临沂市蒙山茶业有限公司" in text  # the case's party, from cases.Party


def test_finalised_document_is_stored_once_and_immutable(django_capture_on_commit_callbacks):
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type=DocTypeCode.NON_FILING_NOTICE,
            by=case.created_by,
            context={"party_name": "沂南县某某农业合作社", "reason": "不属于本机关管辖"},
        )
    doc.refresh_from_db()
    with doc.pdf.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == doc.sha256
    assert doc.pdf.name == f"documents/{doc.sha256[:2]}/{doc.sha256}.pdf" and doc.pages == 1
    assert os.stat(doc.pdf.path).st_mode & 0o222 == 0  # read-only on local storage

    with pytest.raises(DocumentImmutable):
        document_rerender(document_id=doc.pk, by=case.created_by)
    assert document_render(document_id=doc.pk).sha256 == doc.sha256  # a repeated task run is a no-op
    doc.context = {"reason": "改动"}
    with pytest.raises(DocumentImmutable):
        doc.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        type(doc).objects.filter(pk=doc.pk).update(context={"reason": "改动"})
    with pytest.raises(DatabaseError), transaction.atomic():
        type(doc).objects.filter(pk=doc.pk).delete()


def test_failed_render_can_be_queued_again(django_capture_on_commit_callbacks):
    case = CaseFactory()
    doc = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, by=case.created_by, context={}, render=False)
    Document.objects.filter(pk=doc.pk).update(status=DocumentStatus.FAILED, error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        document_rerender(document_id=doc.pk, by=case.created_by)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL and doc.error == ""


def test_page_shows_progress_until_final_then_download(client):
    case = CaseFactory()
    doc = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, by=case.created_by, context={}, render=False)
    client.force_login(case.created_by)
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert "排队中" in page and "<progress" in page and doc.number in page
    assert client.get(f"/documents/{doc.pk}/status/").json() == {
        "status": "queued",
        "label": "排队中",
        "progress": 0,
        "error": "",
        "download": None,
    }
    assert client.get(f"/documents/{doc.pk}/download/").status_code == 404  # not rendered yet

    document_render(document_id=doc.pk)
    assert client.get(f"/documents/{doc.pk}/status/").json()["download"] == f"/documents/{doc.pk}/download/"
    resp = client.get(f"/documents/{doc.pk}/download/")
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    assert Entry.objects.filter(action="document.downloaded", object_id=str(doc.pk), actor=case.created_by).count() == 1


def test_a_render_that_fails_is_marked_failed_with_its_reason():
    case = CaseFactory()
    doc = Document.objects.create(
        case=case,
        doc_type="no_such_type",
        year=2026,
        seq=1,
        number="临科无〔2026〕1号",
        title="无此文书",
        issued_by=case.created_by,
    )
    with pytest.raises(LookupError):
        document_render(document_id=doc.pk)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FAILED and "no_such_type" in doc.error and not doc.pdf


def test_a_lost_render_task_can_be_restarted_from_the_page(client, django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    case = CaseFactory()
    doc = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, by=case.created_by, context={}, render=False)
    client.force_login(case.created_by)
    assert "重新生成" not in client.get(f"/documents/{doc.pk}/").content.decode()  # still fresh
    Document.objects.filter(pk=doc.pk).update(issued_at=timezone.now() - dt.timedelta(minutes=30))
    assert "重新生成" in client.get(f"/documents/{doc.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/documents/{doc.pk}/rerender/")
    doc.refresh_from_db()
    assert doc.is_final
    client.post(f"/documents/{doc.pk}/rerender/")  # refused now: the message says so, nothing changes
    assert Document.objects.get(pk=doc.pk).sha256 == doc.sha256


def test_only_who_may_change_the_case_can_queue_a_render_again(client, officer, archivist):
    from accounts.models import Role
    from accounts.tests.factories import DepartmentFactory, UserFactory

    case = CaseFactory(officers=[officer])
    doc = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, by=officer, context={}, render=False)
    Document.objects.filter(pk=doc.pk).update(status=DocumentStatus.FAILED, error="boom")
    outsider = UserFactory(roles=[Role.OFFICER], department=DepartmentFactory(code="ELSEWHERE"))
    url = f"/documents/{doc.pk}/rerender/"
    client.force_login(archivist)
    assert "重新生成" not in client.get(f"/documents/{doc.pk}/").content.decode()
    for user, status in ((outsider, 404), (archivist, 403)):  # the archivist reads cases, never changes them
        client.force_login(user)
        assert client.post(url).status_code == status
        assert Document.objects.get(pk=doc.pk).status == DocumentStatus.FAILED
    assert not Entry.objects.filter(action="document.rerender_queued").exists()
    client.force_login(officer)
    assert "重新生成" in client.get(f"/documents/{doc.pk}/").content.decode()
    assert client.post(url).status_code == 302
    assert Document.objects.get(pk=doc.pk).status != DocumentStatus.FAILED
