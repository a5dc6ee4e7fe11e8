"""第十条 on the case checklist: investigating -> under_review is refused while missing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import Case, CaseState
from cases.requirements import checklist, missing
from cases.services import TransitionError
from records.models import RecordKind
from records.services import record_correct, record_finalise, record_update
from records.tests.factories import complete_data, make_case, make_record
from review.actions import review_submit as case_submit_for_review

pytestmark = pytest.mark.django_db


def _gaps(case) -> list[str]:
    return [
        r.code for r in missing(Case.objects.get(pk=case.pk), CaseState.INVESTIGATING) if r.code.startswith("records.")
    ]


def test_a_penalty_case_needs_a_finalised_record():
    case = make_case()
    assert _gaps(case) == ["records.any"]
    with pytest.raises(TransitionError, match="第十条"):
        case_submit_for_review(case_id=case.pk, by=case.created_by)


def test_incomplete_draft_blocks_review_naming_the_article_and_element():
    case = make_case()
    rec = make_record(RecordKind.INQUIRY, case=case, data={**complete_data(RecordKind.INQUIRY), "person_id_no": ""})
    assert _gaps(case) == ["records.any", "records.no_drafts", "records.inquiry"]
    with pytest.raises(TransitionError) as exc:
        case_submit_for_review(case_id=case.pk, by=case.created_by)
    assert "第十条第（一）（二）项" in str(exc.value) and "被询问人身份" in str(exc.value)

    record_update(record_id=rec.pk, by=rec.maker, data={"person_id_no": "371302198001011239"})
    record_finalise(record_id=rec.pk, by=rec.maker)
    assert _gaps(case) == []


def test_preserved_evidence_needs_its_decision_and_a_commission_its_opinion():
    case = make_case()
    make_record(RecordKind.PRESERVATION, case=case, approve_by=UserFactory(roles=[Role.HEAD]), finalise=True)
    make_record(RecordKind.COMMISSION, case=case, finalise=True)
    assert _gaps(case) == ["records.preservation_decision", "records.commission_opinion"]


def test_a_draft_correction_must_be_finalised_too():
    case = make_case()
    rec = make_record(RecordKind.OTHER, case=case, finalise=True)
    assert _gaps(case) == []
    record_correct(record_id=rec.pk, by=rec.maker, reason="活动名称有误")
    assert _gaps(case) == ["records.no_drafts", "records.other_activity"]


def test_complete_records_let_the_case_go_to_review():
    case = make_case()
    for kind in (RecordKind.INQUIRY, RecordKind.INSPECTION, RecordKind.SAMPLING):
        make_record(kind, case=case, finalise=True)
    assert _gaps(case) == []
    try:
        case_submit_for_review(case_id=case.pk, by=case.created_by)
    except TransitionError as exc:  # other apps' requirements may still be missing; ours are not
        assert "第十条" not in str(exc)


def test_checklist_reads_the_records_with_a_fixed_number_of_queries(calendar_held):
    def count(case) -> int:
        fresh = Case.objects.get(pk=case.pk)
        with CaptureQueriesContext(connection) as ctx:
            checklist(fresh)
        return len(ctx.captured_queries)

    small, big = make_case(), make_case()
    make_record(RecordKind.INQUIRY, case=small, finalise=True)
    for kind in RecordKind:
        make_record(kind, case=big)
        make_record(kind, case=big)
    assert count(big) == count(small)
