"""The case page's timeline: the dated records of how the case started, merged with the
audit trail (every action on the case, 第三条 实时留痕).

Each act shows once: an audit entry whose act a record row already shows (a sign-off, 受理 /
不予受理, the not-filed decision and its notices, an application event) is left to that row,
which carries what the record says (its time, its words); the full trail keeps every entry.
Actions by their Chinese names only, people by name and role (`张伟（执法人员）`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest

from accounts.models import User
from accounts.selectors import users_by_pk
from audit.models import Entry
from audit.selectors import entries_of_case
from audit.vocabulary import action_label
from linke.pagination import page_of

from .audit_actions import AuditAction
from .models import ApplicationEventKind, Case
from .requirements import _rel

# Audit actions whose every entry is shown by a record row of `_records` (same act).
SHOWN_BY_RECORDS = frozenset(
    {
        AuditAction.SIGNOFF_SIGNED,  # every SignOff row
        AuditAction.ACCEPT_APPLICATION,  # Application.decision (受理)
        AuditAction.REJECT_APPLICATION,  # Application.decision (不予受理)
        AuditAction.NOT_FILE,  # NonInitiation (决定不予立案)
        AuditAction.NON_INITIATION_NOTICE,
        AuditAction.NON_INITIATION_COMPLAINANT_NOTICE,
        *(f"application.{kind.value}" for kind in ApplicationEventKind),  # ApplicationEvent rows
    }
)


@dataclass
class Event:
    at: datetime
    label: str
    who: Any  # a User, or a name as written (audit entries without a user: "系统")
    detail: str
    source: str  # "record" (what the record says happened) or "audit" (when it was entered)


def _records(case: Case) -> list[Event]:
    out = []
    app = _rel(case, "application")
    if app:
        out.append(Event(app.received_at, f"收到{app.get_form_display()}", "", app.matter, "record"))
        if app.decided_at:
            out.append(Event(app.decided_at, app.get_decision_display(), app.decided_by, app.decision_reason, "record"))
    for ev in case.application_events.all():
        out.append(Event(ev.occurred_at, ev.get_kind_display(), ev.recorded_by, ev.content, "record"))
    complaint = _rel(case, "complaint")
    if complaint:
        out.append(
            Event(
                complaint.received_at,
                f"接到投诉举报（{complaint.get_channel_display()}）",
                complaint.recorded_by,
                complaint.content[:80],
                "record",
            )
        )
    # Every sign-off of every step (第八条, 第十三条, 第十六条 …), in the signer's words.
    for so in case.signoffs.select_related("actor").order_by("signed_at", "pk"):
        label = f"{so.get_step_display()}：{so.get_level_display()}意见（{so.get_outcome_display()}）"
        out.append(Event(so.signed_at, label, so.actor, so.opinion, "record"))
    ni = _rel(case, "non_initiation")
    if ni:
        out.append(Event(ni.decided_at, "决定不予立案", ni.decided_by, ni.reason, "record"))
        if ni.notice_at:
            out.append(
                Event(
                    ni.notice_at,
                    f"不予立案{ni.get_notice_method_display()}",
                    ni.notice_by,
                    ni.notice_detail,
                    "record",
                )
            )
        if ni.complainant_notice_at:
            out.append(
                Event(
                    ni.complainant_notice_at,
                    f"告知投诉举报人（{ni.get_complainant_notice_method_display()}）",
                    ni.complainant_notice_by,
                    ni.complainant_notice_detail,
                    "record",
                )
            )
    return out


def timeline_page(case: Case, request: HttpRequest, per_page: int = 50) -> tuple[Page, list[Event]]:
    """One page of the case's timeline, newest first: `per_page` audit entries that no record
    shows (a Page, `?page=` of `request`), merged with the dated records (`_records`) whose
    time falls within that page's stretch of time — the first page takes those newer than its
    entries, the last those older. `who` is a name with roles. A fixed number of queries for
    any size of case: the page's count and slice (the (case_id, seq) index), the previous
    page's last entry, the records, the people and their roles."""
    entries = (
        entries_of_case(case.pk)
        .exclude(action__in=SHOWN_BY_RECORDS)
        .only("seq", "created_at", "actor_id", "actor_name", "action", "payload")
    )
    page = page_of(entries, request, per_page)
    rows = list(page.object_list)
    # The stretch of time this page covers: (its oldest entry, the previous page's oldest].
    newer_than = rows[-1].created_at if rows and page.has_next() else None
    not_after = None
    if page.has_previous():
        before = entries[page.start_index() - 2 : page.start_index() - 1]
        not_after = next((e.created_at for e in before), None)
    events = [
        ev
        for ev in _records(case)
        if (newer_than is None or ev.at > newer_than) and (not_after is None or ev.at <= not_after)
    ]
    audit_events = []
    for e in rows:
        data = e.data
        if "signoff" in data:  # a transition signed by a SignOff row: the row shows it
            continue
        audit_events.append(
            (e.actor_id, Event(e.created_at, action_label(e.action), e.actor_name, _summary(e), "audit"))
        )
    names = people_labels([ev.who.pk for ev in events if isinstance(ev.who, User)] + [i for i, _ in audit_events if i])
    for ev in events:
        ev.who = names.get(ev.who.pk, str(ev.who)) if isinstance(ev.who, User) else (ev.who or "")
    for actor_id, ev in audit_events:
        ev.who = names.get(actor_id, ev.who) if actor_id else ev.who
        events.append(ev)
    events.sort(key=lambda ev: ev.at, reverse=True)
    return page, events


def people_labels(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: '张伟（执法人员）'} for the given ids, in two queries (users, their groups)."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {u.pk: u.name_and_roles for u in users_by_pk(ids, with_roles=True)}


def _summary(entry: Entry) -> str:
    data = entry.data
    for key in ("opinion", "handling", "name", "number", "detail", "content", "reason", "label", "filename"):
        if data.get(key):
            return str(data[key])[:120]
    return ""
