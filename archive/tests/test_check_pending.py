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


def test_may_check_and_the_candidates_are_one_rule_for_every_role_combination(head, reviewer, archivist, officer):
    """Issue 16 leftover: the SQL of the 检查人's to-do (check_candidates) and may_check are one
    rule (sealing.checkable_cases), and check_sign's refusals (policy.may_sign at Level.CHECK,
    not the 立卷人, not the only archivist who may seal it) say the same — whatever roles a user
    combines, whoever is the department's 专人, active or not, and whoever arranged the file."""
    from archive.check_pending import check_candidates
    from archive.models import ArchiveDuty
    from cases import policy
    from cases.models import CaseOfficer, Level

    case = concluded_case(head)
    handler = case.assignments.first().officer
    users = [head, reviewer, archivist, officer, handler]
    users += [
        UserFactory(username="archivist2", roles=[Role.ARCHIVIST]),
        UserFactory(username="archivist_head", roles=[Role.ARCHIVIST, Role.HEAD]),
        UserFactory(username="archivist_reviewer", roles=[Role.ARCHIVIST, Role.LEGAL_REVIEWER]),
        UserFactory(username="chief_reviewer", roles=[Role.SECTION_CHIEF, Role.LEGAL_REVIEWER]),
        UserFactory(username="gone", roles=[Role.ARCHIVIST, Role.HEAD], is_active=False),
    ]
    inactive_duty = UserFactory(username="archivist_gone", roles=[Role.ARCHIVIST], is_active=False)
    # Assigned to the case as an officer, the head now: no longer its 承办人 (policy.handles).
    former = UserFactory(username="former_officer", roles=[Role.HEAD])
    CaseOfficer.objects.create(case=case, officer=former)
    users.append(former)

    def agree(situation: str) -> None:
        for user in users:
            rule = sealing.may_check(user, case)
            listed = check_candidates(user).filter(pk=case.pk).exists()
            refused = not (
                policy.may_sign(user, case, Level.CHECK)
                and not sealing.compiled_by(user, case)
                and not sealing.sole_compiler(user, case)
            )
            assert (rule, listed, not refused) in ((True, True, True), (False, False, False)), (situation, user)

    agree("several archivists, no 专人")
    duty = ArchiveDuty.objects.create(department=case.department, archivist=archivist)
    agree("archivist is the 专人")
    duty.archivist = inactive_duty
    duty.save()
    agree("the 专人 is inactive: every active archivist answers")
    _arrange_swap(case, users[5])
    agree("archivist2 arranged the file")
    for user in users[5:8]:
        user.is_active = False
        user.save()
    agree("archivist is the only active archivist")
