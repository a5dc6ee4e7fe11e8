"""The statistics page (issue 16 item 7): who may see it, each table's figures from known rows
(year and department filters), the CSV downloads (BOM, Chinese headers, audited), and the
stored quality scores (refreshed on a transition, by the periodic task and by the command)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from archive import stats
from archive.models_stats import CaseScore
from audit.models import Entry
from cases.models import Case, CaseState
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db
S = CaseState
YEAR = 2025


def at(month: int, day: int = 10, year: int = YEAR) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 10, 0))


def make_case(state: str, registered: dt.datetime, department: Any = None, **times: Any) -> Case:
    kwargs = {"department": department} if department else {}
    times.setdefault("filed_at", None)
    case: Case = CaseFactory.create(state=state, **kwargs, **times)
    Case.objects.filter(pk=case.pk).update(created_at=registered)
    case.refresh_from_db()
    return case


def deadline(case: Any, kind: str, due: dt.datetime, met_at: dt.datetime | None = None) -> Deadline:
    return Deadline.objects.create(
        case=case,
        kind=kind,
        article="第二十八条",
        label=DeadlineKind(kind).label,
        start=due,
        days=30,
        due=due,
        met_at=met_at,
    )


@pytest.fixture
def data(db: Any) -> dict[str, Any]:
    """Cases of 2025 in two departments, one of 2024; deadlines and scores on them."""
    d1, d2 = DepartmentFactory(code="D1", name="执法一科"), DepartmentFactory(code="D2", name="执法二科")
    c1 = make_case(S.INVESTIGATING, at(1), d1, filed_at=at(2))
    c2 = make_case(S.CONCLUDED, at(1, 20), d1, filed_at=at(2), decided_at=at(3), concluded_at=at(3, 15))
    c3 = make_case(S.ARCHIVED, at(3), d2, filed_at=at(3), concluded_at=at(4), archived_at=at(4, 20))
    old = make_case(S.CONCLUDED, at(12, 1, 2024), d1, filed_at=at(12, 5, 2024), concluded_at=at(1, 5))
    # 第二十八条: c2's file archived late, c3's on time, old's still open and long overdue.
    deadline(c2, DeadlineKind.ARCHIVE_FILE, at(4, 14), met_at=at(4, 20))
    deadline(c3, DeadlineKind.ARCHIVE_FILE, at(5, 4), met_at=at(4, 20))
    deadline(old, DeadlineKind.ARCHIVE_FILE, at(2, 4))
    # 第二十七条: one stored on time, one open and overdue; a decision period met on time.
    deadline(c1, DeadlineKind.AV_STORAGE, at(2, 3), met_at=at(2, 1))
    deadline(c1, DeadlineKind.AV_STORAGE, at(2, 6))
    deadline(c2, DeadlineKind.PENALTY_DECISION, at(5, 1), met_at=at(3))
    # Not counted: a deadline of another kind, and one due in another year.
    deadline(c1, DeadlineKind.DEFENCE, at(6, 1), met_at=at(7, 1))
    deadline(c3, DeadlineKind.ARCHIVE_FILE, at(5, 4, 2024), met_at=at(5, 1, 2024))
    now = timezone.now()
    CaseScore.objects.create(case=c2, score=95, vetoed=False, failing=["decision.basis"], computed_at=now)
    CaseScore.objects.create(case=c3, score=0, vetoed=True, failing=["officers.two"], computed_at=now)
    CaseScore.objects.create(case=old, score=70, vetoed=False, failing=[], computed_at=now)
    return {"d1": d1, "d2": d2, "c1": c1, "c2": c2, "c3": c3, "old": old}


def test_by_stage_counts_the_years_cases_by_their_stage(data):
    rows = {r.state: r.count for r in stats.by_stage(stats.Filters(YEAR))}
    assert (rows[S.INVESTIGATING], rows[S.CONCLUDED], rows[S.ARCHIVED]) == (1, 1, 1)
    assert sum(rows.values()) == 3  # the 2024 case is not in 2025
    d2 = {r.state: r.count for r in stats.by_stage(stats.Filters(YEAR, data["d2"]))}
    assert sum(d2.values()) == 1 and d2[S.ARCHIVED] == 1


def test_by_month_counts_each_event_in_its_own_month(data):
    months = {m.month: m for m in stats.by_month(stats.Filters(YEAR))}
    assert (months[1].registered, months[3].registered) == (2, 1)
    assert (months[2].filed, months[3].filed) == (2, 1)
    # The 2024 case concluded in January 2025 counts there.
    assert (months[1].concluded, months[3].concluded, months[4].concluded) == (1, 1, 1)
    assert sum(m.registered for m in months.values()) == 3
    assert [m.concluded for m in stats.by_month(stats.Filters(2024))] == [0] * 12


def test_by_month_for_one_department_counts_only_its_cases(data):
    months = {m.month: m for m in stats.by_month(stats.Filters(YEAR, data["d2"]))}
    assert (months[3].registered, months[3].filed, months[4].concluded) == (1, 1, 1)
    assert sum(m.registered + m.filed + m.concluded for m in months.values()) == 3


def test_on_time_rates_by_kind(data):
    now = at(12, 31)
    rows = {r.kind: r for r in stats.on_time(stats.Filters(YEAR), now)}
    archive = rows[DeadlineKind.ARCHIVE_FILE]
    assert (archive.on_time, archive.late, archive.overdue, archive.pending) == (1, 1, 1, 0)
    assert archive.rate == pytest.approx(33.3)
    av = rows[DeadlineKind.AV_STORAGE]
    assert (av.on_time, av.overdue, av.rate) == (1, 1, 50.0)
    assert rows[DeadlineKind.PENALTY_DECISION].rate == 100.0
    assert rows[DeadlineKind.PUBLICATION].rate is None  # nothing settled: no rate, not 0 %
    assert DeadlineKind.DEFENCE not in rows
    # Before the AV deadline fell due it is pending, not overdue.
    early = {r.kind: r for r in stats.on_time(stats.Filters(YEAR), at(2, 5))}[DeadlineKind.AV_STORAGE]
    assert (early.overdue, early.pending) == (0, 1)
    d2 = {r.kind: r for r in stats.on_time(stats.Filters(YEAR, data["d2"]), now)}[DeadlineKind.ARCHIVE_FILE]
    assert (d2.on_time, d2.late, d2.overdue) == (1, 0, 0)


def test_scores_distribution_and_average(data):
    st = stats.scores(stats.Filters(YEAR))
    assert st.count == 2 and st.average == 47.5  # (95 + 0) / 2: a vetoed file counts 0
    bands = dict(st.bands)
    assert bands["90–99分"] == 1 and bands[stats.VETO_BAND] == 1 and bands["60–79分"] == 0
    assert stats.scores(stats.Filters(2024)).average == 70.0
    assert stats.scores(stats.Filters(2023)) == stats.ScoreStats(0, None, [(b[0], 0) for b in st.bands])


def test_a_stored_score_carries_its_cases_registration_time_for_the_year_filter(data):
    # The year filter reads CaseScore.registered_at (archive.stats.scores), copied from the case.
    for case in (data["c2"], data["c3"], data["old"]):
        assert CaseScore.objects.get(case=case).registered_at == case.created_at
    st = stats.scores(stats.Filters(YEAR, data["d2"]))
    assert (st.count, st.average, dict(st.bands)[stats.VETO_BAND]) == (1, 0.0, 1)


def test_overdue_lists_open_deadlines_past_due_most_overdue_first(data):
    now = at(12, 31)
    rows = list(stats.overdue(stats.Filters(YEAR), now))
    assert [(d.case_id, d.kind) for d in rows] == [
        (data["old"].pk, DeadlineKind.ARCHIVE_FILE),
        (data["c1"].pk, DeadlineKind.AV_STORAGE),
    ]
    assert stats.days_overdue(rows[0], now) == (dt.date(YEAR, 12, 31) - dt.date(YEAR, 2, 4)).days
    assert list(stats.overdue(stats.Filters(YEAR, data["d2"]), now)) == []


# --- the page -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.HEAD, Role.LEGAL_REVIEWER, Role.ARCHIVIST])
def test_page_for_head_reviewer_archivist(client, data, role):
    client.force_login(UserFactory(roles=[role]))
    resp = client.get(reverse("archive:stats"), {"year": YEAR})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and 'id="stats-chart-data"' in html
    assert "案件阶段分布" in html and "按期完成率" in html and "案卷评查得分" in html
    # The overdue list links each case.
    assert data["old"].get_absolute_url() in html and "逾期未完成事项" in html
    assert "33.3%" in html  # the archiving rate, in the table


@pytest.mark.parametrize("role", [Role.OFFICER, Role.SECTION_CHIEF, Role.ADMIN])
def test_page_is_404_for_everyone_else(client, data, role):
    client.force_login(UserFactory(roles=[role], department=data["d1"]))
    assert client.get(reverse("archive:stats")).status_code == 404
    assert client.get(reverse("archive:stats_csv", args=["stages"])).status_code == 404
    assert not Entry.objects.filter(action="archive.stats_exported").exists()


def test_anonymous_is_sent_to_login(client):
    resp = client.get(reverse("archive:stats"))
    assert resp.status_code == 302 and "login" in resp["Location"]


def test_bad_filters_are_a_chinese_400_not_a_500(client, head, data):
    client.force_login(head)
    resp = client.get(reverse("archive:stats"), {"year": "abc"})
    assert resp.status_code == 400 and "年度无效" in resp.content.decode()
    resp = client.get(reverse("archive:stats"), {"year": YEAR, "department": "999999"})
    assert resp.status_code == 400 and "科室无效" in resp.content.decode()
    resp = client.get(reverse("archive:stats_csv", args=["stages"]), {"year": "1900"})
    assert resp.status_code == 400 and "年度无效" in resp.content.decode()
    assert client.get(reverse("archive:stats_csv", args=["nonsense"])).status_code == 404


def test_department_filter_and_overdue_pagination(client, head, data, monkeypatch):
    from archive import views_stats

    monkeypatch.setattr(views_stats, "OVERDUE_PER_PAGE", 1)
    client.force_login(head)
    url = reverse("archive:stats")
    first = client.get(url, {"year": YEAR}).content.decode()
    second = client.get(url, {"year": YEAR, "page": 2}).content.decode()
    assert data["old"].get_absolute_url() in first and data["c1"].get_absolute_url() not in first
    assert data["c1"].get_absolute_url() in second and "第 2 / 2 页" in second
    d2 = client.get(url, {"year": YEAR, "department": data["d2"].pk}).content.decode()
    assert "执法二科" in d2 and "没有逾期未完成的事项" in d2


def _csv(resp: Any) -> list[list[str]]:
    body = b"".join(resp.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(body[1:])))


def test_each_table_downloads_as_csv_with_chinese_headers_and_is_audited(client, archivist, data):
    client.force_login(archivist)
    headers = {
        "stages": ["阶段", "案件数"],
        "months": ["月份", "登记", "立案/受理", "结案"],
        "ontime": ["事项", "依据", "按期完成", "逾期完成", "逾期未完成", "未到期", "按期完成率(%)"],
        "scores": ["得分段", "案卷数"],
        "overdue": ["案号", "案由", "承办科室", "事项", "依据", "届满时间", "逾期天数"],
    }
    for table, header in headers.items():
        resp = client.get(reverse("archive:stats_csv", args=[table]), {"year": YEAR, "department": data["d1"].pk})
        assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
        assert "filename*=UTF-8''" in resp["Content-Disposition"]
        rows = _csv(resp)
        assert rows[0] == header, table
        entry = Entry.objects.filter(action="archive.stats_exported").latest("seq")
        assert entry.actor_id == archivist.pk
        assert entry.data == {"table": table, "year": YEAR, "department": data["d1"].pk}
    stages = _csv(client.get(reverse("archive:stats_csv", args=["stages"]), {"year": YEAR}))
    assert ["已归档", "1"] in stages
    Case.objects.filter(pk=data["c1"].pk).update(title='=HYPERLINK("http://evil.example","点击")')
    overdue = _csv(client.get(reverse("archive:stats_csv", args=["overdue"]), {"year": YEAR}))
    assert [r[0] for r in overdue[1:]] == [data["old"].ref, data["c1"].ref]
    assert overdue[2][1] == '\'=HYPERLINK("http://evil.example","点击")'  # not a formula in Excel
    assert Entry.objects.filter(action="archive.stats_exported").count() == len(headers) + 2


# --- stored scores -----------------------------------------------------------------------------


def test_a_decision_stores_the_cases_score(head, django_capture_on_commit_callbacks):
    from archive.quality import case_score
    from delivery.tests.execution_helpers import decided_case

    with django_capture_on_commit_callbacks(execute=True):
        case = decided_case(head)
    stored = CaseScore.objects.get(case=case)
    expected = case_score(case)
    assert (stored.score, stored.vetoed) == (expected.score, expected.vetoed)
    assert stored.failing == [f.code for f in expected.failures]
    assert stored.registered_at == case.created_at


def test_periodic_refresh_scores_missing_and_stale_in_batches_and_requeues(db):
    decided = [make_case(S.DECIDED, at(1)) for _ in range(3)]
    make_case(S.INVESTIGATING, at(1))  # not in a scored stage: never scored
    fresh = make_case(S.CONCLUDED, at(1), concluded_at=at(2))
    CaseScore.objects.create(case=fresh, score=50, vetoed=False, failing=[], computed_at=timezone.now())
    stale = CaseScore.objects.create(
        case=decided[0], score=1, vetoed=False, failing=[], computed_at=timezone.now() - dt.timedelta(days=2)
    )
    assert list(stats.cases_to_score().values_list("pk", flat=True)) == [decided[1].pk, decided[2].pk, decided[0].pk]
    # Batches of 2 (eager): 2, then the re-queued batch takes the last one, then none are left.
    assert stats.case_scores_refresh_task.delay(2).get() == 2
    assert not stats.cases_to_score().exists()
    assert set(CaseScore.objects.values_list("case_id", flat=True)) == {c.pk for c in decided} | {fresh.pk}
    stale.refresh_from_db()
    assert stale.score != 1 and stale.computed_at > timezone.now() - dt.timedelta(minutes=5)
    fresh_row = CaseScore.objects.get(case=fresh)
    assert fresh_row.score == 50  # fresh: left alone


def test_rebuild_command_scores_every_scored_case(db):
    cases = [make_case(S.DELIVERED, at(1)), make_case(S.ARCHIVED, at(1), concluded_at=at(2))]
    make_case(S.REGISTERED, at(1))
    out = io.StringIO()
    call_command("rebuild_case_scores", stdout=out)
    assert "已重新计算 2 件" in out.getvalue()
    assert set(CaseScore.objects.values_list("case_id", flat=True)) == {c.pk for c in cases}
    out = io.StringIO()
    call_command("rebuild_case_scores", "--case", str(cases[0].pk), stdout=out)
    assert "已重新计算 1 件" in out.getvalue()


def test_the_periodic_refresh_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["archive-scores"]
    assert entry["task"] == stats.case_scores_refresh_task.name
    from linke.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_period_due_next_year_is_reachable_under_that_year(client, head, db):
    """Trial defect: a decision made this December whose 90 days (《行政处罚法》第六十条) end next
    year is counted under the year it falls due; that year must be offered, not a 400."""
    this_year = timezone.localdate().year
    case = make_case(S.DECIDED, at(11, 1, this_year), filed_at=at(11, 2, this_year))
    deadline(case, DeadlineKind.PENALTY_DECISION, at(2, 1, this_year + 1), met_at=at(11, 20, this_year))
    assert stats.years_available()[0] == this_year + 1
    client.force_login(head)
    resp = client.get(reverse("archive:stats"), {"year": this_year + 1})
    assert resp.status_code == 200
    row = next(r for r in resp.context["on_time"] if r.kind == DeadlineKind.PENALTY_DECISION)
    assert row.on_time == 1
