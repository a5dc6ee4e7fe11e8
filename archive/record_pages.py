"""The 副卷's records that are rows, not documents (DOMAIN.md 第六章: case source, investigation-end
report, legal review, collective discussion, closing report; and the 第十三条 approvals), each
made into a generated PDF page when the volume is rendered (WeasyPrint, the layout and fonts of
documents/pdf/_base.html). archive.casefile lists them as items, in the order of
settings.ARCHIVE_VOLUME_ORDER, under the record-kind codes of `RECORD_PAGES`.

A collector takes the case and returns its `RecordPage`s (none when the case has no such
record): one per row — every 法制审核 and every 集体讨论 is its own item. Collectors read other
apps through their read functions (review.selectors, review.legal, delivery.conclusion) or the
case's own relations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from pypdf import PdfReader

from delivery import selectors as delivery_selectors
from delivery.conclusion import conclusion_of
from documents.rendering import render_html, render_pdf
from documents.services import case_party_names
from review import legal
from review import selectors as review_selectors


@dataclass
class RecordPage:
    """One generated item: `kind` (a RECORD_PAGES code), its title, the template under
    archive/templates/archive/records/, its context, the date it bears (the catalogue's 8-digit
    date), and the row it renders (`source`)."""

    kind: str
    title: str
    date: dt.date
    source: Any
    context: dict[str, Any] = field(default_factory=dict)
    appendix: Any = None  # a stored scan (FieldFile: PDF or image) whose pages follow the page
    # The PDF page_count() rendered to count the page, under the key of what it rendered (its
    # HTML and appendix): the next render() of the same takes it instead of rendering again.
    kept: tuple[str, bytes] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def template(self) -> str:
        return f"archive/records/{self.kind}.html"


def _day(moment: dt.datetime | dt.date) -> dt.date:
    return timezone.localdate(moment) if isinstance(moment, dt.datetime) else moment


def _one(case: Any, name: str) -> Any:
    """The case's one-to-one record `name` (filing, complaint, application), or None."""
    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def case_source(case: Any) -> list[RecordPage]:
    """案件来源登记 (第八条、第九条): how the case came — the filing record's source and cause, a
    complaint's channel and content (the complainant's identity is personal information: the
    page is marked), the registration."""
    filing, complaint = _one(case, "filing"), _one(case, "complaint")
    if filing is None and complaint is None:
        return []
    return [
        RecordPage(
            "case_source",
            "案件来源登记表",
            _day(complaint.received_at if complaint is not None else case.created_at),
            filing or complaint,
            {
                "filing": filing,
                "complaint": complaint,
                "registered": case,
                # 第二十九条第二款: the complainant's identity is personal information.
                "confidentiality": "个人隐私（投诉举报人信息）" if complaint and not complaint.anonymous else "",
            },
        )
    ]


def investigation_report(case: Any) -> list[RecordPage]:
    """调查终结报告: the officers' report that ends the investigation — the draft decision they
    submitted for review (facts, evidence, basis, proposed handling; review.actions.
    decision_save), dated the last submission (第十三条)."""
    decision = review_selectors.decision_of(case)
    if decision is None:
        return []
    rounds = list(case.review_rounds.select_related("submitted_by").order_by("round"))
    submitted = rounds[-1] if rounds else None
    day = _day(submitted.submitted_at if submitted is not None else decision.drafted_at)
    return [
        RecordPage(
            "investigation_report",
            "调查终结报告",
            day,
            decision,
            {"decision": decision, "submitted": submitted, "officers": list(case.officers.all())},
        )
    ]


def review_approval(case: Any) -> list[RecordPage]:
    """案件审批表 (第十三条 审理、审核、批准; 第十六条 the head's signature and its time): every
    review sign-off of the case, returns included, oldest first."""
    rows = review_selectors.review_progress(case).rows
    if not rows:
        return []
    return [RecordPage("review_approval", "案件审批表", _day(rows[-1].signed_at), rows[-1], {"rows": rows})]


def legal_reviews(case: Any) -> list[RecordPage]:
    """法制审核意见 (第十六条; 《行政处罚法》第五十八条): one page per 法制审核 — the situations, the
    seven points of 国办发〔2018〕118号, the opinion and outcome (its sign-off), the reviewer and
    the qualification number."""
    sheet = legal.sheet_of(case)
    return [
        RecordPage(
            "legal_review",
            "法制审核意见书",
            _day(review.signoff.signed_at),
            review,
            {"review": review, "sheet": sheet},
        )
        for review in case.legal_reviews.select_related("signoff", "reviewer").order_by("pk")
    ]


def discussions(case: Any) -> list[RecordPage]:
    """集体讨论记录 (第十六条; 《行政处罚法》第五十七条第二款): one page per discussion, each
    participant's opinion in the order spoken."""
    return [
        RecordPage(
            "collective_discussion",
            "集体讨论记录",
            _day(d.held_at),
            d,
            {"discussion": d, "opinions": list(d.opinions.all())},
        )
        for d in case.discussions.select_related("chair").order_by("held_at", "pk")
    ]


def closing_report(case: Any) -> list[RecordPage]:
    """结案审批表 (结案报告): the ending, its reason, the decision and its service date, the
    head's CONCLUSION sign-off."""
    conclusion = conclusion_of(case)
    if conclusion is None:
        return []
    decision = review_selectors.decision_of(case)
    served_on = None
    if decision is not None and decision.document_id is not None:
        served_on = delivery_selectors.service_date(decision.document_id)
    return [
        RecordPage(
            "closing_report",
            "结案审批表",
            _day(conclusion.signoff.signed_at),
            conclusion,
            {"conclusion": conclusion, "decision": decision, "served_on": served_on},
        )
    ]


# Record-kind code -> (catalogue label, collector). settings.ARCHIVE_VOLUME_ORDER may name these.
RECORD_PAGES: dict[str, tuple[str, Callable[[Any], list[RecordPage]]]] = {
    "case_source": ("案件来源登记", case_source),
    "investigation_report": ("调查终结报告", investigation_report),
    "review_approval": ("案件审批表（审理、审核、批准、决定）", review_approval),
    "legal_review": ("法制审核意见", legal_reviews),
    "collective_discussion": ("集体讨论记录", discussions),
    "closing_report": ("结案审批（结案报告）", closing_report),
}


def addendum_page(addendum: Any, ordinal: int) -> RecordPage:
    """归档后补充材料 (第二十八条; issue 16): the page of an approved addendum — its title, the
    explanation, the requester and the request time, the head's ADDENDUM sign-off (opinion,
    who, when) — followed by its scan when there is one (`appendix`). `ordinal` is its place
    among the approved addenda (1, 2, … without gaps); the request keeps its own number.
    Dated the approval. Not named in ARCHIVE_VOLUME_ORDER: archive.sealing appends it."""
    signoff = addendum.signoff
    scan = addendum.scan if addendum.scan else None
    return RecordPage(
        "addendum",
        "归档后补充材料",
        _day(signoff.signed_at if signoff is not None else addendum.requested_at),
        addendum,
        {
            "addendum": addendum,
            "ordinal": ordinal,
            "signoff": signoff,
            "scan_name": addendum.scan_filename if scan is not None else "",  # as uploaded
        },
        appendix=scan,
    )


AV_PAGE = "av_description"  # the kind of an AV record's 说明 page (not an ARCHIVE_VOLUME_ORDER code)
UNRECORDED = "未记录"  # printed for a 第二十六条 field the record lacks: nothing is invented


def av_description(record: Any, title: str) -> RecordPage:
    """音像记录说明 (第二十六条; 第二十七条): the written description of an AV record, the page of
    its item in the volume (the original goes with the electronic file): file name, kind,
    format, length, SHA-256, 制作方法, 制作时间, 制作人, 证明对象 (for sound the text of what is
    said), when it was stored and, stored late, the reason. A field not recorded prints
    UNRECORDED. No 制作地点: the record has no field for it. Dated as its item (`title`: the
    item's title)."""
    _, dot, ext = (record.filename or "").rpartition(".")
    when = record.made_at or record.started_at or record.created_at
    return RecordPage(
        AV_PAGE,
        f"音像记录说明：{title}",
        _day(when),
        record,
        {
            "record": record,
            "format": ext.upper() if dot and ext else "",
            "length": duration_text(record.duration) if record.duration is not None else "",
            "maker": str(record.maker) if record.maker_id else "",
            "sound": record.kind == "audio",
            "unrecorded": UNRECORDED,
        },
    )


def duration_text(seconds: float) -> str:
    """A recording's length: "65秒" -> "1分5秒", "1小时2分0秒"."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return (f"{hours}小时" if hours else "") + (f"{minutes}分" if hours or minutes else "") + f"{secs}秒"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _with_appendix(pdf: bytes, appendix: Any) -> bytes:
    """`pdf` followed by the pages of `appendix` (a stored PDF, or an image made a page).
    ValueError when the scan is neither; pypdf's PdfReadError for a broken PDF."""
    from pypdf import PdfWriter

    from .watermark import NotViewable, image_to_pdf

    with appendix.open("rb") as fh:
        data = fh.read()
    if not data.startswith(b"%PDF"):
        try:
            data = image_to_pdf(data)
        except NotViewable as exc:
            raise ValueError(str(exc)) from exc
    writer = PdfWriter()
    for source in (pdf, data):
        writer.append(PdfReader(io.BytesIO(source)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render(page: RecordPage, case: Any) -> bytes:
    """The page's PDF (A4, CJK fonts embedded; documents.rendering), then the pages of its
    `appendix` if any. The PDF a page_count() of the same page rendered to count it (the same
    HTML and appendix) is taken instead of rendering again, once: the export of a volume stored
    before its items were marked counts each recorded row's pages, then copies them. Raises
    documents.fonts.UnprintableText for text no font prints; ValueError or
    pypdf.errors.PdfReadError for an appendix that will not open."""
    html = _html(page, case)
    kept, page.kept = page.kept, None
    if kept is not None and kept[0] == _key(html, page):
        return kept[1]
    return _render(html, page)


def _render(html: str, page: RecordPage) -> bytes:
    pdf = render_pdf(html).pdf
    return _with_appendix(pdf, page.appendix) if page.appendix is not None else pdf


def _key(html: str, page: RecordPage) -> str:
    """The cache key of the pages `html` and the page's appendix make: the SHA-256 of the HTML
    and the appendix's stored name (the same HTML and the same stored scan make the same pages)."""
    appendix = page.appendix.name if page.appendix is not None else ""
    return "archive:record-pages:" + hashlib.sha256(f"{html}\0{appendix}".encode()).hexdigest()


PAGE_COUNT_TTL = 30 * 24 * 3600  # seconds a page count is remembered (keyed by the page's HTML)


def page_count(page: RecordPage, case: Any) -> int:
    """The number of pages `render(page, case)` makes, remembered in the cache (_key), so the
    seal page's 卷内目录 shows 页号 without rendering unchanged records again. A page rendered
    to be counted keeps its PDF (`page.kept`) for the next render() of it. Same errors as
    render."""
    html = _html(page, case)
    key = _key(html, page)
    count = cache.get(key)
    if count is None:
        pdf = _render(html, page)
        page.kept = (key, pdf)
        count = len(PdfReader(io.BytesIO(pdf)).pages)
        cache.set(key, count, PAGE_COUNT_TTL)
    return int(count)


def _html(page: RecordPage, case: Any) -> str:
    context = {
        **page.context,
        "doc": {"title": page.title, "number": "", "issued_on": _cn(page.date), "copy": False},
        "case": {
            "number": case.number or "",
            "registration_number": case.registration_number,
            "title": case.title,
            "party_names": case_party_names(case),
        },
        "agency": settings.AGENCY_NAME,
    }
    return render_html(page.template, context)
