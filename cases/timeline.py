"""The case page's timeline: the dated records of how the case started, merged with the
audit trail (every action on the case, 第三条 实时留痕)."""

from dataclasses import dataclass
from datetime import datetime

from audit.models import Entry
from audit.vocabulary import action_label

from .models import Case
from .requirements import _rel


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
    # Every sign-off of every step (第八条, 第十三条, 第十六条 …), in the signer's words.
    for so in case.signoffs.select_related("actor").order_by("signed_at", "pk"):
        label = f"{so.get_step_display()}：{so.get_level_display()}意见（{so.get_outcome_display()}）"
        out.append(Event(so.signed_at, label, str(so.actor), so.opinion, "record"))
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
