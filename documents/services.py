"""Issuing and rendering law-enforcement documents (执法文书).

Public API (other apps call these):

    document_issue(*, case, doc_type, context, by, source=None, render=True, dated=None) -> Document
        Take the next 文号 of `doc_type` for this year (gap-free: inside the caller's
        transaction, a rollback gives the number back), save the document with its
        content frozen and queue the PDF rendering after commit. `context` holds the
        template's keys (documents.registry lists them per type) as plain JSON values;
        user text stays plain text, the template escapes it. `source` is the record the
        document belongs to (any model instance), found again with
        `documents.selectors.documents_for_source(obj)`.
        Raises UnprintableText (a ValueError; Chinese message naming the character and
        the field) when the content holds a character no document font can print, before
        the number is taken: the caller shows the message and the user corrects the text.

    document_rerender(*, document_id, by) -> Document
        Queue a failed render again. A finalised document is refused (DocumentImmutable).

    document_render(*, document_id) -> Document
        The rendering itself (run by documents.tasks.document_render_task).

    document_downloaded(*, document, by) -> None
        Put a read of the PDF on the audit trail (第二十九条: every access is logged).
"""

import datetime as dt
import hashlib
import json
import os
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

import audit
from numbering.services import number_next

from . import fonts, registry
from .audit_actions import AuditAction
from .masking import mask_context
from .models import Document, DocumentImmutable, DocumentStatus
from .rendering import render_html, render_pdf


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def case_party_names(case: Any) -> list[str]:
    """The names of the case's parties (当事人), if the cases app records them."""
    parties = getattr(case, "parties", None)
    if parties is None or not hasattr(parties, "all"):
        return []
    return [str(getattr(p, "name", p)) for p in parties.all()]


def _case_context(case: Any) -> dict[str, Any]:
    return {
        "number": case.number or "",  # 案号 once filed / accepted
        "registration_number": case.registration_number,
        "title": case.title,
        "kind": case.get_kind_display(),
        "summary": case.summary,
        "party_names": case_party_names(case),
    }


@transaction.atomic
def document_issue(
    *,
    case: Any,
    doc_type: str,
    context: dict[str, Any],
    by: Any,
    source: models.Model | None = None,
    render: bool = True,
    dated: dt.date | None = None,
) -> Document:
    """See the module docstring. `dated` is the date the document bears (落款日期): for a
    document made and handed over at the scene, the day of the act recorded in it, not the
    day it was issued in the system; None: the day it is issued."""
    dtype = registry.get(doc_type)
    frozen = _jsonable(context)
    frozen.setdefault("case", _case_context(case))
    frozen.setdefault("agency", settings.AGENCY_NAME)
    if dated is not None:
        frozen["dated"] = dated.isoformat()
    # An issued document never changes: a character no font prints would be a box for good.
    # Refused here, before the number is taken (UnprintableText names character and field).
    fonts.check_context(frozen, registry.FIELD_LABELS)
    year = timezone.localdate().year
    seq = number_next(dtype.counter_scope, year)
    doc = Document.objects.create(
        case=case,
        doc_type=dtype.code,
        year=year,
        seq=seq,
        number=dtype.number(year, seq),
        title=dtype.name,
        context=frozen,
        source_type=source._meta.label_lower if source is not None else "",
        source_id=str(source.pk) if source is not None else "",
        issued_by=by,
    )
    audit.record(
        doc,
        AuditAction.ISSUED,
        actor=by,
        case=case,
        doc_type=dtype.code,
        number=doc.number,
        source=f"{doc.source_type}:{doc.source_id}" if source is not None else "",
    )
    if render:
        from .tasks import document_render_task

        document_render_task.delay_on_commit(doc.pk)
    return doc


@transaction.atomic
def document_rerender(*, document_id: int, by: Any) -> Document:
    doc = Document.objects.select_for_update().get(pk=document_id)
    if doc.status == DocumentStatus.FINAL:
        raise DocumentImmutable(f"文书 {doc.number} 已定稿，不得重新生成")
    doc.status, doc.progress, doc.error = DocumentStatus.QUEUED, 0, ""
    doc.save(update_fields=["status", "progress", "error"])
    audit.record(doc, AuditAction.RERENDER_QUEUED, actor=by, case=doc.case_id, number=doc.number)
    from .tasks import document_render_task

    document_render_task.delay_on_commit(doc.pk)
    return doc


def _progress(document_id: int, progress: int) -> None:
    # Autocommitted so the page's polling sees it; never touches a finalised row.
    Document.objects.filter(pk=document_id, status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING]).update(
        status=DocumentStatus.RENDERING, progress=progress
    )


def make_read_only(key: str) -> None:
    """On local storage the stored PDF is read-only, like the originals (S3: bucket policy)."""
    try:
        path = default_storage.path(key)
    except NotImplementedError:
        return
    os.chmod(path, 0o444)


def storage_key(sha256: str) -> str:
    """Content-addressed: the same PDF twice is one stored object."""
    return f"documents/{sha256[:2]}/{sha256}.pdf"


def render_context(doc: Document, *, masked: bool = False) -> dict[str, Any]:
    """What the template gets: the frozen content and the number. masked=True: the copy's
    (副本) content, identifiers masked (documents.masking), with doc.copy set. The printed date is
    the date the document was given (`dated`, the day of the act for a document handed over at
    the scene), else the day it was issued, local time."""
    dated = doc.context.get("dated")
    issued = dt.date.fromisoformat(dated) if dated else timezone.localtime(doc.issued_at).date()
    content = mask_context(doc.context) if masked else doc.context
    return {
        **content,
        "doc": {
            "number": doc.number,
            "title": doc.title,
            "issued_on": f"{issued.year}年{issued.month}月{issued.day}日",
            "copy": masked,
        },
    }


def _store_pdf(data: bytes) -> tuple[str, str]:
    sha = hashlib.sha256(data).hexdigest()
    key = storage_key(sha)
    # Stored before the transaction that records its key (STYLE.md: files first).
    if not default_storage.exists(key):
        key = default_storage.save(key, ContentFile(data))
        make_read_only(key)
    return key, sha


def document_render(*, document_id: int) -> Document:
    """Render the original and its masked rendition (副本: same number, marked as a copy,
    identifiers masked) together, store both (content-addressed, read-only) and finalise."""
    doc = Document.objects.get(pk=document_id)
    if doc.status == DocumentStatus.FINAL:
        return doc  # rendered already: a repeated task run is a no-op
    _progress(document_id, 10)
    try:
        template = registry.get(doc.doc_type).template
        out = render_pdf(
            render_html(template, render_context(doc)), on_progress=lambda p: _progress(document_id, p * 2 // 3)
        )
        _progress(document_id, 60)
        copy = render_pdf(render_html(template, render_context(doc, masked=True)))
    except Exception as exc:
        _document_fail(document_id, f"{type(exc).__name__}: {exc}")
        raise
    _progress(document_id, 90)
    key, sha = _store_pdf(out.pdf)
    masked_key, masked_sha = _store_pdf(copy.pdf)
    return _document_store(
        document_id,
        key=key,
        sha256=sha,
        size=len(out.pdf),
        pages=out.pages,
        masked_key=masked_key,
        masked_sha256=masked_sha,
        masked_size=len(copy.pdf),
    )


@transaction.atomic
def _document_store(
    document_id: int,
    *,
    key: str,
    sha256: str,
    size: int,
    pages: int,
    masked_key: str = "",
    masked_sha256: str = "",
    masked_size: int = 0,
) -> Document:
    doc = Document.objects.select_for_update().get(pk=document_id)
    if doc.status == DocumentStatus.FINAL:
        return doc  # another run finished first
    doc.pdf.name, doc.sha256, doc.size, doc.pages = key, sha256, size, pages
    doc.masked_pdf.name, doc.masked_sha256, doc.masked_size = masked_key, masked_sha256, masked_size
    doc.status, doc.progress, doc.error, doc.rendered_at = DocumentStatus.FINAL, 100, "", timezone.now()
    doc.save(
        update_fields=[
            "pdf",
            "sha256",
            "size",
            "pages",
            "masked_pdf",
            "masked_sha256",
            "masked_size",
            "status",
            "progress",
            "error",
            "rendered_at",
        ]
    )
    audit.record(
        doc,
        AuditAction.FINALISED,
        case=doc.case_id,
        number=doc.number,
        sha256=sha256,
        pages=pages,
        masked_sha256=masked_sha256,
    )
    return doc


@transaction.atomic
def _document_fail(document_id: int, error: str) -> None:
    doc = Document.objects.select_for_update().get(pk=document_id)
    if doc.status == DocumentStatus.FINAL:
        return
    doc.status, doc.error = DocumentStatus.FAILED, error[:2000]
    doc.save(update_fields=["status", "error"])
    audit.record(doc, AuditAction.RENDER_FAILED, case=doc.case_id, number=doc.number, error=error[:500])


def document_downloaded(*, document: Document, by: Any, rendition: str = "original") -> None:
    """Every download is on the trail, with the rendition served: "original" or "masked"
    (the 副本) and that file's SHA-256 (第二十九条)."""
    sha = document.masked_sha256 if rendition == "masked" else document.sha256
    audit.record(
        document,
        AuditAction.DOWNLOADED,
        actor=by,
        case=document.case_id,
        number=document.number,
        rendition=rendition,
        sha256=sha,
    )
