"""delivery.demo_walk: the one walk seed_demo's cases and the archive's export test factory take
from 审查中 — decided and published at 9:00, served at 15:00, executed and paid that day, what is
added while open at 16:00, concluded on the closing day — each step bearing its own day."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Case, CaseState, SignOff, SignOffStep
from deadlines.services import local_date
from delivery import execution as ex
from delivery.conclusion import conclusion_of
from delivery.demo_walk import Closing, Walkers, next_working_day, walk_from_review, working_days_before
from delivery.models import AttemptOutcome, DeliveryAttempt, Ending, RecipientRelation
from delivery.tests.execution_helpers import FINE, NO_PENALTY, reviewers
from review.models import Publication
from review.selectors import decision_of
from review.tests.test_core import PENALTY_DRAFT, in_review

pytestmark = pytest.mark.django_db


def test_a_fined_case_is_decided_published_served_paid_and_concluded_each_on_its_day(head):
    case = in_review()  # a warning and a 20,000 yuan fine
    people = Walkers(case.created_by, *reviewers(), head)
    day = working_days_before(timezone.localdate(), 3)
    closing = Closing(on=next_working_day(day), ending=Ending.PAID, opinion="罚款已缴清，同意结案。")
    seen = []
    case = walk_from_review(
        case,
        people,
        day=day,
        paid=True,
        while_open=lambda c: seen.append((timezone.localtime().date(), timezone.localtime().hour, c.state)),
        closing=closing,
    )
    assert case.state == CaseState.CONCLUDED
    decision = decision_of(case)
    assert local_date(decision.decided_at) == day
    assert local_date(Publication.objects.get(case=case).published_at) == day  # 公示
    served = DeliveryAttempt.objects.get(document=decision.document, outcome=AttemptOutcome.SERVED)
    assert served.served_on == day and local_date(served.delivered_at) == day
    assert (served.recipient_name, served.recipient_relation) == ("王建国", RecipientRelation.LEGAL_REP)
    (payment,) = ex.payments_of(case)
    assert (payment.paid_on, payment.amount_yuan, payment.recorded_by) == (day, FINE, people.officer)
    assert seen == [(day, 16, CaseState.EXECUTING)]
    conclusion = conclusion_of(case)
    assert conclusion.ending == Ending.PAID and local_date(conclusion.signoff.signed_at) == closing.on
    assert conclusion.signoff.actor == head


def test_a_case_not_fined_is_served_and_left_open_without_execution_or_publication(head):
    case = in_review(draft={**PENALTY_DRAFT, **NO_PENALTY})
    people = Walkers(case.created_by, *reviewers(), head)
    day = working_days_before(timezone.localdate(), 2)
    case = walk_from_review(case, people, day=day)
    assert case.state == CaseState.DELIVERED  # nothing to execute, no closing asked
    assert ex.execution_of(case) is None and not Publication.objects.filter(case=case).exists()
    assert not SignOff.objects.filter(case=case, step=SignOffStep.CONCLUSION).exists()
    assert DeliveryAttempt.objects.get(case=case, outcome=AttemptOutcome.SERVED).served_on == day


def test_the_enforcement_demo_case_is_published_on_its_decision_day(django_capture_on_commit_callbacks):
    """The walk publishes every decision whose outcome is published: the court-enforcement demo
    case, decided about 60 days ago, no longer shows its 公示 period long overdue."""
    import io

    from accounts import demo as accounts_demo
    from deadlines.models import Deadline, DeadlineKind
    from delivery import demo_execution

    users = accounts_demo.seed(io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        demo_execution.finish(io.StringIO(), users)
    case = Case.objects.get(title=demo_execution.ENFORCEMENT_CASE)
    day = demo_execution.walk_day()
    assert local_date(Publication.objects.get(case=case).published_at) == day
    assert Deadline.objects.get(case=case, kind=DeadlineKind.PUBLICATION).met_at is not None
