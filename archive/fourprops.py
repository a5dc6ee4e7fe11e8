"""The four-properties report of an exported bag (真实性、完整性、可用性、安全性; DA/T 70-2018,
tests on receipt at archiving; 档案法实施条例 第四十条), as JSON and as a PDF page.

`check_bag(bag_dir)` re-runs every test on a bag directory (archive.export's layout) and
returns the report:

    {"standard": "DA/T 70-2018", "bag": name, "checked_at": ISO time in local time (+08:00), "passed": bool,
     "properties": [{"code": "authenticity", "label": "真实性", "passed": bool,
                     "checks": [Chinese check names], "failures": [Chinese lines]}, ...]}

- 真实性: payload digests (SHA-256 and SM3) match the manifests; each audit entry's hash
  recomputes; the checkpoint's Ed25519 signature is valid; archival codes well formed, unique.
- 完整性: item numbers run 1..N without gaps; required DA/T 46 metadata present; each item's
  file present, and an addendum's scan original its metadata names (`scan`, archive.export).
- 可用性: every PDF opens (pypdf: header, xref, trailer, catalogue and the page tree's /Count;
  the pages' content is not parsed), media probe (ffprobe), images open (Pillow), JSON parses.
- 安全性: each payload file's extension is on the allow-list and its magic bytes match it; no
  executable (PE, ELF, Mach-O, script) or archive content.
"""

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from .verifier import verify_bag
from .verifier.verify_bag import ALGORITHMS

STANDARD = "DA/T 70-2018"
REQUIRED = (
    "aggregation_level",
    "source",
    "archival_code",
    "title",
    "responsible_party",
    "date",
    "document_type",
)
_CODE = re.compile(r"^[0-9A-Za-z]+-[0-9A-Za-z]+·\d{4}-(Y|D30|D10)-[0-9A-Za-z]+-\d{4}$")
_MP4 = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
# Extension -> test of the first 16 bytes.
ALLOWED: dict[str, Any] = {
    ".pdf": lambda h: h.startswith(b"%PDF-"),
    ".jpg": lambda h: h.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    ".png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    ".tif": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    ".tiff": lambda h: h[:4] in (b"II*\x00", b"MM\x00*"),
    ".mp4": lambda h: h[4:8] in _MP4,
    ".mov": lambda h: h[4:8] in _MP4,
    ".m4a": lambda h: h[4:8] in _MP4,
    ".3gp": lambda h: h[4:8] in _MP4,
    ".mp3": lambda h: h.startswith(b"ID3") or h[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    ".wav": lambda h: h.startswith(b"RIFF") and h[8:12] == b"WAVE",
    ".avi": lambda h: h.startswith(b"RIFF") and h[8:12] == b"AVI ",
    ".json": lambda h: h.lstrip()[:1] in (b"{", b"["),
    ".pem": lambda h: h.startswith(b"-----BEGIN"),
}
EXECUTABLE = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"PK\x03\x04")
# The files an item's metadata names: its own, and an approved addendum's scan original as
# uploaded (archive.export; only where the metadata has it) -> how a failure calls it.
REFERENCES = {"file": "文件", "scan": "扫描件原件", "page": "说明页"}  # "page": an AV record's 音像记录说明
MEDIA = {".mp4", ".mov", ".m4a", ".3gp", ".mp3", ".wav", ".avi"}
IMAGES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def _property(code: str, label: str, checks: list[str], failures: list[str]) -> dict[str, Any]:
    return {"code": code, "label": label, "passed": not failures, "checks": checks, "failures": failures}


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _payload(bag: Path) -> list[Path]:
    return sorted(p for p in (bag / "data").rglob("*") if p.is_file())


def _authenticity(bag: Path, known: dict[str, dict[str, str]] | None, case: dict[str, Any], items: list[Any]) -> dict:
    failures = verify_bag.check_manifests(bag, known, tags=False) + verify_bag.check_audit(bag)
    code = str(case.get("archival_code", ""))
    if not _CODE.match(code):
        failures.append(f"档号格式不符合 DA/T 22：{code or '（空）'}")
    codes = [str(m.get("archival_code", "")) for m in items]
    for m in items:
        if m.get("archival_code") != f"{code}-{int(m.get('item_number', 0)):03d}":
            failures.append(f"第{m.get('item_number')}件档号与案卷档号、件号不一致：{m.get('archival_code')}")
    if len(set(codes)) != len(codes):
        failures.append("件档号有重复")
    listed = verify_bag.read_manifest(bag / "manifest-sha256.txt") if (bag / "manifest-sha256.txt").is_file() else {}
    for m in items:
        # Metadata consistent with content: the item's digests as recorded, listed and registered.
        for key, label in REFERENCES.items():
            ref = m.get(key) or {}
            if ref.get("path") in listed and ref.get("sha256") != listed[ref["path"]]:
                failures.append(f"第{m.get('item_number')}件元数据中的{label}摘要与清单不符")
            if ref.get("sha256_recorded") and ref["sha256_recorded"] != ref.get("sha256"):  # e.g. the scan at upload
                failures.append(f"第{m.get('item_number')}件的{label}与上传时登记的SHA-256摘要不符")
        f = m.get("file") or {}
        for alg in ALGORITHMS:  # the digests recorded at ingest (SHA-256; SM3 where recorded)
            if m.get(f"{alg}_recorded") and m[f"{alg}_recorded"] != f.get(alg):
                failures.append(f"第{m.get('item_number')}件与系统登记的原件{alg.upper()}摘要不符")
    checks = [
        "载荷文件 SHA-256 与 SM3 摘要核对",
        "审计记录哈希重算",
        "检查点签名（Ed25519）验证",
        "档号格式与唯一性",
        "元数据摘要与内容、系统登记一致",
    ]
    return _property("authenticity", "真实性", checks, failures)


def _integrity(bag: Path, case: dict[str, Any], items: list[dict[str, Any]]) -> dict:
    failures = []
    numbers = sorted(int(m.get("item_number", 0)) for m in items)
    if numbers != list(range(1, len(numbers) + 1)):
        failures.append(f"件号不连续：{numbers}")
    if int(case.get("item_count", -1)) != len(items):
        failures.append(f"案卷元数据记载 {case.get('item_count')} 件，实有 {len(items)} 件")
    for field in REQUIRED:
        if not case.get(field):
            failures.append(f"案卷元数据缺少必备项：{field}")
    for m in items:
        for field in REQUIRED:
            if not m.get(field):
                failures.append(f"第{m.get('item_number')}件缺少必备元数据：{field}")
        for key, label in REFERENCES.items():
            if key != "file" and key not in m:
                continue
            rel = (m.get(key) or {}).get("path", "")
            if not rel or not (bag / rel).is_file():
                failures.append(f"第{m.get('item_number')}件的{label}缺失：{rel or '（未记载）'}")
    if not (bag / "data/volume/volume.pdf").is_file():
        failures.append("案卷PDF缺失")
    checks = ["件号连续无缺号", "DA/T 46 必备元数据齐全", "每件文件均在包内（含补充材料扫描件原件）"]
    return _property("integrity", "完整性", checks, failures)


def pdf_pages(stream: IO[bytes]) -> int:
    """The page count of the PDF in the binary `stream` (seekable), read from the xref and the
    page tree's root /Count — no page and no content stream is parsed (pypdf's `len(pages)`
    flattens the whole tree). Raises pypdf's errors (PdfReadError...) on a broken file, KeyError /
    TypeError when the catalogue has no page tree."""
    from pypdf import PdfReader  # lazy: the export process needs it only here

    root: Any = PdfReader(stream).trailer["/Root"]
    return int(root["/Pages"]["/Count"])


def _opens(path: Path) -> str:
    """'' when the file opens, else the reason."""
    ext = path.suffix.lower()
    try:
        if ext == ".pdf":
            with open(path, "rb") as fh:  # read as needed, not loaded whole
                if pdf_pages(fh) < 1:
                    return "PDF无页面"
        elif ext in MEDIA:
            proc = subprocess.run(
                ["ffprobe", "-v", "error", "-show_entries", "format=format_name", "-of", "json", str(path)],
                capture_output=True,
                timeout=120,
                check=False,
            )
            if proc.returncode != 0 or not json.loads(proc.stdout or b"{}").get("format"):
                return "ffprobe无法识别：" + proc.stderr.decode(errors="replace").strip()[:200]
        elif ext in IMAGES:
            from PIL import Image

            with Image.open(path) as img:
                img.verify()
        elif ext == ".json":
            _load_json(path)
        elif ext == ".pem":
            from cryptography.hazmat.primitives.serialization import load_pem_public_key

            load_pem_public_key(path.read_bytes())
        else:
            return "不是可识别的格式"
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return ""


def _usability(bag: Path, files: list[Path], opened: dict[str, int]) -> dict:
    failures = []
    for path in files:
        rel = path.relative_to(bag).as_posix()
        if rel in opened:  # parsed when its bytes were stored (check_bag's `opened`)
            why = "" if opened[rel] >= 1 else "PDF无页面"
        else:
            why = _opens(path)
        if why:
            failures.append(f"文件无法打开：{rel}（{why}）")
    checks = ["PDF可解析（pypdf）", "音视频可探测（ffprobe）", "图片可打开", "元数据可解析"]
    if opened:
        checks.append(f"{len(opened)} 个PDF与入库时摘要一致，沿用入库时的页数")
    return _property("usability", "可用性", checks, failures)


def _security(bag: Path, files: list[Path]) -> dict:
    failures = []
    for path in files:
        rel = path.relative_to(bag).as_posix()
        with open(path, "rb") as fh:
            head = fh.read(16)
        test = ALLOWED.get(path.suffix.lower())
        if head.startswith(EXECUTABLE):
            failures.append(f"含可执行或压缩包内容：{rel}")
        elif test is None:
            failures.append(f"扩展名不在允许范围：{rel}")
        elif not test(head):
            failures.append(f"文件内容与扩展名不符：{rel}")
    checks = ["扩展名白名单", "文件头与扩展名一致", "无可执行内容"]
    return _property("security", "安全性", checks, failures)


def check_bag(
    bag_dir: Path | str, known: dict[str, dict[str, str]] | None = None, opened: dict[str, int] | None = None
) -> dict[str, Any]:
    """The four-properties report of the bag at `bag_dir` (shape in the module docstring).
    `known`: digests computed while the bag was written ({path: {alg: hex}}), not recomputed.
    `opened`: {path: page count} of PDFs the writer copied with the SHA-256 recorded when they
    were stored and parsed (a rendered document, the sealed volume): the same bytes open, so
    they are not parsed again (a document's object stream costs pypdf ~20 ms)."""
    bag = Path(bag_dir)
    try:
        case = _load_json(bag / "data/metadata/case.json")
        items = [_load_json(p) for p in sorted((bag / "data/metadata/items").glob("*.json"))]
    except (OSError, ValueError) as exc:
        case, items = {}, []
        missing = f"元数据无法读取：{exc}"
    else:
        missing = ""
    files = _payload(bag)
    props = [
        _authenticity(bag, known, case, items),
        _integrity(bag, case, items),
        _usability(bag, files, opened or {}),
        _security(bag, files),
    ]
    if missing:
        props[1]["failures"].insert(0, missing)
        props[1]["passed"] = False
    return {
        "standard": STANDARD,
        "bag": bag.name,
        "archival_code": case.get("archival_code", ""),
        "title": case.get("title", ""),
        "checked_at": timezone.localtime().isoformat(timespec="seconds"),  # Beijing time, +08:00
        "passed": all(p["passed"] for p in props),
        "properties": props,
    }


def report_pdf(report: dict[str, Any]) -> bytes:
    """The report as a one-page PDF (WeasyPrint, CJK fonts embedded; documents.rendering)."""
    from documents.rendering import render_html, render_pdf

    return render_pdf(render_html("archive/fourprops.html", {"report": report, "checked": checked_local(report)})).pdf


def checked_local(report: dict[str, Any]) -> str:
    """The report's 检测时间 as the page prints it: local time (settings.TIME_ZONE, Beijing),
    "YYYY-MM-DD HH:MM:SS", whatever offset its ISO `checked_at` carries; the text as stored when
    it is not an ISO time."""
    text = str(report.get("checked_at", ""))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(when):
        return text
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S")


def write_report(bag: Path, report: dict[str, Any]) -> None:
    """fourprops/report.json and fourprops/report.pdf in the bag (tag files)."""
    out = bag / "fourprops"
    out.mkdir(exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    (out / "report.pdf").write_bytes(report_pdf(report))
