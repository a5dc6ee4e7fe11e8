import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind, Notification
from deadlines.services import deadline_met, deadline_open, deadlines_scan
from deadlines.tasks import deadlines_scan_task

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SH)  # a Tuesday


def _open(case, kind, start, **period):
    return deadline_open(
        case=case,
        kind=kind,
        article="测试条款",
        label=f"测试{kind}",
        start=start,
        responsible=case.officers.all(),
        **period,
    )


def _scenario(start_of_today):
    """green, yellow, red, red archive, met-overdue deadlines around `start_of_today`."""
    case = CaseFactory()
    green = _open(case, "t.green", start_of_today, days=60)
    yellow = _open(case, "t.yellow", start_of_today, working_days=1)
    red = _open(case, "t.red", start_of_today - dt.timedelta(days=40), working_days=2)
    archive = _open(CaseFactory(), DeadlineKind.ARCHIVE_FILE, start_of_today - dt.timedelta(days=60), days=30)
    met = _open(case, "t.met", start_of_today - dt.timedelta(days=40), working_days=2)
    deadline_met(kind="t.met", case=case)
    return case, green, yellow, red, archive, met


def _messages():
    return sorted(Notification.objects.values_list("dedupe_key", flat=True))


@pytest.mark.django_db
def test_thresholds_reminders_and_escalation(head, archivist):
    case, green, yellow, red, archive, met = _scenario(NOW)
    officers = sorted(case.officers.values_list("pk", flat=True))
    archive_officers = sorted(archive.responsible.values_list("pk", flat=True))

    result = deadlines_scan(now=NOW)

    assert result == {"reminded": 1, "escalated": 2, "more": 0}
    expected = (
        [f"deadline:{yellow.pk}:remind:u{u}" for u in officers]
        + [f"deadline:{red.pk}:overdue:u{u}" for u in officers]
        + [f"deadline:{red.pk}:escalate:u{head.pk}"]
        + [f"deadline:{archive.pk}:overdue:u{u}" for u in archive_officers]
        # 第二十八条: overdue archiving also goes to the archivists.
        + [f"deadline:{archive.pk}:escalate:u{u}" for u in sorted([head.pk, archivist.pk])]
    )
    assert _messages() == sorted(expected)
    note = Notification.objects.get(dedupe_key=f"deadline:{red.pk}:escalate:u{head.pk}")
    assert note.text.startswith("【逾期督办】") and case.number in note.text
    assert note.link.startswith("/")
    assert Entry.objects.filter(action="deadline.escalated").count() == 2
    red.refresh_from_db()
    assert red.reminded_at == red.escalated_at == NOW  # overdue: no later "due soon" reminder

    # A second pass finds nothing new.
    assert deadlines_scan(now=NOW) == {"reminded": 0, "escalated": 0, "more": 0}
    assert len(_messages()) == len(expected)

    # Next day the yellow one is overdue: it escalates once; green still quiet.
    later = NOW + dt.timedelta(days=2)
    assert deadlines_scan(now=later)["escalated"] == 1
    assert Notification.objects.filter(dedupe_key__startswith=f"deadline:{yellow.pk}:escalate").count() == 1
    assert not Notification.objects.filter(deadline=green).exists()
    assert not Notification.objects.filter(deadline=met).exists()


@pytest.mark.django_db
def test_reminder_threshold_is_one_working_day_not_one_calendar_day():
    # Friday 13 Feb 2026: the next working day is Saturday 14 Feb (调休上班); a deadline due
    # on Tuesday 24 Feb (after the Spring Festival) is not yet in the window.
    friday = dt.datetime(2026, 2, 13, 9, tzinfo=SH)
    case = CaseFactory()
    soon = _open(case, "t.soon", friday - dt.timedelta(days=1), working_days=2)  # due Sat 14 Feb
    after = _open(case, "t.after", friday, working_days=2)  # due Tue 24 Feb
    assert soon.due.date() == dt.date(2026, 2, 14) and after.due.astimezone(SH).date() == dt.date(2026, 2, 24)
    assert deadlines_scan(now=friday)["reminded"] == 1
    # On Monday 23 Feb (holiday) the next working day is 24 Feb: now it is due.
    assert deadlines_scan(now=dt.datetime(2026, 2, 23, 9, tzinfo=SH))["reminded"] == 1
    assert Notification.objects.filter(deadline=after, dedupe_key__contains=":remind:").exists()


@pytest.mark.django_db
def test_bounded_batches_requeue_until_done(head):
    # Eager Celery: the task's own re-queue runs inline.
    case = CaseFactory()
    start = timezone.now() - dt.timedelta(days=40)
    for i in range(5):
        _open(case, f"t.batch{i}", start, working_days=2)
    first = deadlines_scan_task.delay(2).get()
    assert first == {"reminded": 0, "escalated": 2, "more": 1}
    assert not Deadline.objects.filter(escalated_at__isnull=True).exists()
    assert Notification.objects.filter(dedupe_key__contains=":escalate:").count() == 5


@pytest.mark.worker
def test_a_full_batch_on_a_worker_requeues_on_the_workers_own_queue(celery_worker):
    # The worker consumes only its own queue; its app config names the default "celery"
    # queue, which nobody consumes here. The re-queued scans must come back to this worker.
    case = CaseFactory()
    start = timezone.now() - dt.timedelta(days=40)
    for i in range(3):
        _open(case, f"t.batch{i}", start, working_days=2)
    log_start = len(celery_worker.output())
    assert deadlines_scan_task.delay(1).get(timeout=60)["more"] == 1

    def succeeded() -> int:
        return sum(
            1
            for line in celery_worker.output()[log_start:].splitlines()
            if "deadlines.tasks.deadlines_scan_task[" in line and " succeeded in " in line
        )

    # The chain: three batches of one, then an empty pass that ends it. Wait for it (60 s at most).
    for _ in range(600):
        if succeeded() >= 4:
            break
        time.sleep(0.1)
    assert succeeded() == 4
    assert not Deadline.objects.filter(escalated_at__isnull=True).exists()


@pytest.mark.django_db
def test_email_when_enabled(settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_ENABLED = True
    case = CaseFactory()
    for user in case.officers.all():
        user.email = f"{user.username}@example.org"
        user.save()
    _open(case, "t.red", NOW - dt.timedelta(days=40), working_days=2)
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_scan(now=NOW)
    assert sorted(m.to[0] for m in mailoutbox) == sorted(u.email for u in case.officers.all())
    assert "【已逾期】" in mailoutbox[0].body
    # A re-sent batch of the same keys mails nobody twice.
    from deadlines.tasks import notifications_email_task

    assert notifications_email_task(list(Notification.objects.values_list("dedupe_key", flat=True))) == 0


@pytest.mark.django_db(transaction=True)
def test_overlapping_scans_send_each_message_once(head):
    """Scan A holds its claimed rows (transaction open) while scan B runs on another
    connection: B skips them; after A commits, B finds them already done."""
    _scenario(NOW)
    claimed, release = threading.Event(), threading.Event()
    results = {}

    def scan_a():
        try:
            with transaction.atomic():
                results["a"] = deadlines_scan(now=NOW)
                claimed.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    thread = threading.Thread(target=scan_a)
    thread.start()
    assert claimed.wait(timeout=60)
    results["b"] = deadlines_scan(now=NOW)  # concurrent with A's open transaction
    release.set()
    thread.join()
    results["c"] = deadlines_scan(now=NOW)

    assert results["a"] == {"reminded": 1, "escalated": 2, "more": 0}
    assert results["b"] == results["c"] == {"reminded": 0, "escalated": 0, "more": 0}
    keys = _messages()
    assert len(keys) == len(set(keys)) == Notification.objects.count()
    assert Notification.objects.filter(dedupe_key__contains=":escalate:").count() == 2


@pytest.mark.worker
def test_scan_on_a_real_worker_double_run(celery_worker, head, archivist):
    now = timezone.now()
    case, green, yellow, red, archive, met = _scenario(now)
    officers = case.officers.count()
    # Also a penalty deadline opened through the normal path with one extra responsible.
    extra = UserFactory(roles=[Role.OFFICER])
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="处罚决定",
        start=now - dt.timedelta(days=200),
        days=90,
        responsible=[extra],
    )
    deadline_open(
        case=case,
        kind=DeadlineKind.AV_STORAGE,
        article="第二十七条",
        label="音像存储",
        start=now,
        working_days=2,
        responsible=[extra],
    )

    # Two scans queued back to back (as two overlapping beat processes would) and one run
    # in this process at the same time.
    r1, r2 = deadlines_scan_task.delay(), deadlines_scan_task.delay()
    here = deadlines_scan()
    got = [r1.get(timeout=60), r2.get(timeout=60), here]

    assert sum(r["reminded"] for r in got) == 1
    assert sum(r["escalated"] for r in got) == 3
    assert Notification.objects.filter(dedupe_key__contains=":remind:").count() == officers
    assert Notification.objects.filter(dedupe_key__contains=":overdue:").count() == (
        officers + archive.responsible.count() + 1
    )
    # Escalations: head for red, archive and the penalty decision; archivist for archive only.
    assert Notification.objects.filter(user=head).count() == 3
    assert Notification.objects.filter(user=archivist).count() == 1
    assert Notification.objects.filter(user=extra, text__startswith="【已逾期】").count() == 1
    keys = _messages()
    assert len(keys) == len(set(keys))
    assert "deadlines.tasks.deadlines_scan_task" in celery_worker.output()


def test_scan_task_is_on_the_beat_schedule_every_15_minutes(settings):
    from linke.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["deadlines-scan"]
    assert entry["task"] == deadlines_scan_task.name and entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 15))


@pytest.mark.django_db
def test_admins_are_warned_once_when_next_year_is_missing(admin_user):
    from deadlines.models import CalendarOverride
    from deadlines.services import calendar_missing_warn, calendar_overrides_save

    assert calendar_missing_warn(today=dt.date(2026, 10, 31)) == 0  # too early
    assert calendar_missing_warn(today=dt.date(2026, 11, 28)) == 1
    calendar_missing_warn(today=dt.date(2026, 11, 29))
    note = Notification.objects.get(user=admin_user)
    assert "2027年法定节假日安排尚未录入" in note.text and note.link.endswith("/import/")
    assert calendar_missing_warn(today=dt.date(2025, 11, 28)) == 0  # 2026 is in the package
    # A single corrected day is not the notice: still missing.
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, source="更正")
    Notification.objects.all().delete()
    assert calendar_missing_warn(today=dt.date(2026, 12, 2)) == 1
    calendar_overrides_save(pairs=[(dt.date(2027, 1, 1), False)], source="2027年通知", by=admin_user, year=2027)
    Notification.objects.all().delete()
    assert calendar_missing_warn(today=dt.date(2026, 12, 3)) == 0


@pytest.mark.django_db
def test_meeting_a_deadline_settles_its_reminder_overdue_and_escalation_notices(head):
    """A reminder, an overdue notice and a 督办 ask for the deadline to be met: once it is, they
    are read for everyone (kept in the list); another deadline's notices stay unread."""
    from deadlines.selectors import unread_count

    case, green, yellow, red, archive, met = _scenario(NOW)
    deadlines_scan(now=NOW)
    officers = list(case.officers.all())
    assert unread_count(head) == 2 and all(unread_count(o) == 2 for o in officers)

    deadline_met(kind=red.kind, case=case)

    settled = Notification.objects.filter(deadline=red)
    assert settled.count() == len(officers) + 1 and not settled.filter(read_at__isnull=True).exists()
    assert all(unread_count(o) == 1 for o in officers)  # yellow's reminder stays
    assert unread_count(head) == 1  # the archive file's escalation stays
    assert not Notification.objects.filter(deadline__in=[yellow, archive], read_at__isnull=False).exists()
