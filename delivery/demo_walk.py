"""The walk of a penalty case through the real actions, with the clock set back
(`linke.clock.clock_at`) so every row, document, deadline and audit entry bears the day it
describes: shared by seed_demo's cases (delivery/demo_execution.py, archive/demo.py) and the
archive's export test factory (archive/tests/factories_export.py), so the three walk one path.

    walk_to_review(users, title, party, day, evidence=None) -> Case
        filed, inquired and heard before `day`: 审查中 (review.demo's steps)
    walk_from_review(case, people, day=..., paid=False, while_open=None, closing=None) -> Case
        decided, published, served, executed (and paid) on `day`; concluded on closing.on

Demo and test set-up only: never called by a request, a task or a command other than seed_demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from cases import selectors as case_selectors
from cases.models import Case, CaseState
from deadlines import calendar
from linke.clock import clock_at, on_day
from review import actions, publication
from review.demo import _filed, _heard, _inquired_and_submitted
from review.selectors import decision_of

from . import conclusion as co
from . import execution as ex
from .demo import _scan, serve_in_person
from .models import RecipientRelation


def working_days_before(day: dt.date, n: int) -> dt.date:
    """The `n`-th working day before `day`."""
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= calendar.is_working_day(day)
    return day


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after `day`."""
    day += dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Walkers:
    """Who acts: the handling officer (serves, executes, records the payment), 法规科's two
    reviewers (审理 and 公示 by the first, 审核 by the second) and the head (approves, decides,
    concludes; not an officer of the case)."""

    officer: User
    reviewer: User
    reviewer2: User
    head: User

    @classmethod
    def of(cls, users: dict[str, User]) -> Walkers:
        """From seed_demo's users (keys "officer", "reviewer", "reviewer2", "head")."""
        return cls(users["officer"], users["reviewer"], users["reviewer2"], users["head"])


@dataclass(frozen=True)
class Closing:
    """The head's 结案审批 at 10:00 on `on` with `ending` (delivery.models_execution.Ending)."""

    on: dt.date
    ending: str
    opinion: str


def walk_to_review(
    users: dict[str, User],
    title: str,
    party: dict[str, Any],
    day: dt.date,
    evidence: Callable[[Case, dt.date], None] | None = None,
) -> Case:
    """A case registered against `party` (cases.services' party dict) and walked to 审查中 in
    the working days before `day` (review.demo's steps, seed_demo's `users`):

    1. 10 working days before, 9:00: registered ex officio and filed (立案), the head approving.
    2. 8 working days before: the inquiry held 10:00–11:00 and finalised (第十条), the decision
       drafted and submitted by 16:00; then `evidence(case, that day)` (scans, a video), the clock
       at 16:00 that day.
    3. 6 working days before, 10:00: the 事先告知书 served in person and the defence waived in
       writing (第十四条); the 第五十八条 sheet answered.

    Returns the case (审查中). Errors: whatever the actions raise (TransitionError, …)."""
    filed_on, inquired_on, heard_on = (working_days_before(day, n) for n in (10, 8, 6))
    with clock_at(on_day(filed_on, 9)):
        case = _filed(users, title, party)
    with clock_at(on_day(inquired_on, 16)):
        _inquired_and_submitted(users, case, party, on_day(inquired_on, 10))
        if evidence is not None:
            evidence(case, inquired_on)
    with clock_at(on_day(heard_on, 10)):
        _heard(case, users["officer"], party)
    return case


def walk_from_review(
    case: Case,
    people: Walkers,
    *,
    day: dt.date,
    paid: bool = False,
    while_open: Callable[[Case], None] | None = None,
    closing: Closing | None = None,
) -> Case:
    """`case` (审查中, its draft complete, its party heard; one party, an organisation) walked on
    `day` (a past working day) and after:

    1. 9:00: 审理 (people.reviewer) and 审核 (people.reviewer2), 法规科's review completed
       (第十三条); the head's approval and decision (第十六条, the 行政处罚决定书 made); the
       decision published (行政执法公示, 国办发〔2018〕118号) where its outcome is one that is
       published (review.publication.PUBLISHED_OUTCOMES).
    2. 15:00: the decision served in person on the party, its legal representative signing the
       送达回证 (scanned, 第十八条): 已送达 (第十七条). Where the decision leaves something to
       execute (execution.needs_execution): 执行中 (第二十三条); with `paid`, the fine paid in full
       that day with the 缴款凭证 scan (第二十三条).
    3. `while_open(case)` if given (the case as it then stands), the clock at 16:00 that day:
       what is added while the case is still open (scans, a video, renders).
    4. With `closing`: concluded (结案, 第二十三条) by people.head at 10:00 on closing.on (a day
       after `day`, not in the future), which opens the archiving period (第二十八条).

    Returns the case as it now stands. Errors: whatever the actions raise (TransitionError,
    TransitionDenied), e.g. a closing ending the records do not bear out."""
    officer = people.officer
    with clock_at(on_day(day, 9)):
        actions.review_sign(case_id=case.pk, by=people.reviewer, opinion="事实清楚，证据确实充分，同意拟处理意见。")
        actions.review_sign(case_id=case.pk, by=people.reviewer2, opinion="经审核，程序合法，适用依据正确，处罚适当。")
        actions.review_complete(case_id=case.pk, by=people.reviewer2)
        actions.review_sign(case_id=case.pk, by=people.head, opinion="同意法规科审查意见。")
        actions.review_decide(case_id=case.pk, by=people.head, opinion="同意，签发。")
        decision = decision_of(case)
        assert decision is not None and decision.document is not None
        if decision.outcome in publication.PUBLISHED_OUTCOMES:  # within 7 working days
            publication.publication_publish(case_id=case.pk, by=people.reviewer)
    with clock_at(on_day(day, 15)):
        party_id, legal_rep = case.parties.order_by("pk").values_list("pk", "legal_rep").get()
        serve_in_person(
            decision.document, by=officer, party_id=party_id, recipient=legal_rep, relation=RecipientRelation.LEGAL_REP
        )
        assert case_selectors.case_of(case.pk).state == CaseState.DELIVERED  # mark_delivered
        if ex.needs_execution(decision):
            ex.execution_start(case_id=case.pk, by=officer)
            if paid:
                status = ex.fine_status_of(case, today=day)
                assert status is not None
                ex.fine_payment_record(
                    case_id=case.pk,
                    by=officer,
                    amount_yuan=status.outstanding,
                    paid_on=day,
                    receipt=_scan("缴款凭证.pdf"),
                )
    if while_open is not None:
        with clock_at(on_day(day, 16)):
            while_open(case_selectors.case_of(case.pk))
    if closing is not None:
        with clock_at(on_day(closing.on, 10)):
            co.conclude(case_id=case.pk, by=people.head, ending=closing.ending, opinion=closing.opinion)
    return case_selectors.case_of(case.pk)
