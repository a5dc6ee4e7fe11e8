"""The agency's answer package for a reconsideration (《行政复议法》第四十八条: the respondent
submits its written answer with the evidence, the basis and the other materials of the act;
第四十七条: the applicant may consult them) — ONE PDF: cover, catalogue by section, then the
materials, with continuous page numbers stamped at the top right (as the case-file volume,
archive.volume).

The sections, in the article's order, from the items of the case file (archive.casefile.assemble):
1. 证据 (EVIDENCE): the investigation records (第十条 documents: inquiry, inspection, sampling …),
   the evidence attachments, the AV records (each its 音像记录说明 page, 第二十六条: the original
   goes separately);
2. 依据 (BASIS): the legal basis the decision cites, with its facts and evidence text (a page
   generated from the decision);
3. 程序材料 (PROCEDURE): everything that shows how the act was made, in the order it was made —
   case source and 立案审批, 调查终结报告, the 事先告知书 and hearing papers, 案件审批, 法制审核, 集体讨论,
   the decision, enforcement papers, 结案 — each served document followed by the proof of its
   service (送达回证, return receipts: delivery.selectors.proof_attachments), the 罚款缴款凭证 and
   the 送达地址确认书 among them by date.
   Approved addenda (归档后补充, 第二十八条) close it, in the volume's order, each as in the volume:
   its 归档后补充材料 page (title, explanation, requester, the head's approval) followed by its
   scan. An addendum corrects or completes the record of how the act was made (a 送达回证 found
   later, a correction notice) and is part of the sealed file the applicant may consult
   (第四十七条), so the answer submits it; it is not evidence the decision was made on (it
   came after), hence 程序材料, after the materials of the act, titled 归档后补充材料：<title>.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from delivery.selectors import proof_attachments
from documents.fonts import UnprintableText
from documents.registry import DocTypeCode
from documents.rendering import render_html, render_pdf
from review.selectors import decision_of

from . import record_pages
from .casefile import ATTACHMENT, AV_RECORD, Item, assemble, date8, marked
from .volume import add_numbered
from .watermark import NotViewable, image_to_pdf

log = logging.getLogger(__name__)

D = DocTypeCode
EVIDENCE, BASIS, PROCEDURE = "证据", "依据", "程序材料"
SECTIONS = (EVIDENCE, BASIS, PROCEDURE)
# 第十条 (调查取证): the records the decision's facts were found from.
INVESTIGATION = (
    D.INQUIRY,
    D.EVIDENCE_COLLECTION,
    D.INSPECTION,
    D.SAMPLING,
    D.PRESERVATION,
    D.PRESERVATION_DECISION,
    D.COMMISSION,
    D.OTHER_ACTIVITY,
)
# The procedure's steps in the order they are taken: a tie-break among materials of one day.
STEPS = (
    "case_source",
    D.FILING_APPROVAL,
    D.NON_FILING_NOTICE,
    D.ACCEPTANCE_NOTICE,
    D.SUPPLEMENT_NOTICE,
    D.NON_ACCEPTANCE_DECISION,
    "investigation_report",
    D.PENALTY_NOTICE,
    D.HEARING_NOTICE,
    D.HEARING_RECORD,
    D.HEARING_REPORT,
    "review_approval",
    "legal_review",
    "collective_discussion",
    D.PENALTY_DECISION,
    D.NO_PENALTY_DECISION,
    D.LICENCE_GRANT,
    D.LICENCE_REFUSAL,
    D.SERVICE_RECEIPT,
    ATTACHMENT,
    D.ENFORCEMENT_REMINDER,
    "closing_report",
)


class AnswerUnavailable(Exception):
    """No answer package yet: the case has no decision, or its document is not rendered."""


@dataclass
class Part:
    """One entry of the package's catalogue. `group`: its section (SECTIONS); `pages`/`start_page`
    are filled when merged."""

    group: str  # 证据 / 依据 / 程序材料
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


def _part(group: str, item: Item, case: Any) -> Part:
    """The item as a part of `group`, its PDF read (a document, a PDF or image attachment) or
    rendered (a generated record page, an AV record's 音像记录说明); listed with a remark when it
    has none, an AV record with one saying its original goes separately. The remarks begin with
    the item's confidentiality mark (第二十九条第二款: "商业秘密；…"), as the 卷内目录's."""
    src = item.source
    title = f"归档后补充材料：{item.title}" if item.appended else item.title
    part = Part(group, title, item.doc_number, item.date, remarks=item.remarks if item.appended else "")
    if hasattr(src, "original_key"):  # an AV record: its 说明 page (when it has one), the original apart
        part.remarks = f"音像资料（{src.filename or src.pk}），原件另行提交"
    if item.record is not None:
        try:
            part.pdf = record_pages.render(item.record, case)
        except (UnprintableText, PdfReadError, OSError, ValueError) as exc:
            log.warning("case %s: record page %s not rendered for the answer: %r", case.pk, item.title, exc)
            part.remarks = "无法生成，另附"
    elif hasattr(src, "doc_type"):
        if src.is_final:
            part.pdf = _read(src.pdf)
        else:
            part.remarks = "尚未生成PDF"
    elif src is not None and not hasattr(src, "original_key"):
        data = _read(src.file)
        try:
            part.pdf = data if data.startswith(b"%PDF") else image_to_pdf(data)
        except NotViewable:
            part.remarks = item.remarks or "非文档类电子文件，原件另行提交"
    part.remarks = marked(item, part.remarks)
    return part


def _kind(item: Item) -> str:
    """The item's code: its document type, record kind, or ATTACHMENT / AV_RECORD."""
    src = item.source
    if hasattr(src, "original_key"):  # an AV record, its 说明 page or not
        return AV_RECORD
    if item.record is not None:
        return str(item.record.kind)
    if hasattr(src, "doc_type"):
        return str(src.doc_type)
    return ATTACHMENT


def sections(case: Any) -> tuple[list[Item], list[Item]]:
    """The case file's items of the 证据 and the 程序材料 sections (module docstring; the 依据 is a
    page generated from the decision), each in its order; approved addenda end 程序材料."""
    proofs = proof_attachments(case.pk)
    evidence: list[Item] = []
    procedure: list[Item] = []
    served: dict[int, list[Item]] = {}  # document id -> the proofs of its service
    receipts: dict[str, list[Item]] = {}  # document number -> its blank 送达回证 documents
    appended: list[Item] = []  # approved addenda: last (module docstring)
    for item in assemble(case).items:
        kind, src = _kind(item), item.source
        if item.appended:
            appended.append(item)
            continue
        served_doc = proofs.get(src.pk) if kind == ATTACHMENT else None
        if kind in INVESTIGATION or kind == AV_RECORD or (kind == ATTACHMENT and src.pk not in proofs):
            evidence.append(item)
        elif served_doc is not None:
            served.setdefault(served_doc, []).append(item)
        elif kind == D.SERVICE_RECEIPT and isinstance(src.context, dict) and src.context.get("doc_number"):
            receipts.setdefault(src.context["doc_number"], []).append(item)
        else:
            procedure.append(item)
    rank = {code: n for n, code in enumerate(STEPS)}
    procedure = [
        item
        for _, item in sorted(enumerate(procedure), key=lambda p: (p[1].date, rank.get(_kind(p[1]), len(STEPS)), p[0]))
    ]
    ordered: list[Item] = []
    for item in procedure:
        ordered.append(item)
        if hasattr(item.source, "doc_type") and item.record is None:
            ordered += receipts.pop(item.source.number, []) + served.pop(item.source.pk, [])
    for rest in list(receipts.values()) + list(served.values()):  # proofs of documents not in the file
        ordered += rest
    return evidence, ordered + appended


def parts(case: Any) -> list[Part]:
    """The package's parts in order: 证据, 依据, 程序材料 (module docstring). Raises
    AnswerUnavailable when the case has no decision or its document is not yet a PDF."""
    decision = decision_of(case)
    if decision is None or decision.document is None or not decision.document.is_final:
        raise AnswerUnavailable("本案尚无已生成的决定书，无法导出答复材料。")
    evidence, procedure = sections(case)
    doc = decision.document
    basis_html = render_html("archive/consult/answer_basis.html", {"case": case, "decision": decision})
    basis = Part(
        BASIS, "作出决定的事实、证据和法律依据", doc.number, date8(doc.issued_at), pdf=render_pdf(basis_html).pdf
    )
    return [_part(EVIDENCE, i, case) for i in evidence] + [basis] + [_part(PROCEDURE, i, case) for i in procedure]


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
            log.warning("answer item %s did not open: %r", part.title, exc)
            part.remarks = "文件无法打开，原件另附"
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
            "counts": [(name, sum(p.group == name for p in items)) for name in SECTIONS],
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
