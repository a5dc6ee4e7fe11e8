"""Reads: deadline colours, a user's deadlines, a case's deadlines, the bell's count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from . import calendar
from .models import Deadline, DeadlineKind, Notification
from .services import end_of_day, local_date

GREEN, YELLOW, RED, MET, MET_LATE = "green", "yellow", "red", "met", "met_late"
STATE_LABELS = {GREEN: "未到期", YELLOW: "即将到期", RED: "已逾期", MET: "已完成", MET_LATE: "逾期完成"}
STATE_BADGES = {GREEN: "ok", YELLOW: "warn", RED: "bad", MET: "", MET_LATE: "warn"}


def reminder_threshold(now: dt.datetime | None = None) -> dt.datetime:
    """Deadlines due at or before this are "due within one working day": the yellow card
    and the reminder. It is the end of the next working day."""
    today = local_date(now or timezone.now())
    return end_of_day(calendar.add_working_days(today, 1).date)


def deadline_state(deadline: Deadline, now: dt.datetime, threshold: dt.datetime) -> str:
    if deadline.met_at is not None:
        return MET_LATE if deadline.met_at > deadline.due else MET
    if deadline.due < now:
        return RED
    if deadline.due <= threshold:
        return YELLOW
    return GREEN


def with_states(deadlines: Iterable[Deadline], now: dt.datetime | None = None) -> list[Deadline]:
    """Attach `.state`, `.state_label`, `.badge` for templates (one calendar look-up in all)."""
    now = now or timezone.now()
    threshold = reminder_threshold(now)
    out = []
    for d in deadlines:
        d.state = deadline_state(d, now, threshold)  # type: ignore[attr-defined]
        d.state_label = STATE_LABELS[d.state]  # type: ignore[attr-defined]
        d.badge = STATE_BADGES[d.state]  # type: ignore[attr-defined]
        out.append(d)
    return out


OPEN_FIRST = (F("met_at").asc(nulls_first=True), "due")


def deadlines_for_case(case: Any) -> list[Deadline]:
    return with_states(Deadline.objects.filter(case=case).order_by(*OPEN_FIRST))


def deadlines_of_user(user: Any, *, open_only: bool = True) -> QuerySet[Deadline]:
    qs = Deadline.objects.filter(responsible=user).select_related("case")
    if open_only:
        qs = qs.filter(met_at__isnull=True)
    return qs.order_by("due")


def deadlines_escalated_to(user: Any) -> QuerySet[Deadline]:
    """Open overdue deadlines the scan escalated to this user's role: all of them for the
    head, archiving (第二十八条) for the archivist. Index deadline_escalated_open."""
    from accounts.models import Role

    qs = Deadline.objects.filter(met_at__isnull=True, escalated_at__isnull=False).select_related("case")
    if user.has_role(Role.HEAD):
        return qs.order_by("due")
    if user.has_role(Role.ARCHIVIST):
        return qs.filter(kind=DeadlineKind.ARCHIVE_FILE).order_by("due")
    return qs.none()


def unread_count(user: Any) -> int:
    # One COUNT served by the partial index notification_unread.
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_of_user(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def case_deadline(case: Any, kind: str) -> Deadline | None:
    """The case-wide deadline of `kind` (no record target): the open one, else the latest met."""
    return (
        Deadline.objects.filter(case=case, kind=kind, object_id__isnull=True)
        .order_by(F("met_at").asc(nulls_first=True), "-pk")
        .first()
    )


def deadline_latest_for(kind: str, target: Any) -> Deadline | None:
    """The newest deadline of `kind` on `target` (open or met), or None."""
    from .services import _target_filter

    return Deadline.objects.filter(_target_filter(case=None, target=target), kind=kind).order_by("-pk").first()


def overdue_target_ids(kind: str, now: dt.datetime) -> QuerySet[Deadline, Any]:
    """`object_id`s of the targets whose open deadline of `kind` was due before `now`, as a
    subquery (`.filter(pk__in=...)`): one query with the caller's."""
    return Deadline.objects.filter(kind=kind, met_at__isnull=True, due__lt=now).values("object_id")


# The decision periods: 《行政处罚法》第六十条 (penalty), 《行政许可法》第四十二条 (licensing).
DECISION_KINDS = (DeadlineKind.PENALTY_DECISION, DeadlineKind.LICENSING_DECISION)


def decision_due_of(case_id: int) -> dt.datetime | None:
    """The due time of the case's open decision period (《行政处罚法》第六十条 / 《行政许可法》第四十二条),
    or None when none is open."""
    return (
        Deadline.objects.filter(case_id=case_id, kind__in=DECISION_KINDS, met_at__isnull=True, object_id__isnull=True)
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )


def decision_due(case_ref: str = "pk") -> Subquery:
    """The due time of the case's open decision period (《行政处罚法》第六十条 / 《行政许可法》第四十二条)
    as an expression to annotate a queryset with; NULL when none is open. `case_ref` names the
    case id in the outer query ("pk" for cases, "case_id" for rows about a case). One probe
    of the partial index deadline_open_unique_case per row: the review queues sort by it."""
    return Subquery(
        Deadline.objects.filter(
            case_id=OuterRef(case_ref),
            kind__in=DECISION_KINDS,
            met_at__isnull=True,
            object_id__isnull=True,
        )
        .order_by("due")
        .values("due")[:1]
    )


def all_deadlines() -> QuerySet[Deadline]:
    """Every deadline, for the agency's aggregate statistics (archive.stats: on-time rates,
    overdue lists)."""
    return Deadline.objects.all()
