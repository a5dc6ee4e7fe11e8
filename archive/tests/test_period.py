"""第二十八条: concluding opens the 30-day archiving period (ARCHIVE_FILE) for the department's
designated archivist (专人, ArchiveDuty) or, without one, every archivist; the period counts
calendar days and a last day that is a rest day moves to the next working day (the deadlines
engine's calendar.period_end, 《行政处罚法》第八十五条); another regulation's period overrides it
per case kind (settings.ARCHIVE_PERIOD_DAYS)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.models import ArchiveDuty
from deadlines import calendar
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import local_date
from delivery import conclusion as co
from delivery.models import Ending
from delivery.tests.execution_helpers import NO_PENALTY, served_case
from linke.clock import clock_at, on_day

pytestmark = pytest.mark.django_db

# 2026-09-01 + 30 days = 2026-10-01, 国庆节; the holiday runs to 10-07, 10-08 is the next working day.
CONCLUDED_ON = dt.date(2026, 9, 1)


def _conclude(head, day=CONCLUDED_ON):
    case = served_case(head, served_days_ago=(timezone.localdate() - day).days + 5, **NO_PENALTY)
    with clock_at(on_day(day)):
        co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    return case, Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)


def test_the_engine_moves_a_last_day_on_a_holiday_to_the_next_working_day():
    assert not calendar.is_working_day(dt.date(2026, 10, 1))
    assert calendar.period_end(CONCLUDED_ON, 30).date == dt.date(2026, 10, 8)
    # An adjusted working day (调休, Saturday 2026-10-10) is a working day: no move.
    assert calendar.is_working_day(dt.date(2026, 10, 10))
    assert calendar.period_end(dt.date(2026, 9, 3), 37).date == dt.date(2026, 10, 10)


def test_the_30_day_period_ending_on_national_day_ends_on_the_next_working_day(head, archivist, settings):
    case, deadline = _conclude(head)
    assert local_date(case.__class__.objects.get(pk=case.pk).concluded_at) == CONCLUDED_ON
    assert (deadline.days, deadline.article) == (30, "第二十八条")
    assert local_date(deadline.due) == dt.date(2026, 10, 8)
    assert "30日内" in deadline.label


def test_another_regulations_period_overrides_it_per_kind(head, archivist, settings):
    settings.ARCHIVE_PERIOD_DAYS = {"penalty": 40, "licensing": 30}
    case, deadline = _conclude(head)
    # 2026-09-01 + 40 = 2026-10-11, a Sunday: the next working day is Monday 10-12.
    assert deadline.days == 40 and local_date(deadline.due) == dt.date(2026, 10, 12)
    assert "40日内" in deadline.label


def test_the_designated_archivist_answers_else_every_archivist(head, archivist):
    other = UserFactory(roles=[Role.ARCHIVIST])
    case, deadline = _conclude(head)
    assert {archivist, other} <= set(deadline.responsible.all())

    case2 = served_case(head, **NO_PENALTY)
    ArchiveDuty.objects.create(department=case2.department, archivist=other)
    co.conclude(case_id=case2.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    people = set(Deadline.objects.get(case=case2, kind=DeadlineKind.ARCHIVE_FILE).responsible.all())
    assert other in people and archivist not in people
    assert set(case2.officers.all()) <= people


def test_an_inactive_designated_archivist_falls_back_to_every_archivist(head, archivist):
    gone = UserFactory(roles=[Role.ARCHIVIST], is_active=False)
    case = served_case(head, **NO_PENALTY)
    ArchiveDuty.objects.create(department=case.department, archivist=gone)
    co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    people = set(Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE).responsible.all())
    assert archivist in people and gone not in people
