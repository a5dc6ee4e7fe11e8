"""The official PRC working-day calendar.

Sources, strongest first:
1. `CalendarOverride` rows (an admin imports them from the State Council's annual notice,
   国务院办公厅关于××年部分节假日安排的通知, or corrects a single day);
2. the `chinesecalendar` package (holidays and adjusted working days, 调休, 2004–2026;
   it raises NotImplementedError for other years);
3. for a year neither covers: Monday–Friday. Results computed that way are *provisional*
   (DESIGN.md: "never a silent guess"): they carry `provisional=True`, deadlines store the
   flag and the UI shows it; saving overrides for that year recomputes them
   (`deadlines.services.deadlines_recompute`).

A year the package does not cover counts as covered only when the year's whole notice was
imported (a `CalendarYear` row, written by `services.calendar_overrides_save`); a single
override still wins for its own date but leaves the rest of the year provisional.

Periods (Administrative Penalty Law art. 85, Administrative Licensing Law art. 82):
- `add_working_days(start, n)`: the start day is not counted; the period ends at the end of
  the n-th working day after it.
- `period_end(start, days)`: calendar days, the start day not counted; a last day that is not
  a working day moves to the next working day.
Both return a `Due(date, provisional)` named tuple: `day, provisional = period_end(d, 90)`.

Overrides are cached per process and per year (one query per year, then dict look-ups);
saving or deleting an override clears the cache (signal in deadlines.signals), and entries
expire after CACHE_SECONDS so other processes pick up changes too.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import NamedTuple

import chinese_calendar

CACHE_SECONDS = 60
# A period can never need more than this many days past its nominal end: the longest
# run of rest days in an official calendar is 9 (2026 Spring Festival).
_MAX_SCAN_DAYS = 3660


class Due(NamedTuple):
    date: dt.date
    provisional: bool


class DayInfo(NamedTuple):
    working: bool
    provisional: bool


class _YearData(NamedTuple):
    overrides: dict[dt.date, bool]
    imported: bool
    loaded_at: float


_cache: dict[int, _YearData] = {}
_lock = threading.Lock()


def clear_cache(year: int | None = None) -> None:
    with _lock:
        if year is None:
            _cache.clear()
        else:
            _cache.pop(year, None)


def _year(year: int) -> _YearData:
    entry = _cache.get(year)
    if entry is not None and time.monotonic() - entry.loaded_at < CACHE_SECONDS:
        return entry
    from .models import CalendarOverride, CalendarYear

    rows = CalendarOverride.objects.filter(date__year=year).values_list("date", "is_working_day")
    # Whether the notice was imported only matters for a year the package does not cover.
    imported = not _package_covers(year) and CalendarYear.objects.filter(year=year).exists()
    entry = _YearData(dict(rows), imported, time.monotonic())
    with _lock:
        _cache[year] = entry
    return entry


def _package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def day_info(day: dt.date) -> DayInfo:
    """Whether `day` is a working day, and whether that answer is only the Mon–Fri guess."""
    year = _year(day.year)
    if day in year.overrides:
        return DayInfo(year.overrides[day], False)
    try:
        return DayInfo(bool(chinese_calendar.is_workday(day)), False)
    except NotImplementedError:
        # Year not in the package. If its notice was imported, a day not listed is an
        # ordinary day; otherwise it is only the Mon–Fri guess.
        return DayInfo(day.weekday() < 5, not year.imported)


def is_working_day(day: dt.date) -> bool:
    return day_info(day).working


def is_covered(year: int) -> bool:
    """True when the year's calendar is official (package or an imported notice)."""
    return _package_covers(year) or _year(year).imported


def add_working_days(start: dt.date, n: int) -> Due:
    """The n-th working day after `start` (start not counted). n=0 returns `start`."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, provisional, left = start, False, n
    for _ in range(_MAX_SCAN_DAYS + n * 7):
        if left == 0:
            return Due(day, provisional)
        day += dt.timedelta(days=1)
        info = day_info(day)
        provisional |= info.provisional
        if info.working:
            left -= 1
    raise RuntimeError("calendar has no working days")  # pragma: no cover


def next_working_day(day: dt.date) -> Due:
    """`day` itself when it is a working day, else the next working day."""
    provisional = False
    for _ in range(_MAX_SCAN_DAYS):
        info = day_info(day)
        provisional |= info.provisional
        if info.working:
            return Due(day, provisional)
        day += dt.timedelta(days=1)
    raise RuntimeError("calendar has no working days")  # pragma: no cover


def period_end(start: dt.date, days: int) -> Due:
    """A period of `days` calendar days from `start` (start not counted); a last day that is
    a rest day moves to the next working day (Administrative Penalty Law art. 85)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    return next_working_day(start + dt.timedelta(days=days))
