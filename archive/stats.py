"""Statistics for the agency (issue 16 item 7): cases by stage and by month, on-time rates of the
periods the Measures and the laws set (第二十七条, 第二十八条, 《行政处罚法》第六十条, 《行政许可法》
第四十二条, 行政执法公示), quality-review scores (案卷评查) and the overdue list.

On PostgreSQL every table is read from the tally (archive.stats_tally: counts per local month,
department and stage / kind / score, kept by triggers on the rows they count): a few hundred
rows, whatever the number of cases (bench/pages.py: the page at 100,000 cases). The open periods
of the current month past due are counted live (they are overdue or pending by the request's
time), and the overdue list is always live. The counted_* functions count the same tables from
scratch — the reference the tests and `manage.py rebuild_stats_tally --check` hold the tally to,
and what the embedded SQLite default runs — each one aggregate query over a covering index
(cases' case_stats_*, deadlines' deadline_stats, archive's case_score_stats).

Quality scores are stored rows (archive.models_stats.CaseScore), refreshed here: on a case
reaching 已决定 / 已结案 / 已归档 (`on_case_transitioned`), by the periodic
`case_scores_refresh_task` and by `manage.py rebuild_case_scores`.

Filters: `year` (cases by their registration time, periods by their due time, each month's counts
by the event's own time; local time, settings.TIME_ZONE) and optionally a department (承办科室).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from celery import shared_task
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import Department, User
from accounts.selectors import departments
from cases import policy
from cases.models import Case, CaseKind, CaseState
from cases.selectors import all_cases
from deadlines.models import Deadline, DeadlineKind
from deadlines.selectors import all_deadlines

from . import stats_tally
from .models_stats import CaseScore, StatsTally

S = CaseState

# The rule sheet grades penalty case files (archive.panels shows the score from 已决定 on); a
# score is stored for these cases and refreshed when they reach one of _REFRESH_ON.
SCORED_STATES = (S.DECIDED, S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED)
_REFRESH_ON = (S.DECIDED, S.CONCLUDED, S.ARCHIVED)
REFRESH_BATCH = 200
# A stored score older than this is recomputed by the periodic task (the rule sheet's points
# may have changed in the admin since).
SCORE_MAX_AGE = dt.timedelta(days=1)

# The periods whose on-time rate the page shows, each with the article that sets it.
ON_TIME_KINDS: list[tuple[str, str]] = [
    (DeadlineKind.ARCHIVE_FILE, "第二十八条（结案后30日内归档）"),
    (DeadlineKind.AV_STORAGE, "第二十七条（2个工作日内存储）"),
    (DeadlineKind.AV_EXPECTED, "第二十七条（应有音像记录）"),
    (DeadlineKind.PENALTY_DECISION, "《行政处罚法》第六十条（90日内作出决定）"),
    (DeadlineKind.LICENSING_DECISION, "《行政许可法》第四十二条（20个工作日内决定）"),
    (DeadlineKind.PUBLICATION, "国办发〔2018〕118号（7个工作日内公示）"),
]

# Score bands of the distribution: (label, low, high) inclusive; vetoed files are their own band.
SCORE_BANDS: list[tuple[str, int, int]] = [
    ("100分", 100, 100),
    ("90–99分", 90, 99),
    ("80–89分", 80, 89),
    ("60–79分", 60, 79),
    ("60分以下（无否决项）", 0, 59),
]
VETO_BAND = "存在否决项（0分）"


def may_view(user: User) -> bool:
    """The statistics page is for the head, 法规科 and the archivist: the roles that read every
    case (cases.policy.reads_every_case); anyone else gets 404."""
    return policy.reads_every_case(user)


@dataclass(frozen=True)
class Filters:
    year: int
    department: Department | None = None

    @property
    def start(self) -> dt.datetime:
        return year_start(self.year)

    @property
    def end(self) -> dt.datetime:
        return year_start(self.year + 1)

    def cases(self) -> QuerySet[Case]:
        """Cases registered in the year (and of the department)."""
        qs = all_cases().filter(created_at__gte=self.start, created_at__lt=self.end)
        return qs.filter(department=self.department) if self.department else qs

    def as_query(self) -> str:
        return f"year={self.year}" + (f"&department={self.department.pk}" if self.department else "")


def year_start(year: int) -> dt.datetime:
    """1 January of `year`, 00:00 local time (settings.TIME_ZONE), aware."""
    return timezone.make_aware(dt.datetime(year, 1, 1))


def month_start(year: int, month: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year + (month - 1) // 12, (month - 1) % 12 + 1, 1))


def years_available() -> list[int]:
    """The years from the first registered case to the later of this one and the last year in
    which a period of ON_TIME_KINDS falls due, newest first. The on-time table counts a period
    in the year it falls due, so a decision made in December whose 90 days (《行政处罚法》第六十条)
    end next January is counted, and must be reachable, under next year. One index probe for
    the first case and one per kind (deadline_stats (kind, due)) for the last due."""
    this_year = timezone.localdate().year
    first = all_cases().order_by("created_at").values_list("created_at", flat=True).first()
    first_year = timezone.localtime(first).year if first else this_year
    dues = [
        all_deadlines().filter(kind=kind).order_by("-due").values_list("due", flat=True).first()
        for kind, _ in ON_TIME_KINDS
    ]
    last_year = max([this_year, *(timezone.localtime(d).year for d in dues if d is not None)])
    return list(range(last_year, min(first_year, this_year) - 1, -1))


# --- the tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StageRow:
    state: str
    label: str
    count: int


def counted_by_stage(f: Filters) -> list[StageRow]:
    """Cases registered in the year by their current stage (CaseState order); one GROUP BY, an
    index-only scan of case_stats_created (created_at) INCLUDE (state, department)."""
    counts = dict(f.cases().order_by().values_list("state").annotate(n=Count("*")).values_list("state", "n"))
    return [StageRow(s.value, s.label, counts.get(s.value, 0)) for s in CaseState]


@dataclass(frozen=True)
class MonthRow:
    month: int
    registered: int
    filed: int
    concluded: int


_MONTH_FIELDS = (("registered", "created_at"), ("filed", "filed_at"), ("concluded", "concluded_at"))


def counted_by_month(f: Filters) -> list[MonthRow]:
    """For each month of the year (local time): cases registered (登记), filed or accepted
    (立案/受理) and concluded (结案) in it. One query of 36 range counts, each a scalar subquery
    served by an index-only range scan of case_stats_created / _filed / _concluded (time)
    INCLUDE (department): the rows read are the year's index entries, once each."""
    ops = connection.ops
    table = ops.quote_name(Case._meta.db_table)
    counts: list[str] = []
    params: list[Any] = []
    for _, field in _MONTH_FIELDS:  # the field names are the column names
        column = ops.quote_name(field)
        for m in range(1, 13):
            sql = f"SELECT COUNT(*) FROM {table} WHERE {column} >= %s AND {column} < %s"
            params += [
                ops.adapt_datetimefield_value(month_start(f.year, m)),
                ops.adapt_datetimefield_value(month_start(f.year, m + 1)),
            ]
            if f.department:
                sql += f" AND {ops.quote_name('department_id')} = %s"
                params.append(f.department.pk)
            counts.append(f"({sql})")
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(counts), params)
        got = cur.fetchone()
    return [MonthRow(m, got[m - 1], got[12 + m - 1], got[24 + m - 1]) for m in range(1, 13)]


@dataclass(frozen=True)
class OnTimeRow:
    kind: str
    label: str
    article: str
    on_time: int  # met by its due time
    late: int  # met after its due time
    overdue: int  # open and past due
    pending: int  # open, not yet due

    @property
    def settled(self) -> int:
        return self.on_time + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        """On time / (on time + late + overdue), in percent; None with nothing settled."""
        return round(100 * self.on_time / self.settled, 1) if self.settled else None


def counted_on_time(f: Filters, now: dt.datetime | None = None) -> list[OnTimeRow]:
    """The periods of ON_TIME_KINDS due in the year, by kind: met on time, met late, open and
    overdue, open and not yet due. Two GROUP BY kind, each an index-only scan: the kind's total
    over deadline_stats (kind, due) INCLUDE (met_at, case), and the few open or met late over
    the partial deadline_stats_unmet_or_late; on time = total - late - open. With the
    department filter both join the cases (case_id_department)."""
    now = now or timezone.now()
    kinds = [k for k, _ in ON_TIME_KINDS]
    qs = all_deadlines().filter(kind__in=kinds, due__gte=f.start, due__lt=f.end).order_by()
    if f.department:
        qs = qs.filter(case__department=f.department)
    totals = dict(qs.values_list("kind").annotate(n=Count("*")).values_list("kind", "n"))
    rows = {
        r["kind"]: r
        for r in qs.filter(Q(met_at__isnull=True) | Q(met_at__gt=F("due")))
        .values("kind")
        .annotate(
            # COUNT(due) (never null): a column of the index, where Django allows no COUNT(*)
            # with a filter.
            late=Count("due", filter=Q(met_at__isnull=False)),
            overdue=Count("due", filter=Q(met_at__isnull=True, due__lt=now)),
            pending=Count("due", filter=Q(met_at__isnull=True, due__gte=now)),
        )
    }
    out = []
    for kind, article in ON_TIME_KINDS:
        r = rows.get(kind, {})
        late, overdue_, pending = r.get("late", 0), r.get("overdue", 0), r.get("pending", 0)
        on_time_ = totals.get(kind, 0) - late - overdue_ - pending
        out.append(OnTimeRow(kind, DeadlineKind(kind).label, article, on_time_, late, overdue_, pending))
    return out


@dataclass(frozen=True)
class ScoreStats:
    count: int
    average: float | None  # of every scored file, vetoed ones counting 0
    bands: list[tuple[str, int]]  # SCORE_BANDS then VETO_BAND


def counted_scores(f: Filters) -> ScoreStats:
    """The stored quality scores of the cases registered in the year: count, average and the
    distribution by band. One aggregate over this table alone, filtered on registered_at (the
    case's created_at, stored with the score; index case_score_stats INCLUDE (score, vetoed,
    case)); joined to the cases only for the department filter."""
    qs = CaseScore.objects.filter(registered_at__gte=f.start, registered_at__lt=f.end)
    if f.department:
        qs = qs.filter(case__department=f.department)
    aggregates: dict[str, Any] = {"n": Count("*"), "avg": Avg("score"), "veto": Count("case", filter=Q(vetoed=True))}
    for i, (_, low, high) in enumerate(SCORE_BANDS):
        aggregates[f"b{i}"] = Count("case", filter=Q(vetoed=False, score__gte=low, score__lte=high))
    got = qs.aggregate(**aggregates)
    bands = [(label, got[f"b{i}"]) for i, (label, _, _) in enumerate(SCORE_BANDS)] + [(VETO_BAND, got["veto"])]
    avg = got["avg"]
    return ScoreStats(got["n"], round(float(avg), 1) if avg is not None else None, bands)


# --- read from the tally ------------------------------------------------------------------
# The tables above, read from archive.stats_tally's rows (a few per month, kind and department)
# instead of counting the year's cases, periods and scores; on a database without the tally
# (the embedded SQLite default) they count from scratch. The counted_* functions are the
# reference the tests and `manage.py rebuild_stats_tally --check` hold the tally to.


def _tally(f: Filters, *series: str) -> QuerySet[StatsTally]:
    """The tally rows of `series` in the filters' year (and department), unordered."""
    qs = StatsTally.objects.filter(
        series__in=series, month__gte=dt.date(f.year, 1, 1), month__lt=dt.date(f.year + 1, 1, 1)
    ).order_by()
    return qs.filter(department_key=f.department.pk) if f.department else qs


def _month_of(t: dt.datetime) -> dt.date:
    """The first day of t's local month (the tally's `month`)."""
    local = timezone.localtime(t)
    return dt.date(local.year, local.month, 1)


def overdue_this_month(f: Filters, now: dt.datetime) -> dict[str, int]:
    """Open periods of any kind due in `now`'s local month before `now` (of the department's
    cases when one is chosen), by kind: the part of the overdue count the tally's months cannot
    tell. One month of open periods, from the covering partial index deadline_open_by_due. A
    page that shows both on_time and overdue_count passes it to each (one query, not two)."""
    this_month = _month_of(now)
    qs = all_deadlines().filter(
        met_at__isnull=True, due__gte=month_start(this_month.year, this_month.month), due__lt=now
    )
    if f.department:
        qs = qs.filter(case__department=f.department)
    return dict(qs.order_by().values_list("kind").annotate(n=Count("*")).values_list("kind", "n"))


def by_stage(f: Filters) -> list[StageRow]:
    """Cases registered in the year by their current stage, in CaseState order (the tally's
    `registered` series; counted_by_stage without it)."""
    if not stats_tally.enabled():
        return counted_by_stage(f)
    counts = dict(_tally(f, "registered").values_list("key").annotate(n=Sum("n")).values_list("key", "n"))
    return [StageRow(s.value, s.label, counts.get(s.value, 0)) for s in CaseState]


def stage_table(f: Filters) -> list[tuple[str, int]]:
    """The stage table as the page and its CSV show it: every stage (CaseState order, 0 cases
    included) as (label, count), then ("合计", total). The one source of both."""
    rows = [(s.label, s.count) for s in by_stage(f)]
    return [*rows, ("合计", sum(n for _, n in rows))]


@dataclass(frozen=True)
class MonthShown:
    """A month as the page, its chart and its CSV show it: the counts of MonthRow, or None for
    all three when the month has not begun (nothing happened yet: no point drawn, no 0 shown)."""

    month: int
    registered: int | None
    filed: int | None
    concluded: int | None


def months_begun(year: int, now: dt.datetime) -> int:
    """How many months of `year` have begun at `now` (local time): 12 for a past year, 0 for a
    future one, the current month's number for this year."""
    local = timezone.localtime(now)
    return 12 if year < local.year else 0 if year > local.year else local.month


def month_table(f: Filters, now: dt.datetime | None = None) -> list[MonthShown]:
    """by_month(f) as shown (page, chart, CSV: the one source): the twelve months, those not yet
    begun at `now` (default: now) with None counts, past months without cases 0."""
    begun = months_begun(f.year, now or timezone.now())
    return [
        MonthShown(m.month, m.registered, m.filed, m.concluded)
        if m.month <= begun
        else MonthShown(m.month, None, None, None)
        for m in by_month(f)
    ]


def by_month(f: Filters) -> list[MonthRow]:
    """For each month of the year (local time): cases registered (登记), filed or accepted
    (立案/受理) and concluded (结案) in it (the tally's series of those names; counted_by_month
    without it)."""
    if not stats_tally.enabled():
        return counted_by_month(f)
    series = [s for s, _ in _MONTH_FIELDS]
    got: dict[tuple[str, int], int] = {
        (s, m.month): n
        for s, m, n in _tally(f, *series)
        .values_list("series", "month")
        .annotate(n=Sum("n"))
        .values_list("series", "month", "n")
    }
    return [MonthRow(m, *(got.get((s, m), 0) for s in series)) for m in range(1, 13)]


def on_time(
    f: Filters, now: dt.datetime | None = None, overdue_now: Mapping[str, int] | None = None
) -> list[OnTimeRow]:
    """The periods of ON_TIME_KINDS due in the year, by kind: met on time, met late, open and
    overdue, open and not yet due (counted_on_time without the tally). The tally gives each
    month's total, late and open; the open ones of a month before `now`'s are overdue, of a
    month after it pending, and of `now`'s own month those due before `now` are counted live
    (overdue_this_month, or `overdue_now` when the caller has it)."""
    now = now or timezone.now()
    if not stats_tally.enabled():
        return counted_on_time(f, now)
    kinds = [k for k, _ in ON_TIME_KINDS]
    this_month = _month_of(now)
    sums = {k: {"total": 0, "late": 0, "overdue": 0, "pending": 0} for k in kinds}
    rows = (
        _tally(f, "deadline")
        .filter(key__in=kinds)
        .values_list("key", "month")
        .annotate(n=Sum("n"), late=Sum("late"), open=Sum("open"))
        .values_list("key", "month", "n", "late", "open")
    )
    for kind, month, n, late, open_ in rows:
        r = sums[kind]
        r["total"] += n
        r["late"] += late
        r["overdue" if month < this_month else "pending"] += open_
    if dt.date(f.year, 1, 1) <= this_month < dt.date(f.year + 1, 1, 1):
        # This month's open periods already past due: from pending to overdue.
        for kind, n in (overdue_this_month(f, now) if overdue_now is None else overdue_now).items():
            if kind in sums:
                sums[kind]["overdue"] += n
                sums[kind]["pending"] -= n
    out = []
    for kind, article in ON_TIME_KINDS:
        r = sums[kind]
        on_time_ = r["total"] - r["late"] - r["overdue"] - r["pending"]
        out.append(OnTimeRow(kind, DeadlineKind(kind).label, article, on_time_, r["late"], r["overdue"], r["pending"]))
    return out


def scores(f: Filters) -> ScoreStats:
    """The stored quality scores of the cases registered in the year: count, average (vetoed
    files counting their stored 0) and the distribution by band (the tally's `score` series,
    keyed by score and veto; counted_scores without it)."""
    if not stats_tally.enabled():
        return counted_scores(f)
    count, total, veto = 0, 0, 0
    bands = [0] * len(SCORE_BANDS)
    for key, n in _tally(f, "score").values_list("key").annotate(n=Sum("n")).values_list("key", "n"):
        vetoed = key.endswith("v")
        score = int(key.rstrip("v"))
        count += n
        total += score * n
        if vetoed:
            veto += n
            continue
        for i, (_, low, high) in enumerate(SCORE_BANDS):
            if low <= score <= high:
                bands[i] += n
    average = round(float(Decimal(total) / Decimal(count)), 1) if count else None
    labelled = [(label, bands[i]) for i, (label, _, _) in enumerate(SCORE_BANDS)] + [(VETO_BAND, veto)]
    return ScoreStats(count, average, labelled)


def tally_differences(now: dt.datetime | None = None) -> list[tuple[Filters, str]]:
    """(filters, table) of every year of years_available() — for all departments and for each
    — whose table read from the tally differs from the same table counted from scratch."""
    now = now or timezone.now()
    pairs: list[tuple[str, Any, Any]] = [
        ("stages", by_stage, counted_by_stage),
        ("months", by_month, counted_by_month),
        ("ontime", partial(on_time, now=now), partial(counted_on_time, now=now)),
        ("scores", scores, counted_scores),
    ]
    out = []
    for year in years_available():
        for department in [None, *departments()]:
            f = Filters(year, department)
            out += [(f, table) for table, tallied, counted in pairs if tallied(f) != counted(f)]
    return out


@shared_task
def stats_tally_compact_task() -> int:
    """The periodic compaction of the tally (settings.CELERY_BEAT_SCHEDULE): one row per key;
    returns the rows left (0 without the tally)."""
    return stats_tally.compact() if stats_tally.enabled() else 0


def overdue(f: Filters, now: dt.datetime | None = None) -> QuerySet[Deadline]:
    """Open deadlines past due (any kind, any year: an old one still open is the worst), the
    most overdue first, with their case; of the department's cases when one is chosen. The
    partial index deadline_open_by_due serves the order and the count."""
    now = now or timezone.now()
    qs = all_deadlines().filter(met_at__isnull=True, due__lt=now).select_related("case").order_by("due", "pk")
    return qs.filter(case__department=f.department) if f.department else qs


def overdue_count(f: Filters, now: dt.datetime | None = None, overdue_now: Mapping[str, int] | None = None) -> int:
    """How many rows overdue(f, now) lists: the tally's open periods of every month before
    `now`'s (every year, every kind) and this month's counted live (overdue_this_month, or
    `overdue_now` when the caller has it); counted from scratch without the tally."""
    now = now or timezone.now()
    if not stats_tally.enabled():
        return overdue(f, now).count()
    qs = StatsTally.objects.filter(series="deadline", month__lt=_month_of(now))
    if f.department:
        qs = qs.filter(department_key=f.department.pk)
    before = qs.aggregate(n=Sum("open"))["n"] or 0
    return before + sum((overdue_this_month(f, now) if overdue_now is None else overdue_now).values())


def days_overdue(deadline: Deadline, now: dt.datetime) -> int:
    """Whole days since the deadline fell due (0 on the day itself)."""
    return (timezone.localdate(now) - timezone.localdate(deadline.due)).days


# --- CSV ----------------------------------------------------------------------------------

CSV_TABLES: dict[str, str] = {
    "stages": "案件阶段分布",
    "months": "按月案件数",
    "ontime": "按期完成率",
    "scores": "案卷评查得分",
    "overdue": "逾期未完成事项",
}


def csv_rows(table: str, f: Filters, now: dt.datetime | None = None) -> Iterator[list[Any]]:
    """The rows of one table for its CSV download, header (Chinese) first. KeyError for a
    table not in CSV_TABLES."""
    now = now or timezone.now()
    if table == "stages":
        yield ["阶段", "案件数"]
        for label, n in stage_table(f):
            yield [label, n]
    elif table == "months":
        yield ["月份", "登记", "立案/受理", "结案"]
        for m in month_table(f, now):  # a month not yet begun: empty cells, not 0
            yield [f"{f.year}-{m.month:02d}", *("" if n is None else n for n in (m.registered, m.filed, m.concluded))]
    elif table == "ontime":
        yield ["事项", "依据", "按期完成", "逾期完成", "逾期未完成", "未到期", "按期完成率(%)"]
        for r in on_time(f, now):
            yield [r.label, r.article, r.on_time, r.late, r.overdue, r.pending, "" if r.rate is None else r.rate]
    elif table == "scores":
        st = scores(f)
        yield ["得分段", "案卷数"]
        for label, n in st.bands:
            yield [label, n]
        yield ["合计", st.count]
        yield ["平均分", "" if st.average is None else st.average]
    elif table == "overdue":
        yield ["案号", "案由", "承办科室", "事项", "依据", "届满时间", "逾期天数"]
        for d in overdue(f, now).select_related("case__department").iterator(chunk_size=2000):
            case = d.case
            yield [
                case.ref if case else "",
                case.title if case else "",
                case.department.name if case else "",
                d.label,
                d.article,
                timezone.localtime(d.due).strftime("%Y-%m-%d %H:%M"),
                days_overdue(d, now),
            ]
    else:
        raise KeyError(table)


# --- stored scores -------------------------------------------------------------------------


def case_score_refresh(case_id: int) -> CaseScore | None:
    """Recompute and store the case's quality score (archive.quality.case_score_store); None
    for a case that is not a penalty case in a scored stage (its stored score, if any, stays)."""
    from .quality import case_score_store

    case = all_cases().filter(pk=case_id, kind=CaseKind.PENALTY, state__in=SCORED_STATES).first()
    return case_score_store(case) if case else None


def cases_to_score(now: dt.datetime | None = None) -> QuerySet[Case]:
    """Penalty cases in a scored stage whose score is missing or older than SCORE_MAX_AGE,
    those without a score first, then the stalest."""
    cutoff = (now or timezone.now()) - SCORE_MAX_AGE
    return (
        all_cases()
        .filter(kind=CaseKind.PENALTY, state__in=SCORED_STATES)
        .filter(Q(score__isnull=True) | Q(score__computed_at__lt=cutoff))
        .order_by(F("score__computed_at").asc(nulls_first=True), "pk")
    )


@shared_task(acks_late=True)
def case_score_refresh_task(case_id: int) -> int | None:
    """Store the case's score; returns it (None when the case is not scored)."""
    stored = case_score_refresh(case_id)
    return stored.score if stored else None


@shared_task(acks_late=True)
def case_scores_refresh_task(batch: int = REFRESH_BATCH) -> int:
    """The periodic refresh (settings.CELERY_BEAT_SCHEDULE): a bounded batch of the cases whose
    score is missing or stale; queues itself again while a full batch was found. Returns how
    many were scored."""
    ids = list(cases_to_score().values_list("pk", flat=True)[:batch])
    for pk in ids:
        case_score_refresh(pk)
    if len(ids) == batch:
        case_scores_refresh_task.delay(batch)
    return len(ids)


def on_case_transitioned(sender: Any, case: Case, from_state: str, to_state: str, **kwargs: Any) -> None:
    """cases.signals.case_transitioned: a case reaching 已决定, 已结案 or 已归档 gets its score
    recomputed once the transition commits (a Celery task: the checks read many records)."""
    if to_state in _REFRESH_ON and case.kind == CaseKind.PENALTY:
        # robust: a failing check must not fail the transition's request after it committed
        # (tasks run in-process in the embedded default); it is logged, and the nightly
        # refresh scores the case again.
        transaction.on_commit(partial(case_score_refresh_task.delay, case.pk), robust=True)
