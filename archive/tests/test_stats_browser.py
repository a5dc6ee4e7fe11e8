"""In Chromium: the head opens the statistics page from the main navigation; the vendored
Chart.js draws the four charts beside the tables (no CDN: every script is served by Linke)."""

from typing import Any

import pytest

from archive.tests.test_stats import YEAR, at, deadline, make_case
from cases.models import CaseState
from deadlines.models import DeadlineKind

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_sees_the_charts_drawn_by_the_vendored_chart_js(login: Any, live_server: Any, head: Any) -> None:
    case = make_case(CaseState.CONCLUDED, at(2), filed_at=at(2), concluded_at=at(3))
    deadline(case, DeadlineKind.ARCHIVE_FILE, at(4), met_at=at(3, 20))
    page = login(head)
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.click("nav.mainnav >> text=统计")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_year", str(YEAR))
    page.click("#stats-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith(f"统计 · {YEAR}年")
    drawn = page.evaluate(
        "['chart-stages', 'chart-months', 'chart-ontime', 'chart-scores']"
        ".map(id => !!Chart.getChart(document.getElementById(id)))"
    )
    assert drawn == [True, True, True, True]
    assert page.evaluate("Chart.version") == "4.6.1"
    assert any("vendor/chartjs/chart.umd.min.js" in u for u in scripts)
    assert all(u.startswith(live_server.url) for u in scripts)
    assert "100.0%" in page.locator("#stats-ontime table").inner_text()
