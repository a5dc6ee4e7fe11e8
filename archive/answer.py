"""The agency's answer package for a reconsideration (《行政复议法》第四十八条: the respondent
submits the written answer with the evidence and basis on which the decision was made; 第四十七条:
the applicant may consult them) — ONE PDF: cover, catalogue, then the decision document, the
legal basis the decision cites, the investigation records and the evidence, with continuous page
numbers stamped at the top right (as the case-file volume, archive.volume).

Contents, in order:
1. the decision document (review.selectors.decision_of(case).document);
2. 法律依据: the basis, facts and evidence text of the decision, as one generated page set;
3. the investigation records (第十条 documents: inquiry, inspection, sampling …, hearing record);
4. the evidence: the case file's attachments that are PDFs or images.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from documents.registry import DocTypeCode
from documents.rendering import render_html, render_pdf
from review.selectors import decision_of

from .casefile import assemble, date8
from .volume import add_numbered
from .watermark import NotViewable, image_to_pdf

D = DocTypeCode
# 第十条 (调查取证) and the hearing record: what the decision's facts were found from.
INVESTIGATION = (
    D.INQUIRY,
    D.EVIDENCE_COLLECTION,
    D.INSPECTION,
    D.SAMPLING,
    D.PRESERVATION,
    D.PRESERVATION_DECISION,
    D.COMMISSION,
    D.OTHER_ACTIVITY,
    D.HEARING_RECORD,
)


class AnswerUnavailable(Exception):
    """No answer package yet: the case has no decision, or its document is not rendered."""


@dataclass
class Part:
    """One entry of the package's catalogue. `pages`/`start_page` are filled when merged."""

    group: str  # 处理决定 / 法律依据 / 调查取证记录 / 证据材料
    title: str
    doc_number: str = ""
    date: str = ""
    pages: int = 0
    start_page: int = 0
    pdf: bytes = b""
    remarks: str = ""


def _read(fieldfile: Any) -> bytes:
    with fieldfile.open("rb") as fh:
        data: bytes = fh.read()
    return data


def parts(case: Any) -> list[Part]:
    """The package's parts in order (module docstring). Raises AnswerUnavailable when the case
    has no decision or its document is not yet a PDF."""
    decision = decision_of(case)
    if decision is None or decision.document is None or not decision.document.is_final:
        raise AnswerUnavailable("本案尚无已生成的决定书，无法导出答复材料。")
    doc = decision.document
    out = [Part("处理决定", doc.title, doc.number, date8(doc.issued_at), pdf=_read(doc.pdf))]
    basis_html = render_html("archive/consult/answer_basis.html", {"case": case, "decision": decision})
    out.append(Part("法律依据", "作出决定的事实、证据和法律依据", doc.number, pdf=render_pdf(basis_html).pdf))
    evidence = []
    for item in assemble(case).items:
        src = item.source
        if hasattr(src, "doc_type"):
            if src.doc_type in INVESTIGATION:
                if src.is_final:
                    out.append(Part("调查取证记录", item.title, item.doc_number, item.date, pdf=_read(src.pdf)))
                else:
                    out.append(Part("调查取证记录", item.title, item.doc_number, item.date, remarks="尚未生成PDF"))
            continue
        if item.record is not None or src._meta.model_name != "attachment":  # 副卷 pages, addenda: not evidence
            continue
        data = _read(src.file)
        try:
            pdf = data if data.startswith(b"%PDF") else image_to_pdf(data)
        except NotViewable:
            evidence.append(Part("证据材料", item.title, date=item.date, remarks=item.remarks or "非文档类电子文件"))
            continue
        evidence.append(Part("证据材料", item.title, date=item.date, pdf=pdf))
    return out + evidence


def answer_package(case: Any) -> bytes:
    """The answer package of `case` as PDF bytes (module docstring). Raises AnswerUnavailable.
    A part whose file will not open stays in the catalogue with a remark saying so."""
    items = parts(case)
    readers: list[PdfReader | None] = []
    page = 1
    for part in items:
        if not part.pdf:
            readers.append(None)
            continue
        try:
            reader = PdfReader(io.BytesIO(part.pdf))
            part.pages = len(reader.pages)
        except (PdfReadError, OSError, ValueError) as exc:
            # Listed, not dropped: the catalogue says the file did not open and goes separately.
            part.remarks = f"文件无法打开（{type(exc).__name__}），原件另附"
            readers.append(None)
            continue
        part.start_page, page = page, page + part.pages
        readers.append(reader)
    total = page - 1
    front_html = render_html(
        "archive/consult/answer_front.html",
        {
            "case": case,
            "parts": items,
            "agency": settings.AGENCY_NAME,
            "total": total,
            "date": date8(timezone.localdate()),
        },
    )
    writer = PdfWriter()
    for p in PdfReader(io.BytesIO(render_pdf(front_html).pdf)).pages:
        writer.add_page(p)
    add_numbered(writer, readers, total)
    writer.add_metadata({"/Title": f"{case.number or case.registration_number} 行政复议答复材料"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
