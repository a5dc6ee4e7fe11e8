"""The reconsideration answer package (《行政复议法》第四十八条): one PDF — cover, catalogue, the
evidence (investigation records, evidence files), the basis, and the procedure materials (the
decision and the papers of its making and service), with continuous page numbers — for the head,
the legal reviewers and the archivist; audited; 404 for anyone else."""

from __future__ import annotations

import datetime as dt
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
    assert ("证据", "调查取证记录") in groups and ("证据", "项目申报书（扫描件）") in groups
    assert ("依据", "作出决定的事实、证据和法律依据") in groups
    assert ("程序材料", decision.document.title) in groups

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


def test_sections_evidence_basis_and_procedure_as_the_article_asks(head, django_capture_on_commit_callbacks):
    """《行政复议法》第四十八条 (trial defect 10): the receipts and the payment slip are procedure,
    not evidence; the 事先告知书, 立案审批表 and 调查终结报告 are in the package."""
    from delivery import execution as ex
    from delivery.tests.execution_helpers import FINE, TODAY, receipt, served_case

    with django_capture_on_commit_callbacks(execute=True):  # documents rendered on commit
        case = served_case(head)
        officer = case.created_by
        document_issue(  # as cases.initiation_docs issues it when the filing is approved (第八条)
            case=case,
            doc_type=DocTypeCode.FILING_APPROVAL,
            context={"source": "依职权", "cause": "涉嫌提供虚假申报材料", "facts": "经查"},
            by=officer,
            dated=TODAY() - dt.timedelta(days=30),
        )
        ex.execution_start(case_id=case.pk, by=officer, rectification="")
        ex.fine_payment_record(case_id=case.pk, by=officer, amount_yuan=FINE, paid_on=TODAY(), receipt=receipt())
    services.attachment_add(
        case=case,
        file=SimpleUploadedFile("scan.pdf", render_pdf("<p>EVIDENCE</p>").pdf, content_type="application/pdf"),
        by=officer,
        description="项目申报书（扫描件）",
    )
    decision = decision_of(case)
    notice = next(d for d in case.documents.all() if d.doc_type == DocTypeCode.PENALTY_NOTICE)

    got = parts(case)
    groups = [p.group for p in got]
    assert groups == sorted(groups, key=["证据", "依据", "程序材料"].index)  # the article's order
    by_group = {g: [p.title for p in got if p.group == g] for g in ("证据", "依据", "程序材料")}
    assert by_group["证据"] == ["项目申报书（扫描件）"]
    assert by_group["依据"] == ["作出决定的事实、证据和法律依据"]
    procedure = by_group["程序材料"]
    receipt_of = {d: f"送达回证（{d.title} {d.number}）" for d in (notice, decision.document)}
    for title in ("立案审批表", "行政处罚事先告知书", "调查终结报告", decision.document.title, "罚款缴款凭证"):
        assert title in procedure, (title, procedure)
    # Each receipt right after the document it proves served; the 立案审批 before the notice,
    # the notice before the decision, the payment after it.
    for doc, title in receipt_of.items():
        assert procedure[procedure.index(doc.title) + 1] == title, procedure
    order = [procedure.index(t) for t in ("立案审批表", "行政处罚事先告知书", decision.document.title, "罚款缴款凭证")]
    assert order == sorted(order), procedure
    assert all(p.pdf for p in got), [(p.title, p.remarks) for p in got if not p.pdf]

    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(answer_package(case))).pages)
    flat = text.replace("\n", "")
    assert "证据" in flat and "依据" in flat and "程序材料" in flat
    assert "程序材料" in flat.split("材料目录", 1)[1]  # a section heading of the catalogue


def test_an_approved_addendum_closes_the_procedure_section_with_its_page_and_scan(head, archivist):
    """An approved addendum (归档后补充, 第二十八条) is part of the sealed record the answer submits
    (《行政复议法》第四十八条): last in 程序材料, its 归档后补充材料 page then its scan; a pending
    one is not."""
    from archive import sealing
    from archive.tests.test_export_addenda import _add
    from archive.tests.test_sealing import sealed_case

    case = sealed_case(head, archivist)
    scan = render_pdf("<html><body><p>ADDENDUM-SCAN-MARK</p></body></html>").pdf
    upload = SimpleUploadedFile("回证.pdf", scan, content_type="application/pdf")
    _add(case, head, archivist, "补充送达回证", scan=upload)
    sealing.addendum_request(case_id=case.pk, by=archivist, title="未审批的补充", text="待审批。")

    procedure = [p for p in parts(case) if p.group == "程序材料"]
    last = procedure[-1]
    assert last.title == "归档后补充材料：补充送达回证" and last.remarks.startswith("归档后补充第1件")
    assert not any("未审批的补充" in p.title for p in parts(case))
    pages = PdfReader(io.BytesIO(last.pdf)).pages
    assert len(pages) == 2
    assert "补充送达回证" in (pages[0].extract_text() or "") and "ADDENDUM-SCAN-MARK" in (pages[1].extract_text() or "")
    text = "".join("".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(answer_package(case))).pages)
    assert "归档后补充材料：补充送达回证" in text and "ADDENDUM-SCAN-MARK" in text  # catalogue, then the pages
