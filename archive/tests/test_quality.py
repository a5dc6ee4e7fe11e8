"""The quality rule sheet (案卷评查, issue 16 item 3): each seeded rule passes on a complete case
file and fails on one built to fail it; veto → 0; points come from the rule rows; disabled rules
are ignored; the panel shows the score and links from 已决定 on; outsiders still get 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.checks import CHECKS
from archive.models import QualityRule, RuleKind
from archive.quality import case_score
from avrecords.models import AVRecord, MediaKind
from cases.models import Case, CaseKind, CaseOfficer, CaseOrigin, CaseState, Party
from cases.panels import section_url
from cases.tests.factories import CaseFactory
from cases.tests.pages import section_html
from deadlines.models import Deadline, DeadlineKind
from delivery.models import AttemptOutcome, DeliveryAttempt, DeliveryMethod
from delivery.tests.execution_helpers import served_case
from documents.models import Document
from review.models import Decision, DecisionOutcome
from review.models_defence import Defence, DefenceOutcome, Hearing, PenaltyNotice
from review.models_legal import CollectiveDiscussion, LegalReviewSituation, ReviewSheet
from review.tests.defence_helpers import case_under_review, schedule
from review.tests.test_core import in_review
from review.tests.test_hearing import _requested

pytestmark = pytest.mark.django_db


def complete_case(head: Any) -> Any:
    """A penalty case decided and served, its notice served, its party recorded in full."""
    case = served_case(head)
    Party.objects.filter(case=case).update(id_number="91371300MA3C4XYZ0K", legal_rep="张三", phone="0539-8888888")
    return case


def _drop_officer(case: Any) -> None:
    CaseOfficer.objects.filter(case=case, is_lead=False).delete()


def _uncertify(case: Any) -> None:
    """An officer assigned without a 执法证号 on record (an assignment from before numbers were
    kept; the service refuses one today): set below the services."""
    CaseOfficer.objects.filter(pk=CaseOfficer.objects.filter(case=case)[0].pk).update(cert_no="")


def _no_performance(case: Any) -> None:
    Decision.objects.filter(case=case).update(performance="")


def _basis_uncited(case: Any) -> None:
    Decision.objects.filter(case=case).update(basis="《山东省科学技术奖励办法》有关规定")


def _party_incomplete(case: Any) -> None:
    Party.objects.filter(case=case).update(legal_rep="")


def _decision_unserved(case: Any) -> None:
    document = Decision.objects.get(case=case).document
    DeliveryAttempt.objects.filter(document=document).update(outcome=AttemptOutcome.PENDING)


def _notice_unserved(case: Any) -> None:
    PenaltyNotice.objects.filter(case=case).update(served_on=None)


def _court_abbreviated(case: Any) -> None:
    document = Decision.objects.get(case=case).document
    assert document is not None and document.status != "final"  # an unrendered document may still be changed here
    Document.objects.filter(pk=document.pk).update(context={**document.context, "court": "法院"})


def _undated(case: Any) -> None:
    Decision.objects.filter(case=case).update(decided_at=None)


def _no_investigation_report(case: Any) -> None:
    Decision.objects.filter(case=case).update(evidence="")


def _defence_not_rechecked(case: Any) -> None:
    # A statement recorded without its points (each point carries its re-check).
    assert Defence.objects.filter(notice__case=case).update(outcome=DefenceOutcome.STATED) == 1


def _served_late(case: Any) -> None:
    document = Decision.objects.get(case=case).document
    served_on = DeliveryAttempt.objects.get(document=document, outcome=AttemptOutcome.SERVED).served_on
    assert served_on is not None
    late = timezone.make_aware(dt.datetime.combine(served_on - dt.timedelta(days=1), dt.time(23, 59)))
    assert Deadline.objects.filter(case=case, kind=DeadlineKind.DECISION_DELIVERY).update(due=late) == 1


def _lien_without_av(case: Any) -> None:
    document = Decision.objects.get(case=case).document
    DeliveryAttempt.objects.filter(document=document, outcome=AttemptOutcome.SERVED).update(
        method=DeliveryMethod.LIEN, witnesses="村委会主任李四"
    )


def _not_heard(case: Any) -> None:
    Defence.objects.filter(notice__case=case).delete()


def _hearing_not_held(case: Any) -> None:
    notice = PenaltyNotice.objects.filter(case=case).latest("pk")
    assert notice.served_on is not None
    Hearing.objects.create(
        notice=notice, requested_on=notice.served_on, request_form="书面申请", requested_recorded_by=case.created_by
    )


def _av_undescribed(case: Any) -> None:
    # Trial defect 13: a stored video with no 制作方法 and no 证明对象 (第二十六条).
    AVRecord.objects.create(
        case=case, filename="现场检查录像.mp4", original_key="originals/x", sha256="0" * 64, stored_at=timezone.now()
    )


def _av_late_unexplained(case: Any) -> None:
    # 第二十七条: a described video stored past its deadline, no reason written.
    _described(case, late=True, late_reason="")


def _sheet(case: Any, **values: Any) -> None:
    ReviewSheet.objects.update_or_create(case=case, defaults={"updated_by": case.created_by, **values})


def _no_legal_review(case: Any) -> None:
    _sheet(case, situations=[LegalReviewSituation.COMPLEX])


def _no_discussion(case: Any) -> None:
    if CollectiveDiscussion.objects.filter(case=case).exists():
        CollectiveDiscussion.objects.filter(case=case).update(outcome=DecisionOutcome.NO_PENALTY_MINOR)
    else:
        _sheet(case, discussion_required=True, discussion_reason="案情重大")


BREAK = {
    "officers.two": _drop_officer,
    "officers.certified": _uncertify,
    "decision.performance": _no_performance,
    "decision.basis": _basis_uncited,
    "party.details": _party_incomplete,
    "delivery.decision": _decision_unserved,
    "delivery.notice": _notice_unserved,
    "decision.remedies": _court_abbreviated,
    "decision.dates": _undated,
    "review.investigation_report": _no_investigation_report,
    "review.defence": _defence_not_rechecked,
    "delivery.decision_late": _served_late,
    "delivery.lien_av": _lien_without_av,
    "procedure.notice": _not_heard,
    "procedure.hearing": _hearing_not_held,
    "procedure.legal_review": _no_legal_review,
    "procedure.discussion": _no_discussion,
    "av.details": _av_undescribed,
    "av.late_reason": _av_late_unexplained,
}


# An unserved 事先告知书 is also a procedure veto (《行政处罚法》第六十二条): both fail, rightly.
ALSO = {"delivery.notice": {"procedure.notice"}}


def test_every_seeded_rule_names_a_registered_check_and_is_tested():
    rules = list(QualityRule.objects.all())
    assert {r.code for r in rules} == set(BREAK) | {"delivery.hearing_notice"}
    for rule in rules:
        assert rule.check_name in CHECKS, rule.code
        assert rule.source and rule.message
        assert (rule.kind == RuleKind.VETO) or rule.points > 0, rule.code


@pytest.mark.parametrize("code", list(BREAK))
def test_each_rule_passes_on_a_complete_file_and_fails_on_one_built_to_fail_it(client, head, code):
    case = complete_case(head)
    rule = QualityRule.objects.get(code=code)
    assert CHECKS[rule.check_name](case).passed, code
    assert case_score(case).score == 100
    BREAK[code](case)
    case.refresh_from_db()
    result = CHECKS[rule.check_name](case)
    assert not result.passed, code
    score = case_score(case)
    failing = {code} | ALSO.get(code, set())
    assert {f.code for f in score.failures} == failing
    rules = QualityRule.objects.filter(code__in=failing)
    vetoed = any(r.kind == RuleKind.VETO for r in rules)
    assert score.score == (0 if vetoed else 100 - sum(r.points for r in rules))
    own = next(f for f in score.failures if f.code == code)
    assert own.url == (result.url or section_url(case.pk, *result.target.split("#")))
    # The link lands on an element of the case page (or the failing record's own page) the
    # case's officer sees.
    client.force_login(CaseOfficer.objects.filter(case=case).first().officer)
    path, _, anchor = own.url.partition("#")
    page = client.get(path)
    assert page.status_code == 200 and (not anchor or f'id="{anchor}"' in page.content.decode()), own.url


def test_a_certificate_lapsing_after_the_case_does_not_uncertify_its_handling(head):
    # 《行政处罚法》第四十二条 is judged on the number held when assigned (CaseOfficer.cert_no).
    case = complete_case(head)
    officer = CaseOfficer.objects.select_related("officer").filter(case=case)[0].officer
    held = officer.cert_no
    assert held and CaseOfficer.objects.get(case=case, officer=officer).cert_no == held
    officer.cert_no = None
    officer.save(update_fields=["cert_no"])
    assert CHECKS["officers_certified"](case).passed


def test_party_details_person_needs_id_number_and_address_but_no_legal_rep(head):
    case = complete_case(head)
    Party.objects.filter(case=case).update(kind="person", legal_rep="", id_number="370102199001011237")
    assert CHECKS["party_details"](case).passed
    Party.objects.filter(case=case).update(address="")
    assert not CHECKS["party_details"](case).passed


def test_a_decision_imposing_no_penalty_needs_no_performance(head):
    case = complete_case(head)
    Decision.objects.filter(case=case).update(outcome=DecisionOutcome.NO_PENALTY_MINOR, performance="")
    assert CHECKS["decision_performance"](case).passed


def test_a_veto_gives_zero_even_with_points_left(head):
    case = complete_case(head)
    _drop_officer(case)
    _no_performance(case)
    score = case_score(case)
    assert score.vetoed and score.score == 0
    assert {f.code for f in score.failures} == {"officers.two", "decision.performance"}


def test_points_come_from_the_row_and_disabled_rules_are_ignored(head):
    case = complete_case(head)
    _no_performance(case)
    _basis_uncited(case)
    assert case_score(case).score == 100 - 5 - 2
    QualityRule.objects.filter(code="decision.performance").update(points=30)
    assert case_score(case).score == 100 - 30 - 2
    QualityRule.objects.filter(code="decision.basis").update(enabled=False)
    score = case_score(case)
    assert score.score == 70 and [f.code for f in score.failures] == ["decision.performance"]
    _drop_officer(case)
    QualityRule.objects.filter(code="officers.two").update(enabled=False)
    assert case_score(case).score == 70


def test_panel_shows_score_and_links_from_decided_on_and_hides_before(client, head):
    case = complete_case(head)
    _no_performance(case)
    officer = CaseOfficer.objects.filter(case=case).first().officer
    client.force_login(officer)
    html = section_html(client, case, "archive")
    assert 'id="panel-quality"' in html
    assert "评查得分：<strong>95</strong>" in html
    assert f'href="{section_url(case.pk, "review", "panel-review")}"' in html
    assert "处罚决定书未载明履行方式和期限" in html
    assert 'id="volume-pdf"' not in html  # the 案卷 volume is for the archivist and the head
    client.force_login(head)
    link = f'href="/archive/case/{case.pk}/volume.pdf"'
    assert link not in section_html(client, case, "archive")  # served, not concluded: no case file yet
    Case.objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED, concluded_at=timezone.now())
    assert link in section_html(client, case, "archive")  # 已结案: the draft volume, for review
    client.force_login(officer)
    early = CaseFactory(state=CaseState.INVESTIGATING, officers=[officer, UserFactory(roles=[Role.OFFICER])])
    assert 'id="panel-quality"' not in section_html(client, early, "archive")
    licensing = CaseFactory(
        kind=CaseKind.LICENSING,
        origin=CaseOrigin.APPLICATION,
        state=CaseState.DECIDED,
        officers=[officer, UserFactory(roles=[Role.OFFICER])],
    )
    assert 'id="panel-quality"' not in section_html(client, licensing, "archive")


def test_outsiders_still_get_404(client, head):
    case = complete_case(head)
    outsider = UserFactory(roles=[Role.OFFICER])
    client.force_login(outsider)
    assert client.get(section_url(case.pk, "archive")).status_code == 404


def test_hearing_notice_rule_fails_while_a_scheduled_hearing_notice_is_unserved(head):
    complete = complete_case(head)
    assert CHECKS["hearing_notice_served"](complete).passed  # no hearing: nothing to serve
    case = case_under_review()
    h = schedule(_requested(case))
    assert h.notice_document_id is not None and h.notice_served_on is None
    assert not CHECKS["hearing_notice_served"](case).passed
    assert "delivery.hearing_notice" in [f.code for f in case_score(case).failures]
    Hearing.objects.filter(pk=h.pk).update(notice_served_on=h.scheduled_at.date())
    assert CHECKS["hearing_notice_served"](case).passed


def test_procedure_vetoes_judge_the_signed_decision_not_a_draft(head):
    # A draft under review, the party not yet notified: the review's own checks stop the
    # decision; the file's vetoes wait for the head's signature.
    case = in_review(legal=False)
    _sheet(case, situations=[LegalReviewSituation.COMPLEX], discussion_required=True)
    for name in ("party_notified_and_heard", "hearing_held", "legal_review_done", "discussion_done"):
        assert CHECKS[name](case).passed, name
    assert not {f.code for f in case_score(case).failures} & {"procedure.notice", "procedure.legal_review"}


def _described(case: Any, **values: Any) -> AVRecord:
    details = {
        "method": "执法记录仪现场录制",
        "made_at": timezone.now(),
        "maker": case.created_by,
        "proves": "现场检查时当事人在场及生产经营场所状况",
    }
    return AVRecord.objects.create(
        case=case,
        filename="现场检查录像.mp4",
        original_key="originals/x",
        sha256="0" * 64,
        stored_at=timezone.now(),
        **{**details, **values},
    )


def test_av_details_pass_for_described_records_and_fail_linking_to_the_one_that_is_not(head):
    # 第二十六条: 制作方法、制作时间、制作人、证明对象; sound also its text.
    case = complete_case(head)
    _described(case)
    _described(case, kind=MediaKind.AUDIO, transcript="执法人员：请出示营业执照。")
    assert case_score(case).score == 100
    for missing in ({"method": ""}, {"proves": "  "}, {"maker": None}, {"kind": MediaKind.AUDIO, "transcript": ""}):
        bare = _described(case, **missing)
        (failure,) = case_score(case).failures
        assert failure.code == "av.details" and failure.source == "第二十六条", missing
        assert failure.url == bare.get_absolute_url()
        assert case_score(case).score == 100 - QualityRule.objects.get(code="av.details").points
        bare.delete()


def test_av_late_reason_fails_for_a_record_stored_late_without_a_reason_and_passes_with_one(head):
    # 第二十七条: stored past the two working days, the delay is explained in writing.
    case = complete_case(head)
    _described(case)  # stored in time: nothing to explain
    late = _described(case, late=True, late_reason="  ")
    (failure,) = case_score(case).failures
    assert (failure.code, failure.source, failure.url) == ("av.late_reason", "第二十七条", late.get_absolute_url())
    assert case_score(case).score == 100 - QualityRule.objects.get(code="av.late_reason").points
    late.late_reason = "执法记录仪电量耗尽，次日充电后方能导出"
    late.save(update_fields=["late_reason"])
    assert case_score(case).score == 100 and not case_score(case).failures
