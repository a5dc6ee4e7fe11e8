"""Demo cases of 第四章 (run by seed_demo after every app's seed): a penalty case submitted for
review and not yet taken from 法规科's queue, and one decided, with its 行政处罚决定书. Each
walks the real actions: registered, filed, one finalised inquiry (第十条), the decision
drafted, reviewed (审理, 审核), approved and decided."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases import services
from cases.demo import ORG_A, ORG_B
from cases.models import Case
from records.models import RecordKind
from records.services import record_create, record_finalise

from . import actions
from .models import DecisionOutcome, PenaltyKind

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
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=3)
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
    actions.decision_save(
        case_id=case.pk,
        by=officer,
        facts=f"{party['name']}在申报2026年度市级科技计划项目时，提交了与实际不符的研发费用材料。",
        **DRAFT,
    )
    actions.review_submit(case_id=case.pk, by=officer)
    return case


def finish(stdout: Any, users: dict[str, User]) -> None:
    u = users
    if "reviewer2" not in u:
        stdout.write("  审查与决定：缺少第二名法规科人员，跳过")
        return
    made = 0
    t = "临沂瑞丰新材料科技有限公司涉嫌虚报科技计划项目研发费用案"
    if not Case.objects.filter(title=t).exists():
        _filed_with_inquiry(u, t, ORG_A)  # 审查中, in 法规科's queue, unclaimed
        made += 1
    t = "临沂蓝海生物工程有限公司涉嫌虚报科技计划项目研发费用案"
    if not Case.objects.filter(title=t).exists():
        case = _filed_with_inquiry(u, t, ORG_B)
        actions.review_sign(case_id=case.pk, by=u["reviewer"], opinion="事实清楚，证据确实充分，同意拟处理意见。")
        actions.review_sign(case_id=case.pk, by=u["reviewer2"], opinion="经审核，程序合法，适用依据正确，处罚适当。")
        actions.review_complete(case_id=case.pk, by=u["reviewer2"])
        actions.review_sign(case_id=case.pk, by=u["head"], opinion="同意法规科审查意见。")
        actions.review_decide(case_id=case.pk, by=u["head"], opinion="同意，签发。")
        made += 1
    stdout.write(f"  审查与决定：新建演示案件 {made} 件")


def seed(stdout: Any, users: dict[str, User]) -> None:
    """Nothing before the other apps' seeds: the review's cases are made in `finish`."""
