"""先行登记保存 in the browser (《行政处罚法》第五十六条): the officer requests approval (报请批准),
the request is in the head's queue, the head approves with an opinion, the officer is notified."""

import datetime as dt

import pytest
from django.utils import timezone

from deadlines.models import Notification
from records.models import Preservation, RecordKind
from records.tests.factories import complete_data, make_case, make_record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_requests_head_approves_from_the_queue_officer_is_notified(live_server, login, officer, officer2, head):
    case = make_case(officers=[officer, officer2], department=officer.department, created_by=officer)
    soon = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)
    data = {**complete_data(RecordKind.PRESERVATION), "started_at": soon, "ended_at": soon + dt.timedelta(hours=1)}
    rec = make_record(RecordKind.PRESERVATION, case=case, by=officer, data=data)
    url = f"{live_server.url}/records/{rec.pk}/"

    page = login(officer)
    page.goto(url)
    assert page.locator("form#approve").count() == 0  # the head's form is not offered to an officer
    assert page.input_value("#request-approval textarea") == ""  # an opinion starts empty
    page.fill("#request-approval textarea", "账册可能被转移，报请批准先行登记保存。")
    page.click("#request-approval button")
    assert "已报请机关负责人批准" in page.inner_text(".messages")
    assert "待机关负责人审批" in page.inner_text("#approval")
    page.click("button:has-text('退出')")

    page = login(head)
    page.goto(f"{live_server.url}/")
    assert case.ref in page.inner_text("section.card:has-text('待我审批')")
    page.click("#preservation-queue")
    row = page.locator(f"#preservation-requests tr[data-record='{rec.pk}']")
    assert "账册可能被转移" in row.inner_text()
    row.locator("a", has_text="先行登记保存").click()
    assert page.locator("#request-approval").count() == 0
    assert page.input_value("#approve textarea[name=opinion]") == ""
    page.check("#approve input[name=decision][value=approve]")
    page.fill("#approve textarea[name=opinion]", "同意先行登记保存，妥善保管。")
    page.click("#approve button")
    assert "已批准先行登记保存" in page.inner_text(".messages")
    assert "同意先行登记保存，妥善保管。" in page.inner_text("#approval")
    page.goto(f"{live_server.url}/records/preservations/awaiting/")
    assert page.locator(f"#preservation-requests tr[data-record='{rec.pk}']").count() == 0
    page.click("button:has-text('退出')")

    page = login(officer)
    page.goto(f"{live_server.url}/deadlines/notifications/")
    assert "已获机关负责人批准" in page.inner_text("main")
    assert Preservation.objects.get(pk=rec.pk).approved_by == head
    assert Notification.objects.filter(user=officer, text__contains="已获机关负责人批准").exists()
