"""The statistics page, defects of the fresh-user trial of 第六章: the months not yet begun are
not plotted as 0 (null: no point), past months without cases stay 0; the stage table lists
every stage, as its CSV does, from one source; count charts have integer ticks (in Chromium)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import stats
from archive.tests.test_stats import YEAR, _csv, at, make_case
from cases.models import CaseState
from linke.clock import clock_at

S = CaseState


@pytest.fixture
def cases(db: Any) -> None:
    make_case(S.INVESTIGATING, at(1), filed_at=at(2))
    make_case(S.ARCHIVED, at(3), filed_at=at(3), concluded_at=at(4), archived_at=at(4, 20))


def _midyear() -> dt.datetime:
    return timezone.make_aware(dt.datetime(YEAR, 5, 20, 10, 0))


def test_months_not_yet_begun_are_null_in_the_chart_table_and_csv(client, head, cases):
    client.force_login(head)
    with clock_at(_midyear()):
        resp = client.get(reverse("archive:stats"), {"year": YEAR})
        rows = _csv(client.get(reverse("archive:stats_csv", args=["months"]), {"year": YEAR}))
    assert resp.status_code == 200
    months = resp.context["chart"]["months"]
    assert months["labels"] == [f"{m}月" for m in range(1, 13)]
    # January to May happened (March and April with cases, the others 0); June on not yet.
    assert months["registered"] == [1, 0, 1, 0, 0] + [None] * 7
    assert months["concluded"] == [0, 0, 0, 1, 0] + [None] * 7
    assert rows[5] == [f"{YEAR}-05", "0", "0", "0"]
    assert rows[6] == [f"{YEAR}-06", "", "", ""]
    html = resp.content.decode()
    june = html[html.index("<td>6月</td>") :]
    assert june[: june.index("</tr>")].count("—") == 3
    # A past year: every month counted, 0 where nothing happened.
    with clock_at(_midyear() + dt.timedelta(days=400)):
        later = client.get(reverse("archive:stats"), {"year": YEAR}).context["chart"]["months"]
    assert None not in later["registered"] and later["registered"][11] == 0


def test_months_begun(db):
    now = _midyear()
    assert (stats.months_begun(YEAR - 1, now), stats.months_begun(YEAR, now), stats.months_begun(YEAR + 1, now)) == (
        12,
        5,
        0,
    )


def test_the_stage_table_lists_every_stage_as_the_csv_does(client, head, cases):
    client.force_login(head)
    resp = client.get(reverse("archive:stats"), {"year": YEAR})
    html = resp.content.decode()
    table = html[html.index('aria-labelledby="h-stages"') :]
    table = table[: table.index("</table>")]
    for state in S:
        assert f"<td>{state.label}</td>" in table, state
    assert "<td>0</td>" in table and '<th scope="row">合计</th><td>2</td>' in table
    rows = _csv(client.get(reverse("archive:stats_csv", args=["stages"]), {"year": YEAR}))
    shown = [(label, str(n)) for label, n in resp.context["stages"]]
    assert [tuple(r) for r in rows[1:]] == shown
    assert len(shown) == len(S) + 1 and shown[-1] == ("合计", "2")
    assert resp.context["chart"]["stages"]["labels"] == [s.label for s in S]


@pytest.mark.django_db(transaction=True)
def test_count_charts_have_integer_ticks(login: Any, live_server: Any, head: Any) -> None:
    make_case(S.CONCLUDED, at(2), filed_at=at(2), concluded_at=at(3))  # counts of 0 and 1 only
    page = login(head)
    page.goto(f"{live_server.url}{reverse('archive:stats')}?year={YEAR}")
    page.wait_for_load_state("networkidle")
    ticks = page.evaluate(
        "['chart-stages', 'chart-months', 'chart-scores']"
        ".map(id => Chart.getChart(document.getElementById(id)).scales.y.ticks.map(t => t.value))"
    )
    for values in ticks:
        assert values and all(float(v).is_integer() for v in values), ticks
