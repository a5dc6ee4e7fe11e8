"""Stored files never run script in the app's origin: inline only for a server-sniffed safe
type, everything else a download of application/octet-stream, and every file response
sandboxed (linke.downloads)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Attachment
from cases.tests.factories import CaseFactory
from documents.registry import DocTypeCode
from linke.downloads import sniff

pytestmark = pytest.mark.django_db

CSP = "sandbox; default-src 'none'"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _upload(client, officer, officer2, name, data, content_type):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    client.force_login(officer)
    resp = client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile(name, data, content_type=content_type), "description": "", "confidentiality": ""},
    )
    assert resp.status_code == 302
    return Attachment.objects.get(case=case)


def _protected(resp):
    assert resp["Content-Security-Policy"] == CSP and resp["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "declared"),
    [("举报材料.html", "text/html"), ("图片.svg", "image/svg+xml"), ("伪装.pdf", "application/pdf")],
)
def test_uploaded_markup_is_never_served_inline(client, officer, officer2, name, declared):
    html = b"<html><body><script>fetch('/cases/')</script></body></html>"
    att = _upload(client, officer, officer2, name, html, declared)
    resp = client.get(att.get_absolute_url() + "?inline=1")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == html
    assert resp["Content-Type"] == "application/octet-stream"
    assert resp["Content-Disposition"].startswith("attachment")
    _protected(resp)


def test_a_real_pdf_is_shown_inline_when_asked(client, officer, officer2):
    att = _upload(client, officer, officer2, "笔录.pdf", b"%PDF-1.7\n%...", "text/html")  # the declared type is ignored
    resp = client.get(att.get_absolute_url() + "?inline=1")
    assert resp["Content-Type"] == "application/pdf" and resp["Content-Disposition"].startswith("inline")
    _protected(resp)
    resp = client.get(att.get_absolute_url())
    assert resp["Content-Disposition"].startswith("attachment")
    _protected(resp)


def test_sniffing():
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"\x00\x00\x00\x20ftypisom") == "video/mp4"
    assert sniff(b"\x00\x00\x00\x20ftypM4A ") == "audio/mp4"
    assert sniff("说明文字".encode(), "说明.txt") == "text/plain"
    assert sniff(b"<html>", "a.htm") == "application/octet-stream"
    assert sniff(b"\xff\xfb\x90\x00") == "audio/mpeg"
    assert sniff(b"\xff\xfe\x00<", "a.txt") == "application/octet-stream"


def test_document_pdf_download_is_protected(client):
    from documents.services import document_issue, document_render

    case = CaseFactory()
    doc = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, by=case.created_by, context={}, render=False)
    document_render(document_id=doc.pk)
    client.force_login(case.created_by)
    resp = client.get(reverse("documents:download", args=[doc.pk]))
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    _protected(resp)
