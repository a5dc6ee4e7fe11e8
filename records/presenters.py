"""A record as its document (执法文书) shows it: plain JSON-able text, frozen at issue."""

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from .models import KINDS_WITH_ITEMS, RecordKind


def fmt(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        v = timezone.localtime(value)
        return f"{v.year}年{v.month}月{v.day}日{v.hour}时{v.minute:02d}分"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return str(value)


def record_document_context(rec: Any) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "party_name": rec.party_name,
        "officers": [{"name": str(u), "cert_no": u.cert_no or "", "phone": u.phone} for u in rec.officers.all()],
        "place": rec.place,
        "started_at": fmt(rec.started_at),
        "ended_at": fmt(rec.ended_at),
        "maker": str(rec.maker),
        "with_av": rec.with_av,
        "confirmation": rec.confirmation,
        "confirmation_note": rec.confirmation_note,
        "confidentiality": rec.get_confidentiality_display() if rec.confidentiality else "",
    }
    if rec.corrects_id:
        ctx["corrects"] = {"id": rec.corrects_id, "reason": rec.correction_reason}
    if rec.kind in KINDS_WITH_ITEMS:
        ctx["items"] = [
            {"name": i.name, "spec": i.spec, "quantity": i.quantity, "sample_mark": i.sample_mark, "remarks": i.remarks}
            for i in rec.items.all()
        ]
    kind = rec.kind
    if kind == RecordKind.INQUIRY:
        ctx.update(
            subject_role=rec.get_subject_role_display(),
            transcript=rec.transcript,
            person={
                "name": rec.person_name,
                "gender": rec.person_gender,
                "id_no": rec.person_id_no,
                "employer": rec.person_employer,
                "phone": rec.person_phone,
                "address": rec.person_address,
            },
        )
    elif kind == RecordKind.EVIDENCE_COLLECTION:
        ctx.update(
            holder_name=rec.holder_name,
            holder_address=rec.holder_address,
            reason=rec.reason,
            provide_by=fmt(rec.provide_by),
        )
    elif kind == RecordKind.INSPECTION:
        ctx.update(mode=rec.get_mode_display(), present_persons=rec.present_persons, findings=rec.findings)
    elif kind == RecordKind.SAMPLING:
        ctx.update(method=rec.method, witness=rec.witness)
    elif kind == RecordKind.PRESERVATION:
        from deadlines.calendar import add_working_days

        start = timezone.localtime(rec.started_at).date() if rec.started_at else timezone.localdate()
        ctx.update(
            reason=rec.reason,
            storage_place=rec.storage_place,
            storage_mode=rec.get_storage_mode_display(),
            approved_by=str(rec.approved_by) if rec.approved_by_id else "",
            approved_at=fmt(rec.approved_at),
            # 《行政处罚法》第五十六条: approved after the act is printed as 事后补批, never as prior approval.
            approved_after_act=rec.approved_after_act,
            late_approval_reason=rec.late_approval_reason,
            decide_by=fmt(add_working_days(start, 7).date),
        )
    elif kind == RecordKind.COMMISSION:
        ctx.update(
            body_name=rec.body_name,
            matter=rec.get_matter_display(),
            subject=rec.subject,
            requirements=rec.requirements,
            reply_by=fmt(rec.reply_by),
        )
    elif kind == RecordKind.OTHER:
        ctx.update(activity=rec.activity, description=rec.description)
    return ctx
