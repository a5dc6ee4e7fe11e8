"""The surcharge arithmetic (《行政处罚法》第七十二、七十三条) and the schedule: pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from delivery.execution import add_months, fine_status, late_days, surcharge_for, yuan

D = dt.date
DUE = D(2026, 3, 16)


def test_no_late_days_on_or_before_the_due_date():
    assert late_days(DUE, DUE - dt.timedelta(days=5)) == 0
    assert late_days(DUE, DUE) == 0
    assert late_days(DUE, DUE + dt.timedelta(days=1)) == 1
    assert late_days(DUE, DUE + dt.timedelta(days=10)) == 10


def test_pause_days_are_not_counted_inclusive_of_both_ends():
    # 第七十三条第三款: 3-20 … 3-24 (5 days) pending.
    assert late_days(DUE, D(2026, 3, 31), [(D(2026, 3, 20), D(2026, 3, 24))]) == 15 - 5
    # A pause that began before the due date only removes its days after it.
    assert late_days(DUE, D(2026, 3, 20), [(D(2026, 3, 1), D(2026, 3, 18))]) == 4 - 2
    # A pending pause (no end) stops the count until today.
    assert late_days(DUE, D(2026, 4, 30), [(D(2026, 3, 21), None)]) == 4
    # Overlapping pauses are not subtracted twice.
    assert (
        late_days(DUE, D(2026, 3, 26), [(D(2026, 3, 18), D(2026, 3, 20)), (D(2026, 3, 19), D(2026, 3, 22))]) == 10 - 5
    )
    # A pause entirely before the due date changes nothing.
    assert late_days(DUE, D(2026, 3, 20), [(D(2026, 3, 1), D(2026, 3, 10))]) == 4


@pytest.mark.parametrize(
    "amount, days, expected",
    [
        ("20000", 0, "0.00"),
        ("20000", 1, "600.00"),
        ("20000", 10, "6000.00"),
        ("20000", 33, "19800.00"),
        ("20000", 34, "20000.00"),  # 20,400 capped at the fine (第七十二条)
        ("20000", 400, "20000.00"),
        ("333.33", 1, "10.00"),  # 9.9999 → 10.00 (ROUND_HALF_UP to the fen)
        ("0.10", 5, "0.02"),  # 0.015 → 0.02
        ("1234.56", 7, "259.26"),  # 259.2576
    ],
)
def test_surcharge_is_three_percent_a_day_capped_at_the_amount(amount, days, expected):
    assert surcharge_for(Decimal(amount), days) == Decimal(expected)


def test_yuan_rounds_to_the_fen():
    assert yuan("1.005") == Decimal("1.01") and yuan(None) == Decimal("0.00") and yuan(3) == Decimal("3.00")


def _status(today, payments=(), pauses=(), schedule=None, fine="20000"):
    return fine_status(
        fine=Decimal(fine),
        schedule=schedule or [(DUE, Decimal(fine))],
        payments=[(d, Decimal(a), Decimal(s)) for d, a, s in payments],
        pauses=pauses,
        today=today,
    )


def test_status_before_due_no_surcharge_and_not_overdue():
    s = _status(DUE - dt.timedelta(days=1))
    assert (s.outstanding, s.surcharge, s.overdue, s.settled, s.due) == (Decimal("20000.00"), 0, False, False, DUE)


def test_status_after_due_accrues_live_and_caps():
    s = _status(DUE + dt.timedelta(days=2))
    assert s.surcharge == Decimal("1200.00") and s.overdue and s.surcharge_owed == Decimal("1200.00")
    assert _status(DUE + dt.timedelta(days=100)).surcharge == Decimal("20000.00")


def test_payment_on_time_settles_with_no_surcharge():
    s = _status(DUE + dt.timedelta(days=30), payments=[(DUE, "20000", "0")])
    assert s.settled and s.surcharge == 0 and s.instalments[0].settled_on == DUE


def test_late_payment_freezes_the_surcharge_until_it_is_paid():
    late = DUE + dt.timedelta(days=3)
    s = _status(DUE + dt.timedelta(days=30), payments=[(late, "20000", "0")])
    assert s.outstanding == 0 and s.surcharge == Decimal("1800.00") and not s.settled
    s = _status(DUE + dt.timedelta(days=30), payments=[(late, "20000", "0"), (late, "0", "1800")])
    assert s.settled


def test_partial_payment_keeps_the_full_amount_accruing_until_paid_in_full():
    s = _status(DUE + dt.timedelta(days=2), payments=[(DUE, "5000", "0")])
    assert s.outstanding == Decimal("15000.00") and s.surcharge == Decimal("1200.00")


def test_pause_during_reconsideration_stops_the_count():
    pauses = [(DUE + dt.timedelta(days=2), DUE + dt.timedelta(days=11))]  # 10 days pending
    s = _status(DUE + dt.timedelta(days=15), pauses=pauses)
    assert s.instalments[0].late_days == 5 and s.surcharge == Decimal("3000.00")


def test_instalments_accrue_each_on_its_own_amount_and_the_total_is_capped():
    schedule = [(D(2026, 4, 1), Decimal("10000")), (D(2026, 5, 1), Decimal("10000"))]
    s = _status(D(2026, 4, 5), schedule=schedule)
    assert [i.late_days for i in s.instalments] == [4, 0]
    assert s.surcharge == Decimal("1200.00") and s.due == D(2026, 4, 1)
    s = _status(D(2026, 5, 3), payments=[(D(2026, 4, 1), "10000", "0")], schedule=schedule)
    assert [i.settled_on for i in s.instalments] == [D(2026, 4, 1), None]
    assert s.surcharge == Decimal("600.00") and s.due == D(2026, 5, 1)
    s = _status(D(2027, 1, 1), schedule=schedule)
    assert s.surcharge == Decimal("20000.00")  # each capped at 10,000, total at the fine


def test_add_months_clamps_to_the_months_last_day():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert add_months(D(2026, 11, 15), 3) == D(2027, 2, 15)
