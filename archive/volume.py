"""The case file as one PDF volume (第二十八条; DESIGN.md, Archive): cover, 卷内目录, the items'
PDFs in the configured order with continuous page numbers stamped at the top right, 备考表.
The cover, the catalogue and the 备考表 are generated with WeasyPrint (documents.rendering:
CJK fonts embedded) and are not paginated; so are the 副卷's recorded rows (archive.record_pages),
which are paginated like any item. Merging and stamping use pypdf.

Memory: every item's PDF (stored or generated) is copied to a temporary file in 1 MiB chunks and
read from there, and `write_volume` writes the volume to a file object, so no item is held as
bytes. pypdf still clones each merged page's objects into its writer before writing: peak
memory grows with the volume's PDF size (not with the media, which is never merged).
"""

import datetime as dt
import io
import logging
import shutil
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from typing import IO, Any

from django.utils import timezone
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError

from cases.models import CaseState
from documents.rendering import render_html, render_pdf

from . import record_pages
from .casefile import DRAFT_MARK, CaseFile, Item, assemble, date8
from .selectors import seal_of

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024  # bytes copied at a time


class VolumeIncomplete(Exception):
    """The volume cannot be made yet: `missing` lists each item that is not ready, in Chinese."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("；".join(missing))
        self.missing = missing


def has_case_file(case: Any) -> bool:
    """The case has a case file to preview or seal (第二十八条: the file is compiled once the case
    is concluded): 已结案 (a draft, reviewed before sealing) or 已归档. A case still being
    handled has none — its cover would show dates and items that are not final."""
    return case.state in (CaseState.CONCLUDED, CaseState.ARCHIVED)


def _spool(item: Item, case: Any, stack: ExitStack) -> IO[bytes]:
    """The item's PDF in a temporary file (closed with `stack`), positioned at 0: a generated
    page rendered now, a stored file copied in chunks."""
    tmp = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 (closed by the ExitStack)
    if item.record is not None:
        tmp.write(record_pages.render(item.record, case))
    else:
        fieldfile = getattr(item.source, "pdf", None) or item.source.file
        with fieldfile.open("rb") as fh:
            shutil.copyfileobj(fh, tmp, CHUNK)
    tmp.seek(0)
    return tmp


def _number(casefile: CaseFile, count: Callable[[Item], int]) -> list[str]:
    """Count each PDF item's pages into `item.pages` (`count(item)`) and number them continuously
    from 1 into `item.start_page` (the volume's numbering); an item that is not a PDF has none.
    Returns a Chinese line for each item that will not open (left without pages)."""
    missing = []
    page = 1
    for item in casefile.items:
        if not (item.pdf_name or item.record):
            continue
        try:
            item.pages = count(item)
        except (OSError, PdfReadError, ValueError) as exc:
            log.warning("case %s: item %s did not open: %r", casefile.case.pk, item.number, exc)
            missing.append(f"第{item.number}件 {item.title} 无法读取（文件不完整或已损坏）")
            continue
        item.start_page, page = page, page + item.pages
    return missing


def _load(casefile: CaseFile, stack: ExitStack) -> list[PdfReader | None]:
    """Each item's PDF (None for an item that is not a PDF), pages counted and numbered
    continuously from 1. Raises VolumeIncomplete naming every item that will not open."""
    readers: dict[int, PdfReader] = {}

    def count(item: Item) -> int:
        readers[id(item)] = PdfReader(_spool(item, casefile.case, stack))
        return len(readers[id(item)].pages)

    missing = list(casefile.missing) + _number(casefile, count)
    if missing:
        raise VolumeIncomplete(missing)
    return [readers.get(id(item)) for item in casefile.items]


def paginate(casefile: CaseFile) -> list[str]:
    """Number the pages of `casefile`'s items as the volume will (`item.pages`, `item.start_page`:
    write_volume's numbering) without merging them — the 卷内目录's 页号 before the volume is made.
    A generated record page's count is remembered (record_pages.page_count). Returns a Chinese
    line per item that will not open (left without pages); a document not rendered yet has none
    either (it is in `casefile.missing`)."""

    def count(item: Item) -> int:
        if item.record is not None:
            return record_pages.page_count(item.record, casefile.case)
        with ExitStack() as stack:
            return len(PdfReader(_spool(item, casefile.case, stack)).pages)

    return _number(casefile, count)


def add_numbered(writer: PdfWriter, readers: list[PdfReader | None], total: int, mark: str = "") -> None:
    """Append every page of `readers` (None: an item without pages) to `writer`, stamping the
    continuous page numbers 1..`total` in each page's top right corner (档案 page numbering:
    the cover, catalogue and 备考表 are not numbered) and `mark` (a running mark, e.g.
    casefile.DRAFT_MARK) at the top of each page when given."""
    stamps = _numbers(total, mark) if total else None
    n = 0
    for reader in readers:
        for page in reader.pages if reader is not None else []:
            added = writer.add_page(page)
            if stamps is not None:
                stamp = stamps.pages[n]
                # Align the stamp's top right corner with the page's, whatever its size.
                dx = float(added.mediabox.right) - float(stamp.mediabox.right)
                dy = float(added.mediabox.top) - float(stamp.mediabox.top)
                added.merge_transformed_page(stamp, Transformation().translate(dx, dy))
            n += 1


def mark_items(writer: PdfWriter, casefile: CaseFile, offset: int) -> None:
    """Name where each merged item starts (`item-NNN`, NNN its 件号) and where the merged items
    end (`end`, the first page after them, when there is one) in `writer`, its items' pages
    after `offset` front pages: archive.export takes a recorded row's pages from the stored
    volume by these names (the pages as sealed)."""
    for item in casefile.items:
        if item.start_page:
            writer.add_named_destination(f"item-{item.number:03d}", offset + item.start_page - 1)
    if offset + casefile.page_count < len(writer.pages):
        writer.add_named_destination("end", offset + casefile.page_count)


def _numbers(count: int, mark: str = "") -> PdfReader:
    """`count` A4 pages, each showing only its own number at the top right (the archival
    page number, stamped over the item's pages), and `mark` at the top left when given."""
    html = render_html("archive/volume_numbers.html", {"numbers": range(1, count + 1), "draft_mark": mark})
    return PdfReader(io.BytesIO(render_pdf(html).pdf))


# Up to this many addenda, the 备考表 lists each with its title; beyond, by 件号 only (the titles
# are in the 卷内目录), so the page holds them (archive/tests/test_archive_check.py).
ADDENDA_TITLED = 3


def _addenda_notes(casefile: CaseFile) -> dict[str, Any]:
    """What an approved addendum changes in the 备考表 (DA/T 22 as in DOMAIN.md: the 备考表
    states the file's condition; that it also records each later 补充 with who approved it and
    when is from memory — unverified): the addenda listed (卷内件号, 题名 while there are at most
    ADDENDA_TITLED, requester, the head who approved, the approval date). 件数 and 页数 are the
    file's own counts, addenda included."""
    rows = []
    for item in casefile.addenda:
        page = item.record
        signoff = page.context.get("signoff") if page is not None else None
        rows.append(
            {
                "item": item,
                "requested_by": item.source.requested_by,
                "approved_by": signoff.actor if signoff is not None else "",
                "approved_on": item.date,
            }
        )
    return {"addenda": rows, "addenda_titled": len(rows) <= ADDENDA_TITLED}


def _seal_notes(sealed: Any) -> dict[str, Any]:
    """What the Seal adds to the 备考表 (第二十八条): `check_date`, the 检查人's check date
    (YYYYMMDD; the sealing date for a seal made before checks were signed; "" before sealing),
    and `override`, the head's SEAL_OVERRIDE sign-off the file was sealed on (who, when, the
    reason; None when sealed without one)."""
    if sealed is None:
        return {"check_date": "", "override": None}
    when = sealed.check_signoff.signed_at if sealed.check_signoff is not None else sealed.sealed_at
    return {"check_date": date8(when), "override": sealed.override}


def render_volume(
    case: Any, *, compiler: str = "", checker: str = "", description: str = "", on: dt.date | None = None
) -> bytes:
    """The case file of `case` as PDF bytes (archive.casefile.assemble's order): write_volume
    into memory. Same arguments and errors as write_volume."""
    return rendered_volume(case, compiler=compiler, checker=checker, description=description, on=on)[0]


def rendered_volume(case: Any, **back: Any) -> tuple[bytes, CaseFile]:
    """(PDF bytes, the CaseFile they show): write_volume into memory, for a caller that needs
    the catalogue it rendered (archive.views.volume_pdf audits its digest). `back`: write_volume's
    keyword arguments. Same errors as write_volume."""
    out = io.BytesIO()
    casefile = write_volume(case, out, **back)
    return out.getvalue(), casefile


def write_volume(
    case: Any,
    out: IO[bytes],
    *,
    compiler: str = "",
    checker: str = "",
    description: str = "",
    on: dt.date | None = None,
) -> CaseFile:
    """Write the case file of `case` as a PDF into the binary file `out` (archive.casefile.
    assemble's order; for an export job, a file on disk) and return the assembled CaseFile,
    its items' pages and start pages counted. `compiler`, `checker` (立卷人, 检查人) print as
    blank lines unless given; `on` is the 备考表's date (default: today). The 备考表 counts
    the items and pages (approved addenda included), lists the addenda (_addenda_notes), prints
    the 检查人's check date as 检查时间 and the head's override of a sealed case (_seal_notes);
    the cover's dates are the case's own. Before sealing
    the 档号 is printed as casefile.PENDING_CODE and the cover, every page and the 备考表 carry
    casefile.DRAFT_MARK (第二十八条: the code is assigned at sealing). A sealed
    case's 备考表 is the one its Seal records (description, compiler, checker, the sealing date)
    unless given. Raises
    VolumeIncomplete (its `missing`: a Chinese line per item) while a document is not rendered
    or an item's PDF will not open; ImproperlyConfigured for a bad ARCHIVE_VOLUME_ORDER;
    documents.fonts.UnprintableText for text no font prints."""
    sealed = seal_of(case)
    if sealed is not None:  # 第二十八条: the sealed file's 备考表 as the archivist signed it
        description = description or sealed.description
        compiler = compiler or sealed.compiler
        checker = checker or sealed.checker
        on = on or timezone.localdate(sealed.sealed_at)
    casefile = assemble(case)
    with ExitStack() as stack:
        readers = _load(casefile, stack)
        # Before sealing: no 档号 (PENDING_CODE) and every page marked a draft (第二十八条).
        mark = DRAFT_MARK if casefile.draft else ""
        context = {"cf": casefile, "case": case, "draft_mark": mark}
        front = PdfReader(io.BytesIO(render_pdf(render_html("archive/volume_front.html", context)).pdf))
        back_context = {
            **context,
            "compiler": compiler,
            "checker": checker,
            "description": description,
            "date": date8(on or timezone.localdate()),
            **_addenda_notes(casefile),
            **_seal_notes(sealed),
        }
        back = PdfReader(io.BytesIO(render_pdf(render_html("archive/volume_back.html", back_context)).pdf))

        writer = PdfWriter()
        for page in front.pages:
            writer.add_page(page)
        add_numbered(writer, readers, casefile.page_count, mark)
        for page in back.pages:
            writer.add_page(page)
        mark_items(writer, casefile, len(front.pages))
        writer.add_metadata({"/Title": f"{casefile.code_label} {casefile.title} {mark}".rstrip()})
        writer.write(out)
    return casefile
