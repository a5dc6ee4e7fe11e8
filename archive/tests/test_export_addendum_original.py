"""An approved addendum's scan original in the bag (issue 16; 第二十八条): the item's pages are
the sealed volume's, and the scan as uploaded — PNG, JPEG or PDF, byte for byte — is a payload
file of its own (data/originals/NNN.ext), in both manifests, referenced from the item's
metadata (`scan`: name, type, size, digests) and checked by the four-properties report; the
shipped verifier and the report fail on a tampered, swapped or missing scan original."""

import hashlib
import io
import json
import shutil
from pathlib import Path

import bagit  # type: ignore[import-untyped]
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from archive import fourprops
from archive.export import build_bag
from archive.verifier import verify_bag

from .factories_export import jpeg_bytes
from .test_casefile import _pdf as pdf_bytes
from .test_export import _rewrite_manifests, _verify
from .test_export_addenda import _add, _metadata
from .test_sealed_volume import stored_case  # noqa: F401

pytestmark = pytest.mark.django_db


def png_bytes(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


SCANS = {  # upload name -> (content type, bytes)
    "更正通知书扫描件.png": ("image/png", png_bytes()),
    "现场照片补充.jpg": ("image/jpeg", jpeg_bytes()),
    "送达回证扫描件.pdf": ("application/pdf", pdf_bytes(1)),
}


@pytest.fixture
def addenda(stored_case, head, archivist, django_capture_on_commit_callbacks):
    """The sealed case with three approved addenda, one per scan type, and one without a scan;
    the sealed volume stored again after each (the on-commit task ran)."""
    rows = []
    with django_capture_on_commit_callbacks(execute=True):
        for name, (content_type, data) in SCANS.items():
            scan = SimpleUploadedFile(name, data, content_type=content_type)
            rows.append(_add(stored_case, head, archivist, f"补充{name}", scan=scan))
        _add(stored_case, head, archivist, "当事人地址更正说明")
    return rows


def _scan_metas(bag: Path) -> dict[str, dict]:
    """The addendum items' metadata with a scan, by request number's upload name."""
    return {
        m["title"].removeprefix("补充"): m for m in _metadata(bag) if m.get("kind") == "addendum" and m["scan_name"]
    }


def test_each_addendum_scan_original_is_a_payload_file_referenced_from_its_item(stored_case, addenda, tmp_path):
    bag = build_bag(stored_case, tmp_path / "out")

    bagit.Bag(str(bag)).validate()  # full: completeness, Payload-Oxum, SHA-256 digests
    proc = _verify(bag)
    assert proc.returncode == 0, proc.stdout
    report = fourprops.check_bag(bag)
    assert report["passed"], report
    sha256 = verify_bag.read_manifest(bag / "manifest-sha256.txt")
    sm3 = verify_bag.read_manifest(bag / "manifest-sm3.txt")
    metas = _scan_metas(bag)
    assert set(metas) == set(SCANS)
    for row, (name, (content_type, data)) in zip(addenda, SCANS.items(), strict=True):
        meta = metas[name]
        scan = meta["scan"]
        ext = Path(name).suffix
        assert scan["path"] == f"data/originals/{meta['item_number']:03d}{ext}"
        with row.scan.open("rb") as fh:
            stored = fh.read()
        assert (bag / scan["path"]).read_bytes() == stored == data  # the original, not the volume's pages
        assert scan["original_name"] == Path(row.scan.name).name and scan["original_name"].endswith(ext)
        assert (scan["mime_type"], scan["size"]) == (content_type, len(data))
        assert sha256[scan["path"]] == scan["sha256"] == hashlib.sha256(data).hexdigest()
        assert sm3[scan["path"]] == scan["sm3"] == verify_bag.stream_digests(io.BytesIO(data), ("sm3",))["sm3"]
        assert meta["file"]["path"] == f"data/items/{meta['item_number']:03d}.pdf"  # the volume's pages, still
    assert not any("scan" in m for m in _metadata(bag) if m.get("kind") != "addendum" or not m["scan_name"])
    originals = sorted(p.relative_to(bag).as_posix() for p in (bag / "data/originals").iterdir())
    assert originals == sorted(m["scan"]["path"] for m in metas.values())
    readme = (bag / "README.txt").read_text(encoding="utf-8")
    assert "data/originals/NNN.*" in readme


def test_a_tampered_swapped_or_missing_scan_original_fails(stored_case, addenda, tmp_path):
    bag = build_bag(stored_case, tmp_path / "out")
    meta = _scan_metas(bag)["更正通知书扫描件.png"]
    rel = meta["scan"]["path"]

    # Its bytes changed: the verifier (both digests) and the report's 真实性 fail on it.
    tampered = shutil.copytree(bag, tmp_path / "tampered")
    (tampered / rel).write_bytes(png_bytes((0, 0, 0)))
    proc = _verify(tampered)
    assert proc.returncode == 1
    assert (
        f"SHA256 摘要不符（文件被改动）：{rel}" in proc.stdout and f"SM3 摘要不符（文件被改动）：{rel}" in proc.stdout
    )
    authenticity = fourprops.check_bag(tampered)["properties"][0]
    assert not authenticity["passed"] and any(rel in f for f in authenticity["failures"])

    # Swapped for another image with the manifests made to agree: the item's metadata still
    # records the original's digest, and 真实性 says so.
    swapped = shutil.copytree(bag, tmp_path / "swapped")
    (swapped / rel).write_bytes(png_bytes((0, 0, 0)))
    _rewrite_manifests(swapped)
    assert _verify(swapped).returncode == 0  # the verifier reads manifests, not metadata
    authenticity = fourprops.check_bag(swapped)["properties"][0]
    assert authenticity["failures"] == [f"第{meta['item_number']}件元数据中的扫描件原件摘要与清单不符"]

    # Removed with the manifests made to agree: 完整性 misses the file the item names.
    missing = shutil.copytree(bag, tmp_path / "missing")
    (missing / rel).unlink()
    for alg in verify_bag.ALGORITHMS:
        manifest = missing / f"manifest-{alg}.txt"
        manifest.write_text("".join(ln for ln in manifest.read_text().splitlines(True) if not ln.endswith(f" {rel}\n")))
    _rewrite_manifests(missing)
    assert _verify(missing).returncode == 0
    integrity = fourprops.check_bag(missing)["properties"][1]
    assert integrity["failures"] == [f"第{meta['item_number']}件的扫描件原件缺失：{rel}"]

    # Not an image any more (a renamed executable): 可用性 and 安全性 fail on it.
    exe = shutil.copytree(bag, tmp_path / "exe")
    (exe / rel).write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    report = fourprops.check_bag(exe)
    assert any(rel in f for f in report["properties"][2]["failures"])
    assert report["properties"][3]["failures"] == [f"含可执行或压缩包内容：{rel}"]
    assert json.loads((bag / "fourprops/report.json").read_text())["passed"]  # the export's own report passed


def test_the_scan_sha256_is_recorded_at_upload_and_a_changed_stored_scan_fails_authenticity(
    stored_case, addenda, tmp_path
):
    """第二十八条: the scan's SHA-256 is recorded when it is uploaded (Addendum.scan_sha256); the
    bag's item metadata carries it, and a stored scan changed since (the storage, not the bag)
    fails 真实性 in the export's own four-properties report."""
    for row, (_, data) in zip(addenda, SCANS.values(), strict=True):
        assert row.scan_sha256 == hashlib.sha256(data).hexdigest()
    row = addenda[0]
    storage, name = row.scan.storage, row.scan.name
    storage.delete(name)
    assert storage.save(name, io.BytesIO(png_bytes((0, 0, 0)))) == name  # same name, other bytes

    bag = build_bag(stored_case, tmp_path / "out")
    meta = _scan_metas(bag)["更正通知书扫描件.png"]
    assert meta["scan"]["sha256_recorded"] == row.scan_sha256 != meta["scan"]["sha256"]
    report = json.loads((bag / "fourprops/report.json").read_text())
    authenticity = report["properties"][0]
    assert not report["passed"] and authenticity["code"] == "authenticity"
    assert authenticity["failures"] == [f"第{meta['item_number']}件的扫描件原件与上传时登记的SHA-256摘要不符"]
    others = [m for n, m in _scan_metas(bag).items() if n != "更正通知书扫描件.png"]
    assert others and all(m["scan"]["sha256_recorded"] == m["scan"]["sha256"] for m in others)
