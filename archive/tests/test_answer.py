"""The reconsideration answer package (《行政复议法》第四十八条): one PDF — cover, catalogue, the
decision document, its basis, the investigation records and the evidence, with continuous page
numbers — for the head, the legal reviewers and the archivist; audited; 404 for anyone else."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.answer import AnswerUnavailable, answer_package, parts
from archive.audit_actions import AuditAction
from audit.models import Entry
from cases import services
from cases.tests.factories import CaseFactory
from delivery.tests.execution_helpers import decided_case
from documents.registry import DocTypeCode
from documents.rendering import render_pdf
from documents.services import document_issue
from review.selectors import decision_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(head, django_capture_on_commit_callbacks):
    """A decided penalty case with an investigation record, a 2-page evidence scan and a scan
    that will not open."""
    with django_capture_on_commit_callbacks(execute=True):
        case = decided_case(head)
        officer = case.created_by
        document_issue(
            case=case,
            doc_type=DocTypeCode.OTHER_ACTIVITY,
            by=officer,
            context={"activity": "调阅记录", "description": "调阅申报材料原件。"},
        )
    scan = render_pdf("<html><body><p>EVIDENCE-1</p><p style='page-break-before:always'>EVIDENCE-2</p></body></html>")
    services.attachment_add(
        case=case,
        file=SimpleUploadedFile("scan.pdf", scan.pdf, content_type="application/pdf"),
        by=officer,
        description="项目申报书（扫描件）",
    )
    services.attachment_add(
        case=case,
        file=SimpleUploadedFile("broken.pdf", b"%PDF-1.4 truncated", content_type="application/pdf"),
        by=officer,
        description="损坏的扫描件",
    )
    return case


def test_the_package_holds_the_decision_basis_records_and_evidence(case):
    decision = decision_of(case)
    assert decision is not None and decision.document is not None
    groups = [(p.group, p.title) for p in parts(case)]
    assert groups[0] == ("处理决定", decision.document.title)
    assert groups[1][0] == "法律依据"
    assert ("调查取证记录", "调查取证记录") in groups and ("证据材料", "项目申报书（扫描件）") in groups

    data = answer_package(case)
    reader = PdfReader(io.BytesIO(data))
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert "行政复议答复材料" in text and "材料目录" in text
    assert decision.document.number in text
    assert decision.basis.splitlines()[0][:10] in text  # the basis the decision cites
    assert "EVIDENCE-1" in text and "EVIDENCE-2" in text
    flat = text.replace("\n", "")  # table cells wrap
    assert "损坏的扫描件" in flat and "无法打开" in flat and "原件另附" in flat  # listed, with why not merged

    # Continuous page numbers: every merged page bears its number, 1 … N.
    merged = sum(p.pages for p in parts(case) if p.pdf)
    front = len(reader.pages) - merged
    numbers = [(reader.pages[front + i].extract_text() or "").split() for i in range(merged)]
    assert all(str(i + 1) in words for i, words in enumerate(numbers))


def test_who_downloads_it_audited(client, case, archivist, head, reviewer, officer):
    url = reverse("archive:answer_pdf", args=[case.pk])
    for user in (officer, case.created_by, UserFactory(roles=[Role.OFFICER])):
        client.force_login(user)
        assert client.get(url).status_code == 404
    assert not Entry.objects.filter(action=AuditAction.ANSWER_EXPORTED).exists()
    for user in (archivist, head, reviewer):
        client.force_login(user)
        resp = client.get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert resp.content.startswith(b"%PDF")
    entries = Entry.objects.filter(action=AuditAction.ANSWER_EXPORTED, case_id=case.pk)
    assert {e.actor_id for e in entries} == {archivist.pk, head.pk, reviewer.pk}


def test_no_decision_no_package(client, archivist):
    undecided = CaseFactory()
    with pytest.raises(AnswerUnavailable, match="决定书"):
        answer_package(undecided)
    client.force_login(archivist)
    resp = client.get(reverse("archive:answer_pdf", args=[undecided.pk]))
    assert resp.status_code == 409 and "决定书" in resp.content.decode()
