"""The archivist asks the heads for 准予归档 (SEAL_OVERRIDE, 第二十八条) from the seal page: the
bell of each head who may sign, once per case and blockers state, audited; only while the review
is blocked and no head has agreed; only the archivist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive import sealing
from archive.audit_actions import AuditAction
from archive.tests.test_sealing import _veto, concluded_case
from audit.models import Entry
from deadlines.models import Notification

pytestmark = pytest.mark.django_db


def _ask(client, case):
    return client.post(reverse("archive:override_ask", args=[case.pk]), follow=True)


def test_the_archivist_asks_the_heads_once_per_blockers_state(client, head, archivist):
    case = concluded_case(head)
    _veto(case)
    client.force_login(archivist)
    page = client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    assert 'id="override-ask"' in page and "请求机关负责人准予归档" in page

    resp = _ask(client, case)
    assert "已提醒1位机关负责人" in resp.content.decode()
    note = Notification.objects.get(user=head)
    assert note.link == reverse("archive:override", args=[case.pk]) and case.ref in note.text
    entry = Entry.objects.get(case_id=case.pk, action=AuditAction.SEAL_OVERRIDE_ASKED)
    assert entry.actor_id == archivist.pk and any("否决项" in b for b in entry.data["blockers"])

    again = _ask(client, case)  # the same blockers: nobody is rung twice
    assert "已请求过，未重复提醒" in again.content.decode()
    assert Notification.objects.filter(user=head).count() == 1

    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="执法证已核实有效，准予归档。")
    page = client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    assert 'id="override-ask"' not in page
    assert "已签署准予归档意见" in _ask(client, case).content.decode()
    assert Notification.objects.filter(user=head).count() == 1


def test_no_ask_without_blockers_nor_by_anyone_but_the_archivist(client, head, archivist):
    case = concluded_case(head)
    client.force_login(archivist)
    assert "没有阻止归档的问题" in _ask(client, case).content.decode()
    assert 'id="override-ask"' not in client.get(reverse("archive:seal", args=[case.pk])).content.decode()
    _veto(case)
    client.force_login(head)
    assert "无权请求准予归档" in _ask(client, case).content.decode()
    assert not Notification.objects.exists()
    assert not Entry.objects.filter(action=AuditAction.SEAL_OVERRIDE_ASKED).exists()


def test_one_heads_override_settles_every_ask_of_the_case_and_no_other(client, head, archivist):
    """Both heads who may sign are asked; once one signs (agrees or refuses), every ask of the
    case (each blockers state) is read for both, kept in their list; another case's stays."""
    from accounts.models import Role
    from accounts.tests.factories import UserFactory
    from archive.requests_notify import seal_override_ask
    from deadlines.selectors import unread_count

    other_head = UserFactory(username="head2", roles=[Role.HEAD])
    case, another = concluded_case(head), concluded_case(head)
    _veto(case)
    _veto(another)
    seal_override_ask(case_id=case.pk, by=archivist)
    seal_override_ask(case_id=another.pk, by=archivist)
    assert unread_count(head) == unread_count(other_head) == 2

    sealing.seal_override_sign(case_id=case.pk, by=head, agree=False, opinion="请先核实执法证。")

    asks = Notification.objects.filter(link=reverse("archive:override", args=[case.pk]))
    assert asks.count() == 2 and not asks.filter(read_at__isnull=True).exists()
    assert unread_count(head) == unread_count(other_head) == 1
    assert Notification.objects.get(user=other_head, read_at__isnull=True).link == reverse(
        "archive:override", args=[another.pk]
    )
