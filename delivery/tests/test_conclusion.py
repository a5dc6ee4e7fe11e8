"""结案: the head's CONCLUSION sign-off, refused while delivery or execution is incomplete, each
allowed ending, the 30-day archiving period (第二十八条)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from audit.models import Entry
from cases.models import CaseState, Level, SignOff, SignOffStep
from cases.services import case_assign_officers
from cases.stages import TransitionDenied, TransitionError
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import local_date
from delivery import actions
from delivery import conclusion as co
from delivery import enforcement as en
from delivery import execution as ex
from delivery.models import Conclusion, CourtOutcome, DeliveryMethod, Ending
from delivery.tests.execution_helpers import (
    FINE,
    NO_PENALTY,
    TODAY,
    WARNING_ONLY,
    decided_case,
    receipt,
    served_case,
)
from delivery.tests.helpers import complete_elements
from delivery.tests.test_enforcement import REMINDER, _apply, _executing, _reminded
from review.selectors import decision_of

pytestmark = pytest.mark.django_db
S = CaseState


def serve_pending(doc, *, by, method):
    """An attempt whose result is still to come (the COMPLETE elements left out)."""
    elements = complete_elements(method, doc, by=by)
    elements.pop("served_on", None)
    elements["files"].pop("return_receipt", None)
    return actions.delivery_record(
        case_id=doc.case_id, by=by, document_id=doc.pk, method=method, party_id=doc.case.parties.first().pk, **elements
    )


def _conclude(case, head, ending, reason=""):
    return co.conclude(case_id=case.pk, by=head, ending=ending, reason=reason, opinion="同意结案。")


def _concluded(case, head, ending, reason=""):
    conclusion = _conclude(case, head, ending, reason)
    case.refresh_from_db()
    assert case.state == S.CONCLUDED and case.concluded_at is not None
    signoff = SignOff.objects.get(case=case, step=SignOffStep.CONCLUSION)
    assert (signoff.level, signoff.actor, conclusion.signoff, conclusion.ending) == (Level.HEAD, head, signoff, ending)
    archive = Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)
    assert archive.days == 30 and archive.article == "第二十八条"
    assert local_date(archive.due) >= TODAY() + dt.timedelta(days=30)
    assert Entry.objects.filter(case_id=case.pk, action="case.conclude").exists()
    assert Entry.objects.get(case_id=case.pk, action="execution.concluded").data["ending"] == ending
    return conclusion


def test_conclusion_refused_while_the_decision_is_not_served(head):
    case = decided_case(head, **NO_PENALTY)
    doc = decision_of(case).document
    # Posted, the return receipt not back yet: the decision is 送达中, the case still 已决定.
    serve_pending(doc, by=case.created_by, method=DeliveryMethod.POSTAL)
    assert "第十七条：处理决定书尚未送达（无成功的送达记录）" in co.ending_gaps(case, Ending.NOTHING)
    with pytest.raises(TransitionError):
        _conclude(case, head, Ending.NOTHING)
    case.refresh_from_db()
    assert case.state == S.DECIDED and not Conclusion.objects.exists()


def test_conclusion_refused_while_the_reminder_is_not_served(head):
    case = _executing(head)
    en.reminder_issue(case_id=case.pk, by=case.created_by, perform_by=TODAY() + dt.timedelta(days=10), **REMINDER)
    with pytest.raises(TransitionError, match="第三十五条：催告书已制作但尚未送达"):
        _conclude(case, head, Ending.NOT_ENFORCEABLE, reason="当事人已注销。")
    assert not Conclusion.objects.exists()


def test_nothing_to_execute_concludes_from_delivered_and_opens_the_archive_period(head, archivist):
    case = served_case(head, **NO_PENALTY)
    with pytest.raises(TransitionError, match="尚未进入执行"):
        _conclude(case, head, Ending.PAID)
    _concluded(case, head, Ending.NOTHING)
    archive = Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)
    assert archivist in archive.responsible.all()


def test_reassigning_officers_keeps_the_archivists_on_the_archive_period(head, archivist, officer, officer2):
    case = served_case(head, **NO_PENALTY)
    _concluded(case, head, Ending.NOTHING)
    archive = Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)
    before = set(case.officers.all())
    assert set(archive.responsible.all()) == before | {archivist}
    case_assign_officers(case_id=case.pk, officers=[officer, officer2], by=head)
    # 第二十八条: the archivists (专人) stay; the officers follow the new assignment.
    assert set(archive.responsible.all()) == {officer, officer2, archivist}
    assert Entry.objects.filter(action="deadline.responsible_changed", object_id=str(archive.pk)).exists()


def test_warning_only_concludes_from_delivered_but_a_fine_must_be_executed(head):
    _concluded(served_case(head, **WARNING_ONLY), head, Ending.NOTHING)
    fined = served_case(head)
    with pytest.raises(TransitionError, match="应先进入执行"):
        _conclude(fined, head, Ending.NOTHING)


def test_conclusion_policy_only_a_head_not_handling_the_case(head, reviewer):
    case = served_case(head, **NO_PENALTY)
    for who in (case.created_by, reviewer):
        with pytest.raises(TransitionDenied):
            _conclude(case, who, Ending.NOTHING)
    with pytest.raises(TransitionError, match="意见"):
        co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion=" ")
    assert case.state == S.DELIVERED and not SignOff.objects.filter(step=SignOffStep.CONCLUSION).exists()


def test_paid_ending_needs_the_fine_and_the_surcharge_paid(head):
    case = served_case(head, served_days_ago=20)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    case.refresh_from_db()
    with pytest.raises(TransitionError, match="罚款尚有20000.00元未缴纳"):
        _conclude(case, head, Ending.PAID)
    with pytest.raises(TransitionError, match="应记录执行结果"):
        _conclude(case, head, Ending.NOTHING)
    ex.fine_payment_record(case_id=case.pk, by=case.created_by, amount_yuan=FINE, paid_on=TODAY(), receipt=receipt())
    owed = ex.fine_status_of(case).surcharge_owed
    assert owed > 0
    with pytest.raises(TransitionError, match="加处罚款尚有"):
        _conclude(case, head, Ending.PAID)
    ex.fine_payment_record(
        case_id=case.pk,
        by=case.created_by,
        amount_yuan=Decimal("0"),
        surcharge_yuan=owed,
        paid_on=TODAY(),
        receipt=receipt("s"),
    )
    assert co.performed_ending(case) == Ending.PAID
    _concluded(case, head, Ending.PAID)
    assert Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT).met_at is not None


def test_corrected_ending_needs_a_verification_showing_it_corrected(head):
    case = served_case(head, **WARNING_ONLY)
    ex.execution_start(case_id=case.pk, by=case.created_by, rectification="三十日内更正申报材料。")
    check = dict(
        checked_on=TODAY(), place="当事人经营场所", officers="张伟、李娜", observed="尚未更正。", corrected=False
    )
    with pytest.raises(TransitionError, match="尚无实地核查记录"):
        _conclude(case, head, Ending.CORRECTED)
    ex.rectification_record(case_id=case.pk, by=case.created_by, **check)
    with pytest.raises(TransitionError, match="尚未改正"):
        _conclude(case, head, Ending.CORRECTED)
    ex.rectification_record(case_id=case.pk, by=case.created_by, **{**check, "observed": "已更正。", "corrected": True})
    _concluded(case, head, Ending.CORRECTED)


def test_enforced_ending_needs_the_courts_result(head):
    case = _executing(head)
    _reminded(case)
    with pytest.raises(TransitionError, match="没有申请人民法院强制执行"):
        _conclude(case, head, Ending.ENFORCED)
    app = _apply(case, head)
    by = case.created_by
    en.court_accept(application_id=app.pk, by=by, accepted_on=TODAY(), court_case_number="（2026）鲁1302行审1号")
    en.court_rule(application_id=app.pk, by=by, ruled_on=TODAY(), enforce=True, ruling="准予执行。")
    with pytest.raises(TransitionError, match="强制执行完毕"):
        _conclude(case, head, Ending.ENFORCED)
    en.court_result(
        application_id=app.pk, by=by, result_on=TODAY(), outcome=CourtOutcome.ENFORCED, result="已执行完毕。"
    )
    _concluded(case, head, Ending.ENFORCED)
    assert Deadline.objects.get(case=case, kind=DeadlineKind.FINE_PAYMENT).met_at is not None


@pytest.mark.parametrize("ending", [Ending.NOT_ENFORCEABLE, Ending.TRANSFERRED])
def test_endings_with_a_reason(head, ending):
    case = served_case(head)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    case.refresh_from_db()
    with pytest.raises(TransitionError, match="理由"):
        _conclude(case, head, ending)
    conclusion = _concluded(case, head, ending, reason="当事人已注销，无可供执行的财产。")
    assert conclusion.reason.startswith("当事人已注销")
