"""Complete record content per kind, and a helper that makes a record through the services."""

import datetime as dt
from typing import Any

from django.utils import timezone

from cases.tests.factories import CaseFactory
from records.models import Record, RecordKind
from records.services import preservation_approve, preservation_request, record_create, record_finalise

PARTY = "临沂市华科新材料有限公司"


def _when(hours: int = 0) -> dt.datetime:
    return timezone.now().replace(microsecond=0) - dt.timedelta(hours=3 - hours)


ITEMS = [
    {
        "name": "项目申报书（复印件）",
        "spec": "A4 共32页",
        "quantity": "1份",
        "sample_mark": "LK-YP-001",
        "remarks": "加盖公章",
    },
    {"name": "财务凭证", "spec": "2025年度", "quantity": "12册", "sample_mark": "LK-YP-002", "remarks": ""},
]


def complete_data(kind: str) -> dict[str, Any]:
    common: dict[str, Any] = {
        "party_name": PARTY,
        "place": "临沂市兰山区科技大道88号当事人办公室",
        "started_at": _when(),
        "ended_at": _when(1),
    }
    confirm = {"confirmation": "signed", "confirmation_note": ""}
    return {
        RecordKind.INQUIRY: {
            **common,
            **confirm,
            "subject_role": "party",
            "person_name": "王建国",
            "person_gender": "男",
            "person_id_no": "371302198001011239",
            "person_employer": "该公司法定代表人",
            "person_phone": "13800000000",
            "person_address": "临沂市兰山区某某小区",
            "transcript": "问：我们是临沂市科学技术局执法人员，现依法向你询问，你是否听清？\n答：听清了。\n"
            "问：项目申报材料由谁准备？\n答：由公司财务部准备。",
        },
        RecordKind.EVIDENCE_COLLECTION: {
            **common,
            "holder_name": "临沂市某某会计师事务所",
            "holder_address": "临沂市北城新区某某路2号",
            "reason": "核实当事人2025年度研发费用",
            "provide_by": timezone.localdate() + dt.timedelta(days=10),
        },
        RecordKind.INSPECTION: {
            **common,
            **confirm,
            "mode": "inspection",
            "with_av": True,
            "present_persons": "王建国（法定代表人）、李明（财务负责人）",
            "findings": "现场查见研发中心实验室一处，设备三台，未见申报材料所列中试生产线。",
        },
        RecordKind.SAMPLING: {
            **common,
            **confirm,
            "method": "随机抽取，一式两份，当事人留存一份",
            "witness": "赵强（社区工作人员）",
        },
        RecordKind.PRESERVATION: {
            **common,
            **confirm,
            "reason": "账册可能被转移，以后难以取得",
            "storage_place": "当事人档案室（贴封条）",
            "storage_mode": "on_site",
        },
        RecordKind.COMMISSION: {
            **common,
            "body_name": "山东省某某司法鉴定中心",
            "matter": "appraisal",
            "subject": "对项目研发费用归集情况进行司法会计鉴定",
            "requirements": "三十日内出具鉴定意见",
            "reply_by": timezone.localdate() + dt.timedelta(days=30),
        },
        RecordKind.OTHER: {
            **common,
            "activity": "调阅政务服务平台申报记录",
            "description": "调阅当事人2025年在政务服务平台提交的全部申报记录并截图留存。",
        },
    }[RecordKind(kind)]


def make_case(**kwargs: Any) -> Any:
    return CaseFactory(**kwargs)


def make_record(
    kind: str,
    *,
    case: Any = None,
    by: Any = None,
    data: dict[str, Any] | None = None,
    officers: list | None = None,
    items: list | None = None,
    approve_by: Any = None,
    finalise: bool = False,
) -> Record:
    case = case or make_case()
    officers = officers if officers is not None else [a.officer for a in case.assignments.order_by("pk")]
    by = by or officers[0]
    rec = record_create(
        case_id=case.pk,
        kind=kind,
        by=by,
        data=complete_data(kind) if data is None else data,
        officers=officers,
        items=ITEMS if items is None else items,
    )
    if approve_by is not None:
        approve(rec, by=by, head=approve_by)
    if finalise:
        record_finalise(record_id=rec.pk, by=by)
    return Record.objects.get(pk=rec.pk).specific()


def approve(rec: Any, *, by: Any, head: Any) -> None:
    """报请批准 by `by`, approved by `head`; the factory's records were preserved hours ago, so
    this is 事后补批 (《行政处罚法》第五十六条) with its reason."""
    preservation_request(record_id=rec.pk, by=by, opinion="证据可能灭失，报请批准先行登记保存。")
    preservation_approve(record_id=rec.pk, by=head, opinion="同意", late_reason="情况紧急，当场先行登记保存。")
