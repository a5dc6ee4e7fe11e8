"""Demo cases in several stages, made through the services (so each has its audit trail).
Idempotent: a case whose title exists already is skipped."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import User

from . import services
from .models import Case, NoticeMethod

ORG_A = {
    "kind": "organisation",
    "name": "临沂瑞丰新材料科技有限公司",
    "id_number": "91371300MA3C8XY012",
    "legal_rep": "王建国",
    "address": "山东省临沂市兰山区涑河北街16号",
    "phone": "0539-8123456",
}
ORG_B = {
    "kind": "organisation",
    "name": "临沂蓝海生物工程有限公司",
    "id_number": "91371302MA3N5K7P2H",
    "legal_rep": "刘海燕",
    "address": "山东省临沂市罗庄区罗七路88号",
    "phone": "0539-8765432",
}
ORG_C = {
    "kind": "organisation",
    "name": "临沂智联信息技术有限公司",
    "id_number": "91371311MA3RT4U6QL",
    "legal_rep": "孙立新",
    "address": "临沂高新区科技创业园B座5楼",
    "phone": "0539-7012345",
}
PERSON = {
    "kind": "person",
    "name": "陈国栋",
    "id_number": "371302198503124217",
    "legal_rep": "",
    "address": "山东省临沂市河东区凤凰大街100号",
    "phone": "13953912345",
}


def _ex_officio(u: dict[str, User], title: str, party: dict[str, Any], summary: str, complete: bool) -> Case:
    officer, officer2 = u["officer"], u["officer2"]
    case = services.case_register_ex_officio(
        by=officer,
        title=title,
        officers=[officer, officer2],
        parties=[party],
        summary=summary,
        cause="2026年度科技计划项目专项检查中发现当事人申报材料与实际情况不符。",
        source="inspection",
        source_detail="2026年市级科技计划项目专项监督检查",
        officer_opinion="当事人涉嫌违法，建议立案调查。",
    )
    if complete:
        services.filing_opinion_record(
            case_id=case.pk, by=u["chief"], level="unit", opinion="同意立案调查，报局领导审批。"
        )
    return case


def seed(stdout: Any, users: dict[str, User]) -> None:
    u = users
    officer, officer2, officer3, head = u["officer"], u["officer2"], u["officer3"], u["head"]
    now = timezone.now()
    made = 0

    def fresh(title: str) -> bool:
        return not Case.objects.filter(title=title).exists()

    # 1. Registered, the unit's opinion still missing (the checklist shows it).
    t = "临沂瑞丰新材料科技有限公司涉嫌在科技项目申报中提供虚假材料案"
    if fresh(t):
        _ex_officio(
            u,
            t,
            ORG_A,
            "当事人在申报2026年度市级科技计划项目时，提交的研发费用专项审计报告与其纳税申报数据明显不符。",
            complete=False,
        )
        made += 1

    # 2. Waiting for the head's filing approval.
    t = "临沂蓝海生物工程有限公司涉嫌虚报高新技术企业认定材料案"
    if fresh(t):
        case = _ex_officio(
            u, t, ORG_B, "当事人在高新技术企业认定申报中，涉嫌虚报知识产权数量及研发人员比例。", complete=True
        )
        services.case_submit_for_filing(case_id=case.pk, by=officer)
        made += 1

    # 3. Real-name report, filed, now under investigation.
    t = "举报临沂智联信息技术有限公司伪造科技成果评价报告案"
    if fresh(t):
        case = services.case_register_complaint(
            by=officer,
            title=t,
            officers=[officer, officer2],
            parties=[ORG_C],
            channel="hotline",
            received_at=now - timedelta(days=6),
            content="举报人反映该公司在申请科技成果登记时使用伪造的第三方评价报告。",
            complainant_name="赵明",
            complainant_phone="13805391234",
            complainant_address="临沂市兰山区金雀山路8号",
            summary="经初步核查，该公司提交的成果评价报告所载评价机构未出具过该报告。",
        )
        services.filing_record_update(case_id=case.pk, by=officer, cause="12345热线转办实名举报，初查属实。")
        services.complaint_record_handling(
            case_id=case.pk, by=officer, handling="经初步核查，举报线索基本属实，拟立案调查。"
        )
        services.filing_opinion_record(case_id=case.pk, by=officer, level="officer", opinion="建议立案调查。")
        services.filing_opinion_record(case_id=case.pk, by=u["chief"], level="unit", opinion="同意立案。")
        services.case_submit_for_filing(case_id=case.pk, by=officer)
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案，由执法一科调查。")
        made += 1

    # 4. Anonymous report, not filed, made public (第八条第二款).
    t = "匿名举报某企业违规使用科技专项资金"
    if fresh(t):
        case = services.case_register_complaint(
            by=officer3,
            title=t,
            officers=[officer3, officer],
            parties=[],
            channel="online",
            received_at=now - timedelta(days=10),
            content="网络平台匿名举报某企业挪用科技专项资金，未提供具体企业名称和线索。",
            anonymous=True,
            department=officer3.department,
        )
        services.case_not_file(
            case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="举报内容不具体，无法查证，不予立案。"
        )
        services.noninitiation_record_notice(
            case_id=case.pk,
            by=officer3,
            method=NoticeMethod.PUBLIC,
            notified_at=timezone.now(),
            detail="在市科技局门户网站“投诉举报处理结果”栏目公示。",
        )
        made += 1

    # 5. Licensing: written application, accepted.
    t = "临沂瑞丰新材料科技有限公司技术合同认定登记"
    if fresh(t):
        case = services.case_register_application(
            by=officer2,
            title=t,
            officers=[officer2, officer],
            parties=[ORG_A],
            form="written",
            received_at=now - timedelta(days=3),
            matter="技术开发合同认定登记",
            materials="技术合同认定登记申请表1份；技术开发合同文本1份；营业执照复印件1份。",
        )
        services.case_accept_application(case_id=case.pk, by=officer2, opinion="申请材料齐全，符合法定形式，予以受理。")
        made += 1

    # 6. Licensing: oral application, supplementary material requested.
    t = "陈国栋科技特派员备案申请"
    if fresh(t):
        case = services.case_register_application(
            by=officer,
            title=t,
            officers=[officer, officer2],
            parties=[PERSON],
            form="oral",
            received_at=now - timedelta(days=1),
            matter="科技特派员备案",
            materials="身份证复印件",
            oral_record="申请人陈国栋到窗口口头申请科技特派员备案，称其在河东区从事农业技术服务三年。经申请人确认无误。",
        )
        services.application_event_add(
            case_id=case.pk,
            by=officer,
            kind="supplement_request",
            occurred_at=now - timedelta(days=1),
            content="一次性告知需补正：服务单位出具的服务证明、专业技术资格证书复印件。",
        )
        made += 1

    # 7. Licensing: accepted, then under review (if the later stages' checklists allow it).
    t = "临沂智联信息技术有限公司技术合同认定登记"
    if fresh(t):
        case = services.case_register_application(
            by=officer2,
            title=t,
            officers=[officer2, officer],
            parties=[ORG_C],
            form="written",
            received_at=now - timedelta(days=12),
            matter="技术服务合同认定登记",
            materials="技术合同认定登记申请表1份；技术服务合同文本1份。",
        )
        services.case_accept_application(case_id=case.pk, by=officer2, opinion="材料齐全，予以受理。")
        try:
            from review.actions import review_submit  # the demo walks every app's actions

            review_submit(case_id=case.pk, by=officer2)
        except services.TransitionError as exc:
            stdout.write(f"  {case.ref} 停留在“已受理”：{exc}")
        made += 1

    made += seed_hearing_case(stdout, u)
    stdout.write(f"演示案件：新建 {made} 件（已有的跳过）。")


HEARING_CASE = "临沂瑞丰新材料科技有限公司涉嫌骗取科技计划项目资金案（听证）"


def seed_hearing_case(stdout: Any, u: dict[str, User]) -> int:
    """A penalty case in 审查中 with a hearing (第十四、十五条): the notice issued and served, the
    hearing requested, notified, held (record) and reported. Demo data happens today: the hearing
    is held the day it is notified, with the short notice confirmed (the party agreed). Returns
    1 when it made the case."""
    if Case.objects.filter(title=HEARING_CASE).exists():
        return 0
    from records.models import RecordKind  # the demo walks every app's actions
    from records.services import record_create, record_finalise
    from review import defence, hearing
    from review.actions import review_submit
    from review.legal import review_sheet_save
    from review.models import PenaltyKind

    officer, officer2, head = u["officer"], u["officer2"], u["head"]
    case = _ex_officio(
        u, HEARING_CASE, ORG_A, "当事人以虚构的研发费用申报并取得2025年度市级科技计划项目资金50万元。", complete=True
    )
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案调查。")
    start = timezone.now().replace(second=0, microsecond=0)
    inquiry = record_create(
        case_id=case.pk,
        kind=RecordKind.INQUIRY,
        by=officer,
        officers=[officer, officer2],
        data={
            "party_name": ORG_A["name"],
            "place": "临沂市科学技术局询问室",
            "started_at": start,
            "ended_at": start + timedelta(minutes=2),
            "confirmation": "signed",
            "subject_role": "party",
            "person_name": "王建国",
            "person_gender": "男",
            "person_id_no": "371302198001011239",
            "person_employer": "该公司法定代表人",
            "person_phone": "13905397788",
            "person_address": "临沂市兰山区涑河北街16号",
            "transcript": "问：我们是临沂市科学技术局执法人员，现依法向你询问，你是否听清？\n答：听清了。\n"
            "问：项目申报的研发费用是否真实？\n答：其中部分费用是按预算填报的，没有实际发生。",
        },
    )
    record_finalise(record_id=inquiry.pk, by=officer)
    try:
        review_submit(case_id=case.pk, by=officer)
    except services.TransitionError as exc:
        stdout.write(f"  {case.ref} 未能提交审查：{exc}")
        return 1
    notice = defence.notice_issue(
        case_id=case.pk,
        by=officer,
        party_id=case.parties.get().pk,
        facts="当事人在申报2025年度市级科技计划项目时，虚构研发费用共计38万元，骗取项目资金50万元。",
        evidence="1.询问笔录；2.项目申报书；3.财务凭证；4.银行流水。",
        basis="《临沂市科技计划项目管理办法》第三十二条第一款第（一）项",
        kinds=[PenaltyKind.WARNING, PenaltyKind.FINE],
        fine_yuan=Decimal("150000"),
        confiscation_yuan=None,
        content="拟给予警告，并处罚款人民币壹拾伍万元整。",
    )
    today = timezone.localdate()
    from delivery.demo import RecipientRelation, serve_in_person  # the demo walks every app's actions

    assert notice.document is not None
    serve_in_person(
        notice.document,
        by=officer,
        party_id=notice.party_id,
        recipient=case.parties.get().legal_rep,
        relation=RecipientRelation.LEGAL_REP,
    )
    h = hearing.hearing_request(notice_id=notice.pk, by=officer, requested_on=today, request_form="书面申请")
    hearing.hearing_agent_add(
        hearing_id=h.pk,
        by=officer,
        name="李律师",
        id_number="371302197805061237",
        phone="13853912345",
        authority="特别授权：代为陈述、申辩、质证",
    )
    when = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=3)
    h = hearing.hearing_schedule(
        hearing_id=h.pk,
        by=officer,
        scheduled_at=when,
        place="临沂市科学技术局三楼听证室",
        public=True,
        closed_reason="",
        chair_id=u["reviewer"].pk,
        chair_cert_no="鲁听证字第2024-0031号",
        recorder_id=u["officer3"].pk,
        confirm_short_notice=True,
    )
    h = hearing.hearing_record(
        hearing_id=h.pk,
        by=u["officer3"],
        started_at=when,
        ended_at=when + timedelta(minutes=1),
        investigator_ids=[officer.pk, officer2.pk],
        party_attendees="王建国（法定代表人）",
        investigators_said="调查人员陈述当事人虚构研发费用的事实和证据，建议给予警告并处罚款15万元。",
        party_said="当事人及代理人申辩：部分费用系预算填报失误，已主动退回项目资金，请求从轻处罚。",
        final_statements="请求从轻处罚。",
        signature="signed",
        signature_note="",
    )
    hearing.hearing_report(
        hearing_id=h.pk,
        by=u["reviewer"],
        opinion="违法事实清楚，证据充分；当事人已退回项目资金，建议从轻处罚，罚款人民币拾万元整。",
    )
    # 《行政处罚法》第五十八条: the officers answer the four situations (none applies here).
    review_sheet_save(case_id=case.pk, by=officer, situations=[])
    stdout.write(f"  {case.ref} 已举行听证（告知、申请、通知、笔录、报告）")
    return 1
