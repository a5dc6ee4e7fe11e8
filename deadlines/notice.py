"""Parse the State Council's annual holiday notice (国务院办公厅关于××年部分节假日安排的通知).

`parse_notice(text, year=None) -> (pairs, unparsed)`: `pairs` are the `(date, is_working_day)`
the notice states, sorted; `unparsed` the lines that mention dates but could not be read in
full. A line is all or nothing: if any part of it is not understood, none of its days are
returned and the whole line is reported, so nothing is silently dropped.

Understood wording (current and older notices, full-width or ASCII punctuation):
    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。
    五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
    三、清明节：4月5日放假，4月6日（星期一）补休。
    四、劳动节：5月1日放假，与周末连休。
    2011年12月31日（星期六）上班。
Checks that make a line unparsed rather than wrong: a weekday in brackets that does not
match the date, and a "共N天" that differs from the days in the line's ranges.
"""

from __future__ import annotations

import datetime as dt
import re

_FULL_WIDTH = str.maketrans(
    "０１２３４５６７８９（）：，；～－—",
    "0123456789():,;~--",
)
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(\([^)]*\))?")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^:]{0,20}:")
_SIGNATURE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_CLAUSE = re.compile(r"^(?:其中)?(@\d+@(?:(?:至|、|和|及|~|-)@\d+@)*)(放假|补休|上班)(.*)$")
_CLAUSE_TAIL = re.compile(r"^(?:调休|公休)?(?:\d+天)?$")
_NOISE = re.compile(r"^(?:共\d+天|不调休|与周末连休|调休|公休)$")
_TOTAL = re.compile(r"共(\d+)天")
_WEEKDAYS = "一二三四五六日"
_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
_YEAR = (
    re.compile(r"(\d{4})年部分节假日安排"),
    re.compile(r"现将(\d{4})年"),
    re.compile(r"(\d{4})年(?:元旦|春节)"),
)


class _Unreadable(Exception):
    pass


def notice_year(text: str) -> int | None:
    text = text.translate(_FULL_WIDTH)
    for pattern in _YEAR:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    return None


def parse_notice(text: str, year: int | None = None) -> tuple[list[tuple[dt.date, bool]], list[str]]:
    if year is None:
        year = notice_year(text)
        if year is None:
            raise ValueError("通知中未找到年份，请指定年份")
    days: dict[dt.date, bool] = {}
    unparsed: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        try:
            found = _parse_line(line, year)
        except _Unreadable:
            unparsed.append(line)
            continue
        if any(days.get(d, w) != w for d, w in found.items()):
            unparsed.append(line)  # contradicts an earlier line
            continue
        days.update(found)
    return sorted(days.items()), unparsed


def _parse_line(line: str, year: int) -> dict[dt.date, bool]:
    norm = re.sub(r"\s+", "", line.translate(_FULL_WIDTH))
    if _SIGNATURE_DATE.match(norm):
        return {}
    heading = _HEADING.match(norm)
    body = norm[heading.end() :] if heading else norm
    mentions: list[tuple[str | None, str | None, str, str | None]] = []

    def _token(match: re.Match[str]) -> str:
        mentions.append(match.groups())  # type: ignore[arg-type]
        return f"@{len(mentions) - 1}@"

    body = _DATE.sub(_token, body)
    if not mentions:
        if heading:
            raise _Unreadable  # a numbered holiday line without any date
        return {}  # prose: title, salutation, closing paragraph
    body = re.sub(r"\([^)]*\)", "", body)  # other brackets, e.g. a note

    dates = _resolve(mentions, year)
    result: dict[dt.date, bool] = {}
    rest_in_ranges = 0
    for clause in re.split(r"[。.,;]", body):
        if not clause or _NOISE.match(clause):
            continue
        match = _CLAUSE.match(clause)
        if not match:
            if "@" in clause:
                raise _Unreadable
            continue
        if not _CLAUSE_TAIL.match(match.group(3)):
            raise _Unreadable
        working = match.group(2) == "上班"
        for day in _expand(match.group(1), dates):
            if result.get(day, working) != working:
                raise _Unreadable
            result[day] = working
            rest_in_ranges += not working
    total = _TOTAL.search(body)
    if total and int(total.group(1)) != rest_in_ranges:
        raise _Unreadable
    return result


def _resolve(mentions: list[tuple[str | None, str | None, str, str | None]], year: int) -> list[dt.date]:
    """Dates of the line's mentions: a missing month is the previous mention's month
    (4月4日至6日); a missing year is the notice's year (or an explicit one, 2011年12月31日)."""
    out: list[dt.date] = []
    month: int | None = None
    for y, m, d, bracket in mentions:
        if m is not None:
            month = int(m)
        elif month is None:
            raise _Unreadable
        try:
            day = dt.date(int(y) if y else year, month, int(d))
        except ValueError as exc:
            raise _Unreadable from exc
        weekday = _WEEKDAY.search(bracket or "")
        if weekday and _WEEKDAYS.index(weekday.group(1).replace("天", "日")) != day.weekday():
            raise _Unreadable
        out.append(day)
    return out


def _expand(spec: str, dates: list[dt.date]) -> list[dt.date]:
    parts = re.split(r"(至|、|和|及|~|-)", spec)
    out: list[dt.date] = []
    previous: dt.date | None = None
    range_open = False
    for part in parts:
        if part in ("至", "~", "-"):
            range_open = True
            continue
        if part in ("、", "和", "及"):
            continue
        day = dates[int(part.strip("@"))]
        if range_open and previous is not None:
            if day < previous or (day - previous).days > 31:
                raise _Unreadable
            out.extend(previous + dt.timedelta(days=i) for i in range(1, (day - previous).days + 1))
        else:
            out.append(day)
        previous, range_open = day, False
    return out
