import datetime as dt

import pytest

from deadlines.calendar import Due, add_working_days, is_covered, is_working_day, period_end
from deadlines.models import CalendarOverride

pytestmark = pytest.mark.django_db

D = dt.date


def test_2025_national_day_and_mid_autumn_from_the_package():
    # 国办发明电〔2024〕12号: 10月1日至8日放假调休，9月28日（周日）、10月11日（周六）上班。
    assert all(not is_working_day(D(2025, 10, d)) for d in range(1, 9))
    assert is_working_day(D(2025, 9, 28)) and D(2025, 9, 28).weekday() == 6
    assert is_working_day(D(2025, 10, 11)) and D(2025, 10, 11).weekday() == 5
    assert is_working_day(D(2025, 10, 9))


def test_working_days_across_national_day_2025():
    # From Fri 26 Sep: 28 Sep (Sun, adjusted) is day 1, 29 and 30 Sep days 2 and 3, then the
    # holiday 1–8 Oct, 9 Oct day 4, 10 Oct day 5, 11 Oct (Sat, adjusted) day 6, 13 Oct day 7.
    assert add_working_days(D(2025, 9, 26), 1) == Due(D(2025, 9, 28), False)
    assert add_working_days(D(2025, 9, 26), 3) == Due(D(2025, 9, 30), False)
    assert add_working_days(D(2025, 9, 26), 4) == Due(D(2025, 10, 9), False)
    assert add_working_days(D(2025, 9, 26), 6) == Due(D(2025, 10, 11), False)
    assert add_working_days(D(2025, 9, 26), 7) == Due(D(2025, 10, 13), False)
    # The start day is not counted even when it is a working day.
    assert add_working_days(D(2025, 9, 29), 1) == Due(D(2025, 9, 30), False)


def test_calendar_days_ending_in_national_day_2025_move_to_next_working_day():
    # 7 days from 25 Sep end 2 Oct, a holiday: moved to 9 Oct.
    assert period_end(D(2025, 9, 25), 7) == Due(D(2025, 10, 9), False)
    # Ending on the adjusted Saturday 11 Oct: that is a working day, it stays.
    assert period_end(D(2025, 10, 1), 10) == Due(D(2025, 10, 11), False)
    # Ending on an ordinary Sunday (12 Oct): moved to Monday 13 Oct.
    assert period_end(D(2025, 10, 2), 10) == Due(D(2025, 10, 13), False)


def test_2026_spring_festival():
    # 2月15日至23日放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    assert all(not is_working_day(D(2026, 2, d)) for d in range(15, 24))
    assert is_working_day(D(2026, 2, 14)) and is_working_day(D(2026, 2, 28))
    # 2 working days (第二十七条) from Fri 13 Feb: Sat 14 Feb (adjusted), then 24 Feb.
    assert add_working_days(D(2026, 2, 13), 2) == Due(D(2026, 2, 24), False)
    # 30 calendar days from 17 Jan end 16 Feb, inside the holiday: moved to 24 Feb.
    assert period_end(D(2026, 1, 17), 30) == Due(D(2026, 2, 24), False)
    # 7 working days from 10 Feb: 11, 12, 13, 14 (Sat), 24, 25, 26.
    assert add_working_days(D(2026, 2, 10), 7) == Due(D(2026, 2, 26), False)


def test_2027_has_no_official_data_and_falls_back_to_monday_friday_provisionally():
    assert not is_covered(2027)
    # 31 Dec 2026 (Thu) + 2 working days: 1 Jan 2027 is a Friday in the fallback.
    assert add_working_days(D(2026, 12, 31), 2) == Due(D(2027, 1, 4), True)
    # A period ending within 2026 is not provisional.
    assert add_working_days(D(2026, 12, 28), 3) == Due(D(2026, 12, 31), False)
    # 90 days from 1 Dec 2026 end 1 Mar 2027 (Mon): provisional.
    assert period_end(D(2026, 12, 1), 90) == Due(D(2027, 3, 1), True)


def test_a_single_override_wins_for_its_day_but_does_not_cover_the_year():
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, source="test")
    assert not is_covered(2027)
    assert not is_working_day(D(2027, 1, 1))
    # The override moves the due date, but 4 and 5 Jan are still only the Mon–Fri guess.
    assert add_working_days(D(2026, 12, 31), 2) == Due(D(2027, 1, 5), True)
    assert add_working_days(D(2027, 3, 1), 1) == Due(D(2027, 3, 2), True)


def test_importing_the_years_notice_covers_the_year(admin_user):
    from deadlines.services import calendar_overrides_save

    calendar_overrides_save(
        pairs=[(D(2027, 1, 1), False)], source="国务院办公厅关于2027年部分节假日安排的通知", by=admin_user, year=2027
    )
    assert is_covered(2027)
    assert add_working_days(D(2026, 12, 31), 2) == Due(D(2027, 1, 5), False)
    assert add_working_days(D(2027, 3, 1), 1) == Due(D(2027, 3, 2), False)


def test_override_wins_over_the_package():
    # An override also wins over the package.
    CalendarOverride.objects.create(date=D(2026, 3, 2), is_working_day=False, source="test")
    assert not is_working_day(D(2026, 3, 2))
    assert add_working_days(D(2026, 2, 27), 2) == Due(D(2026, 3, 3), False)


def test_the_package_itself_has_no_2027():
    # The premise of the fallback: chinesecalendar 1.11.0 covers 2004–2026 only.
    import chinese_calendar

    assert chinese_calendar.is_workday(D(2026, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


def test_overrides_are_cached_per_year(django_assert_num_queries):
    with django_assert_num_queries(1):
        for day in range(1, 29):
            is_working_day(D(2026, 2, day))
    # Saving an override clears the year's cache (signal), so the next call sees it.
    CalendarOverride.objects.create(date=D(2026, 2, 27), is_working_day=False, source="test")
    assert not is_working_day(D(2026, 2, 27))
