"""Writes: opening and meeting deadlines, calendar imports, recomputation, notifications.

Stage apps call `deadline_open` when a period starts and `deadline_met` when the thing it
waits for is recorded, inside their own transaction:

    deadline_open(case=case, kind=DeadlineKind.EVIDENCE_PRESERVATION, article="《行政处罚法》第五十六条",
                  label="先行登记保存处理决定", start=notice.created_at, working_days=7,
                  responsible=case.officers.all(), target=notice)
    deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, target=notice)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

import audit
from accounts.models import Role
from accounts.selectors import users_in_role
from linke.fields import fit

from . import calendar
from .audit_actions import AuditAction
from .models import CalendarOverride, CalendarYear, Deadline, DeadlineKind, Notification

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
        # By the model's natural key, not the cached ContentType id: a worker process that has
        # cached ids finds the row even after the content types were recreated (as between the
        # test suite's transactional tests).
        meta = target._meta.concrete_model._meta
        return Q(content_type__app_label=meta.app_label, content_type__model=meta.model_name, object_id=target.pk)
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
    label = fit(Deadline, "label", label)  # a label built from outside input never fails the save
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
    if target is None:
        _moved(deadline)
    audit.record(
        deadline,
        AuditAction.OPENED,
        case=case,
        kind=kind,
        article=article,
        label=label,
        start=start,
        due=deadline.due,
        provisional=deadline.provisional,
        working_days=working_days,
        days=days,
    )
    return deadline


# Periods the head answers for (the head decides), besides the officers: 《行政处罚法》第五十六条.
HEAD_KINDS = (DeadlineKind.EVIDENCE_PRESERVATION,)


@transaction.atomic
def deadlines_sync_heads(*, by: Any = None) -> int:
    """When the head's level changes hands (a user gains or loses the head role, or is
    deactivated), the open periods heads answer for (HEAD_KINDS) follow: every current active
    head who does not handle the case is responsible; a former head who is no officer leaves.
    Officers on the period stay. Returns how many deadlines changed; each change is audited."""
    from accounts.selectors import users_in_role
    from cases.selectors import heads_for

    heads = list(users_in_role(Role.HEAD))
    officers = set(users_in_role(Role.OFFICER).values_list("pk", flat=True))
    open_ = list(Deadline.objects.filter(kind__in=HEAD_KINDS, met_at__isnull=True).select_related("case"))
    had = _responsible_now(open_)
    changed = 0
    for deadline in open_:
        before = had[deadline.pk]
        eligible = {h.pk for h in (heads if deadline.case is None else heads_for(deadline.case, heads=heads))}
        after = {u for u in before if u in officers or u in eligible} | eligible
        changed += _hand_over(deadline, before, after, by)
    return changed


@transaction.atomic
def deadlines_reassign(*, case: Any, by: Any = None) -> int:
    """Make the responsible people of `case`'s open deadlines follow its handling officers
    after they changed (cases.signals.officers_assigned). A case-wide period (no target: the
    decision periods of 《行政处罚法》第六十条, 《行政许可法》第四十二条) is the handling
    officers' together: it gets exactly the current officers. A record's period (第二十七条
    storage, 《行政处罚法》第五十六条 preservation …) stays with those of its people who still
    handle the case, and passes to all handling officers when none does. Who answers by role
    stays: the head on a record's period, the archivists on ARCHIVE_FILE (第二十八条). People added to a
    period already reminded or overdue get that message now (the scan sends each once).
    Returns how many deadlines changed; each change is an audit entry."""
    officers = [a.officer_id for a in case.assignments.order_by("-is_lead", "pk")]
    current = set(officers)
    signers = set(users_in_role(Role.HEAD).values_list("pk", flat=True))
    archivists = set(users_in_role(Role.ARCHIVIST).values_list("pk", flat=True))
    open_ = list(Deadline.objects.filter(case=case, met_at__isnull=True).select_related("case").order_by("pk"))
    had = _responsible_now(open_)
    changed = 0
    for deadline in open_:
        before = had[deadline.pk]
        if deadline.object_id is None:
            after = set(current)
        else:
            after = (before & current) or set(current)
            # Who answers for a record's period by their role, not as an officer (the head who
            # decides on preserved evidence, 《行政处罚法》第五十六条), stays when officers change.
            after |= before & signers
        if deadline.kind == DeadlineKind.ARCHIVE_FILE:
            # 第二十八条: the archivists (the 专人) answer for archiving whoever handles the case.
            after |= before & archivists
        changed += _hand_over(deadline, before, after, by)
    return changed


def _responsible_now(deadlines: list[Deadline]) -> dict[int, set[int]]:
    """The responsible people of each deadline, by id (one query)."""
    had: dict[int, set[int]] = {d.pk: set() for d in deadlines}
    through = Deadline.responsible.through
    for deadline_id, user_id in through.objects.filter(deadline_id__in=list(had)).values_list("deadline_id", "user_id"):
        had[deadline_id].add(user_id)
    return had


def _hand_over(deadline: Deadline, before: set[int], after: set[int], by: Any) -> int:
    """Make `after` the deadline's responsible people (1 if that changed anything, else 0): the
    change is audited, and newcomers get the reminder or overdue notice already sent (the scan
    claims each message once per deadline)."""
    if after == before:
        return 0
    added, removed = sorted(after - before), sorted(before - after)
    if removed:
        Deadline.responsible.through.objects.filter(deadline_id=deadline.pk, user_id__in=removed).delete()
    if added:
        deadline.responsible.add(*added)
    audit.record(
        deadline,
        AuditAction.RESPONSIBLE_CHANGED,
        actor=by,
        case=deadline.case_id,
        kind=deadline.kind,
        added=added,
        removed=removed,
    )
    text, link = _describe(deadline)
    if added and deadline.reminded_at is not None and deadline.escalated_at is None:
        notify(
            user_ids=added,
            text=f"【期限提醒】{text}",
            link=link,
            level="warn",
            dedupe_key=deadline_key(deadline.pk, REMIND),
            deadline_id=deadline.pk,
        )
    if added and deadline.escalated_at is not None:
        notify(
            user_ids=added,
            text=f"【已逾期】{text}",
            link=link,
            level="bad",
            dedupe_key=deadline_key(deadline.pk, OVERDUE),
            deadline_id=deadline.pk,
        )
    return 1


@transaction.atomic
def deadline_met(*, kind: str, case: Any = None, target: Any = None, met_at: dt.datetime | None = None) -> int:
    """Close the open deadlines of `kind` for the target (or the case, target or not), each
    audited; their notifications (reminder, overdue, 督办, window opened: each carries its
    deadline) are settled, read for everyone, in one update by the deadline's foreign key.
    Returns how many were closed."""
    if target is None and case is None:
        raise ValueError("give a case or a target")
    where = Q(kind=kind, met_at__isnull=True)
    if target is not None:
        where &= _target_filter(case=None, target=target)
    if case is not None:
        where &= Q(case=case)
    met_at = met_at or timezone.now()
    # Lock the deadline rows only: the target filter joins django_content_type, and a plain
    # FOR UPDATE would lock that shared row too, deadlocking with any transaction that holds the
    # audit lock and, at commit, checks its (deferred) foreign key to the same content type.
    closed = list(Deadline.objects.select_for_update(of=("self",)).filter(where).order_by("pk"))
    for deadline in closed:
        deadline.met_at = met_at
        deadline.save(update_fields=["met_at"])
        audit.record(
            deadline, AuditAction.MET, case=deadline.case_id, kind=kind, met_at=met_at, late=met_at > deadline.due
        )
    if closed:  # their reminders, overdue notices and 督办 asked for this: read now for everyone
        Notification.objects.filter(deadline__in=closed, read_at__isnull=True).update(read_at=timezone.now())
    return len(closed)


@transaction.atomic
def deadline_extend(
    *,
    case: Any,
    kind: str,
    by: Any,
    reason: str,
    working_days: int | None = None,
    days: int | None = None,
) -> Deadline:
    """Lengthen the open case-wide deadline of `kind` to `working_days` (or `days`) counted from
    its start, and move its due date accordingly (a period extended with approval, or time the
    law does not count: 《行政处罚法》第六十条, 《行政许可法》第四十二、四十五条). The period keeps
    its unit; the new length is stored, so a later calendar recomputation keeps the extension.
    Audited with the old and new due dates. Raises Deadline.DoesNotExist when no such deadline
    is open, ValueError when the length is given in the other unit or shortens the period."""
    deadline = Deadline.objects.select_for_update(of=("self",)).get(
        case=case, kind=kind, object_id__isnull=True, met_at__isnull=True
    )
    if (working_days is None) != (deadline.working_days is None) or (days is None) != (deadline.days is None):
        raise ValueError("the period keeps its unit (working days or calendar days)")
    if (working_days or 0) < (deadline.working_days or 0) or (days or 0) < (deadline.days or 0):
        raise ValueError("an extension does not shorten the period")
    due = compute_due(deadline.start, working_days=working_days, days=days)
    old = deadline.due
    deadline.working_days, deadline.days = working_days, days
    deadline.due, deadline.provisional = end_of_day(due.date), due.provisional
    fields = ["working_days", "days", "due", "provisional"]
    if deadline.due > old:
        deadline.reminded_at = deadline.escalated_at = None
        fields += ["reminded_at", "escalated_at"]
    deadline.save(update_fields=fields)
    _moved(deadline)
    audit.record(
        deadline,
        AuditAction.EXTENDED,
        actor=by,
        case=deadline.case_id,
        kind=kind,
        old_due=old,
        due=deadline.due,
        working_days=working_days,
        days=days,
        reason=reason,
    )
    return deadline


def _moved(deadline: Deadline) -> None:
    from .signals import deadline_moved

    deadline_moved.send(sender=Deadline, case_id=deadline.case_id, kind=deadline.kind, due=deadline.due)


def deadlines_move(*, kind: str, target: Any, case: Any) -> int:
    """The deadlines of `kind` on `target` now belong to `case` (the target was put on a case,
    e.g. an AV record filed from the inbox). Returns how many rows moved."""
    return Deadline.objects.filter(_target_filter(case=None, target=target), kind=kind).update(case=case)


def deadlines_recompute(*, dates: Iterable[dt.date] = ()) -> int:
    """Recompute the due dates of open deadlines the calendar change can affect: every
    provisional one, and those whose period spans one of `dates`. Returns how many changed."""
    dates = sorted(set(dates))
    where = Q(provisional=True)
    if dates:
        where |= Q(start__lt=end_of_day(dates[-1]), due__gte=end_of_day(dates[0]) - dt.timedelta(days=1))
    changed = 0
    with transaction.atomic():
        rows = Deadline.objects.select_for_update(of=("self",)).filter(where, met_at__isnull=True).order_by("pk")
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
            _moved(deadline)
            audit.record(
                deadline,
                AuditAction.RECOMPUTED,
                case=deadline.case_id,
                old_due=old,
                due=new_due,
                provisional=due.provisional,
            )
            changed += 1
    return changed


@transaction.atomic
def calendar_overrides_save(
    *, pairs: Iterable[tuple[dt.date, bool]], source: str, by: Any, year: int | None = None
) -> int:
    """Save a notice's days (insert or replace), then recompute affected deadlines. `year`:
    the year whose whole notice this is; from then on that year's calendar is official
    (not provisional). Without it (corrections of single days) no year becomes covered."""
    from .signals import bulk_override_save

    pairs = sorted(dict(pairs).items())
    # Only days whose status really changes can move a non-provisional deadline.
    changed = [d for d, working in pairs if calendar.day_info(d).working != working]
    with bulk_override_save():
        for day, working in pairs:
            CalendarOverride.objects.update_or_create(date=day, defaults={"is_working_day": working, "source": source})
    if year is not None:
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    years = sorted({d.year for d, _ in pairs} | ({year} if year is not None else set()))
    for year in years:
        calendar.clear_cache(year)
    audit.record(
        None,
        AuditAction.CALENDAR_IMPORTED,
        actor=by,
        source=source,
        years=years,
        notice_year=year,
        days=[f"{d:%Y-%m-%d}:{'work' if w else 'rest'}" for d, w in pairs],
    )
    deadlines_recompute(dates=changed)
    return len(pairs)


# --- notifications and the periodic scan ----------------------------------------------------

REMIND, OVERDUE, ESCALATE, OPENED = "remind", "overdue", "escalate", "opened"


def deadline_key(deadline_id: int, message: str) -> str:
    """The dedupe key of a deadline's `message` (REMIND, OVERDUE, ESCALATE, OPENED):
    "deadline:<id>:<message>"."""
    return f"deadline:{deadline_id}:{message}"


# Periods whose end opens a window rather than closes one: before the day it is a warning ("not
# yet"), on it the thing may be done — never an overdue item. 《行政强制法》第五十四条: the court
# application may be made once 10 working days have passed since the 催告书 was served. The scan
# marks such a deadline met when it has run (met_at = its due) and tells the responsible people.
OPENING_KINDS = (DeadlineKind.ENFORCEMENT_OPENS,)


def _rows(
    *, user_ids: Iterable[int], text: str, link: str, dedupe_key: str, level: str, deadline_id: int | None
) -> list[Notification]:
    return [
        Notification(
            user_id=uid,
            text=text[:500],
            link=link,
            level=level,
            deadline_id=deadline_id,
            dedupe_key=f"{dedupe_key}:u{uid}"[:200],
        )
        for uid in sorted(set(user_ids))
    ]


def _insert(rows: list[Notification]) -> list[str]:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING; e-mail queued after commit."""
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    keys = [r.dedupe_key for r in rows]
    _email_on_commit(keys)
    return keys


def notify(
    *,
    user_ids: Iterable[int],
    text: str,
    link: str = "",
    dedupe_key: str,
    level: str = "info",
    deadline_id: int | None = None,
) -> list[str]:
    """Create one notification per user, once: `dedupe_key` names the message (the user id
    is appended) and is unique, so calling this again for the same message adds nothing.
    E-mail follows after commit when settings.EMAIL_ENABLED. Returns the keys."""
    return _insert(
        _rows(user_ids=user_ids, text=text, link=link, dedupe_key=dedupe_key, level=level, deadline_id=deadline_id)
    )


def _email_on_commit(keys: list[str]) -> None:
    if keys and settings.EMAIL_ENABLED:
        from .tasks import notifications_email_task

        notifications_email_task.delay_on_commit(keys)


@transaction.atomic
def notifications_mark_read(*, user: Any, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notifications_settle(*, dedupe_key: str, any_state: bool = False) -> int:
    """The task a message asked for is done (a request decided, a check signed, a deadline
    met): mark read (read_at now) every user's unread notification of it, which stays in their
    list. `dedupe_key` is the key given to `notify`; the rows matched are exactly
    "<dedupe_key>:u<user id>" (never "<dedupe_key>3:u…", another message), or with `any_state`
    "<dedupe_key>:<state>:u<user id>" for any one state (no colon) — a message notified again
    per state (the blockers of an override ask, the catalogue of a check ask). Call it inside
    the transaction that does the task. Returns how many were marked."""
    state = r":[^:]+" if any_state else ""
    return Notification.objects.filter(
        read_at__isnull=True,
        dedupe_key__startswith=f"{dedupe_key}:",
        dedupe_key__regex=rf"^{re.escape(dedupe_key)}{state}:u[0-9]+$",
    ).update(read_at=timezone.now())


def _role_user_ids(role: Any) -> list[int]:
    return list(users_in_role(role).values_list("pk", flat=True))


def claimable(field: str, due_filter: Q, batch: int) -> QuerySet[Deadline, int]:
    """The ids the scan claims for `field` (reminded_at / escalated_at): open, not yet done,
    matching `due_filter`, oldest due first, at most `batch`. Rows another scan holds are
    skipped (FOR UPDATE SKIP LOCKED). Served by the partial indexes deadline_to_remind /
    deadline_to_escalate (bench/deadlines.py prints the plan)."""
    return (
        Deadline.objects.filter(due_filter, met_at__isnull=True, **{f"{field}__isnull": True})
        .order_by("due")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:batch]
    )


def scan_filters(now: dt.datetime) -> dict[str, Q]:
    from .selectors import reminder_threshold

    return {
        "reminded_at": Q(due__gte=now, due__lte=reminder_threshold(now)),
        "escalated_at": Q(due__lt=now) & ~Q(kind__in=OPENING_KINDS),
    }


def _windows_open(now: dt.datetime, batch: int) -> int:
    """Meet up to `batch` deadlines of OPENING_KINDS that have run (met_at = their due), each
    audited, and tell their responsible people once that the window is open. Returns how many."""
    rows = list(
        Deadline.objects.filter(kind__in=OPENING_KINDS, met_at__isnull=True, due__lt=now)
        .select_related("case")
        .order_by("due")
        .select_for_update(skip_locked=True, of=("self",))[:batch]
    )
    if not rows:
        return 0
    responsible = _responsible_now(rows)
    out: list[Notification] = []
    for deadline in rows:
        deadline.met_at = deadline.due
        deadline.save(update_fields=["met_at"])
        audit.record(
            deadline, AuditAction.MET, case=deadline.case_id, kind=deadline.kind, met_at=deadline.due, opened=True
        )
        text, link = _describe(deadline)
        out += _rows(
            user_ids=responsible[deadline.pk],
            text=f"【期限已到，可以办理】{text}",
            link=link,
            level="info",
            dedupe_key=deadline_key(deadline.pk, OPENED),
            deadline_id=deadline.pk,
        )
    _insert(out)
    return len(rows)


def _claim(field: str, due_filter: Q, now: dt.datetime, batch: int) -> list[int]:
    """Claim up to `batch` rows: lock them (skipping locked ones), then a conditional UPDATE
    that re-checks `field IS NULL`, so two overlapping scans never claim the same row."""
    ids = list(claimable(field, due_filter, batch))
    if not ids:
        return []
    updates: dict[str, Any] = {field: now}
    if field == "escalated_at":
        # An overdue item needs no "due soon" reminder any more.
        updates["reminded_at"] = Coalesce("reminded_at", Value(now))
    Deadline.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**updates)
    return ids


def _describe(deadline: Deadline) -> tuple[str, str]:
    due = timezone.localtime(deadline.due, LOCAL_TZ)
    case = deadline.case
    where = f"{case.ref} " if case is not None else ""
    provisional = "（暂定）" if deadline.provisional else ""
    link = reverse("deadlines:mine")
    if case is not None:
        try:
            link = case.get_absolute_url()
        except NoReverseMatch:  # the case pages are not installed yet
            pass
    return f"{where}{deadline.label}，{due:%Y年%m月%d日}届满{provisional}（{deadline.article}）", link


@transaction.atomic
def deadlines_scan(*, now: dt.datetime | None = None, batch: int | None = None) -> dict[str, int]:
    """One pass of the periodic scan: remind the responsible people of deadlines due within
    one working day; tell them and escalate to the heads (and, for archiving, the
    archivists, 第二十八条) when overdue; meet the OPENING_KINDS that have run (a window now
    open, never overdue) and say so. Each message exactly once (see `_claim` and the
    notifications' unique dedupe key). Returns counts; `more` > 0 when a batch was full."""
    from accounts.models import Role

    now = now or timezone.now()
    batch = batch or int(getattr(settings, "DEADLINES_SCAN_BATCH", 500))
    filters = scan_filters(now)
    opened = _windows_open(now, batch)
    reminded = _claim("reminded_at", filters["reminded_at"], now, batch)
    escalated = _claim("escalated_at", filters["escalated_at"], now, batch)
    if not (reminded or escalated):
        return {"reminded": 0, "escalated": 0, "more": int(opened == batch)}

    ids = set(reminded) | set(escalated)
    through = Deadline.responsible.through
    responsible: dict[int, list[int]] = {}
    for deadline_id, user_id in through.objects.filter(deadline_id__in=ids).values_list("deadline_id", "user_id"):
        responsible.setdefault(deadline_id, []).append(user_id)
    heads = _role_user_ids(Role.HEAD) if escalated else []
    archivists = _role_user_ids(Role.ARCHIVIST) if escalated else []
    deadlines = {d.pk: d for d in Deadline.objects.filter(pk__in=ids).select_related("case")}

    rows: list[Notification] = []
    for pk in reminded:
        text, link = _describe(deadlines[pk])
        rows += _rows(
            user_ids=responsible.get(pk, []),
            text=f"【期限提醒】{text}",
            link=link,
            level="warn",
            dedupe_key=deadline_key(pk, REMIND),
            deadline_id=pk,
        )
    for pk in escalated:
        deadline = deadlines[pk]
        text, link = _describe(deadline)
        rows += _rows(
            user_ids=responsible.get(pk, []),
            text=f"【已逾期】{text}",
            link=link,
            level="bad",
            dedupe_key=deadline_key(pk, OVERDUE),
            deadline_id=pk,
        )
        bosses = heads + (archivists if deadline.kind == DeadlineKind.ARCHIVE_FILE else [])
        rows += _rows(
            user_ids=bosses,
            text=f"【逾期督办】{text}",
            link=link,
            level="bad",
            dedupe_key=deadline_key(pk, ESCALATE),
            deadline_id=pk,
        )
        audit.record(
            deadline,
            AuditAction.ESCALATED,
            case=deadline.case_id,
            due=deadline.due,
            notified=sorted(set(responsible.get(pk, []) + bosses)),
        )
    _insert(rows)
    more = int(len(reminded) == batch or len(escalated) == batch or opened == batch)
    return {"reminded": len(reminded), "escalated": len(escalated), "more": more}


def calendar_missing_warn(*, today: dt.date | None = None) -> int:
    """From November on, tell the administrators (once per year) when next year's holiday
    notice has not been imported: deadlines reaching into it are only provisional."""
    from accounts.models import Role

    today = today or timezone.localdate()
    year = today.year + 1
    if today.month < 11 or calendar.is_covered(year):
        return 0
    with transaction.atomic():
        keys = notify(
            user_ids=_role_user_ids(Role.ADMIN),
            level="warn",
            dedupe_key=f"calendar:missing:{year}",
            link=reverse("admin:deadlines_calendaroverride_import"),
            text=f"【日历】{year}年法定节假日安排尚未录入，延续到{year}年的期限暂按周一至周五推算。"
            f"国务院办公厅通知发布后请在“导入节假日安排通知”中录入。",
        )
    return len(keys)
