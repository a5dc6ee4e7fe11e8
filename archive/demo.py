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
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors
from cases import services
from cases.models import Case, CaseState, Confidentiality
from linke.clock import clock_at, on_day

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
SERVED_DAYS_AGO = {SEALED_CASE: 40, WAITING_CASE: 12, VETO_CASE: 20}


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


def _video(path: Path) -> Path:
    """2 s of test picture with sound (MPEG-4 part 2 + AAC, a few KB), as the tests make."""
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
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
        path = _video(Path(tmp) / "现场检查录像.mp4")
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


def _walk(u: dict[str, User], title: str) -> Case:
    """Filed, inquired, heard, decided and served SERVED_DAYS_AGO[title] days ago (with a scan
    and a video recorded on the inspection day), the fine paid that day, concluded the next
    working day."""
    from delivery import conclusion as co
    from delivery import execution as ex
    from delivery.demo import _scan, serve_in_person
    from delivery.demo_execution import walk_day, working_days_before
    from delivery.models import Ending, RecipientRelation
    from review import actions, publication
    from review.demo import _filed, _heard, _inquired_and_submitted
    from review.selectors import decision_of

    org, officer, head = ORGS[title], u["officer"], u["head"]
    day = walk_day(timezone.localdate() - dt.timedelta(days=SERVED_DAYS_AGO[title] - 60))
    filed_on, inquired_on, heard_on = (working_days_before(day, n) for n in (10, 8, 6))
    with clock_at(on_day(filed_on, 9)):
        case = _filed(u, title, org)
    with clock_at(on_day(inquired_on, 16)):
        _inquired_and_submitted(u, case, org, on_day(inquired_on, 10))
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
    with clock_at(on_day(heard_on, 10)):
        _heard(case, officer, org)
    with clock_at(on_day(day, 9)):
        actions.review_sign(case_id=case.pk, by=u["reviewer"], opinion="事实清楚，证据确实充分，同意拟处理意见。")
        actions.review_sign(case_id=case.pk, by=u["reviewer2"], opinion="经审核，程序合法，适用依据正确，处罚适当。")
        actions.review_complete(case_id=case.pk, by=u["reviewer2"])
        actions.review_sign(case_id=case.pk, by=head, opinion="同意法规科审查意见。")
        actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")
        publication.publication_publish(case_id=case.pk, by=u["reviewer"])  # 公示, within 7 working days
    with clock_at(on_day(day, 15)):
        decision = decision_of(case)
        assert decision is not None and decision.document is not None
        party_id = case.parties.order_by("pk").values_list("pk", flat=True).get()
        serve_in_person(
            decision.document,
            by=officer,
            party_id=party_id,
            recipient=org["legal_rep"],
            relation=RecipientRelation.LEGAL_REP,
        )
        ex.execution_start(case_id=case.pk, by=officer)
        status = ex.fine_status_of(case, today=day)
        assert status is not None
        ex.fine_payment_record(
            case_id=case.pk,
            by=officer,
            amount_yuan=status.outstanding,
            paid_on=day,
            receipt=_scan("缴款凭证.pdf"),
        )
    concluded_on = day + dt.timedelta(days=1)
    while not _working(concluded_on):
        concluded_on += dt.timedelta(days=1)
    with clock_at(on_day(concluded_on, 10)):
        co.conclude(case_id=case.pk, by=head, ending=Ending.PAID, opinion="罚款已缴清，同意结案。")
    return case_selectors.case_of(case.pk)


def _working(day: dt.date) -> bool:
    from deadlines import calendar

    return calendar.is_working_day(day)


def _fail_a_veto(case: Case, u: dict[str, User]) -> None:
    """VETO_CASE (module docstring): the second officer's assignment row removed, so the file
    fails the officers.two veto (《行政处罚法》第四十二条) and waits for the head's 准予归档."""
    case.assignments.filter(officer=u["officer2"]).delete()


def _seal(case_id: int, u: dict[str, User], stdout: Any) -> None:
    """第二十八条: the archivist seals with the 备考表; the head's 准予归档 first where needed."""
    from avrecords.selectors import records_of_case

    from . import sealing

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
        # 检查人: 法规科, not the archivist who compiles (立卷人), checks the file as arranged first.
        sealing.check_sign(
            case_id=case.pk,
            by=u["reviewer2"],
            agree=True,
            opinion="案卷材料齐全，排列有序，同意归档。",
            digest=sealing.catalogue_digest(sealing.assemble(case)),
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
    sealed = cases[SEALED_CASE]
    if sealed.state == CaseState.CONCLUDED:
        # After the AV pipeline's and the documents' on-commit steps (registered before this).
        transaction.on_commit(lambda: _seal(sealed.pk, u, stdout))
