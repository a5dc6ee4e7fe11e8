"""Demo of 第六章 (run by seed_demo's `finish`, after review's and delivery's): two penalty cases
walked through the real actions with the clock set back (linke.clock) — filed, inquired, heard,
reviewed and decided, the 行政处罚决定书 served in person, the fine paid with its receipt,
concluded (结案) — each with a scanned PDF and a short video (ffmpeg, ingested through the
avrecords upload pipeline) recorded while open.

- SEALED_CASE: sealed through archive.sealing (the 备考表; the head's 准予归档 first where the
  quality review names a blocker), so the archive's export and the sealed case page show. Its
  项目申报书 scan is marked 商业秘密 and a 研发人员名单 scan 个人隐私 (marked when attached, before
  sealing), so a consultation's per-item treatment (第二十九条第二款) can be tried.
- WAITING_CASE: concluded, waiting in the archivist's queue (/archive/), its 30-day period
  (第二十八条) running.
- VETO_CASE: concluded, waiting in the queue, its file failing a veto rule (officers.two, 执法人员
  少于两人): the archivist cannot seal it until the head signs 准予归档 (/archive/case/<pk>/override/)
  with a reason. No action makes a concluded case fail a veto (the decision checks and
  cases.services refuse it beforehand), so after the walk one officer's assignment row is removed
  directly: it stands for a file whose record names a single officer (e.g. a paper file entered
  later). Only this case's row; the users are untouched.

Sealing runs on commit after the AV pipeline's own on-commit steps (run eagerly on the embedded
default): a sealed case's rows are read-only (archive.guard), so the record must be in first.
Idempotent: a case that exists is not made again; a concluded demo case not yet sealed is
sealed on the next run."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors
from cases import services
from cases.models import Case, CaseState, Confidentiality
from linke.clock import on_day

SEALED_CASE = "临沂华泰智能装备有限公司涉嫌虚报科技计划项目研发费用案"
WAITING_CASE = "临沂金盛农业科技有限公司涉嫌虚报科技计划项目研发费用案"
VETO_CASE = "临沂恒远新材料有限公司涉嫌虚报科技计划项目研发费用案"
ORGS = {
    SEALED_CASE: {
        "kind": "organisation",
        "name": "临沂华泰智能装备有限公司",
        "id_number": "91371300MA3C4R7K2A",
        "legal_rep": "孙明远",
        "address": "山东省临沂市河东区温泉路66号",
        "phone": "0539-8123456",
    },
    WAITING_CASE: {
        "kind": "organisation",
        "name": "临沂金盛农业科技有限公司",
        "id_number": "91371322MA3D9T5H6M",
        "legal_rep": "高振华",
        "address": "山东省临沂市兰陵县会宝路18号",
        "phone": "0539-5212345",
    },
    VETO_CASE: {
        "kind": "organisation",
        "name": "临沂恒远新材料有限公司",
        "id_number": "91371312MA3E6L8N46",
        "legal_rep": "韩立新",
        "address": "山东省临沂市罗庄区罗七路29号",
        "phone": "0539-7312345",
    },
}
# Days before today (working days counted back) the decision is served; concluded the next one.
# The sealed case is concluded recently enough that sealing today is within its 30 days
# (第二十八条): a fresh install's archiving on-time rate is not spoiled by the demo itself.
SERVED_DAYS_AGO = {SEALED_CASE: 16, WAITING_CASE: 12, VETO_CASE: 20}


def pdf_bytes(pages: int, title: str) -> bytes:
    """A real PDF of `pages` blank A4 pages (pypdf) standing for a paper scan."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_video(path: Path, seconds: int = 2, size: str = "320x240") -> Path:
    """`seconds` of ffmpeg's test picture (`size`, width x height pixels, 10 frames a second)
    with a 440 Hz tone (MPEG-4 part 2 + AAC, a few KB) written to `path`, which is returned;
    the export test factory makes its video with it too. Raises CalledProcessError if ffmpeg
    fails."""
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "mpeg4", "-c:a", "aac", "-b:a", "32k", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def _record_video(case: Case, officer: User, ended: dt.datetime) -> None:
    """第十一条、第二十七条: the on-site video uploaded like a collection station's upload; the
    pipeline (hash, dedicated storage, probe, proxy) runs on commit."""
    from avrecords.services import upload_advance, upload_create
    from avrecords.storage import staging_path

    with tempfile.TemporaryDirectory() as tmp:
        path = make_video(Path(tmp) / "现场检查录像.mp4")
        upload = upload_create(
            length=path.stat().st_size,
            user=officer,
            metadata={
                "filename": path.name,
                "case": case.ref,
                "started_at": (ended - dt.timedelta(seconds=2)).isoformat(),
                "ended_at": ended.isoformat(),
            },
        )
        shutil.copyfile(path, staging_path(upload.pk))
    upload_advance(upload_id=upload.pk, offset=upload.length)


# 第二十六条: the on-site video's description (制作方法、证明对象; 制作时间 is its recording start,
# 制作人 the officer), so the quality rule av.details passes on the demo's files.
VIDEO_METHOD = "执法记录仪现场录像"
VIDEO_PROVES = "现场检查：核对项目申报书原件、研发场所及研发人员情况"


def _describe_videos(case_id: int, officer: User) -> None:
    """第二十六条: each AV record of the case (not sealed) still lacking them gets 制作方法,
    制作时间 (its recording start), 制作人 (`officer`) and 证明对象 through avrecords'
    record_describe (audited); a described or finalised record is left as it is. Run on commit:
    the AV pipeline makes the record on commit of its upload (a worker not done yet: the next
    seed_demo describes it)."""
    from avrecords.selectors import details_missing, records_of_case
    from avrecords.services import record_describe

    if case_selectors.case_of(case_id).state == CaseState.ARCHIVED:
        return
    for record in records_of_case(case_id):
        if record.finalised_at is not None or not details_missing(record):
            continue
        values: dict[str, Any] = {}
        if not record.method.strip():
            values["method"] = VIDEO_METHOD
        if record.made_at is None:
            values["made_at"] = record.started_at or record.ended_at or record.created_at
        if record.maker_id is None:
            values["maker"] = officer
        if not record.proves.strip():
            values["proves"] = VIDEO_PROVES
        record_describe(record_id=record.pk, by=officer, **values)


def _evidence(case: Case, officer: User, title: str, inquired_on: dt.date) -> None:
    """On the inquiry day: the 项目申报书 scan (商业秘密 in SEALED_CASE) and, in SEALED_CASE, a
    研发人员名单 scan (个人隐私); the on-site video, ended 11:00."""
    services.attachment_add(
        case=case,
        file=SimpleUploadedFile(
            "项目申报书扫描件.pdf", pdf_bytes(2, "项目申报书（扫描件）"), content_type="application/pdf"
        ),
        by=officer,
        confidentiality=Confidentiality.TRADE_SECRET if title == SEALED_CASE else "",
        description="项目申报书（扫描件）",
    )
    if title == SEALED_CASE:  # a consultation's per-item treatment (第二十九条第二款) can be tried
        services.attachment_add(
            case=case,
            file=SimpleUploadedFile(
                "研发人员名单扫描件.pdf", pdf_bytes(1, "研发人员名单（扫描件）"), content_type="application/pdf"
            ),
            by=officer,
            confidentiality=Confidentiality.PRIVACY,
            description="研发人员名单（扫描件，含身份证号码）",
        )
    _record_video(case, officer, on_day(inquired_on, 11))


def _walk(u: dict[str, User], title: str) -> Case:
    """Filed, inquired, heard, decided and served SERVED_DAYS_AGO[title] days ago (with a scan
    and a video recorded on the inquiry day), the fine paid that day, concluded the next
    working day (delivery.demo_walk, the walk every demo case shares)."""
    from delivery.demo_execution import walk_day
    from delivery.demo_walk import Closing, Walkers, next_working_day, walk_from_review, walk_to_review
    from delivery.models import Ending

    org, officer = ORGS[title], u["officer"]
    day = walk_day(timezone.localdate() - dt.timedelta(days=SERVED_DAYS_AGO[title] - 60))
    case = walk_to_review(u, title, org, day, evidence=lambda case, on: _evidence(case, officer, title, on))
    closing = Closing(on=next_working_day(day), ending=Ending.PAID, opinion="罚款已缴清，同意结案。")
    return walk_from_review(case, Walkers.of(u), day=day, paid=True, closing=closing)


def _fail_a_veto(case: Case, u: dict[str, User]) -> None:
    """VETO_CASE (module docstring): the second officer's assignment row removed, so the file
    fails the officers.two veto (《行政处罚法》第四十二条) and waits for the head's 准予归档."""
    case.assignments.filter(officer=u["officer2"]).delete()


def _seal(case_id: int, u: dict[str, User], stdout: Any) -> None:
    """第二十八条: the archivist seals with the 备考表; the head's 准予归档 first where needed."""
    from avrecords.selectors import records_of_case

    from . import sealing
    from .volume import render_volume

    case = case_selectors.case_of(case_id)
    if case.state != CaseState.CONCLUDED:
        return
    if not any(r.original_key for r in records_of_case(case.pk)):
        stdout.write("  归档：演示案件的音像记录尚未入库，暂不归档（入库后再次运行 seed_demo）")
        return
    with transaction.atomic():
        if not sealing.review(case).may_seal:
            sealing.seal_override_sign(
                case_id=case.pk, by=u["head"], agree=True, opinion="经复核，所列问题不影响案卷完整，准予归档。"
            )
        # 检查人: 法规科, not the archivist who compiles (立卷人), reads the volume as arranged and
        # checks it first (第二十八条).
        digest = sealing.catalogue_digest(sealing.assemble(case))
        volume = render_volume(case)
        sealing.volume_read(case=case, by=u["reviewer2"], digest=digest, size=len(volume))
        sealing.check_sign(
            case_id=case.pk, by=u["reviewer2"], agree=True, opinion="案卷材料齐全，排列有序，同意归档。", digest=digest
        )
        row = sealing.seal(
            case_id=case.pk, by=u["archivist"], description="本卷为行政处罚案件，文书、证据、音像记录齐全，排列有序。"
        )
    stdout.write(f"  归档：演示案件已归档，档号 {row.archival_code}")


def seed(stdout: Any, users: dict[str, User]) -> None:
    """Nothing before the other apps' seeds: the archive's cases are made in `finish`."""


def finish(stdout: Any, users: dict[str, User]) -> None:
    u = users
    if any(name not in u for name in ("reviewer2", "archivist", "head")):
        stdout.write("  归档：缺少演示用户，跳过")
        return
    if not shutil.which("ffmpeg"):
        stdout.write("  归档：未找到 ffmpeg，跳过")
        return
    made = 0
    cases = {}
    for title in (WAITING_CASE, VETO_CASE, SEALED_CASE):
        case = case_selectors.cases_of_officer(u["officer"]).filter(title=title).first()
        if case is None:
            case = _walk(u, title)
            if title == VETO_CASE:
                _fail_a_veto(case, u)
            made += 1
        cases[title] = case
    stdout.write(
        f"  归档：新建演示案件 {made} 件（已结案待归档 2 件，其中 1 件存在否决项，待机关负责人签署准予归档意见）"
    )
    for case in cases.values():  # after the AV pipeline's on-commit steps, before sealing
        transaction.on_commit(partial(_describe_videos, case.pk, u["officer"]))
    sealed = cases[SEALED_CASE]
    if sealed.state == CaseState.CONCLUDED:
        # After the AV pipeline's and the documents' on-commit steps (registered before this).
        transaction.on_commit(lambda: _seal(sealed.pk, u, stdout))
