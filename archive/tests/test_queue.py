"""The archivist's queue (/archive/, 第二十八条): concluded cases awaiting sealing by their
ARCHIVE_FILE due date (overdue marked), then recently sealed ones; each with its quality score and
failing rules' links; paginated; for archivists and the head, 404 for anyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import views_seal
from archive.tests.test_sealing import _veto, concluded_case, seal_checked
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind

pytestmark = pytest.mark.django_db


def test_queue_lists_awaiting_then_sealed_with_due_overdue_and_failures(client, head, archivist, reviewer):
    sealed = concluded_case(head)
    seal_checked(sealed, by=archivist)
    waiting = concluded_case(head)
    _veto(waiting)
    Deadline.objects.filter(case=waiting, kind=DeadlineKind.ARCHIVE_FILE).update(
        due=timezone.now() - dt.timedelta(days=1)
    )
    open_case = CaseFactory()  # neither concluded nor sealed: not listed

    for who in (reviewer, waiting.created_by):
        client.force_login(who)
        assert client.get(reverse("archive:list")).status_code == 404
    for who in (archivist, head):
        client.force_login(who)
        resp = client.get(reverse("archive:list"))
        assert resp.status_code == 200
        rows = resp.context["rows"]
        assert [r["case"].pk for r in rows] == [waiting.pk, sealed.pk]
        assert open_case.pk not in [r["case"].pk for r in rows]
        assert rows[0]["overdue"] and not rows[1]["overdue"]
        assert rows[0]["score"].vetoed
        html = resp.content.decode()
        assert "已逾期" in html and "【否决】" in html
        failure = next(f for f in rows[0]["score"].failures if f.kind == "veto")
        assert failure.url and failure.url in html
        assert reverse("archive:seal", args=[waiting.pk]) in html
    # The nav links the queue for the archivist and the head.
    assert reverse("archive:list") in client.get(reverse("cases:dashboard")).content.decode()


def test_queue_is_paginated(client, archivist, monkeypatch):
    from cases.models import CaseState

    monkeypatch.setattr(views_seal, "QUEUE_PER_PAGE", 2)
    for _ in range(3):
        CaseFactory(state=CaseState.CONCLUDED, concluded_at=timezone.now())
    client.force_login(archivist)
    first = client.get(reverse("archive:list"))
    assert len(first.context["rows"]) == 2 and first.context["page"].paginator.count == 3
    second = client.get(reverse("archive:list"), {"page": 2})
    assert len(second.context["rows"]) == 1
    assert "第 1 / 2 页" in first.content.decode()


def test_a_case_sealed_after_its_archive_file_due_date_is_marked_late(client, head, archivist):
    """Trial defect 15a: a recently sealed case whose sealing came after its ARCHIVE_FILE due date
    (第二十八条) shows "逾期归档"; one sealed in time does not."""
    late, in_time = concluded_case(head), concluded_case(head)
    Deadline.objects.filter(case=late, kind=DeadlineKind.ARCHIVE_FILE).update(due=timezone.now() - dt.timedelta(days=2))
    for case in (late, in_time):
        seal_checked(case, by=archivist)
    client.force_login(archivist)
    resp = client.get(reverse("archive:list"))
    rows = {r["case"].pk: r for r in resp.context["rows"]}
    assert rows[late.pk]["late"] and not rows[late.pk]["overdue"]
    assert not rows[in_time.pk]["late"] and not rows[in_time.pk]["overdue"]
    html = resp.content.decode()
    assert html.count("逾期归档</span>") == 1
    row_html = html[html.index(f'data-case="{late.pk}"') :].split("</tr>")[0]
    assert "逾期归档" in row_html
