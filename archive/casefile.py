"""The case file (案卷, 第二十八条) assembled from the case's documents and attachments, in the
order configured in settings.ARCHIVE_VOLUME_ORDER (正卷 then 副卷), with its archival code once
sealed (before sealing the file has none: PENDING_CODE is printed, the volume marked DRAFT_MARK).

档号 (DA/T 22-2015: 全宗号-类别代码·年度-保管期限-机构代码-案卷号), as built here:

    {ARCHIVE_FONDS}-{ARCHIVE_CLASS_CODE[kind]}·{year}-{retention}-{department.code}-{number:04d}

year: the year of conclusion (else of filing, else of registration); retention: Y (永久), D30
(定期30年) or D10 (定期10年) from settings.ARCHIVE_RETENTION; number (案卷号): assigned at sealing
from a gap-free series (numbering.services.number_next) per fonds, class, retention and
department — scope ``archive:{fonds}-{class}-{retention}-{department.code}`` — and year, from 1
each year (archival_series). Not the filing number's N nor the case's id: those collided (a
case filed 2025 No.12 and one filed 2026 No.12, both concluded 2026). E.g.
``0001-XZZF·2026-D30-ZF1-0017``. Seal.archival_code is unique (constraint seal_archival_code_unique).
Each item of the file is that code followed by ``-`` and its 3-digit item number
(``...-0017-003``).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from avrecords.selectors import records_of_case
from cases.models import Confidentiality
from cases.selectors import attachments_of_case
from documents.registry import DocTypeCode
from documents.selectors import documents_of_case

from .confidentiality import item_confidentiality
from .record_pages import AV_PAGE, RECORD_PAGES, RecordPage, av_description, duration_text
from .selectors import seal_of

# Record kinds the order may name besides document types: the case's evidence files, its AV
# records (音像记录, 第二十六条: each item a generated 音像记录说明 page, the original goes with
# the electronic file),
# and the records that are rows, made into generated pages (archive.record_pages: case source,
# investigation-end report, approvals, legal review, collective discussion, closing report).
ATTACHMENT = "attachment"
AV_RECORD = "av_record"
RECORD_KINDS = {
    ATTACHMENT: "证据材料",
    AV_RECORD: "音像记录",
    **{code: label for code, (label, _) in RECORD_PAGES.items()},
}
MAIN, SUBSIDIARY = "正卷", "副卷"
RETENTION_LABELS = {"Y": "永久", "D30": "30年", "D10": "10年"}
PENDING_CODE = "（归档时编号）"  # printed where the 档号 goes before sealing assigns it
DRAFT_MARK = "未归档（草稿）"  # on the cover and every page of a volume before sealing
# A 档号 as archival_code writes it: the parts before and after the year, and the 案卷号.
_CODE = re.compile(r"^(?P<head>[^·]+)·(?P<year>\d{4})-(?P<tail>.+)-(?P<number>\d+)$")


@dataclass
class Item:
    """One entry of the 卷内目录. `pages` is 0 for what is not (yet) a PDF; `source` is the
    Document, Attachment, AV record or recorded row; `record` the generated page of a row or the
    音像记录说明 of an AV record (rendered with the volume), else None. `secrecy`: the item's
    confidentiality mark (cases.models.Confidentiality code, "" none; 第二十九条第二款), also
    at the head of its remarks (_mark)."""

    volume: str  # 正卷 / 副卷
    number: int = 0  # 件号, from 1, without gaps
    # 责任者: the agency (settings.AGENCY_NAME), for every item — documents, evidence, generated
    # record pages and approved addenda alike.
    responsible: str = field(default_factory=lambda: settings.AGENCY_NAME)
    doc_number: str = ""  # 文号
    title: str = ""
    date: str = ""  # YYYYMMDD
    pages: int = 0
    start_page: int = 0  # first page in the volume's continuous numbering; 0 when not merged
    remarks: str = ""
    pdf_name: str = ""  # storage name of the PDF to merge; "" when none
    source: Any = None
    record: RecordPage | None = None
    appended: bool = False  # an approved addendum, appended after sealing (archive.sealing)
    secrecy: str = ""

    @property
    def secrecy_label(self) -> str:
        """The mark in Chinese ("商业秘密"); "" for an item without one."""
        return Confidentiality(self.secrecy).label if self.secrecy else ""

    @property
    def page_range(self) -> str:
        """The 页号 column of the 卷内目录: "5", "5-7", or "" while the item has no pages."""
        if not (self.pages and self.start_page):
            return ""
        end = self.start_page + self.pages - 1
        return f"{self.start_page}-{end}" if end > self.start_page else str(self.start_page)


@dataclass
class CaseFile:
    """The assembled case file. `missing`: Chinese messages for items that cannot go into
    the volume yet (a document not rendered); the volume is refused while it is not empty."""

    case: Any
    fonds: str
    agency: str
    category: str
    title: str
    retention: str  # code: Y / D30 / D10
    code: str  # 档号 as assigned at sealing (archive.sealing.seal, the Seal row); "" before it
    items: list[Item] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        """Not sealed yet: the volume is a draft (未归档（草稿）) and has no 档号 (第二十八条)."""
        return not self.code

    @property
    def code_label(self) -> str:
        """The 档号 as printed: the assigned code, or PENDING_CODE before sealing."""
        return self.code or PENDING_CODE

    @property
    def retention_label(self) -> str:
        return RETENTION_LABELS.get(self.retention, self.retention)

    @property
    def start_date(self) -> str:
        """The cover's 起 date: the earliest date of the case's own items (addenda excluded)."""
        return min((i.date for i in self.items if not i.appended), default="")

    @property
    def end_date(self) -> str:
        """The cover's 止 date: the latest date of the case's own items. An addendum approved
        after sealing does not move it (the case ended when it ended; 第二十八条)."""
        return max((i.date for i in self.items if not i.appended), default="")

    @property
    def addenda(self) -> list[Item]:
        """The approved addenda appended after sealing, in the volume's order."""
        return [i for i in self.items if i.appended]

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def page_count(self) -> int:
        return sum(i.pages for i in self.items)


def date8(value: dt.date | dt.datetime) -> str:
    """A date as the catalogue writes it: 8 digits, YYYYMMDD (local date for a datetime)."""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.strftime("%Y%m%d")


def volume_order(kind: str) -> dict[str, list[str]]:
    """settings.ARCHIVE_VOLUME_ORDER[kind], checked: ImproperlyConfigured for an unknown kind or
    code (a typo would silently drop documents to the end)."""
    try:
        order = settings.ARCHIVE_VOLUME_ORDER[kind]
    except KeyError:
        raise ImproperlyConfigured(f"ARCHIVE_VOLUME_ORDER 未配置案件类别 {kind}") from None
    known = set(DocTypeCode.values) | set(RECORD_KINDS)
    for volume in (MAIN, SUBSIDIARY):
        for code in order.get(volume, []):
            if code not in known:
                raise ImproperlyConfigured(f"ARCHIVE_VOLUME_ORDER[{kind}][{volume}] 含未知代码 {code}")
    return {MAIN: list(order.get(MAIN, [])), SUBSIDIARY: list(order.get(SUBSIDIARY, []))}


def _code_parts(case: Any) -> tuple[str, int, str]:
    """The 档号's parts around its year: ("{fonds}-{class}", year, "{retention}-{department}")."""
    when = case.concluded_at or case.filed_at or case.created_at
    fonds_class = f"{settings.ARCHIVE_FONDS}-{settings.ARCHIVE_CLASS_CODE.get(case.kind, case.kind.upper())}"
    return fonds_class, timezone.localdate(when).year, f"{settings.ARCHIVE_RETENTION[case.kind]}-{case.department.code}"


def archival_series(case: Any) -> tuple[str, int]:
    """(scope, year) of the number series the case's 案卷号 is taken from at sealing
    (archive.sealing.seal, numbering.services.number_next): scope
    ``archive:{fonds}-{class}-{retention}-{department.code}``, the 档号 without its year and
    number; year the 档号's year — of conclusion, else of filing, else of registration (local
    date). E.g. ``("archive:0001-XZZF-D30-ZF1", 2026)``."""
    fonds_class, year, rest = _code_parts(case)
    return f"archive:{fonds_class}-{rest}", year


def archival_code(case: Any, number: int) -> str:
    """The 档号 (DA/T 22-2015, the format of the module docstring) of the case file with
    案卷号 `number` (≥ 1, printed with at least 4 digits), the next number of
    archival_series(case): archive.sealing.seal takes the number and records the code in the
    Seal row (第二十八条). Not shown before sealing: an assembled file carries the recorded code
    (assemble). series_of_code(archival_code(case, n)) == (*archival_series(case), n)."""
    fonds_class, year, rest = _code_parts(case)
    return f"{fonds_class}·{year}-{rest}-{number:04d}"


def series_of_code(code: str) -> tuple[str, int, int] | None:
    """(scope, year, number) of a recorded 档号, as archival_series and archival_code make them
    (``"0001-XZZF·2026-D30-ZF1-0017"`` → ``("archive:0001-XZZF-D30-ZF1", 2026, 17)``); None for
    a code of another shape. The 0014 migration seeds each series' counter from the Seal rows
    made before the series existed."""
    match = _CODE.match(code)
    if match is None:
        return None
    return f"archive:{match['head']}-{match['tail']}", int(match["year"]), int(match["number"])


def _document_item(doc: Any, volume: str) -> Item:
    dated = doc.context.get("dated") if isinstance(doc.context, dict) else None
    day = dt.date.fromisoformat(dated) if dated else timezone.localdate(doc.issued_at)
    return Item(
        volume=volume,
        doc_number=doc.number,
        title=doc.title,
        date=date8(day),
        pages=doc.pages if doc.is_final else 0,
        pdf_name=doc.pdf.name if doc.is_final else "",
        source=doc,
    )


def _attachment_item(att: Any, volume: str) -> Item:
    is_pdf = att.mime_type == "application/pdf" or att.original_name.lower().endswith(".pdf")
    return Item(
        volume=volume,
        title=att.description or att.original_name,
        date=date8(att.uploaded_at),
        remarks="" if is_pdf else f"电子文件（{att.mime_type or '未知类型'}），原件随电子档案移交",
        pdf_name=att.file.name if is_pdf else "",
        source=att,
    )


def _av_item(record: Any, volume: str) -> Item:
    """An AV record (音像记录) as an item: its generated 音像记录说明 page (第二十六条: the written
    description, record_pages.av_description), titled by its file name without the extension,
    dated its 制作时间 (else the start of recording, else receipt), the format and length (when
    probed) in the remarks, e.g. "音像记录（MP4，时长1分5秒），原件随电子档案移交"; the original is
    in the bag (archive.export, data/media/)."""
    stem, dot, ext = (record.filename or "").rpartition(".")
    title = (stem if dot else record.filename) or f"音像记录{record.pk}"
    about = [ext.upper() if dot and ext else "格式未知"]
    if record.duration is not None:
        about.append(f"时长{duration_text(record.duration)}")
    return Item(
        volume=volume,
        title=title,
        date=date8(record.made_at or record.started_at or record.created_at),
        remarks=f"音像记录（{'，'.join(about)}），原件随电子档案移交",
        source=record,
        record=av_description(record, title),
    )


def _record_item(page: RecordPage, volume: str) -> Item:
    return Item(
        volume=volume,
        title=page.title,
        date=date8(page.date),
        remarks="据系统记录生成",
        source=page.source,
        record=page,
    )


def item_key(source: Any, kind: str = "") -> str:
    """The stable key of an item's record: "doc:<pk>", "att:<pk>", "add:<pk>" (an addendum);
    a generated record page (`kind`, a record_pages.RECORD_PAGES code) "rec:<kind>:<pk>" — its
    rows are of several models whose primary keys overlap, so the kind is part of the key; any
    other record (an AV record) "x:<app.model>:<pk>"."""
    prefix = {"document": "doc", "attachment": "att", "addendum": "add"}.get(source._meta.model_name)
    if prefix is None:
        return f"rec:{kind}:{source.pk}" if kind else f"x:{source._meta.label_lower}:{source.pk}"
    return f"{prefix}:{source.pk}"


def key_of(item: Item) -> str:
    """The key of a catalogue item (item_key of its source and record kind): the archivist's
    arrangement (ItemArrangement) and the sealed catalogue (Seal.catalogue) name items by it;
    "" for an item without a source."""
    if item.source is None:
        return ""
    # An AV record's 说明 page does not change its key ("x:avrecords.avrecord:<pk>").
    kind = item.record.kind if item.record is not None and item.record.kind != AV_PAGE else ""
    return item_key(item.source, kind)


def _items_by_code(case: Any, record_codes: list[str]) -> dict[str, list[Item]]:
    """The case's items as recorded now, by code (document type, ATTACHMENT, AV_RECORD and each
    of `record_codes`), each in issue order, all in the 正卷 until placed."""
    by_code: dict[str, list[Item]] = {}
    for doc in documents_of_case(case):
        by_code.setdefault(doc.doc_type, []).append(_document_item(doc, MAIN))
    by_code[ATTACHMENT] = [_attachment_item(a, MAIN) for a in attachments_of_case(case)]
    stored = records_of_case(case.pk).exclude(original_key="").order_by("created_at", "pk")
    by_code[AV_RECORD] = [_av_item(r, MAIN) for r in stored]
    for code in record_codes:
        if code in RECORD_PAGES:
            by_code[code] = [_record_item(p, MAIN) for p in RECORD_PAGES[code][1](case)]
    return by_code


# The catalogue columns frozen at sealing (Seal.catalogue "items"), as Item attributes.
FROZEN_COLUMNS = ("volume", "number", "responsible", "doc_number", "title", "date", "remarks")
FROZEN_HEADER = ("fonds", "agency", "category", "title", "retention")


def frozen_catalogue(casefile: CaseFile) -> dict[str, Any]:
    """The catalogue of `casefile` as archive.sealing.seal stores it in Seal.catalogue (第二十八条:
    the file as sealed is the fixed record): the cover's fonds, agency, category, title and
    retention code, "av_pages": True (its AV items have their 说明 page: a catalogue frozen
    without it is read without them), and per item its key (key_of), FROZEN_COLUMNS and its
    confidentiality mark ("secrecy", 第二十九条第二款), in order. JSON-ready."""
    header = {name: getattr(casefile, name) for name in FROZEN_HEADER}
    items = [
        {"key": key_of(i), **{c: getattr(i, c) for c in FROZEN_COLUMNS}, "secrecy": i.secrecy} for i in casefile.items
    ]
    return {**header, "av_pages": True, "items": items}


def _secrecy(case: Any, item: Item) -> str:
    """The item's confidentiality mark: the strictest of its own, its document's record's and the
    case's (archive.confidentiality.item_confidentiality, the one rule of 第二十九条第二款)."""
    return item_confidentiality(case, item.source) if item.source is not None else ""


def _mark(case: Any, items: list[Item]) -> None:
    """第二十九条第二款: every archived copy carries the item's confidentiality mark. Set each
    item's `secrecy` and put its label at the head of the remarks ("商业秘密；电子文件…"), so
    the 卷内目录, the seal page, the frozen catalogue, the bag's metadata and the answer package
    all show it. In place; an item already so remarked is not marked twice."""
    for item in items:
        item.secrecy = _secrecy(case, item)
        item.remarks = marked(item, item.remarks)


def marked(item: Item, remarks: str) -> str:
    """`remarks` headed by the item's confidentiality mark ("商业秘密；电子文件…", or the mark
    alone for empty remarks; 第二十九条第二款); as they are when the item has none or they already
    begin with it."""
    label = item.secrecy_label
    if not label or remarks.startswith(label):
        return remarks
    return f"{label}；{remarks}" if remarks else label


def _sealed_file(case: Any, sealed: Any) -> CaseFile:
    """A sealed case's file from its catalogue as sealed (Seal.catalogue): the items in their
    sealed order, volumes, numbers, titles, 文号, dates, remarks and 责任者, whatever
    ARCHIVE_VOLUME_ORDER, the arrangement rows or AGENCY_NAME say now; each item's record (its
    PDF, pages, original) looked up by key. A frozen item whose record cannot be found keeps its
    place and is named in `missing`; a record not in the sealed catalogue (an AV record stored
    after sealing) is not an item. Approved addenda follow (archive.sealing.append_addenda)."""
    frozen = sealed.catalogue
    kinds = sorted({row["key"].split(":")[1] for row in frozen["items"] if row["key"].startswith("rec:")})
    live = {key_of(i): i for rows in _items_by_code(case, kinds).values() for i in rows}
    items, missing = [], []
    for row in frozen["items"]:
        item = live.pop(row["key"], None) or Item(volume=row["volume"])
        for column in FROZEN_COLUMNS:
            setattr(item, column, row[column])
        if item.record is not None and item.record.kind == AV_PAGE and not frozen.get("av_pages"):
            item.record = None  # sealed before AV items had their 说明 page: as sealed
        # The mark as sealed; a catalogue frozen before marks were: the record's mark now, for
        # the bag's metadata (the sealed remarks stay as they are).
        item.secrecy = row["secrecy"] if "secrecy" in row else _secrecy(case, item)
        if item.source is None:
            missing.append(f"第{item.number}件 {item.title} 的记录未找到（归档时为 {row['key']}）")
        items.append(item)
    casefile = CaseFile(
        case=case, code=sealed.archival_code, items=items, missing=missing, **{n: frozen[n] for n in FROZEN_HEADER}
    )
    from .sealing import append_addenda

    append_addenda(casefile)
    _mark(case, casefile.addenda)  # appended after sealing: not in the frozen catalogue
    return casefile


def assemble(case: Any) -> CaseFile:
    """The case's file (第二十八条): its documents (documents.selectors), attachments
    (cases.selectors), AV records whose original is in dedicated storage (avrecords.selectors;
    0 pages) and the recorded rows the order names (archive.record_pages: one item per row, a
    generated page) as items in the order of settings.ARCHIVE_VOLUME_ORDER[case.kind], 正卷 then
    副卷, numbered from 1 — the one numbering of the seal page, the volume and the bag. Within one
    code, the issue (upload, receipt, record) order. Pages of attachments and generated pages
    are counted when the volume is rendered (archive.volume). A generated record kind the order
    does not name is left out (it is no document of the case); documents, attachments and AV
    records it does not name go to the end of the 正卷 with a remark. The archivist's
    arrangement and the approved addenda are applied last (archive.sealing.apply_arrangement).

    A case sealed with its catalogue frozen (Seal.catalogue) is assembled from it instead
    (_sealed_file): a later settings change or a new item kind does not renumber a sealed file.
    Raises ImproperlyConfigured for an order naming an unknown code (unsealed cases)."""
    sealed = seal_of(case)  # the 档号 exists from sealing on, as recorded then
    if sealed is not None and sealed.catalogue:
        return _sealed_file(case, sealed)
    order = volume_order(case.kind)
    by_code = _items_by_code(case, order[MAIN] + order[SUBSIDIARY])

    items: list[Item] = []
    for volume in (MAIN, SUBSIDIARY):
        for code in order[volume]:
            for item in by_code.pop(code, []):
                item.volume = volume
                items.append(item)
    for rest in by_code.values():  # types the order does not name: end of the 正卷
        for item in rest:
            item.remarks = item.remarks or "未列入排列顺序"
        position = sum(1 for i in items if i.volume == MAIN)
        items[position:position] = rest

    missing = []
    for n, item in enumerate(items, start=1):
        item.number = n
        doc = item.source
        if item.source is not None and hasattr(doc, "is_final") and not doc.is_final:
            why = f"：{doc.error}" if getattr(doc, "error", "") else ""
            missing.append(f"第{n}件 {doc.title} {doc.number} 尚未生成PDF（{doc.get_status_display()}{why}）")
    casefile = CaseFile(
        case=case,
        fonds=settings.ARCHIVE_FONDS,
        agency=settings.AGENCY_NAME,
        category=case.get_kind_display(),
        title=case.title,
        retention=settings.ARCHIVE_RETENTION[case.kind],
        code=sealed.archival_code if sealed is not None else "",
        items=items,
        missing=missing,
    )
    from .sealing import apply_arrangement  # the archivist's order and titles, then the addenda

    apply_arrangement(casefile)
    _mark(case, casefile.items)
    return casefile
