"""The export of a sealed case (issue 16 item 5): the BagIt bag validates with the bagit
library, both manifests (SHA-256, SM3) match, the shipped verifier passes and fails on a
tampered file or audit entry, the four-properties report fails on a tampered file, the
volume's text shows the 卷内目录 in Chinese; the command refuses an unsealed case; the pages
are for the archivist (and the head) only, and a repeated request starts no second job."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import bagit  # type: ignore[import-untyped]
import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfReader

from archive import fourprops
from archive.export import ExportRefused, build_bag
from archive.models import ExportJob, ExportStatus
from archive.verifier import verify_bag
from audit.chain import entry_hash
from audit.models import Entry
from avrecords.selectors import records_of_case
from cases.tests.factories import CaseFactory

from .factories_export import sealed_case  # noqa: F401

pytestmark = pytest.mark.django_db
PYTHON = sys.executable  # the venv's python: Python 3 and `cryptography`, nothing of Linke


def _verify(bag: Path) -> subprocess.CompletedProcess:
    """The shipped script, run from a directory outside the checkout as a recipient would."""
    return subprocess.run(
        [PYTHON, "-I", str(bag / "verify_bag.py"), str(bag)], capture_output=True, text=True, check=False, cwd=bag
    )


def _manifest(bag: Path, name: str) -> dict[str, str]:
    return verify_bag.read_manifest(bag / name)


def _rewrite_manifests(bag: Path) -> None:
    """What a forger would do after changing a payload file: recompute both manifests, the
    Payload-Oxum and the tag manifests so that the bag's digests agree again."""
    payload = sorted(p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file())
    oxum = f"{sum((bag / n).stat().st_size for n in payload)}.{len(payload)}"
    info = bag / "bag-info.txt"
    info.write_text(
        "".join(
            f"Payload-Oxum: {oxum}\n" if ln.startswith("Payload-Oxum") else ln + "\n"
            for ln in info.read_text().splitlines()
        )
    )
    for kind in ("manifest", "tagmanifest"):
        for alg in verify_bag.ALGORITHMS:
            path = bag / f"{kind}-{alg}.txt"
            lines = [
                f"{verify_bag.file_digests(bag / n, (alg,))[alg]} {n}\n" for n in sorted(_manifest(bag, path.name))
            ]
            path.write_text("".join(lines), encoding="utf-8")


def test_bag_validates_with_both_manifests_the_originals_and_the_catalogue(sealed_case, tmp_path):
    bag = build_bag(sealed_case, tmp_path / "out")

    bagit.Bag(str(bag)).validate()  # full validation: completeness, Payload-Oxum, SHA-256 digests
    payload = {p.relative_to(bag).as_posix() for p in (bag / "data").rglob("*") if p.is_file()}
    for alg in ("sha256", "sm3"):
        listed = _manifest(bag, f"manifest-{alg}.txt")
        assert set(listed) == payload
        for name, digest in listed.items():
            assert hashlib.new(alg, (bag / name).read_bytes()).hexdigest() == digest, (alg, name)
        tags = _manifest(bag, f"tagmanifest-{alg}.txt")
        assert {"README.txt", "verify_bag.py", "fourprops/report.json", "fourprops/report.pdf"} <= set(tags)
        assert f"manifest-{alg}.txt" in tags

    # Short ASCII names; the Chinese titles in the metadata.
    assert all(name.isascii() and len(name) < 60 for name in payload)
    items = [json.loads(p.read_text()) for p in sorted((bag / "data/metadata/items").glob("*.json"))]
    assert [m["item_number"] for m in items] == list(range(1, len(items) + 1))
    by_kind = {m["kind"] for m in items}
    assert by_kind == {"document", "attachment", "av", "record"}  # record: a row's generated page
    titles = {m["title"] for m in items}
    assert {"项目申报书（扫描件）", "现场检查照片"} <= titles
    for m in items:
        for field in fourprops.REQUIRED:
            assert m[field], (m["item_number"], field)
        assert m["file"]["sha256"] == _manifest(bag, "manifest-sha256.txt")[m["file"]["path"]]
    # The AV original itself (its stored digest), not the player's copy.
    record = records_of_case(sealed_case.pk).get()
    (av,) = [m for m in items if m["kind"] == "av"]
    assert av["file"]["path"].endswith(".mp4") and av["file"]["sha256"] == record.sha256
    assert {m["file"]["path"].rsplit(".", 1)[1] for m in items if m["kind"] == "attachment"} == {"pdf", "jpg"}
    case_meta = json.loads((bag / "data/metadata/case.json").read_text())
    assert case_meta["aggregation_level"] == "案卷" and case_meta["item_count"] == len(items)

    # The volume's extracted text shows the catalogue in Chinese.
    text = "".join(page.extract_text() for page in PdfReader(bag / "data/volume/volume.pdf").pages)
    assert "卷内目录" in text and "不予行政处罚决定书" in text

    # Audit entries: every one of the case's, each as the chain hashes it.
    entries = json.loads((bag / "data/audit/entries.json").read_text())
    assert [e["seq"] for e in entries] == list(
        Entry.objects.filter(case_id=sealed_case.pk).order_by("seq").values_list("seq", flat=True)
    )
    for e in entries:
        recomputed = entry_hash(
            e["prev_hash"], e["seq"], e["created_at"], e["actor_id"], e["actor_name"], e["action"],
            e["case_id"], e["object_type"], e["object_id"], e["payload"],
        )  # fmt: skip
        assert recomputed == verify_bag.entry_hash(e) == e["hash"]

    proc = _verify(bag)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "核验通过" in proc.stdout

    report = json.loads((bag / "fourprops/report.json").read_text())
    assert report["passed"], report
    assert [p["label"] for p in report["properties"]] == ["真实性", "完整性", "可用性", "安全性"]
    assert "四性检测报告" in PdfReader(bag / "fourprops/report.pdf").pages[0].extract_text()
    assert fourprops.check_bag(bag)["passed"]  # re-run on the directory, digests recomputed


def test_tampering_is_found(sealed_case, tmp_path):
    bag = build_bag(sealed_case, tmp_path / "out")

    # A tampered file: the verifier fails, and so does the four-properties report.
    file_bag = shutil.copytree(bag, tmp_path / "file")
    photo = next((file_bag / "data/items").glob("*.jpg"))
    photo.write_bytes(photo.read_bytes()[:-4] + b"\x00\x00\xff\xd9")
    proc = _verify(file_bag)
    assert proc.returncode == 1
    assert "SHA256 摘要不符" in proc.stdout and "SM3 摘要不符" in proc.stdout
    report = fourprops.check_bag(file_bag)
    assert not report["passed"]
    authenticity = report["properties"][0]
    assert not authenticity["passed"] and any(photo.name in f for f in authenticity["failures"])
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(file_bag)).validate()

    # A tampered audit entry, with the manifests made to agree again: the entry's hash fails.
    entry_bag = shutil.copytree(bag, tmp_path / "entry")
    path = entry_bag / "data/audit/entries.json"
    entries = json.loads(path.read_text())
    entries[1]["actor_name"] = "某某"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    _rewrite_manifests(entry_bag)
    bagit.Bag(str(entry_bag)).validate()  # the bag itself is consistent again
    proc = _verify(entry_bag)
    assert proc.returncode == 1
    assert f"审计记录 #{entries[1]['seq']} 的哈希与内容不符" in proc.stdout

    # ... and with its hash recomputed too: the signed checkpoint no longer matches.
    entries[1]["hash"] = verify_bag.entry_hash(entries[1])
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    _rewrite_manifests(entry_bag)
    proc = _verify(entry_bag)
    assert proc.returncode == 1
    assert "检查点与审计记录不一致" in proc.stdout and "审计记录 #" not in proc.stdout

    # An executable put in as an item fails 安全性 (and 可用性).
    exe_bag = shutil.copytree(bag, tmp_path / "exe")
    (exe_bag / "data/items/099.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    report = fourprops.check_bag(exe_bag)
    security = report["properties"][3]
    assert not security["passed"] and "含可执行或压缩包内容：data/items/099.pdf" in security["failures"]


def test_command(sealed_case, tmp_path):
    unsealed = CaseFactory()
    with pytest.raises(CommandError, match="尚未归档"):
        call_command("export_case", unsealed.ref, "--out", str(tmp_path))
    with pytest.raises(CommandError, match="案件不存在"):
        call_command("export_case", "临科罚立〔1999〕9号", "--out", str(tmp_path))
    with pytest.raises(ExportRefused):
        build_bag(unsealed, tmp_path)

    out = io.StringIO()
    call_command("export_case", sealed_case.number, "--out", str(tmp_path / "bags"), stdout=out)
    (bag,) = (tmp_path / "bags").iterdir()
    assert "已导出" in out.getvalue()
    bagit.Bag(str(bag)).validate()


@pytest.mark.django_db(transaction=True)
def test_command_exits_non_zero_with_a_chinese_message(tmp_path, settings):
    """As a script sees it: manage.py run against the test database (the case committed), its
    exit status and its stderr."""
    case = CaseFactory()
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    proc = subprocess.run(
        [PYTHON, "manage.py", "export_case", case.ref, "--out", str(tmp_path)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "尚未归档" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_pages_for_the_archivist_only_one_job_at_a_time(sealed_case, archivist, officer, client):
    page = reverse("archive:export", args=[sealed_case.pk])

    client.force_login(officer)
    assert client.get(page).status_code == 404
    assert client.post(page).status_code == 404
    assert not ExportJob.objects.exists()

    client.force_login(archivist)
    assert client.get(page).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        resp = client.post(page)
    assert resp.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE and job.four_properties_passed is True
    status = client.get(reverse("archive:export_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["download"]
    assert status["bytes_done"] == status["bytes_total"] > 0

    resp = client.get(status["download"])
    assert resp.status_code == 200 and resp["Content-Disposition"].startswith("attachment")
    data = b"".join(resp.streaming_content)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        names = tar.getnames()
    assert any(n.endswith("/bagit.txt") for n in names) and any(n.endswith("/manifest-sm3.txt") for n in names)
    actions = set(Entry.objects.filter(case_id=sealed_case.pk).values_list("action", flat=True))
    assert {"archive.export_requested", "archive.export_finished", "archive.export_downloaded"} <= actions

    # Someone else gets 404 for the job's status and download too.
    client.force_login(officer)
    assert client.get(reverse("archive:export_status", args=[job.pk])).status_code == 404
    assert client.get(status["download"]).status_code == 404

    # A repeated request while one runs: no second job.
    client.force_login(archivist)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(page)
    assert ExportJob.objects.count() == 1


def test_unsealed_case_is_refused_on_the_page(archivist, client):
    case = CaseFactory()
    client.force_login(archivist)
    page = reverse("archive:export", args=[case.pk])
    resp = client.post(page, follow=True)
    assert "尚未归档" in resp.content.decode()
    assert not ExportJob.objects.exists()
