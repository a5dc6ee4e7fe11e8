import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest

from deadlines.notice import parse_notice

NOTICES = Path(__file__).parent / "notices"
D = dt.date


def _package_year(year):
    """chinesecalendar's days for the year that differ from an ordinary week."""
    days = {d: False for d in chinese_calendar.holidays if d.year == year}
    days.update({d: True for d in chinese_calendar.workdays if d.year == year})
    return days


@pytest.mark.parametrize("year", [2025, 2026])
def test_full_notice_matches_the_official_calendar(year):
    pairs, unparsed = parse_notice((NOTICES / f"{year}.txt").read_text())
    assert unparsed == []
    assert dict(pairs) == _package_year(year)
    assert pairs == sorted(pairs)


def test_2026_notice_facts():
    pairs = dict(parse_notice((NOTICES / "2026.txt").read_text())[0])
    assert sorted(d for d, w in pairs.items() if w) == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    assert all(pairs[D(2026, 2, d)] is False for d in range(15, 24))


def test_2025_notice_range_across_months():
    pairs = dict(parse_notice((NOTICES / "2025.txt").read_text())[0])
    # 1月28日至2月4日 and 5月31日至6月2日
    assert all(pairs[D(2025, 1, 28) + dt.timedelta(days=i)] is False for i in range(8))
    assert [pairs[D(2025, 5, 31)], pairs[D(2025, 6, 1)], pairs[D(2025, 6, 2)]] == [False, False, False]


def test_older_wording_with_xingqi_buxiu_and_weekend():
    pairs, unparsed = parse_notice((NOTICES / "2015.txt").read_text())
    assert unparsed == []
    got = dict(pairs)
    # 补休 and 与周末连休 lines
    assert got[D(2015, 4, 5)] is False and got[D(2015, 4, 6)] is False
    assert got[D(2015, 5, 1)] is False and got[D(2015, 6, 22)] is False
    assert got[D(2015, 1, 4)] is True and got[D(2015, 10, 10)] is True
    # Every day read agrees with chinesecalendar (which also has the one-off 9月3日 holiday
    # of a separate notice).
    official = _package_year(2015)
    assert all(official[d] == w for d, w in got.items())
    assert set(official) - set(got) == {D(2015, 9, 3), D(2015, 9, 4), D(2015, 9, 6)}


def test_ascii_punctuation_and_explicit_year():
    text = (NOTICES / "2026.txt").read_text()
    ascii_text = text.translate(str.maketrans("（）：，；", "():,;"))
    assert parse_notice(ascii_text, year=2026) == parse_notice(text)


def test_the_issue_example_line():
    pairs, unparsed = parse_notice(
        "二、春节：2月15日（农历腊月二十八）至23日（农历正月初七）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。",
        year=2026,
    )
    assert unparsed == []
    assert len(pairs) == 11 and dict(pairs)[D(2026, 2, 28)] is True


def test_unreadable_lines_are_reported_not_dropped():
    text = "\n".join(
        [
            "国务院办公厅关于2027年部分节假日安排的通知",
            "一、元旦：1月1日（周五）至3日（周日）放假，共3天。",
            "二、春节：2月6日至12日放假调休，共9天。",  # count does not match the range
            "三、清明节：4月5日（周六）放假。",  # 5 Apr 2027 is a Monday
            "四、劳动节：另行通知。",  # numbered line without dates
            "五、端午节：6月9日放假，其余时间视情况安排6月12日。",  # a date the grammar does not take
        ]
    )
    pairs, unparsed = parse_notice(text)
    assert pairs == [(D(2027, 1, 1), False), (D(2027, 1, 2), False), (D(2027, 1, 3), False)]
    assert [line[:2] for line in unparsed] == ["二、", "三、", "四、", "五、"]


def test_year_is_required_when_the_text_has_none():
    with pytest.raises(ValueError):
        parse_notice("一、元旦：1月1日放假。")


def test_explicit_previous_year_and_gongxiu_wording():
    # 2012 notice style: a working day in the previous December, "放假公休".
    pairs, unparsed = parse_notice(
        "一、元旦：1月1日至3日放假调休，共3天。2011年12月31日（星期六）上班。\n"
        "二、清明节：4月2日至4日放假公休，共3天。",
        year=2012,
    )
    assert unparsed == []
    got = dict(pairs)
    assert got[D(2011, 12, 31)] is True and got[D(2012, 1, 3)] is False and got[D(2012, 4, 4)] is False
    assert all(chinese_calendar.is_workday(d) == w for d, w in pairs)
