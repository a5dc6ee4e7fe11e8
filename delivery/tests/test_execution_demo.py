"""seed_demo's case in court enforcement (delivery/demo_execution.py): walked through the real
actions with coherent dates — decided and served (through delivery_record and mark_delivered) on
one working day about 60 days ago, the 催告书 issued and served today."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from cases.models import Case, CaseState, SignOff
from deadlines.services import local_date
from delivery import demo_execution
from delivery import enforcement as en
from delivery import execution as ex
from delivery.models import AttemptOutcome, DeliveryAttempt, DeliveryMethod
from documents.tests.test_services import pdf_text
from review.models_defence import PenaltyNotice
from review.selectors import decision_of

pytestmark = pytest.mark.django_db


def _cn(day):
    return f"{day.year}年{day.month}月{day.day}日"


def test_demo_case_is_in_court_enforcement_with_coherent_dates_and_seeds_once(django_capture_on_commit_callbacks):
    users = accounts_demo.seed(io.StringIO())
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        demo_execution.finish(out, users)
    demo_execution.finish(out, users)
    case = Case.objects.get(title=demo_execution.ENFORCEMENT_CASE)
    assert case.state == CaseState.EXECUTING
    day, today = demo_execution.walk_day(), timezone.localdate()
    assert (today - day).days >= demo_execution.SERVED_DAYS_AGO
    # The decision: made, signed and served on the walk's day, never before it was made.
    decision = decision_of(case)
    doc = decision.document
    served = DeliveryAttempt.objects.get(document=doc, outcome=AttemptOutcome.SERVED)
    assert served.method == DeliveryMethod.DIRECT and served.served_on == day
    assert local_date(doc.issued_at) == day and doc.issued_at <= served.delivered_at
    filed_on = demo_execution.working_days_before(day, 10)
    assert local_date(case.created_at) == filed_on and local_date(case.decided_at) == day
    # The filing approved on the day it was filed, the review and the decision signed on the day.
    assert {local_date(s.signed_at) for s in SignOff.objects.filter(case=case)} == {filed_on, day}
    notice = PenaltyNotice.objects.get(case=case)
    assert filed_on < notice.served_on < day and local_date(notice.issued_at) == notice.served_on
    assert ex.decision_served_on(case) == day
    doc.refresh_from_db()
    text = pdf_text(doc).replace("\n", "").replace(" ", "")
    assert _cn(day) in text and _cn(today) not in text
    # Executing since that day, the fine overdue; the reminder served today.
    assert ex.execution_of(case).decision_served_on == day
    status = ex.fine_status_of(case)
    assert status.overdue and status.surcharge > 0
    reminder = en.current_reminder(case)
    assert en.reminder_served_on(reminder) == today and en.statement_of(reminder).stated
    assert local_date(reminder.document.issued_at) == today
    assert en.window(case).state(today) == "before"
    assert "新建演示案件 1 件" in out.getvalue() and "已存在" in out.getvalue()
