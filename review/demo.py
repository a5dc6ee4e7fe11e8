"""Demo cases of 第四章 (run by seed_demo after every app's seed): a penalty case submitted for
review and not yet taken from 法规科's queue, and one decided and published, with its
行政处罚决定书. Each walks the real actions: registered, filed, one finalised inquiry (第十条),
the decision drafted and submitted; the decided one then the 事先告知书 issued, served (through 第五章
delivery) and the defence expressly waived (第十四条), the 第五十八条 sheet answered, reviewed (审理, 审核),
approved, decided (第十六条) and published (行政执法公示). Its fine is below the collective
discussion threshold (settings), so no 集体讨论 is needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors
from cases import services
from cases.demo import ORG_A, ORG_B
from cases.models import Case
from records.models import RecordKind
from records.services import record_create, record_finalise

from . import actions, defence, legal, publication
from .models import DecisionOutcome, PenaltyKind
from .models_defence import WaiverForm

DRAFT: dict[str, Any] = {
    "outcome": DecisionOutcome.PENALTY,
    "evidence": "1.询问笔录一份，证明当事人承认申报材料由代办机构制作且未核实；2.项目申报材料复印件一份。",
    "basis": "《山东省科学技术奖励办法》第三十二条第一款第（二）项",  # demo text
    "kinds": [PenaltyKind.WARNING, PenaltyKind.FINE],
    "fine_yuan": Decimal("20000"),
    "confiscation_yuan": None,
    "content": "给予警告，并处罚款人民币贰万元整。",
    "performance": "自收到本决定书之日起十五日内，通过非税收入电子缴款系统或到指定银行缴纳罚款。",
}


def _filed_with_inquiry(u: dict[str, User], title: str, party: dict[str, Any]) -> Case:
    """Registered and filed now, one inquiry of 3 days ago finalised, the draft submitted."""
    case = _filed(u, title, party)
    _inquired_and_submitted(u, case, party, timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=3))
    return case


def _filed(u: dict[str, User], title: str, party: dict[str, Any]) -> Case:
    """Registered ex officio and filed (立案) now, the head approving."""
    officer, officer2 = u["officer"], u["officer2"]
    case = services.case_register_ex_officio(
        by=officer,
        title=title,
        officers=[officer, officer2],
        parties=[party],
        summary="当事人在申报2026年度市级科技计划项目时，提交的研发费用材料与实际情况不符。",
        cause="2026年度科技计划项目专项检查中发现当事人申报材料与实际情况不符。",
        source="inspection",
        source_detail="2026年市级科技计划项目专项监督检查",
        officer_opinion="当事人涉嫌违法，建议立案调查。",
    )
    services.filing_opinion_record(case_id=case.pk, by=u["chief"], level="unit", opinion="同意立案调查。")
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_approve_filing(case_id=case.pk, by=u["head"], opinion="同意立案，由执法一科调查。")
    return case


def _inquired_and_submitted(u: dict[str, User], case: Case, party: dict[str, Any], when: dt.datetime) -> None:
    """The inquiry held at `when` (one hour) finalised (第十条), the decision drafted and submitted."""
    officer, officer2 = u["officer"], u["officer2"]
    inquiry = record_create(
        case_id=case.pk,
        kind=RecordKind.INQUIRY,
        by=officer,
        officers=[officer, officer2],
        data={
            "party_name": party["name"],
            "place": "临沂市科学技术局询问室",
            "started_at": when,
            "ended_at": when + dt.timedelta(hours=1),
            "confirmation": "signed",
            "subject_role": "party",
            "person_name": "刘建华",
            "person_gender": "男",
            "person_id_no": "371302197805061237",
            "person_employer": "该公司总经理",
            "person_phone": "13905391234",
            "transcript": "问：公司申报材料中的研发费用数据从何而来？\n答：由代办机构制作，我们没有核实。",
        },
    )
    record_finalise(record_id=inquiry.pk, by=officer)
    actions.decision_save(case_id=case.pk, by=officer, facts=_facts(party), **DRAFT)
    actions.review_submit(case_id=case.pk, by=officer)


def _facts(party: dict[str, Any]) -> str:
    return f"{party['name']}在申报2026年度市级科技计划项目时，提交了与实际不符的研发费用材料。"


def _heard(case: Case, officer: User, party: dict[str, Any]) -> None:
    """第十四条: the notice announcing the drafted penalty, served today, the defence waived in
    writing; then the 第五十八条 sheet: none of the four situations."""
    notice = defence.notice_issue(
        case_id=case.pk,
        by=officer,
        party_id=case.parties.order_by("pk").values_list("pk", flat=True).first(),
        facts=_facts(party),
        evidence=DRAFT["evidence"],
        basis=DRAFT["basis"],
        kinds=DRAFT["kinds"],
        fine_yuan=DRAFT["fine_yuan"],
        confiscation_yuan=DRAFT["confiscation_yuan"],
        content="拟给予警告，并处罚款人民币贰万元整。",
    )
    today = timezone.localdate()
    # Served in person through 第五章 delivery (the demo walks every app's actions).
    from delivery.demo import RecipientRelation, serve_in_person

    assert notice.document is not None
    serve_in_person(
        notice.document,
        by=officer,
        party_id=notice.party_id,
        recipient="刘建华",  # the company's general manager (see the inquiry record)
        relation=RecipientRelation.PRINCIPAL,
    )
    defence.defence_waive(
        notice_id=notice.pk,
        by=officer,
        received_on=today,
        waiver_form=WaiverForm.WRITTEN,
        waiver_note="当事人总经理刘建华书面声明放弃陈述、申辩，并签名确认。",
    )
    legal.review_sheet_save(case_id=case.pk, by=officer, situations=[])


def _exists(u: dict[str, User], title: str) -> bool:
    return case_selectors.cases_of_officer(u["officer"]).filter(title=title).exists()


WAITING_CASE = "临沂瑞丰新材料科技有限公司涉嫌虚报科技计划项目研发费用案"
DECIDED_CASE = "临沂蓝海生物工程有限公司涉嫌虚报科技计划项目研发费用案"


def finish(stdout: Any, users: dict[str, User]) -> None:
    u = users
    if "reviewer2" not in u:
        stdout.write("  审查与决定：缺少第二名法规科人员，跳过")
        return
    made = 0
    t = WAITING_CASE
    if not _exists(u, t):
        _filed_with_inquiry(u, t, ORG_A)  # 审查中, in 法规科's queue, unclaimed
        made += 1
    t = DECIDED_CASE
    if not _exists(u, t):
        case = _filed_with_inquiry(u, t, ORG_B)
        _heard(case, u["officer"], ORG_B)
        actions.review_sign(case_id=case.pk, by=u["reviewer"], opinion="事实清楚，证据确实充分，同意拟处理意见。")
        actions.review_sign(case_id=case.pk, by=u["reviewer2"], opinion="经审核，程序合法，适用依据正确，处罚适当。")
        actions.review_complete(case_id=case.pk, by=u["reviewer2"])
        actions.review_sign(case_id=case.pk, by=u["head"], opinion="同意法规科审查意见。")
        actions.review_decide(case_id=case.pk, by=u["head"], opinion="同意，签发。")
        publication.publication_publish(case_id=case.pk, by=u["reviewer"])
        made += 1
    stdout.write(f"  审查与决定：新建演示案件 {made} 件")


def seed(stdout: Any, users: dict[str, User]) -> None:
    """Nothing before the other apps' seeds: the review's cases are made in `finish`."""
