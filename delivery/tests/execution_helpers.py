"""Helpers of the execution, enforcement and conclusion tests: a case walked to 已决定 through the
real review actions (review/tests/path.py), its decision served through part A's delivery action
(`delivery.actions.delivery_record`, which sends `document_served` and moves the case 已决定 →
已送达 by `mark_delivered`). A case served days ago is walked with the clock set back
(`linke.clock.clock_at`), so its decision is made before it is served, as in life."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseState
from delivery.models import DeliveryAttempt
from delivery.tests.helpers import serve as deliver
from linke.clock import clock_at, on_day
from review.models import DecisionOutcome, PenaltyKind
from review.selectors import decision_of
from review.tests.test_core import PENALTY_DRAFT, decided, in_review
from tests.scans import scan_pdf

TODAY = timezone.localdate


def reviewers() -> tuple[Any, Any]:
    return (
        UserFactory(roles=[Role.LEGAL_REVIEWER]),
        UserFactory(roles=[Role.LEGAL_REVIEWER]),
    )


def decided_case(head: Any, **draft: Any) -> Any:
    """A penalty case decided by `head` (default: warning and a 20,000 yuan fine)."""
    data = {**PENALTY_DRAFT, **draft}
    case = in_review(draft=data)
    r1, r2 = reviewers()
    decided(case, r1, r2, head)
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED
    return case


def serve(case: Any, document: Any, served_on: dt.date, by: Any = None) -> DeliveryAttempt:
    """`document` served in person on `served_on` (第十八条, every element given) through
    `delivery_record`; the document must have been made by then. A past day is recorded with
    the clock set to that day."""
    by = by or case.created_by
    if served_on >= TODAY():
        return deliver(document, by=by, day=served_on)
    with clock_at(on_day(served_on, 16)):
        return deliver(document, by=by, day=served_on)


def served_case(head: Any, served_days_ago: int = 3, **draft: Any) -> Any:
    """A case decided and its decision served `served_days_ago` days ago (the walk made with the
    clock set back to that morning), now in 已送达 through mark_delivered."""
    day = TODAY() - dt.timedelta(days=served_days_ago)
    with clock_at(on_day(day)):
        case = decided_case(head, **draft)
        decision = decision_of(case)
        assert decision is not None and decision.document is not None
        deliver(decision.document, by=case.created_by, day=day)
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED
    return case


def receipt(name: str = "receipt.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, scan_pdf(f"receipt {name}"), content_type="application/pdf")


def bytes_file(data: bytes = b"x") -> io.BytesIO:
    return io.BytesIO(data)


WARNING_ONLY: dict[str, Any] = {"kinds": [PenaltyKind.WARNING], "fine_yuan": None, "content": "给予警告。"}
NO_PENALTY: dict[str, Any] = {
    "outcome": DecisionOutcome.NO_PENALTY_MINOR,
    "kinds": [],
    "fine_yuan": None,
    "content": "违法行为轻微并及时改正，没有造成危害后果，不予行政处罚。",
}
FINE = Decimal("20000.00")
