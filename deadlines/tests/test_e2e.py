import datetime as dt

import pytest
from django.utils import timezone

from cases.tests.factories import CaseFactory
from deadlines.models import DeadlineKind
from deadlines.services import deadline_open, deadlines_scan


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_officer_sees_red_overdue_deadline_and_bell_count(live_server, login, officer, head):
    case = CaseFactory(officers=[officer])
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="行政处罚决定（立案之日起九十日内）",
        start=timezone.now() - dt.timedelta(days=120),
        days=90,
        responsible=[officer],
    )
    deadlines_scan()  # overdue: one notification for the officer, one escalation for the head

    page = login(officer)  # lands on the dashboard
    assert page.locator("#bell-count").inner_text() == "1"

    page.click("nav.mainnav >> text=我的期限")
    row = page.locator("tr.deadline", has_text="行政处罚决定")
    assert row.get_attribute("data-state") == "red"
    assert "已逾期" in row.inner_text()
    # The red card's colour is the stylesheet's "bad" colour.
    assert row.locator(".badge.bad").evaluate("e => getComputedStyle(e).color") == "rgb(192, 57, 43)"

    page.click("#bell")
    assert "【已逾期】" in page.locator("table.notifications").inner_text()
    page.click("table.notifications >> text=查看")  # opens the case page, marks it read
    page.wait_for_load_state("networkidle")
    assert page.locator("#bell-count").count() == 0
    panel = page.locator("#panel-deadlines tr.deadline", has_text="行政处罚决定")
    assert panel.get_attribute("data-state") == "red"
