"""Writes: opening and meeting deadlines, calendar imports, recomputation, notifications.

Stage apps call `deadline_open` when a period starts and `deadline_met` when the thing it
waits for is recorded, inside their own transaction:

    deadline_open(case=case, kind=KIND_EVIDENCE_PRESERVATION, article="《行政处罚法》第五十六条",
                  label="先行登记保存处理决定", start=notice.created_at, working_days=7,
                  responsible=case.officers.all(), target=notice)
    deadline_met(kind=KIND_EVIDENCE_PRESERVATION, target=notice)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

import audit

from . import calendar
from .models import CalendarOverride, Deadline

LOCAL_TZ = ZoneInfo(settings.TIME_ZONE)


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, LOCAL_TZ).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of `day` in Asia/Shanghai: a period ends at the end of its last day."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=LOCAL_TZ)


def compute_due(start: dt.datetime, *, working_days: int | None, days: int | None) -> calendar.Due:
    if (working_days is None) == (days is None):
        raise ValueError("give exactly one of working_days / days")
    day = local_date(start)
    if working_days is not None:
        return calendar.add_working_days(day, working_days)
    return calendar.period_end(day, days)  # type: ignore[arg-type]


def _target_filter(*, case: Any, target: Any) -> Q:
    if target is not None:
        ct = ContentType.objects.get_for_model(target)
        return Q(content_type=ct, object_id=target.pk)
    if case is None:
        raise ValueError("a deadline needs a case or a target")
    return Q(case=case, object_id__isnull=True)


@transaction.atomic
def deadline_open(
    *,
    case: Any,
    kind: str,
    article: str,
    label: str,
    start: dt.datetime,
    working_days: int | None = None,
    days: int | None = None,
    responsible: Iterable[Any] = (),
    target: Any = None,
) -> Deadline:
    """Start a period. Idempotent: while a deadline of this kind is open for the same target
    (or, without a target, the same case) that one is returned unchanged."""
    where = _target_filter(case=case, target=target) & Q(kind=kind, met_at__isnull=True)
    existing = Deadline.objects.filter(where).first()
    if existing is not None:
        return existing
    due = compute_due(start, working_days=working_days, days=days)
    deadline = Deadline(
        case=case,
        kind=kind,
        article=article,
        label=label,
        start=start,
        working_days=working_days,
        days=days,
        due=end_of_day(due.date),
        provisional=due.provisional,
    )
    if target is not None:
        deadline.content_type = ContentType.objects.get_for_model(target)
        deadline.object_id = target.pk
    try:
        # A concurrent opener may win the partial unique constraint: return its row.
        with transaction.atomic():
            deadline.save()
    except IntegrityError:
        return Deadline.objects.get(where)
    people = list(responsible)
    if people:
        deadline.responsible.add(*people)
    audit.record(
        deadline, "deadline.opened", case=case, kind=kind, article=article, label=label,
        start=start, due=deadline.due, provisional=deadline.provisional,
        working_days=working_days, days=days,
    )
    return deadline


@transaction.atomic
def deadline_met(*, kind: str, case: Any = None, target: Any = None, met_at: dt.datetime | None = None) -> int:
    """Close the open deadlines of `kind` for the target (or the case, target or not).
    Returns how many were closed."""
    if target is None and case is None:
        raise ValueError("give a case or a target")
    where = Q(kind=kind, met_at__isnull=True)
    if target is not None:
        where &= _target_filter(case=None, target=target)
    if case is not None:
        where &= Q(case=case)
    met_at = met_at or timezone.now()
    closed = list(Deadline.objects.select_for_update().filter(where).order_by("pk"))
    for deadline in closed:
        deadline.met_at = met_at
        deadline.save(update_fields=["met_at"])
        audit.record(deadline, "deadline.met", case=deadline.case_id, kind=kind, met_at=met_at,
                     late=met_at > deadline.due)
    return len(closed)


def deadlines_recompute(*, dates: Iterable[dt.date] = ()) -> int:
    """Recompute the due dates of open deadlines the calendar change can affect: every
    provisional one, and those whose period spans one of `dates`. Returns how many changed."""
    dates = sorted(set(dates))
    where = Q(provisional=True)
    if dates:
        where |= Q(start__lt=end_of_day(dates[-1]), due__gte=end_of_day(dates[0]) - dt.timedelta(days=1))
    changed = 0
    with transaction.atomic():
        rows = Deadline.objects.select_for_update().filter(where, met_at__isnull=True).order_by("pk")
        for deadline in rows:
            due = compute_due(deadline.start, working_days=deadline.working_days, days=deadline.days)
            new_due = end_of_day(due.date)
            if new_due == deadline.due and due.provisional == deadline.provisional:
                continue
            old = deadline.due
            deadline.due, deadline.provisional = new_due, due.provisional
            fields = ["due", "provisional"]
            if new_due > old:
                # A later due date may leave the reminder window again.
                deadline.reminded_at = deadline.escalated_at = None
                fields += ["reminded_at", "escalated_at"]
            deadline.save(update_fields=fields)
            audit.record(deadline, "deadline.recomputed", case=deadline.case_id, old_due=old,
                         due=new_due, provisional=due.provisional)
            changed += 1
    return changed


@transaction.atomic
def calendar_overrides_save(*, pairs: Iterable[tuple[dt.date, bool]], source: str, by: Any) -> int:
    """Save a notice's days (insert or replace), then recompute affected deadlines."""
    from .signals import bulk_override_save

    pairs = sorted(dict(pairs).items())
    with bulk_override_save():
        for day, working in pairs:
            CalendarOverride.objects.update_or_create(
                date=day, defaults={"is_working_day": working, "source": source})
    years = sorted({d.year for d, _ in pairs})
    for year in years:
        calendar.clear_cache(year)
    audit.record(
        None, "calendar.imported", actor=by, source=source, years=years,
        days=[f"{d:%Y-%m-%d}:{'work' if w else 'rest'}" for d, w in pairs],
    )
    deadlines_recompute(dates=[d for d, _ in pairs])
    return len(pairs)
