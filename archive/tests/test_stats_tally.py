"""The statistics tally (archive.stats_tally): after a random series of writes — cases registered,
moved between stages and departments, filed and concluded; periods opened, met, moved, reopened
and deleted; scores stored, replaced and deleted; by save(), QuerySet.update() and bulk_create
alike, with compactions in between — every table of the page read from the tally equals the same
table counted from scratch (archive.stats.counted_*), for every year and department and at
several moments, and so does the overdue count; the page and its CSV downloads show the same
numbers with the tally and without it; `rebuild_stats_tally` finds and repairs a wrong tally."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DepartmentFactory
from archive import stats, stats_tally
from archive.models_stats import CaseScore, StatsTally
from cases.models import Case, CaseState
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db
S = CaseState
KINDS = [k for k, _ in stats.ON_TIME_KINDS] + [DeadlineKind.DEFENCE]
STATES = [s.value for s in CaseState]


class World:
    """Random writes over a few departments; each action picks its rows at random."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = timezone.now()
        self.depts: list[Any] = [DepartmentFactory(code=f"T{i}", name=f"统计{i}科") for i in range(3)]

    def when(self) -> dt.datetime:
        """A time from 2024 to next year; one in three within days of now (this month's split)."""
        if self.rng.random() < 0.35:
            return self.now + dt.timedelta(hours=self.rng.uniform(-24 * 20, 24 * 20))
        start = timezone.make_aware(dt.datetime(2024, 1, 1))
        return start + dt.timedelta(hours=self.rng.uniform(0, 24 * 365 * 3.2))

    def maybe(self, p: float = 0.5) -> dt.datetime | None:
        return self.when() if self.rng.random() < p else None

    def case(self) -> Case | None:
        ids = list(Case.objects.values_list("pk", flat=True))
        return Case.objects.get(pk=self.rng.choice(ids)) if ids else None

    def deadline(self) -> Deadline | None:
        ids = list(Deadline.objects.values_list("pk", flat=True))
        return Deadline.objects.get(pk=self.rng.choice(ids)) if ids else None

    # --- the actions ----------------------------------------------------------------------

    def register(self) -> None:
        case: Any = CaseFactory(department=self.rng.choice(self.depts), state=S.INVESTIGATING, filed_at=self.maybe())
        Case.objects.filter(pk=case.pk).update(created_at=self.when())

    def transition(self) -> None:
        if case := self.case():
            state = self.rng.choice(STATES)
            concluded = self.when() if state in (S.CONCLUDED, S.ARCHIVED) else self.maybe(0.3)
            Case.objects.filter(pk=case.pk).update(state=state, concluded_at=concluded)

    def file(self) -> None:
        if case := self.case():
            Case.objects.filter(pk=case.pk).update(filed_at=self.maybe(0.8))

    def move(self) -> None:
        """One case by save() (when not sealed), or every case of a department at once."""
        case = self.case()
        if case and case.state != S.ARCHIVED and self.rng.random() < 0.5:
            case.department = self.rng.choice(self.depts)
            case.save(update_fields=["department"])
        else:
            a, b = self.rng.sample(self.depts, 2)
            Case.objects.filter(department=a).update(department=b)

    def open_deadline(self) -> None:
        case = self.case() if self.rng.random() < 0.9 else None
        kind = self.rng.choice(KINDS)
        due = self.when()
        met_at = self.maybe(0.6)
        if met_at is None and Deadline.objects.filter(case=case, kind=kind, met_at__isnull=True).exists():
            met_at = due  # one open period per kind and case (deadline_open_unique_case)
        Deadline.objects.create(
            case=case, kind=kind, article="第二十八条", label="期限", start=due, days=30, due=due, met_at=met_at
        )

    def bulk_deadlines(self) -> None:
        if case := self.case():
            Deadline.objects.bulk_create(
                Deadline(
                    case=case, kind=self.rng.choice(KINDS), article="第二十七条", label="期限", start=d, days=2,
                    due=d, met_at=d + dt.timedelta(days=self.rng.choice([-1, 1, 3])),
                )
                for d in (self.when() for _ in range(self.rng.randint(1, 4)))
            )  # fmt: skip

    def meet(self) -> None:
        if d := self.deadline():
            d.met_at = self.when()
            d.save()

    def reopen_or_move_due(self) -> None:
        if d := self.deadline():
            clash = Deadline.objects.filter(case=d.case_id, kind=d.kind, met_at__isnull=True).exclude(pk=d.pk)
            if self.rng.random() < 0.5 and not clash.exists():
                Deadline.objects.filter(pk=d.pk).update(met_at=None)
            else:
                Deadline.objects.filter(pk=d.pk).update(due=self.when())

    def meet_many(self) -> None:
        """The kind of UPDATE the scans run: every open period due before a time."""
        Deadline.objects.filter(met_at__isnull=True, due__lt=self.when()).update(met_at=self.now)

    def delete_deadline(self) -> None:
        if d := self.deadline():
            d.delete()

    def score(self) -> None:
        if case := self.case():
            vetoed = self.rng.random() < 0.2
            CaseScore.objects.update_or_create(
                case=case,
                defaults={
                    "score": 0 if vetoed else self.rng.choice([100, 95, 90, 85, 70, 50]),
                    "vetoed": vetoed,
                    "failing": [],
                    "computed_at": self.now,
                    "registered_at": case.created_at,
                },
            )

    def delete_score(self) -> None:
        ids = list(CaseScore.objects.values_list("pk", flat=True))
        if ids:
            CaseScore.objects.filter(pk=self.rng.choice(ids)).delete()

    def compact(self) -> None:
        stats_tally.compact()

    def step(self) -> str:
        actions = [
            (self.register, 6),
            (self.transition, 4),
            (self.file, 2),
            (self.move, 2),
            (self.open_deadline, 8),
            (self.bulk_deadlines, 2),
            (self.meet, 3),
            (self.reopen_or_move_due, 3),
            (self.meet_many, 1),
            (self.delete_deadline, 1),
            (self.score, 4),
            (self.delete_score, 1),
            (self.compact, 1),
        ]
        action = self.rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]
        action()
        return action.__name__


def assert_tally_equals_counted(world: World) -> None:
    moments = [world.now, world.now - dt.timedelta(days=40), timezone.make_aware(dt.datetime(2025, 6, 15, 12))]
    for now in moments:
        assert stats.tally_differences(now) == []
        for dept in [None, *world.depts]:
            f = stats.Filters(now.year, dept)
            assert stats.overdue_count(f, now) == stats.overdue(f, now).count()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_tally_equals_a_count_from_scratch_after_random_writes(seed):
    world = World(random.Random(seed))
    for _ in range(5):
        world.register()
    done = []
    for i in range(90):
        done.append(world.step())
        if i % 30 == 29:
            assert_tally_equals_counted(world)
    # Not vacuous: the series saw rows of every kind, in several departments and years.
    assert {"register", "move", "open_deadline", "meet", "score"} <= set(done)
    years = {t.year for t in Case.objects.values_list("created_at", flat=True)}
    assert len(years) >= 2 and Deadline.objects.filter(met_at__isnull=True).exists()
    assert StatsTally.objects.filter(series="deadline").aggregate(n=Sum("n"))["n"] == Deadline.objects.count()
    # A rebuild from scratch gives the same sums as the triggers kept.
    before = _sums()
    stats_tally.rebuild()
    assert _sums() == before


def _sums() -> dict[tuple[Any, ...], tuple[int, int, int]]:
    rows = (
        StatsTally.objects.values_list("series", "month", "department_key", "key")
        .annotate(n=Sum("n"), late=Sum("late"), open=Sum("open"))
        .order_by()
    )
    return {r[:4]: r[4:] for r in rows if any(r[4:])}


def test_compaction_leaves_one_row_per_key_and_the_same_counts(db):
    world = World(random.Random(7))
    for _ in range(40):
        world.step()
    before, rows = _sums(), StatsTally.objects.count()
    left = stats_tally.compact()
    assert _sums() == before and left == StatsTally.objects.count() == len(before) < rows


def test_a_case_moved_to_another_department_takes_its_periods_and_score_along(db):
    d1, d2 = DepartmentFactory(code="M1"), DepartmentFactory(code="M2")
    case = CaseFactory(department=d1)
    due = timezone.make_aware(dt.datetime(2025, 3, 1))
    Deadline.objects.create(case=case, kind=DeadlineKind.ARCHIVE_FILE, article="第二十八条", label="归档", start=due,
                            days=30, due=due)  # fmt: skip
    CaseScore.objects.create(case=case, score=90, computed_at=due)
    f1, f2 = stats.Filters(2025, d1), stats.Filters(2025, d2)
    now = timezone.make_aware(dt.datetime(2025, 12, 1))
    archive = {r.kind: r for r in stats.on_time(f1, now)}[DeadlineKind.ARCHIVE_FILE]
    assert archive.overdue == 1 and stats.overdue_count(f1, now) == 1
    case.department = d2
    case.save(update_fields=["department"])
    assert {r.kind: r for r in stats.on_time(f1, now)}[DeadlineKind.ARCHIVE_FILE].overdue == 0
    assert {r.kind: r for r in stats.on_time(f2, now)}[DeadlineKind.ARCHIVE_FILE].overdue == 1
    assert (stats.overdue_count(f1, now), stats.overdue_count(f2, now)) == (0, 1)
    year = case.created_at.year
    assert stats.scores(stats.Filters(year, d2)).count == 1 and stats.scores(stats.Filters(year, d1)).count == 0


def _counted(monkeypatch: Any) -> None:
    monkeypatch.setattr(stats_tally, "enabled", lambda: False)


def test_page_and_csv_show_the_same_numbers_as_a_count_from_scratch(client, head, monkeypatch):
    world = World(random.Random(11))
    for _ in range(60):
        world.step()
    client.force_login(head)
    year = world.now.year
    queries = [{"year": year}, *({"year": year, "department": d.pk} for d in world.depts)]

    def render() -> list[bytes]:
        out = []
        for q in queries:
            page = client.get(reverse("archive:stats"), q)
            assert page.status_code == 200
            # The tables, the overdue count and the charts' data (not the rest of the page: its
            # CSRF token differs between two renders).
            html = page.content.decode()
            out.append(html.split("<h1>")[1].split('<section id="stats-overdue">')[0].encode())
            out.append(html.split('<h2 id="h-overdue">')[1].split("</span>")[0].encode())
            out.append(html.split('id="stats-chart-data"')[1].split("</script>")[0].encode())
            for table in stats.CSV_TABLES:
                out.append(b"".join(client.get(reverse("archive:stats_csv", args=[table]), q).streaming_content))
        return out

    tallied = render()
    _counted(monkeypatch)
    assert render() == tallied
    assert any(b"<td>" in chunk for chunk in tallied)
    assert any("按期完成率".encode() in chunk for chunk in tallied)


def test_rebuild_command_checks_and_repairs_the_tally(db):
    world = World(random.Random(5))
    for _ in range(30):
        world.step()
    out = io.StringIO()
    call_command("rebuild_stats_tally", "--check", stdout=out)
    assert "一致" in out.getvalue()
    # A lost row: the check names the tables that differ and fails; a rebuild repairs it.
    row = StatsTally.objects.filter(series="registered", month__year__lte=world.now.year).exclude(n=0).first()
    assert row is not None
    row.delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="不一致"):
        call_command("rebuild_stats_tally", "--check", stdout=out)
    assert "案件阶段分布" in out.getvalue()
    call_command("rebuild_stats_tally", stdout=io.StringIO())
    call_command("rebuild_stats_tally", "--check", stdout=io.StringIO())
    assert stats.tally_differences() == []


def test_the_compaction_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["archive-stats-tally"]
    assert entry["task"] == stats.stats_tally_compact_task.name
    assert stats.stats_tally_compact_task.delay().get() == StatsTally.objects.count()
