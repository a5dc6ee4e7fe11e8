"""Deadline responsibility follows the handling officers (cases.signals.officers_assigned):
a removed officer stops being reminded, the new one is responsible and told of what was
already reminded or overdue."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.services import case_assign_officers
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind, Notification
from deadlines.services import deadline_open, deadlines_scan

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _ids(deadline):
    return set(Deadline.objects.get(pk=deadline.pk).responsible.values_list("pk", flat=True))


def test_reassignment_moves_deadlines_and_reminders_to_the_new_officer(officer, officer2, department):
    officer3 = UserFactory(username="officer3", department=department, roles=[Role.OFFICER])
    case = CaseFactory(officers=[officer, officer2], department=department, created_by=officer)
    # 《行政处罚法》第六十条: the case-wide decision period, long overdue.
    decision = deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="作出行政处罚决定",
        start=dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH),
        days=90,
        responsible=case.officers.all(),
    )
    # A record's period held by the officer who will be removed, and one by who stays.
    removed_own = deadline_open(
        case=case,
        kind=DeadlineKind.EVIDENCE_PRESERVATION,
        article="《行政处罚法》第五十六条",
        label="先行登记保存处理决定",
        start=dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH),
        working_days=7,
        responsible=[officer2],
        target=officer2,
    )
    kept_own = deadline_open(
        case=case,
        kind=DeadlineKind.EVIDENCE_PRESERVATION,
        article="《行政处罚法》第五十六条",
        label="先行登记保存处理决定",
        start=dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH),
        working_days=7,
        responsible=[officer],
        target=officer,
    )
    deadlines_scan(now=dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH))  # all three overdue: told and escalated
    assert Notification.objects.filter(user=officer2, deadline=decision).exists()

    case_assign_officers(case_id=case.pk, officers=[officer, officer3], by=officer)

    assert _ids(decision) == {officer.pk, officer3.pk}
    assert _ids(removed_own) == {officer.pk, officer3.pk}  # nobody of its own left: the handling officers
    assert _ids(kept_own) == {officer.pk}
    # The newcomer is told what the scan had already sent (it sends each message once).
    assert Notification.objects.filter(user=officer3, deadline=decision, text__startswith="【已逾期】").exists()
    assert Notification.objects.filter(user=officer3, deadline=removed_own).exists()
    assert not Notification.objects.filter(user=officer3, deadline=kept_own).exists()
    changed = Entry.objects.filter(case_id=case.pk, action="deadline.responsible_changed")
    assert changed.count() == 2
    assert {tuple(e.data["removed"]) for e in changed} == {(officer2.pk,)}

    # The removed officer is not reminded of the case again.
    later = deadline_open(
        case=case,
        kind="test.kind",
        article="第二十七条",
        label="x",
        start=dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH),
        working_days=2,
        responsible=case.officers.all(),
    )
    deadlines_scan(now=dt.datetime(2026, 7, 1, 9, 0, tzinfo=SH))
    assert not Notification.objects.filter(user=officer2, deadline=later).exists()
    assert Notification.objects.filter(user=officer3, deadline=later).exists()


def test_same_officers_again_changes_nothing(officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    decision = deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="作出行政处罚决定",
        start=dt.datetime(2026, 1, 5, 9, 0, tzinfo=SH),
        days=90,
        responsible=case.officers.all(),
    )
    case_assign_officers(case_id=case.pk, officers=[officer2, officer], by=officer2)
    assert _ids(decision) == {officer.pk, officer2.pk}
    assert not Entry.objects.filter(action="deadline.responsible_changed").exists()
