"""The head's 待我审批 on the dashboard lists the archive's approvals too (trial issue 16, defect
7): a pending addendum (补充材料, 第二十八条), a case whose quality review fails a veto item and
waits for the head's 准予归档 (SEAL_OVERRIDE), a pending consultation request (查阅, 第二十九条) —
each linking to its decide page and counted; nobody else is shown them, nor a head on a case he
handles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.models import Addendum, CaseScore, ConsultationRequest
from archive.tests.test_sealed_refusals import seal_in_place
from cases.models import CaseState
from cases.tests.factories import CaseFactory
from deadlines.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def handling_head(db):
    """A head who is also an officer handling the three cases: he approves none of them."""
    return UserFactory(roles=[Role.HEAD, Role.OFFICER])


@pytest.fixture
def pending(officer, officer2, archivist, handling_head):
    """(addendum, vetoed case, consultation request), one on each of three cases."""
    sealed = CaseFactory(officers=[officer, officer2, handling_head], department=officer.department, created_by=officer)
    seal_in_place(sealed, archivist)
    addendum = Addendum.objects.create(
        case=sealed, number=1, title="送达回证补充", text="补充送达回证。", requested_by=officer
    )
    now = timezone.now()
    vetoed = CaseFactory(
        officers=[officer, handling_head],
        department=officer.department,
        created_by=officer,
        state=CaseState.CONCLUDED,
        concluded_at=now,
    )
    CaseScore.objects.create(case=vetoed, score=0, vetoed=True, failing=["V1"], computed_at=now, registered_at=now)
    consulted = CaseFactory(officers=[officer, handling_head], department=officer.department, created_by=officer)
    consultation = ConsultationRequest.objects.create(
        case=consulted,
        requester_name="王建国",
        id_type="resident_id",
        id_number="110101199003074514",
        relation="party",
        purpose="ordinary",
        reason="了解处罚依据。",
        recorded_by=archivist,
        round=1,
    )
    return addendum, vetoed, consultation


def _links(pending):
    addendum, vetoed, consultation = pending
    return [
        reverse("archive:addendum_decide", args=[addendum.pk]),
        reverse("archive:override", args=[vetoed.pk]),
        reverse("archive:consult_decide", args=[consultation.pk]),
    ]


def test_the_heads_dashboard_lists_each_pending_archive_approval_with_its_link(client, head, pending):
    client.force_login(head)
    page = client.get(reverse("cases:dashboard")).content.decode()
    for link, label in zip(_links(pending), ("补充材料审批", "评查否决项放行", "查阅申请审批"), strict=True):
        assert f'<a href="{link}">{label}' in page, label
    # and the concluded case's file waits for a 检查人, whom the head may be (第二十八条)
    check = reverse("archive:seal", args=[pending[1].pk]) + "#check-form"
    assert f'<a href="{check}">待检查案卷' in page
    assert '待我审批 <span class="badge warn">4</span>' in page
    for link in _links(pending):
        assert client.get(link).status_code == 200, link  # the head may open each


def test_decided_items_leave_the_list(client, head, pending):
    addendum, vetoed, consultation = pending
    Addendum.objects.filter(pk=addendum.pk).update(status="approved")
    ConsultationRequest.objects.filter(pk=consultation.pk).update(status="refused")
    CaseScore.objects.filter(case=vetoed).update(vetoed=False, score=90)
    client.force_login(head)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert not any(link in page for link in _links(pending))
    # only the check of the concluded file is left (archive.check_pending, 第二十八条)
    assert '待我审批 <span class="badge warn">1</span>' in page and "待检查案卷" in page


def test_other_roles_and_a_head_handling_the_cases_do_not_see_them(
    client, officer, archivist, reviewer, handling_head, pending
):
    for user in (officer, archivist, reviewer, handling_head):
        client.force_login(user)
        page = client.get(reverse("cases:dashboard")).content.decode()
        assert not any(link in page for link in _links(pending)), user


def test_an_addendum_request_rings_the_heads_bell_with_its_decide_link(client, officer, archivist, head, handling_head):
    case = CaseFactory(officers=[officer, handling_head], department=officer.department, created_by=officer)
    seal_in_place(case, archivist)
    row = sealing.addendum_request(case_id=case.pk, by=officer, title="送达回证补充", text="补充送达回证。")
    link = reverse("archive:addendum_decide", args=[row.pk])
    note = Notification.objects.get(user=head)
    assert note.link == link and "补充材料1" in note.text and note.read_at is None
    assert not Notification.objects.filter(user__in=[handling_head, officer, archivist]).exists()
    client.force_login(head)
    assert 'id="bell-count">1<' in client.get(reverse("cases:dashboard")).content.decode()


def test_one_heads_addendum_decision_settles_the_other_heads_bell(client, officer, archivist, head, handling_head):
    """Both heads who may sign are rung (待审批); once one decides, the other's notification is
    read (kept in the list) and his bell drops; another addendum's stays unread."""
    from deadlines.selectors import unread_count

    other_head = UserFactory(username="head2", roles=[Role.HEAD])
    case = CaseFactory(officers=[officer, handling_head], department=officer.department, created_by=officer)
    seal_in_place(case, archivist)
    first = sealing.addendum_request(case_id=case.pk, by=officer, title="送达回证补充", text="补充送达回证。")
    second = sealing.addendum_request(case_id=case.pk, by=officer, title="询问笔录补充", text="补充询问笔录。")
    assert unread_count(head) == unread_count(other_head) == 2
    client.force_login(other_head)
    assert 'id="bell-count">2<' in client.get(reverse("deadlines:notifications")).content.decode()

    sealing.addendum_decide(addendum_id=first.pk, by=head, approve=True, opinion="同意补充。")

    asks = Notification.objects.filter(link=reverse("archive:addendum_decide", args=[first.pk]))
    assert asks.count() == 2 and not asks.filter(read_at__isnull=True).exists()
    assert unread_count(head) == unread_count(other_head) == 1
    left = Notification.objects.get(user=other_head, read_at__isnull=True)
    assert left.link == reverse("archive:addendum_decide", args=[second.pk])
    page = client.get(reverse("deadlines:notifications")).content.decode()
    assert 'id="bell-count">1<' in page and "补充材料1" in page  # read, still listed
