import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from cases.tests.factories import CaseFactory
from deadlines.models import CalendarOverride, CalendarYear, Notification
from deadlines.services import deadline_open, notify

pytestmark = pytest.mark.django_db
NOTICES = Path(__file__).parent / "notices"


def _open(case, kind, start, **period):
    return deadline_open(
        case=case,
        kind=kind,
        article="第二十七条",
        label=f"事项{kind}",
        start=start,
        responsible=case.officers.all(),
        **period,
    )


def test_my_deadlines_coloured_and_bell_count(client, officer):
    case = CaseFactory(officers=[officer])
    now = timezone.now()
    _open(case, "t.red", now - dt.timedelta(days=40), working_days=2)
    _open(case, "t.yellow", now, working_days=1)
    _open(case, "t.green", now, days=60)
    _open(CaseFactory(), "t.other", now, days=60)  # not mine
    notify(user_ids=[officer.pk], text="甲", dedupe_key="t:1")
    notify(user_ids=[officer.pk], text="乙", dedupe_key="t:2")
    client.force_login(officer)

    response = client.get(reverse("deadlines:mine"))

    html = response.content.decode()
    assert response.status_code == 200
    assert [d.state for d in response.context["deadlines"]] == ["red", "yellow", "green"]
    assert 'data-state="red"' in html and "已逾期" in html and "即将到期" in html
    assert '<span class="badge bad" id="bell-count">2</span>' in html
    assert "事项t.other" not in html


def test_bell_costs_one_count_query(client, officer, django_assert_num_queries):
    client.force_login(officer)
    client.get(reverse("deadlines:notifications"))  # warm up session/user caches
    notify(user_ids=[officer.pk], text="甲", dedupe_key="t:1")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("deadlines:mine"))
    bell = [q["sql"] for q in ctx.captured_queries if "deadlines_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT(" in bell[0].upper() and '"read_at" IS NULL' in bell[0]


def test_provisional_deadline_is_marked(client, officer):
    case = CaseFactory(officers=[officer])
    _open(case, "t.2027", dt.datetime(2026, 12, 28, tzinfo=dt.UTC), working_days=5)
    client.force_login(officer)
    html = client.get(reverse("deadlines:mine")).content.decode()
    assert "暂定" in html


def test_notification_open_marks_read_and_is_private(client, officer, officer2):
    notify(user_ids=[officer.pk, officer2.pk], text="甲", link="/deadlines/mine/", dedupe_key="t:1")
    mine = Notification.objects.get(user=officer)
    theirs = Notification.objects.get(user=officer2)
    client.force_login(officer)
    assert client.post(reverse("deadlines:notification_open", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("deadlines:notification_open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/deadlines/mine/"
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert client.get(reverse("deadlines:notification_open", args=[mine.pk])).status_code == 405


def test_read_all(client, officer):
    notify(user_ids=[officer.pk], text="甲", dedupe_key="t:1")
    notify(user_ids=[officer.pk], text="乙", dedupe_key="t:2")
    client.force_login(officer)
    assert "甲" in client.get(reverse("deadlines:notifications")).content.decode()
    client.post(reverse("deadlines:notifications_read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_pages_need_login(client):
    response = client.get(reverse("deadlines:mine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_case_panel_lists_the_case_deadlines(rf, officer):
    from cases.panels import panels_for

    case = CaseFactory(officers=[officer])
    _open(case, "t.red", timezone.now() - dt.timedelta(days=40), working_days=2)
    panel = next(p for p in panels_for(case, officer, rf.get("/")) if p["key"] == "deadlines")
    from django.template.loader import render_to_string

    html = render_to_string(panel["template"], panel["context"])
    assert "事项t.red" in html and "已逾期" in html and "state-red" in html


def test_admin_imports_a_notice_with_preview_and_confirmation(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:deadlines_calendaroverride_import")
    assert client.get(url).status_code == 200
    text = (NOTICES / "2026.txt").read_text() + "\n八、另一节日：12月某日放假。\n九、测试节：12月30日（周一）放假。"

    preview = client.post(url, {"text": text, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert len(preview.context["rows"]) == 39
    assert preview.context["unparsed"] == ["八、另一节日：12月某日放假。", "九、测试节：12月30日（周一）放假。"]
    assert "九、测试节" in html and "2026-02-14" in html
    assert not CalendarOverride.objects.exists()  # nothing saved before confirmation

    back = client.post(url, {"text": text, "edit": "1"})  # "返回修改": the form again, text kept
    assert "preview" not in back.context and "九、测试节" in back.content.decode()

    done = client.post(url, {"text": text, "confirm": "1"})
    assert done.status_code == 302
    assert CalendarOverride.objects.count() == 39
    assert CalendarOverride.objects.get(date=dt.date(2026, 2, 14)).is_working_day
    assert CalendarOverride.objects.first().source.startswith("国务院办公厅关于2026年部分节假日安排的通知")
    entry = Entry.objects.get(action="calendar.imported")
    assert entry.actor == admin_user and entry.data["notice_year"] == 2026
    assert CalendarYear.objects.get().year == 2026


def test_officer_cannot_import(client, officer):
    client.force_login(officer)
    response = client.get(reverse("admin:deadlines_calendaroverride_import"))
    assert response.status_code == 302  # admin login page


def test_head_sees_escalated_deadlines_archivist_only_archiving(client, head, archivist, officer):
    from deadlines.models import DeadlineKind
    from deadlines.services import deadlines_scan

    case = CaseFactory(officers=[officer])
    old = timezone.now() - dt.timedelta(days=60)
    _open(case, "t.late", old, working_days=2)
    _open(case, DeadlineKind.ARCHIVE_FILE, old, days=30)
    _open(case, "t.soon", timezone.now(), days=60)
    deadlines_scan()

    client.force_login(head)
    rows = client.get(reverse("deadlines:mine")).context["escalated"]
    assert sorted(d.kind for d in rows) == sorted(["t.late", DeadlineKind.ARCHIVE_FILE])
    assert all(d.state == "red" for d in rows)
    client.force_login(archivist)
    assert [d.kind for d in client.get(reverse("deadlines:mine")).context["escalated"]] == [DeadlineKind.ARCHIVE_FILE]
    client.force_login(officer)
    assert client.get(reverse("deadlines:mine")).context["escalated"] == []


def test_case_panel_lists_open_deadlines_first(officer):
    from deadlines.selectors import deadlines_for_case
    from deadlines.services import deadline_met

    case = CaseFactory(officers=[officer])
    _open(case, "t.done", timezone.now() - dt.timedelta(days=10), days=5)
    deadline_met(kind="t.done", case=case)
    _open(case, "t.open", timezone.now(), days=5)
    assert [d.kind for d in deadlines_for_case(case)] == ["t.open", "t.done"]
