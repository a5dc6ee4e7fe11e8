"""Helpers of the execution, enforcement and conclusion tests: a case walked to 已决定 through the
real review actions (review/tests/path.py), its decision served, and the case moved to 已送达.

Until part A's `mark_delivered` is merged, `delivered()` moves the state with a queryset UPDATE
(test-only; swap it for part A's action after the merge). `serve()` records a successful
DeliveryAttempt directly and sends `document_served`, as part A's delivery action will."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import Case, CaseState
from delivery.demo_execution import served_directly
from delivery.models import DeliveryAttempt
from review.models import DecisionOutcome, PenaltyKind
from review.selectors import decision_of
from review.tests.test_core import PENALTY_DRAFT, decided, in_review

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
    """A successful direct delivery of `document` on `served_on`, and the signal part A sends."""
    return served_directly(case, document, by or case.created_by, served_on)


def delivered(case: Any) -> Any:
    """已决定 → 已送达 (test-only stand-in for part A's mark_delivered)."""
    Case.objects.filter(pk=case.pk).update(state=CaseState.DELIVERED)
    case.refresh_from_db()
    return case


def served_case(head: Any, served_days_ago: int = 3, **draft: Any) -> Any:
    """A decided case whose decision was served `served_days_ago` days ago, in 已送达."""
    case = decided_case(head, **draft)
    decision = decision_of(case)
    assert decision is not None and decision.document is not None
    serve(case, decision.document, TODAY() - dt.timedelta(days=served_days_ago))
    return delivered(case)


def receipt(name: str = "receipt.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 receipt " + name.encode(), content_type="application/pdf")


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
