"""The archival package (第二十五、二十八条; DA/T 70 at archiving): a sealed case's file as a
BagIt bag (RFC 8493, validated with the `bagit` library), laid out as:

    bagit.txt, bag-info.txt
    manifest-sha256.txt, manifest-sm3.txt          payload digests (SM3: GB/T 32905)
    tagmanifest-sha256.txt, tagmanifest-sm3.txt    digests of every file outside data/
    README.txt, verify_bag.py                      how to verify without Linke; the verifier
    fourprops/report.json, fourprops/report.pdf    the four-properties report (archive.fourprops)
    data/volume/volume.pdf                         the volume (archive.volume.write_volume)
    data/items/NNN.ext                             each item's original (document PDF, attachment)
    data/media/NNN.ext                             AV originals from dedicated storage (not proxies)
    data/originals/NNN.ext                         an approved addendum's scan as uploaded (PDF, JPEG, PNG)
    data/metadata/case.json, data/metadata/items/NNN.json   DA/T 46 elements, file names, digests
    data/audit/entries.json, checkpoint.json, public_key.pem   the case's audit entries, signed

File names are short ASCII (item number and extension); the Chinese titles are in the metadata.
Every original is read once, in CHUNK pieces, and hashed while it is copied, so memory does not
grow with the size of the media (two CHUNK buffers per copying thread). The AV originals are
copied MEDIA_WORKERS at a time, each in its own thread (one file's SHA-256 runs on one core),
after this thread has copied the other items; a failed copy stops the others and is raised. The
stored volume's SM3, recorded with its SHA-256 (archive.sealed_volume), is reused like an AV
original's. An AV original whose SM3 was recorded with its SHA-256
(avrecords: the fixity check's read, or an earlier export) is copied with SHA-256 only: when
that SHA-256 is the recorded one the bytes are the recorded bytes and the recorded SM3 is
theirs; when it is not, the copy's own SM3 is computed (the manifests describe the bytes in the
bag) and the four-properties 真实性 check fails on the mismatch. An AV original without a
recorded SM3 gets one computed in the copy and recorded (avrecords.services.record_sm3) when its
SHA-256 matches. A recorded row's generated page — and an approved addendum's item, its
归档后补充材料 page then its scan — is taken from the stored sealed volume (its named destination
`item-NNN`, archive.volume), not rendered again: the bag's item is the volume's item. Each
item's metadata gives its page count and 页号 as the volume numbers them. The addendum's scan is
also copied as uploaded, byte for byte, to data/originals/ (the volume's pages of an image are a
rendering of it, a PDF's are rewritten), and the item's metadata names it under `scan`.

SM3 is not among bagit 1.9.0's algorithms (hashlib.algorithms_guaranteed), so the SM3
manifests are written here in bagit's format; bagit ignores them, the shipped verifier checks
them.
"""

import io
import json
import logging
import mimetypes
import os
import re
import shutil
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import bagit  # type: ignore[import-untyped]
from django.utils import timezone
from pypdf.errors import PdfReadError

from audit.chain import format_time
from audit.selectors import chain_head, entries_of_case
from audit.signing import public_key_pem, sign
from documents.registry import DocTypeCode

from . import record_pages
from .casefile import CaseFile, assemble
from .models import Addendum
from .sealed_volume import current_volume
from .selectors import is_sealed
from .verifier import verify_bag
from .volume import VolumeIncomplete, paginate, write_volume

CHUNK = 4 * 1024 * 1024
ALGORITHMS = verify_bag.ALGORITHMS
VERIFIER = Path(verify_bag.__file__)
README = Path(__file__).parent / "verifier" / "README.txt"
_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,5}$")

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
log = logging.getLogger(__name__)


@contextmanager
def _timed(case: Any, step: str) -> Iterator[None]:
    """Log the seconds of one step at INFO (`export case 12: volume 3.210 s`; bench/export.py)."""
    t0 = time.perf_counter()
    yield
    log.info("export case %s: %s %.3f s", case.pk, step, time.perf_counter() - t0)


class ExportRefused(Exception):
    """The case cannot be exported (not sealed, volume incomplete); the message is Chinese."""


@dataclass
class Source:
    """One original to copy into data/: `open()` yields a binary stream; `size` in bytes.
    `sha256`, `sm3`: the digests recorded for it (hex; "" when none), `record_id` the AV record
    whose SM3 this export may record, `pages` the page count recorded with that SHA-256 (a
    rendered document's PDF; 0: none). `ref`: the key of `meta` its file is noted under
    ("file": the item's own; "scan": an addendum's scan original, "page": an AV record's 说明 page,
    each sharing its item's `meta`)."""

    path: str  # relative to the bag, e.g. data/items/003.pdf
    size: int
    open: Callable[[], Any]
    meta: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    sm3: str = ""
    record_id: int | None = None
    pages: int = 0
    ref: str = "file"


def _ext(name: str, default: str) -> str:
    ext = os.path.splitext(name or "")[1].lower()
    return ext if _SAFE_EXT.match(ext) else default


@contextmanager
def _fieldfile(ff: Any) -> Iterator[IO[bytes]]:
    with ff.open("rb") as fh:
        yield fh


class SealedPages:
    """The items' pages as the stored sealed volume holds them (第二十八条: the bag shows what
    was sealed, page numbers stamped), found by the volume's named destinations `item-NNN`
    (archive.volume.write_volume) — the item's pages run to the next destination. The volume is
    opened once, on the first request; a volume stored before the destinations existed has none
    (`pages_of` -> None: the caller renders)."""

    def __init__(self, stored: Any) -> None:
        self.stored = stored
        self._file: IO[bytes] | None = None
        self._reader: Any = None
        self._ranges: dict[int, tuple[int, int]] | None = None

    def _open(self) -> dict[int, tuple[int, int]]:
        if self._ranges is None:
            from pypdf import PdfReader

            # Its own handle: the FieldFile's (stored.pdf.open) is closed by the volume's copy.
            self._file = self.stored.pdf.storage.open(self.stored.pdf.name, "rb")
            self._reader = PdfReader(self._file)
            starts = sorted(
                (self._reader.get_destination_page_number(dest), name)
                for name, dest in self._reader.named_destinations.items()
                if re.fullmatch(r"item-\d{3}|end", name)
            )
            starts.append((len(self._reader.pages), "end"))  # no `end`: the items run to the last page
            self._ranges = {
                int(name[5:]): (first, nxt)
                for (first, name), (nxt, _) in zip(starts, starts[1:], strict=False)
                if name != "end" and nxt > first
            }
        return self._ranges

    def numbering(self) -> dict[int, tuple[int, int]]:
        """{件号: (first page, page count)} of the marked items in the volume's own numbering
        (from 1 at the first item's first page, as stamped); {} when the volume marks none."""
        ranges = self._open()
        offset = min((first for first, _ in ranges.values()), default=0)
        return {number: (first - offset + 1, nxt - first) for number, (first, nxt) in ranges.items()}

    def pages_of(self, number: int) -> bytes | None:
        """Item `number`'s pages from the volume as a PDF of their own, or None when the volume
        does not mark them."""
        from pypdf import PdfWriter

        span = self._open().get(number)
        if span is None:
            return None
        writer = PdfWriter()
        for index in range(*span):
            writer.add_page(self._reader.pages[index])
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@contextmanager
def _sealed_or_rendered(sealed: SealedPages | None, number: int, page: Any, case: Any) -> Iterator[IO[bytes]]:
    """A recorded row's page(s) as a stream (in memory: a few pages): from the stored volume,
    else rendered as in the volume (record_pages.render)."""
    data = sealed.pages_of(number) if sealed is not None else None
    if data is None:
        log.info("export case %s: item %s rendered (no marked page in a stored volume)", case.pk, number)
        data = record_pages.render(page, case)
    yield io.BytesIO(data)


def item_pages(case: Any, number: int, page: Any) -> bytes:
    """The pages of item `number` of `case`'s file (a recorded row's or an approved addendum's
    generated page, `page`: its RecordPage, with its scan) as the volume holds them: from the
    stored sealed volume (current_volume), else rendered as in the volume. A PDF's bytes; raises
    what record_pages.render raises."""
    stored = current_volume(case)
    sealed = SealedPages(stored) if stored is not None else None
    try:
        with _sealed_or_rendered(sealed, number, page, case) as fh:
            return fh.read()
    finally:
        if sealed is not None:
            sealed.close()


def _av_opener(record: Any) -> Callable[[], Any]:
    from avrecords.storage import original_open

    return lambda: original_open(record.original_key, record.original_version)


def _item_meta(cf: CaseFile, item: Any, doc_type: str, aggregation: str = "件") -> dict[str, Any]:
    """The DA/T 46-2009 elements of one item."""
    return {
        "aggregation_level": aggregation,  # 聚合层次
        "source": {"fonds": cf.fonds, "agency": cf.agency},  # 来源
        "archival_code": f"{cf.code}-{item.number:03d}",  # 档号
        "archival_code_parts": {"case_file": cf.code, "item_number": item.number},
        "item_number": item.number,
        "volume": item.volume,
        "title": item.title,  # 题名
        "subject_terms": [cf.category, cf.title],  # 主题词
        "document_number": item.doc_number,  # 文号
        "responsible_party": item.responsible,  # 责任者
        "date": item.date,  # 日期 (YYYYMMDD)
        "document_type": doc_type,  # 文种
        "pages": item.pages,  # its pages in the volume (0: not a PDF, not merged)
        "page_range": item.page_range,  # 页号 in the volume's numbering ("18-19"; "" without pages)
        "remarks": item.remarks,
        # 密级 / 控制标识 (DA/T 46-2009's 密级 element; 第二十九条第二款: 国家秘密、商业秘密、个人
        # 隐私), the mark the 卷内目录's remarks carry: {"code": "trade_secret", "label": "商业秘密"},
        # code "" and label "无" for an item without one.
        "confidentiality": {"code": item.secrecy, "label": item.secrecy_label or "无"},
    }


def _addendum_meta(addendum: Addendum) -> dict[str, Any]:
    """What an approved addendum's item adds to its metadata (第二十八条): its request number,
    text, approver and the scan's name (the scan's pages follow the generated page in the item)."""
    return {
        "kind": "addendum",
        "document_type": "归档后补充材料",
        "request_number": addendum.number,
        "text": addendum.text,
        "approved_by": str(addendum.signoff.actor) if addendum.signoff else "",
        "scan_name": os.path.basename(addendum.scan.name) if addendum.scan else "",
    }


def _scan_source(item: Any, addendum: Addendum, meta: dict[str, Any]) -> Source:
    """The approved addendum's scan as uploaded (第二十八条: the original, not the volume's
    rendering of it), a payload file named like an attachment (件号 and the scan's extension,
    validated at upload: linke.validators.validate_scan), noted in the item's `meta` under
    "scan" with its name, type and `sha256_recorded`, the SHA-256 recorded at upload
    (Addendum.scan_sha256, when recorded); the path, size and digests are added when it is copied."""
    name = os.path.basename(addendum.scan.name)
    meta["scan"] = {"original_name": name, "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream"}
    if addendum.scan_sha256:  # recorded at upload: fourprops' 真实性 compares the copy with it
        meta["scan"]["sha256_recorded"] = addendum.scan_sha256
    path = f"data/originals/{item.number:03d}{_ext(name, '.bin')}"
    return Source(path, addendum.scan.size, partial(_fieldfile, addendum.scan), meta, ref="scan")


def paginate_stored(cf: CaseFile, sealed: SealedPages | None) -> list[str]:
    """Set each item's pages and first page (`item.pages`, `item.start_page`: the 卷内目录's 页号)
    as the volume numbers them: from the stored volume's marks (SealedPages.numbering: nothing
    rendered or opened), else counted as write_volume counts them (archive.volume.paginate; a
    volume stored before the marks existed, one that will not open (logged), or none stored
    yet). Returns paginate's Chinese line per item that will not open ([] from the marks: the
    sealed volume holds every item)."""
    try:
        numbering = sealed.numbering() if sealed is not None else {}
    except (OSError, PdfReadError) as exc:  # the digest check refuses it (export); counted meanwhile
        log.warning("case %s: stored volume not read for its page numbers: %s", cf.case.pk, exc)
        numbering = {}
    if not numbering:
        return paginate(cf)
    for item in cf.items:
        item.start_page, item.pages = numbering.get(item.number, (0, 0))
    return []


def _sources(case: Any, cf: CaseFile, sealed: SealedPages | None = None) -> list[Source]:
    """The originals of the case file, in item order and named by its 件号 (the one numbering of
    archive.casefile.assemble: the AV originals are its items too), an approved addendum's scan
    original right after its item. `sealed`: the stored volume's pages, where a recorded row's
    page is taken from."""
    from documents.models import Document

    out: list[Source] = []
    for item in cf.items:
        src = item.source
        if hasattr(src, "original_key"):  # an AV record: an item of the file (archive.casefile)
            meta = _item_meta(cf, item, "音像记录")
            meta.update(
                kind="av",
                original_name=src.filename,
                sha256_recorded=src.sha256,
                sm3_recorded=src.sm3,
                duration_seconds=src.duration,
                made_by=str(src.maker or ""),
                method=src.method,  # 第二十六条: 制作方法、制作时间、制作人、证明对象
                made_at=src.made_at.isoformat() if src.made_at else None,
                proves=src.proves,
                transcript=src.transcript,
            )
            name = f"data/media/{item.number:03d}{_ext(src.filename, '.bin')}"
            out.append(Source(name, src.size or 0, _av_opener(src), meta, src.sha256, src.sm3, src.pk))
            if item.record is not None:  # its 音像记录说明 (第二十六条), as in the volume
                opener = partial(_sealed_or_rendered, sealed, item.number, item.record, case)
                out.append(Source(f"data/items/{item.number:03d}.pdf", 0, opener, meta, ref="page"))
        # A recorded row's generated page (archive.record_pages), an approved addendum's too (归档
        # 后补充, archive.sealing: its page, then its scan): the item's pages as in the volume.
        elif item.record is not None:
            meta = _item_meta(cf, item, "系统记录")
            meta.update(kind="record", original_name=f"{item.record.kind}.pdf")
            if isinstance(src, Addendum):
                meta.update(_addendum_meta(src))
            opener = partial(_sealed_or_rendered, sealed, item.number, item.record, case)
            out.append(Source(f"data/items/{item.number:03d}.pdf", 0, opener, meta))
            if isinstance(src, Addendum) and src.scan:
                out.append(_scan_source(item, src, meta))
        elif isinstance(src, Document):
            label = DocTypeCode(src.doc_type).label if src.doc_type in DocTypeCode.values else src.doc_type
            meta = _item_meta(cf, item, label)
            meta.update(kind="document", original_name=f"{src.number}.pdf", sha256_recorded=src.sha256)
            name = f"data/items/{item.number:03d}.pdf"
            opener = partial(_fieldfile, src.pdf)
            out.append(Source(name, src.size, opener, meta, sha256=src.sha256, pages=src.pages or 0))
        else:
            meta = _item_meta(cf, item, "证据材料")
            meta.update(
                kind="attachment", original_name=src.original_name, mime_type=src.mime_type, sha256_recorded=src.sha256
            )
            name = f"data/items/{item.number:03d}{_ext(src.original_name, '.bin')}"
            out.append(Source(name, src.size, partial(_fieldfile, src.file), meta))
    return out


MEDIA_WORKERS = 2  # AV originals copied at once, one thread each (SHA-256 of one file is sequential: one core)


class ExportCancelled(Exception):
    """A copy stopped because another copy of the same export failed (that failure is raised)."""


def _reader(stream: IO[bytes]) -> Callable[[bytearray], memoryview | bytes]:
    """`read(buffer)` -> the stream's next bytes (at most len(buffer); empty at the end): read
    into `buffer` when the stream can (a file), else a read() piece (an S3 body)."""
    readinto = getattr(stream, "readinto", None)
    if readinto is None:
        return lambda buffer: stream.read(len(buffer))
    return lambda buffer: memoryview(buffer)[: readinto(buffer)]


class _Writer:
    """Writes payload files, hashing while copying (each byte read once); keeps the digests.
    Thread-safe: several originals may be copied at once (_copy_sources), each with its own two
    CHUNK buffers. A big file is pipelined: while a piece is hashed (hashlib releases the GIL,
    each algorithm in a thread of `_pool`) and written, the next piece is read into the other
    buffer. `progress` is called only in the thread that made the writer (the Celery task's
    callback writes to the database): per piece there, and by `report()` while it waits on
    other threads. `stop()` makes every copy in progress raise ExportCancelled at its next
    piece. `close()` ends the threads."""

    def __init__(self, bag: Path, total: int, progress: Progress | None) -> None:
        self.bag, self.total, self.done, self.progress = bag, total, 0, progress
        self.digests: dict[str, dict[str, str]] = {}
        self._owner = threading.get_ident()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._local = threading.local()
        # Per copy at most one read and one update per algorithm at a time; copies: MEDIA_WORKERS + this thread.
        workers = (MEDIA_WORKERS + 1) * (1 + len(ALGORITHMS))
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export-hash")

    def close(self) -> None:
        self._pool.shutdown()

    def stop(self) -> None:
        self._stopped.set()

    def report(self) -> None:
        """Call `progress(done, total)` (in the writer's own thread only)."""
        if self.progress and threading.get_ident() == self._owner:
            self.progress(self.done, self.total)

    def _piece(self, out: IO[bytes], chunk: memoryview | bytes, hashers: list[Any]) -> None:
        if self._stopped.is_set():
            raise ExportCancelled(out.name)
        if len(chunk) < CHUNK // 4:  # small: threads would cost more than they save
            for h in hashers:
                h.update(chunk)
            out.write(chunk)
        else:  # each hasher in its thread while the piece is written; done before its buffer is reused
            pending = [self._pool.submit(h.update, chunk) for h in hashers]
            try:
                out.write(chunk)
            finally:
                for f in pending:
                    f.result()
        with self._lock:
            self.done += len(chunk)
        self.report()

    def _buffers(self) -> tuple[bytearray, bytearray]:
        """The calling thread's two CHUNK buffers (made once per thread: memory stays flat)."""
        if not hasattr(self._local, "buffers"):
            self._local.buffers = (bytearray(CHUNK), bytearray(CHUNK))
        return self._local.buffers

    def _file(self, rel: str, algorithms: tuple[str, ...]) -> tuple[Path, list[Any]]:
        path = self.bag / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path, [verify_bag.new_hash(alg) for alg in algorithms]

    def _keep(self, rel: str, algorithms: tuple[str, ...], hashers: list[Any]) -> dict[str, str]:
        digests = {alg: h.hexdigest() for alg, h in zip(algorithms, hashers, strict=True)}
        with self._lock:
            self.digests[rel] = digests
        return digests

    def copy(self, rel: str, stream: IO[bytes], algorithms: tuple[str, ...] = ALGORITHMS) -> dict[str, str]:
        """Copy `stream` to `rel` in the bag; returns {alg: hex} of `algorithms` (also kept).
        Raises what reading or writing raises; ExportCancelled after stop()."""
        path, hashers = self._file(rel, algorithms)
        read = _reader(stream)
        buffers = self._buffers()
        with open(path, "wb") as out:
            chunk = read(buffers[0])
            if len(chunk) < CHUNK:  # a short first piece (a small original): no read-ahead
                while chunk:
                    self._piece(out, chunk, hashers)
                    chunk = read(buffers[0])
                return self._keep(rel, algorithms, hashers)
            turn = 0
            while chunk:
                ahead = self._pool.submit(read, buffers[1 - turn])  # the next piece, into the other buffer
                try:
                    self._piece(out, chunk, hashers)
                except BaseException:
                    wait([ahead])  # never leave a read running into a buffer of a closing stream
                    raise
                chunk, turn = ahead.result(), 1 - turn
        return self._keep(rel, algorithms, hashers)

    def write(self, rel: str, data: bytes) -> None:
        path, hashers = self._file(rel, ALGORITHMS)
        with open(path, "wb") as out:
            self._piece(out, data, hashers)
        self._keep(rel, ALGORITHMS, hashers)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode()


def audit_export(case: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The case's audit entries (oldest first) as exported, and the signed checkpoint over them
    (verify_bag.checkpoint_message: the entries' hashes in order and the chain head now)."""
    entries: list[dict[str, Any]] = [
        {
            "seq": e.seq,
            "created_at": format_time(e.created_at),
            "actor_id": e.actor_id,
            "actor_name": e.actor_name,
            "action": e.action,
            "case_id": e.case_id,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "payload": e.payload,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        for e in entries_of_case(case.pk).order_by("seq")
    ]
    head = chain_head()
    message = verify_bag.checkpoint_message(case.pk, [e["hash"] for e in entries], head[0], head[1])
    signature, key_id = sign(message)
    checkpoint = {
        "algorithm": "Ed25519",
        "case_id": case.pk,
        "entries": len(entries),
        "head_seq": head[0],
        "head_hash": head[1],
        "message": message.decode(),
        "signature": signature,
        "key_id": key_id,
        "signed_at": format_time(timezone.now()),
    }
    return entries, checkpoint


def _manifest(digests: dict[str, dict[str, str]], alg: str) -> str:
    return "".join(
        f"{d[alg]} {name.replace('%', '%25').replace(chr(13), '%0D').replace(chr(10), '%0A')}\n"
        for name, d in sorted(digests.items())
    )


def _tag_digests(bag: Path) -> dict[str, dict[str, str]]:
    out = {}
    for p in sorted(bag.rglob("*")):
        rel = p.relative_to(bag).as_posix()
        if p.is_file() and not rel.startswith(("data/", "tagmanifest-")):
            out[rel] = verify_bag.file_digests(p)
    return out


def _recorded_digests(case: Any, bag: Path, rel: str, digests: dict[str, str], sha256: str, sm3: str) -> bool:
    """Complete `digests` (copied with SHA-256 only when `sha256` and `sm3` were recorded) with
    the SM3 of the bytes copied to `rel`: the recorded one when the copy's SHA-256 is the
    recorded `sha256` (the same bytes), else (logged) the copy's own, read again. Returns
    whether the copy's SHA-256 is the recorded one (False when none is recorded)."""
    same = bool(sha256) and digests["sha256"] == sha256
    if sm3 and same:
        digests["sm3"] = sm3  # the recorded bytes: the SM3 recorded with their SHA-256
    elif sm3:  # not the recorded bytes: the bag's file gets its own SM3; 真实性 fails
        log.warning("export case %s: %s differs from its recorded SHA-256", case.pk, rel)
        digests["sm3"] = verify_bag.file_digests(bag / rel, ("sm3",))["sm3"]
    return same


def _copy_one(writer: "_Writer", src: Source) -> tuple[dict[str, str], float]:
    """Copy `src` (SHA-256 only when its SM3 is recorded); (digests, seconds). Any thread."""
    t0 = time.perf_counter()
    with src.open() as stream:
        digests = writer.copy(src.path, stream, ("sha256",) if src.sha256 and src.sm3 else ALGORITHMS)
    return digests, time.perf_counter() - t0


def _copy_all(writer: "_Writer", sources: list[Source]) -> list[tuple[dict[str, str], float]]:
    """Copy every source: first the items other than AV originals in this thread (their openers
    may read the database or the sealed volume), then the AV originals (opened and read in a
    worker: no database) MEDIA_WORKERS at a time. Not both at once: in the bench the 200
    documents then took 2–6× longer and the originals step at 0.5 GiB (one big file) longer
    than without threads (CPU and GIL shared three ways). Results in `sources`' order. The first failure in source
    order is raised once every copy has stopped (writer.stop(): the others end at their next
    piece; none not yet started is begun) — never a hang, never a half-reported error."""
    results: dict[int, Future[tuple[dict[str, str], float]]] = {}
    with ThreadPoolExecutor(max_workers=MEDIA_WORKERS, thread_name_prefix="export-media") as pool:
        try:
            for i, src in enumerate(sources):
                if src.record_id is None:
                    done: Future[tuple[dict[str, str], float]] = Future()
                    done.set_result(_copy_one(writer, src))
                    results[i] = done
            for i, src in enumerate(sources):
                if src.record_id is not None:
                    results[i] = pool.submit(_copy_one, writer, src)
            pending = set(results.values())
            while pending:  # progress from this thread while the workers copy
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                writer.report()
                if any(f.exception() for f in finished):
                    break
        except BaseException:
            writer.stop()
            pool.shutdown(cancel_futures=True)
            raise
        if any(f.done() and not f.cancelled() and f.exception() for f in results.values()):
            writer.stop()
            pool.shutdown(wait=True, cancel_futures=True)
            errors = [f.exception() for _, f in sorted(results.items()) if not f.cancelled() and f.exception()]
            raise next((e for e in errors if not isinstance(e, ExportCancelled)), errors[0])  # type: ignore[misc]
    return [results[i].result() for i in range(len(sources))]


def _copy_sources(case: Any, bag: Path, writer: "_Writer", sources: list[Source]) -> dict[str, int]:
    """Copy each source into the bag, read once (module docstring: a recorded SM3 is used only
    for the bytes of the recorded SHA-256; _copy_all: the AV originals two at a time), and note
    its file in its metadata (under `src.ref`: path, size, digests). Returns the page counts
    recorded for the bytes copied ({bag path: pages}, for fourprops.check_bag's `opened`: those
    PDFs are not parsed again). Logs the seconds per kind of item (`originals/av 3 files
    1.234 s`, each file's own time: the AV files overlap; an addendum's scan counts with it). Raises what a copy raises (a missing original, a storage error)."""
    from avrecords.services import record_sm3

    seconds: dict[str, list[float]] = {}
    opened: dict[str, int] = {}
    for src, (digests, spent) in zip(sources, _copy_all(writer, sources), strict=True):
        same = _recorded_digests(case, bag, src.path, digests, src.sha256, src.sm3)
        if not src.sm3 and src.record_id is not None and same:
            record_sm3(record_id=src.record_id, sha256=digests["sha256"], sm3=digests["sm3"])
        if same and src.pages:
            opened[src.path] = src.pages
        src.meta.setdefault(src.ref, {}).update(path=src.path, size=(bag / src.path).stat().st_size, **digests)
        seconds.setdefault(src.meta.get("kind", "item"), []).append(spent)
    for kind, times in seconds.items():
        log.info("export case %s: originals/%s %d files %.3f s", case.pk, kind, len(times), sum(times))
    return opened


VOLUME = "data/volume/volume.pdf"


def _render_volume(case: Any, bag: Path, sources: list[Source], progress: Progress | None) -> "_Writer":
    """No stored volume yet: render it (write_volume) to a temporary file and copy it in."""
    with tempfile.TemporaryFile() as volume:  # spooled to disk: memory stays flat with the file's size
        try:
            write_volume(case, volume)
        except VolumeIncomplete as exc:
            raise ExportRefused("案卷尚不能生成：" + "；".join(exc.missing)) from exc
        bag.mkdir(parents=True)
        writer = _Writer(bag, volume.tell() + sum(s.size for s in sources), progress)
        volume.seek(0)
        try:
            writer.copy(VOLUME, volume)
        except BaseException:
            writer.close()
            raise
    return writer


def build_bag(case: Any, out_dir: Path, *, progress: Progress | None = None) -> Path:
    """Write the bag of the sealed `case` into a new directory under `out_dir` (named after its
    档号, ASCII) and return its path. `progress(done, total)` is called per chunk, in bytes of
    payload. The volume is the stored sealed one (archive.sealed_volume.current_volume), copied
    and its SHA-256 checked against the row; rendered only while none is stored. Raises
    ExportRefused (Chinese message) for a case not sealed, whose volume cannot be made or whose
    stored volume does not match its digest; FileExistsError if the directory exists. Each
    step's seconds are logged at INFO (bench/export.py prints them).
    第二十五、二十八条."""

    if not is_sealed(case):
        raise ExportRefused(f"案件 {case} 尚未归档（封卷），不能导出电子案卷")
    with ExitStack() as stack:
        return _build(case, Path(out_dir), progress, stack)


def _build(case: Any, out_dir: Path, progress: Progress | None, stack: ExitStack) -> Path:
    from . import fourprops

    with _timed(case, "assemble"):
        cf = assemble(case)
        stored = current_volume(case)
        sealed = SealedPages(stored) if stored is not None else None
        if sealed is not None:
            stack.callback(sealed.close)
        paginate_stored(cf, sealed)
        sources = _sources(case, cf, sealed)
    bag = out_dir / re.sub(r"[^A-Za-z0-9.-]+", "_", cf.code)
    with _timed(case, "volume"):
        if stored is not None:  # the volume as sealed (第二十八条), copied, not rendered again
            bag.mkdir(parents=True)
            writer = _Writer(bag, stored.size + sum(s.size for s in sources), progress)
            stack.callback(writer.close)
            with stored.pdf.open("rb") as volume:  # SHA-256 only when its SM3 was recorded with it
                digests = writer.copy(VOLUME, volume, ("sha256",) if stored.sm3 else ALGORITHMS)
            if not _recorded_digests(case, bag, VOLUME, digests, stored.sha256, stored.sm3):
                shutil.rmtree(bag)
                raise ExportRefused(f"存储的案卷PDF（第{stored.version}版）摘要与登记不符，请联系系统管理员核查")
            opened = {VOLUME: stored.pages}  # parsed when stored (volume_store), the same bytes
        else:
            writer = _render_volume(case, bag, sources, progress)
            stack.callback(writer.close)
            opened = {}
    with _timed(case, "originals"):
        opened |= _copy_sources(case, bag, writer, sources)
    items = [s.meta for s in sources if s.ref == "file"]  # a scan original or an AV page shares its item's meta
    with _timed(case, "metadata and audit"):
        _write_metadata(case, cf, writer, items)
    with _timed(case, "manifests"):
        _write_tags(case, cf, bag, writer)
    with _timed(case, "four properties"):
        report = fourprops.check_bag(bag, known=writer.digests, opened=opened)
    with _timed(case, "four properties report PDF"):
        fourprops.write_report(bag, report)
    with _timed(case, "tag manifests"):
        tags = _tag_digests(bag)
        for alg in ALGORITHMS:
            (bag / f"tagmanifest-{alg}.txt").write_text(_manifest(tags, alg), encoding="utf-8")
        bagit.Bag(str(bag)).validate(fast=True)  # completeness and Payload-Oxum; digests were made above
    return bag


def _write_metadata(case: Any, cf: CaseFile, writer: "_Writer", items: list[dict[str, Any]]) -> None:
    """data/metadata (each item's and the case's DA/T 46 elements) and data/audit (entries,
    signed checkpoint, public key)."""
    for meta in items:
        writer.write(f"data/metadata/items/{meta['item_number']:03d}.json", _json(meta))
    case_meta = {
        "aggregation_level": "案卷",
        "source": {"fonds": cf.fonds, "agency": cf.agency},
        "archival_code": cf.code,
        "archival_code_parts": dict(
            zip(["fonds", "class_year", "retention", "department", "case_no"], cf.code.split("-"), strict=False)
        ),
        "title": cf.title,
        "subject_terms": [cf.category],
        "document_number": case.number or "",
        "responsible_party": cf.agency,
        "date": {"start": cf.start_date, "end": cf.end_date},
        "document_type": "行政执法案卷",
        "category": cf.category,
        "retention": cf.retention_label,
        "item_count": len(items),
        "page_count": cf.page_count,
        "case_id": case.pk,
        "volume": {"path": VOLUME, **writer.digests[VOLUME]},
        "items": [{"item_number": m["item_number"], "title": m["title"], "file": m["file"]["path"]} for m in items],
        "exported_at": timezone.now().isoformat(),
    }
    writer.write("data/metadata/case.json", _json(case_meta))
    entries, checkpoint = audit_export(case)
    writer.write("data/audit/entries.json", _json(entries))
    writer.write("data/audit/checkpoint.json", _json(checkpoint))
    writer.write("data/audit/public_key.pem", public_key_pem().encode())


def _write_tags(case: Any, cf: CaseFile, bag: Path, writer: "_Writer") -> None:
    """bagit.txt, bag-info.txt, the payload manifests, README.txt and the verifier."""
    oxum = f"{sum((bag / r).stat().st_size for r in writer.digests)}.{len(writer.digests)}"
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
    info = {
        "Source-Organization": cf.agency,
        "External-Identifier": cf.code,
        "External-Description": f"{cf.category}案卷 {cf.title}".replace("\n", " "),
        "Internal-Sender-Identifier": case.number or str(case.pk),
        "Bagging-Date": timezone.localdate().isoformat(),
        "Bag-Software-Agent": f"Linke archive.export (bagit {bagit.VERSION})",
        "Payload-Oxum": oxum,
    }
    (bag / "bag-info.txt").write_text("".join(f"{k}: {v}\n" for k, v in info.items()), encoding="utf-8")
    for alg in ALGORITHMS:
        (bag / f"manifest-{alg}.txt").write_text(_manifest(writer.digests, alg), encoding="utf-8")
    shutil.copyfile(README, bag / "README.txt")
    shutil.copyfile(VERIFIER, bag / "verify_bag.py")


def tar_bag(bag: Path, target: Path) -> Path:
    """The bag directory as one uncompressed tar at `target` (its top directory the bag's name),
    written by streaming each file; returns `target`."""
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(bag, arcname=bag.name)
    return target
