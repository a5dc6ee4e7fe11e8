"""Each document type renders (eager, in-process) into a PDF whose text has the case
number, the party's name and the document number; user text is escaped."""

import io

import pytest
from pypdf import PdfReader

from cases.tests.factories import CaseFactory, PartyFactory
from documents import registry
from documents.models import DocumentStatus
from documents.services import document_issue

pytestmark = pytest.mark.django_db


def pdf_text(doc) -> str:  # noqa: ANN001
    with doc.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "".join(page.extract_text() for page in reader.pages)


def test_user_text_is_escaped_not_interpreted(django_capture_on_commit_callbacks):
    case = CaseFactory()
    PartyFactory(case=case, name="临沂市蒙山茶业有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(case=case, doc_type="other_activity", by=case.created_by, context={
            "activity": "调阅记录", "description": '<b style="color:red">注入</b><img src="file:///etc/passwd">'})
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL
    text = pdf_text(doc)
    assert "<b" in text and "注入</b>" in text and "<img" in text
    assert "临沂市蒙山茶业有限公司" in text  # the case's party, from cases.Party
