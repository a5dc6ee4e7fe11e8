"""Receivers: calendar changes recompute deadlines; case transitions open and meet the
statutory periods registered now (the later stages open theirs from their services)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from cases.models import CaseKind, CaseState
from cases.signals import case_transitioned, officers_assigned

from . import calendar
from .models import CalendarOverride, CalendarYear, DeadlineKind

# kwargs: case_id, kind, due. Sent inside the transaction that opened a case-wide deadline or
# moved an open deadline's due date (an approved extension, excluded time, a calendar change);
# readers that keep a copy of a due date for sorting (review's queue rows) refresh it.
deadline_moved = Signal()

_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("deadlines_bulk_override_save", default=False)


@contextlib.contextmanager
def bulk_override_save() -> Iterator[None]:
    """Within it, single-row override signals only clear the cache (the caller recomputes once)."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


@receiver(post_save, sender=CalendarOverride, dispatch_uid="deadlines_override_saved")
@receiver(post_delete, sender=CalendarOverride, dispatch_uid="deadlines_override_deleted")
def override_changed(sender: Any, instance: CalendarOverride, **kwargs: Any) -> None:
    calendar.clear_cache(instance.date.year)
    if not _bulk.get():
        from .services import deadlines_recompute

        deadlines_recompute(dates=[instance.date])


@receiver(post_save, sender=CalendarYear, dispatch_uid="deadlines_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="deadlines_year_deleted")
def year_changed(sender: Any, instance: CalendarYear, **kwargs: Any) -> None:
    calendar.clear_cache(instance.year)


@receiver(case_transitioned, dispatch_uid="deadlines_case_transitioned")
def case_periods(sender: Any, case: Any, from_state: str, to_state: str, by: Any = None, **kwargs: Any) -> None:
    from django.utils import timezone

    from .services import deadline_met, deadline_open

    # Filing moves a penalty case into investigation; a case sent back from review keeps its period.
    if case.kind == CaseKind.PENALTY and to_state == CaseState.INVESTIGATING and from_state != CaseState.UNDER_REVIEW:
        # 《行政处罚法》第六十条: decide within 90 days of filing (立案); calendar days.
        deadline_open(
            case=case,
            kind=DeadlineKind.PENALTY_DECISION,
            article="《行政处罚法》第六十条",
            label=f"{DeadlineKind.PENALTY_DECISION.label}（立案之日起九十日内）",
            start=case.filed_at or timezone.now(),
            days=90,
            responsible=case.officers.all(),
        )
    elif case.kind == CaseKind.LICENSING and to_state == CaseState.ACCEPTED:
        from cases.selectors import licensing_accepted_at

        # 《行政许可法》第四十二条: decide within 20 days of acceptance; working days (第八十二条).
        # Acceptance is the day of receipt when the applicant was not told of missing material
        # within 5 working days (第三十二条第一款第（四）项): the period counts from that day.
        deadline_open(
            case=case,
            kind=DeadlineKind.LICENSING_DECISION,
            article="《行政许可法》第四十二条",
            label=f"{DeadlineKind.LICENSING_DECISION.label}（受理之日起二十个工作日内）",
            start=licensing_accepted_at(case) or timezone.now(),
            working_days=20,
            responsible=case.officers.all(),
        )
    if to_state == CaseState.DECIDED:
        met_at = case.decided_at or timezone.now()
        deadline_met(kind=DeadlineKind.PENALTY_DECISION, case=case, met_at=met_at)
        deadline_met(kind=DeadlineKind.LICENSING_DECISION, case=case, met_at=met_at)


@receiver(officers_assigned, dispatch_uid="deadlines_officers_assigned")
def officers_changed(sender: Any, case: Any, by: Any = None, **kwargs: Any) -> None:
    from .services import deadlines_reassign

    deadlines_reassign(case=case, by=by)


def _heads_changed(**kwargs: Any) -> None:
    from .services import deadlines_sync_heads

    transaction.on_commit(deadlines_sync_heads)


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="deadlines_roles_changed")
def roles_changed(sender: Any, action: str, **kwargs: Any) -> None:
    # A role is a group: the head's level changes hands when the head group's members change.
    if action in ("post_add", "post_remove", "post_clear"):
        _heads_changed()


@receiver(post_save, sender=get_user_model(), dispatch_uid="deadlines_user_saved")
def user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # Deactivating (or reactivating) a head moves the periods heads answer for.
    if not created and (update_fields is None or "is_active" in update_fields):
        _heads_changed()
