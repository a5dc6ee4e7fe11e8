"""Helpers of the notice, defence and hearing tests: a penalty case brought to 审查中 through the
real actions, a complete notice, its service, a scheduled hearing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseState, PartyKind
from cases.requirements import missing
from cases.tests.factories import CaseFactory, PartyFactory
from deadlines.calendar import add_working_days
from documents.models import Document
from records.models import RecordKind
from records.tests.factories import make_record
from review import defence, hearing
from review.actions import review_submit
from review.models_defence import PenaltyNotice
from review.tests import path
from review.tests.path import NOTICE

__all__ = ["NOTICE"]


def case_under_review(*, person: bool = False, sheet: bool = True) -> Any:
    """A penalty case with a party and a finalised record, submitted to review by its officer;
    unless sheet=False, its 第五十八条 sheet saved with no situation (review/tests/path.py)."""
    case: Any = CaseFactory()
    PartyFactory(
        case=case,
        **(
            {"kind": PartyKind.PERSON, "name": "王某某", "legal_rep": "", "id_number": "371302198001011239"}
            if person
            else {"name": "临沂市华科新材料有限公司"}
        ),
    )
    make_record(RecordKind.INQUIRY, case=case, finalise=True)
    review_submit(case_id=case.pk, by=case.created_by)
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_REVIEW
    if sheet:
        path.sheet_saved(case)
    return case


# The checklist lines of review/requirements_defence.py (the core's sign-offs and the legal part's
# lines are other tests' subject).
HEARD_CODES = ("review.notice", "review.notice_served", "review.defence", "review.hearing", "review.hearing_report")


def heard_codes(case: Any) -> list[str]:
    """The notice/defence/hearing lines still missing before the case may leave 审查中."""
    case.refresh_from_db()
    return [r.code for r in missing(case, CaseState.UNDER_REVIEW) if r.code in HEARD_CODES]


def officer_of(case: Any) -> Any:
    return case.created_by


def issue(case: Any, **overrides: Any) -> PenaltyNotice:
    data = {**NOTICE, **overrides}
    return defence.notice_issue(case_id=case.pk, by=officer_of(case), party_id=case.parties.first().pk, **data)


def backdate(notice: PenaltyNotice, days: int) -> PenaltyNotice:
    """The notice made `days` calendar days ago (test set-up for periods that have run)."""
    when = timezone.now() - dt.timedelta(days=days)
    PenaltyNotice.objects.filter(pk=notice.pk).update(issued_at=when)
    Document.objects.filter(pk=notice.document_id or 0).update(issued_at=when)
    notice.refresh_from_db()
    return notice


def serve(notice: PenaltyNotice, day: dt.date | None = None) -> PenaltyNotice:
    """The notice served in person on `day` (default today) through 第五章 delivery."""
    from delivery.tests.helpers import serve as deliver

    deliver(notice.document, by=officer_of(notice.case), day=day)
    notice.refresh_from_db()
    return notice


def chair_user() -> Any:
    return UserFactory(roles=[Role.LEGAL_REVIEWER], last_name="陈", first_name="主持")


def far_enough() -> dt.datetime:
    """A hearing time that leaves the 7 working days of notice (第六十四条)."""
    day = add_working_days(timezone.localdate(), hearing.NOTICE_DAYS + 1).date
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


def schedule(h: Any, *, chair: Any = None, recorder: Any = None, **overrides: Any) -> Any:
    chair = chair or chair_user()
    recorder = recorder or UserFactory(roles=[Role.LEGAL_REVIEWER], last_name="刘", first_name="记录")
    data = {
        "scheduled_at": far_enough(),
        "place": "临沂市科学技术局三楼听证室",
        "public": True,
        "closed_reason": "",
        "chair_id": chair.pk,
        "chair_cert_no": "鲁听证字第2024-0031号",
        "recorder_id": recorder.pk,
        **overrides,
    }
    return hearing.hearing_schedule(hearing_id=h.pk, by=officer_of(h.notice.case), **data)


def pdf_text(doc: Any) -> str:
    doc.refresh_from_db()
    with doc.pdf.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)
