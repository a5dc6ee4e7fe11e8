"""The case page's timeline: the dated records of how the case started, merged with the
audit trail (every action on the case, 第三条 实时留痕)."""

from dataclasses import dataclass
from datetime import datetime

from audit.models import Entry

from .models import Case
from .requirements import _rel

# Chinese names of the audit actions; unknown ones (other apps') show as recorded.
ACTION_LABELS = {
    "case.registered": "登记案件",
    "party.added": "添加当事人",
    "party.updated": "修改当事人",
    "filing.opened": "填写立案审批表",
    "filing.updated": "修改立案信息",
    "filing.officer_opinion": "签署承办人意见",
    "filing.unit_opinion": "签署承办机构意见",
    "complaint.recorded": "登记投诉举报",
    "complaint.handled": "记录投诉举报处理情况",
    "application.recorded": "登记申请",
    "application.updated": "修改申请记录",
    "application.correction": "当场更正",
    "application.supplement_request": "告知补正材料",
    "application.supplement_received": "收到补正材料",
    "non_initiation.notice": "记录不予立案告知或公示",
    "non_initiation.complainant_notice": "告知实名投诉举报人",
    "case.officers_assigned": "变更承办人",
    "attachment.added": "上传附件",
    "attachment.downloaded": "下载附件",
    # audit/'s own entries (Django admin edits, sign-ins).
    "admin.add": "系统管理：新增",
    "admin.change": "系统管理：修改",
    "admin.delete": "系统管理：删除",
    "admin.other": "系统管理：其他操作",
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.login_failed": "登录失败",
    "auth.password_changed": "修改密码",
    "auth.password_reset": "管理员重置密码",
}


def register_action_labels(labels: dict[str, str]) -> None:
    """Other apps name their audit actions for the case timeline, e.g. from their
    AppConfig.ready(): register_action_labels({"record.finalised": "调查记录定稿"})."""
    ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    from .services import TRANSITIONS

    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    if action.startswith("case.") and action[5:] in TRANSITIONS:
        return TRANSITIONS[action[5:]].label
    return action


@dataclass
class Event:
    at: datetime
    label: str
    who: str
    detail: str
    source: str  # "record" (what the record says happened) or "audit" (when it was entered)


def _records(case: Case) -> list[Event]:
    out = []
    app = _rel(case, "application")
    if app:
        out.append(Event(app.received_at, f"收到{app.get_form_display()}", "", app.matter, "record"))
        if app.decided_at:
            out.append(
                Event(
                    app.decided_at, app.get_decision_display(), str(app.decided_by or ""), app.decision_reason, "record"
                )
            )
    for ev in case.application_events.all():
        out.append(Event(ev.occurred_at, ev.get_kind_display(), str(ev.recorded_by), ev.content, "record"))
    complaint = _rel(case, "complaint")
    if complaint:
        out.append(
            Event(
                complaint.received_at,
                f"接到投诉举报（{complaint.get_channel_display()}）",
                str(complaint.recorded_by),
                complaint.content[:80],
                "record",
            )
        )
    filing = _rel(case, "filing")
    if filing:
        for level, label in (("officer", "承办人意见"), ("unit", "承办机构意见"), ("head", "机关负责人意见")):
            at = getattr(filing, f"{level}_opinion_at")
            if at:
                out.append(
                    Event(
                        at,
                        label,
                        str(getattr(filing, f"{level}_opinion_by") or ""),
                        getattr(filing, f"{level}_opinion"),
                        "record",
                    )
                )
    ni = _rel(case, "non_initiation")
    if ni:
        out.append(Event(ni.decided_at, "决定不予立案", str(ni.decided_by), ni.reason, "record"))
        if ni.notice_at:
            out.append(
                Event(
                    ni.notice_at,
                    f"不予立案{ni.get_notice_method_display()}",
                    str(ni.notice_by or ""),
                    ni.notice_detail,
                    "record",
                )
            )
        if ni.complainant_notice_at:
            out.append(
                Event(
                    ni.complainant_notice_at,
                    f"告知投诉举报人（{ni.get_complainant_notice_method_display()}）",
                    str(ni.complainant_notice_by or ""),
                    ni.complainant_notice_detail,
                    "record",
                )
            )
    return out


def timeline_for(case: Case, *, limit: int = 100) -> list[Event]:
    """Newest first: the case's records and its latest `limit` audit entries (the full trail
    is paginated on its own page). One query for the entries, served by the (case_id, seq) index."""
    entries = (
        Entry.objects.filter(case_id=case.pk)
        .order_by("-seq")
        .only("seq", "created_at", "actor_name", "action", "payload")[:limit]
    )
    events = _records(case)
    for e in entries:
        events.append(Event(e.created_at, action_label(e.action), e.actor_name, _summary(e), "audit"))
    events.sort(key=lambda ev: ev.at, reverse=True)
    return events


def _summary(entry: Entry) -> str:
    data = entry.data
    for key in ("opinion", "handling", "name", "number", "detail", "content", "reason", "label", "filename"):
        if data.get(key):
            return str(data[key])[:120]
    return ""
