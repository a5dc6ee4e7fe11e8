"""The 检查人's to-do (第二十八条; trial: 法规科 could not find the files to check): the concluded
files awaiting a check are in the 待我审批 of everyone who may check them (sealing.may_check),
linking to the seal page's check form; gone once checked, back once the check goes stale; never
shown to the archivist who arranged the file."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.casefile import assemble
from archive.check_pending import LABEL, cases_awaiting_check, check_pending_approvals
from archive.tests.test_archive_check import _arrange_swap
from archive.tests.test_sealing import checked, concluded_case
from deadlines.models import Notification

pytestmark = pytest.mark.django_db


def _check_link(case):
    return reverse("archive:seal", args=[case.pk]) + "#check-form"


def test_a_reviewer_finds_the_concluded_file_in_their_dashboard_until_it_is_checked(client, head, reviewer):
    case = concluded_case(head)
    client.force_login(reviewer)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert f'<a href="{_check_link(case)}">{LABEL}</a>：{case.ref} {case.title}' in page
    assert '待我审批 <span class="badge warn">1</span>' in page
    form = client.get(_check_link(case))
    assert form.status_code == 200 and form.context["may_check"]  # the link leads to the check form
    checked(case, reviewer)
    assert sealing.check_of(case).agreed
    assert cases_awaiting_check(reviewer, 10) == (0, [])
    assert _check_link(case) not in client.get(reverse("cases:dashboard")).content.decode()


def test_a_check_gone_stale_brings_the_file_back_and_a_current_return_does_not(head, reviewer, archivist):
    case = concluded_case(head)
    checked(case, reviewer)
    _arrange_swap(case, archivist)  # the catalogue changed after the check: check again
    assert cases_awaiting_check(reviewer, 10) == (1, [case])
    checked(case, reviewer, agree=False, opinion="第2件题名有误，请改正。")
    # returned on the file as it is: the archivist's to put right, no checker's
    assert cases_awaiting_check(reviewer, 10) == (0, [])
    _arrange_swap(case, archivist)
    assert cases_awaiting_check(reviewer, 10)[1] == [case]


def test_who_sees_it_follows_may_check(head, reviewer, archivist, officer):
    case = concluded_case(head)
    _arrange_swap(case, archivist)  # archivist1 is the 立卷人 now
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    handler = case.assignments.first().officer
    for user in (head, reviewer, archivist, other, officer, handler):
        total, items = check_pending_approvals(user, 10)
        shown = [(p.label, p.case, p.url) for p in items]
        expected = [(LABEL, case, _check_link(case))] if sealing.may_check(user, case) else []
        assert (total, shown) == (len(expected), expected), user
    assert not sealing.may_check(archivist, case) and sealing.may_check(other, case)
    assert sealing.may_check(reviewer, case) and not sealing.may_check(officer, case)


def test_the_list_is_bounded(head, reviewer):
    first, second = concluded_case(head), concluded_case(head)
    total, shown = cases_awaiting_check(reviewer, 1)
    assert total == 2 and shown == [first]  # oldest concluded first, at most `limit`
    assert second not in shown


def test_saving_the_arrangement_rings_the_possible_checkers_once_per_catalogue(head, reviewer, archivist, officer):
    case = concluded_case(head)
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    _arrange_swap(case, archivist)
    rows = Notification.objects.filter(dedupe_key__startswith=f"archive.check.asked:{case.pk}:")
    asked = {n.user for n in rows.all()}
    assert {head, reviewer, other} <= asked and not {archivist, officer} & asked  # not the 立卷人
    assert all(sealing.may_check(u, case) for u in asked)
    count = rows.count()
    assert {n.link for n in rows.all()} == {_check_link(case)} and all(case.ref in n.text for n in rows.all())
    items = [i for i in assemble(case).items if i.source is not None]
    same = [(sealing.key_of(i), n, "") for n, i in enumerate(items[:2])]
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=same)  # the same order again
    assert rows.count() == count
    _arrange_swap(case, archivist)  # a new catalogue: asked again
    assert rows.count() == 2 * count


def test_the_only_archivist_who_may_seal_is_not_offered_the_check_trial_t2(head, reviewer, archivist):
    """Trial T2 1: the demo's one archivist signed a check, then could not seal (立卷人 ≠ 检查人),
    and the case left the other checkers' 待我审批."""
    from archive.models import ArchiveDuty
    from cases.stages import TransitionDenied

    case = concluded_case(head)
    assert not sealing.may_check(archivist, case) and cases_awaiting_check(archivist, 10) == (0, [])
    with pytest.raises(TransitionDenied, match="唯一可归档的档案管理员"):
        checked(case, archivist)
    assert cases_awaiting_check(reviewer, 10) == (1, [case])  # still the reviewer's to check
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    assert sealing.may_check(archivist, case) and cases_awaiting_check(archivist, 10)[1] == [case]
    ArchiveDuty.objects.create(department=case.department, archivist=archivist)  # the 专人 seals it
    assert not sealing.may_check(archivist, case) and cases_awaiting_check(archivist, 10) == (0, [])
    assert sealing.may_check(other, case) and cases_awaiting_check(other, 10)[1] == [case]


def test_one_check_settles_every_checkers_ask_of_the_case_and_no_other(head, reviewer, archivist):
    """Every possible 检查人 is asked (待检查); once one signs a check (agreeing or returning), the
    asks of the case are read for all of them, kept in their list; another case's stay unread."""
    from deadlines.selectors import unread_count

    case, another = concluded_case(head), concluded_case(head)
    other = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    _arrange_swap(case, archivist)
    _arrange_swap(another, archivist)
    asks = Notification.objects.filter(dedupe_key__startswith=f"archive.check.asked:{case.pk}:")
    assert {head, reviewer, other} <= {n.user for n in asks} and unread_count(reviewer) == 2

    checked(case, reviewer, agree=False, opinion="第2件题名有误，请改正。")

    assert not asks.filter(read_at__isnull=True).exists()
    assert unread_count(head) == unread_count(other) == unread_count(reviewer) == 1
    left = Notification.objects.get(user=head, read_at__isnull=True)
    assert left.dedupe_key.startswith(f"archive.check.asked:{another.pk}:")
