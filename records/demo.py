"""Demo investigation records: on the first case under investigation, a finalised inquiry
and on-site inspection (with their PDFs) and a preservation waiting for the head."""

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases.models import CaseState
from cases.selectors import cases_of_officer

from .models import RecordKind
from .services import preservation_request, record_create, record_finalise


def seed(stdout: Any, users: dict[str, User]) -> None:
    officer, officer2 = users["officer"], users["officer2"]
    case = cases_of_officer(officer, CaseState.INVESTIGATING).first()
    if case is None or case.records.exists():
        stdout.write("  调查取证记录：已存在或无调查中的案件，跳过")
        return
    party = ", ".join(p.name for p in case.parties.all()) if hasattr(case, "parties") else ""
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=2)
    common = {
        "party_name": party,
        "place": "当事人办公场所",
        "started_at": when,
        "ended_at": when + dt.timedelta(hours=1),
        "confirmation": "signed",
    }
    officers = [officer, officer2]
    inquiry = record_create(
        case_id=case.pk,
        kind=RecordKind.INQUIRY,
        by=officer,
        officers=officers,
        data={
            **common,
            "subject_role": "party",
            "person_name": "刘建华",
            "person_gender": "男",
            "person_id_no": "371302197805061237",
            "person_employer": "该公司总经理",
            "person_phone": "13905391234",
            "transcript": "问：我们是临沂市科学技术局的执法人员，现就有关问题向你了解情况，你有如实回答的义务，听清楚了吗？\n"
            "答：听清楚了。\n问：公司申请科技成果登记时提交的第三方评价报告由谁出具？\n"
            "答：由一家咨询公司代办，我们没有核实出具单位。",
        },
    )
    record_finalise(record_id=inquiry.pk, by=officer)
    # The on-site inspection came first and was filmed (同步音像记录); its recording is still
    # missing after 2 working days, so the demo shows a red deadline (第二十七条).
    inspected = when - dt.timedelta(days=8)
    inspection = record_create(
        case_id=case.pk,
        kind=RecordKind.INSPECTION,
        by=officer,
        officers=officers,
        data={
            **common,
            "started_at": inspected,
            "ended_at": inspected + dt.timedelta(hours=1),
            "mode": "inspection",
            "with_av": True,
            "present_persons": "刘建华（总经理）",
            "findings": "现场查见该公司研发部办公室一间，未见评价报告所述的测试设备。",
        },
    )
    record_finalise(record_id=inspection.pk, by=officer)
    preservation = record_create(
        case_id=case.pk,
        kind=RecordKind.PRESERVATION,
        by=officer,
        officers=officers,
        data={
            **common,
            # Planned for the next hour: approved before the act (《行政处罚法》第五十六条).
            "started_at": timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=1),
            "reason": "评价报告原件及往来邮件可能被删除，以后难以取得",
            "storage_place": "当事人档案室（加贴封条）",
        },
        items=[
            {"name": "科技成果评价报告原件", "quantity": "1份"},
            {"name": "笔记本电脑", "spec": "联想", "quantity": "1台"},
        ],
    )
    # 报请批准: the request is in the head's queue (待我审批, 先行登记保存审批) with a notification.
    preservation_request(
        record_id=preservation.pk, by=officer, opinion="评价报告原件可能被删除，报请批准先行登记保存。"
    )
    stdout.write(f"  调查取证记录：{case.ref} 询问笔录、现场检查笔录（已定稿），先行登记保存（已报请，待负责人批准）")
