"""Two reviewers take the same queue item at once: exactly one gets it, the other is told
who has it (the case row lock and the constraint review_claim_one_open; real PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseState
from cases.stages import TransitionError
from cases.tests.factories import CaseFactory
from review.actions import claim_take
from review.models import ReviewClaim


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_take_the_same_item_at_once_exactly_one_gets_it():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    case = CaseFactory(state=CaseState.UNDER_REVIEW)
    people = [UserFactory(roles=[Role.LEGAL_REVIEWER]) for _ in range(4)]
    barrier = threading.Barrier(len(people))

    def take(user):
        try:
            barrier.wait(timeout=30)
            try:
                return ("ok", claim_take(case_id=case.pk, by=user).claimed_by_id)
            except TransitionError as exc:
                return ("refused", str(exc))
        finally:
            connection.close()

    with ThreadPoolExecutor(len(people)) as pool:
        results = list(pool.map(take, people))

    winners = [r for r in results if r[0] == "ok"]
    assert len(winners) == 1
    winner = next(u for u in people if u.pk == winners[0][1])
    refusals = [r[1] for r in results if r[0] == "refused"]
    assert len(refusals) == len(people) - 1
    assert all(f"已由{winner}领取" in m for m in refusals), refusals
    assert ReviewClaim.objects.filter(case=case, ended_at__isnull=True).count() == 1
