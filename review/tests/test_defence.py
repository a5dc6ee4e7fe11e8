"""第十四条: the 行政处罚事先告知书 (《行政处罚法》第四十四、四十五条), the hearing right (第六十三条),
statement and defence with the re-check, waiver, lapse; the decision checks of 第四十五、六十二条."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import Entry
from cases.stages import TransitionDenied, TransitionError
from cases.tests.factories import CaseFactory
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind
from documents.registry import DocTypeCode
from review import defence
from review.checks import decision_refusals
from review.models import Decision, DecisionOutcome, PenaltyKind
from review.models_defence import Defence, DefenceOutcome, PenaltyNotice, WaiverForm
from review.tests import path
from review.tests.defence_helpers import (
    NOTICE,
    backdate,
    case_under_review,
    heard_codes,
    issue,
    officer_of,
    pdf_text,
    serve,
)

pytestmark = pytest.mark.django_db


# --- 第六十三条: the hearing right ----------------------------------------------------------------


def test_hearing_right_thresholds_per_party_kind_and_the_kinds_that_always_give_it():
    F = PenaltyKind.FINE
    assert defence.hearing_right(False, [F], Decimal("99999.99"), None) == (False, [])
    right, why = defence.hearing_right(False, [F], Decimal("100000"), None)
    assert right and "第六十三条第一款第（一）项" in why[0]
    assert defence.hearing_right(True, [F], Decimal("10000"), None)[0]
    assert not defence.hearing_right(True, [F], Decimal("9999"), None)[0]
    # Confiscation counts only with a confiscation kind.
    assert not defence.hearing_right(True, [PenaltyKind.WARNING], None, Decimal("50000"))[0]
    assert defence.hearing_right(True, [PenaltyKind.CONFISCATE_GAINS], None, Decimal("50000"))[0]
    for kind in (
        PenaltyKind.DOWNGRADE_QUALIFICATION,
        PenaltyKind.REVOKE_LICENCE,
        PenaltyKind.ORDER_SUSPENSION,
        PenaltyKind.ORDER_CLOSURE,
        PenaltyKind.RESTRICT_EMPLOYMENT,
        PenaltyKind.RESTRICT_ACTIVITIES,
    ):
        right, why = defence.hearing_right(True, [kind], None, None)
        assert right and "第六十三条" in why[0], kind
    assert defence.hearing_right(False, [PenaltyKind.WARNING, PenaltyKind.CRITICISM], None, None) == (False, [])


@override_settings(REVIEW_HEARING_FINE_ORGANISATION_YUAN=200_000)
def test_hearing_thresholds_are_settings():
    assert not defence.hearing_right(False, [PenaltyKind.FINE], Decimal("150000"), None)[0]


# --- the notice -----------------------------------------------------------------------------------


def test_notice_is_issued_to_the_party_with_its_rights_and_pdf(django_capture_on_commit_callbacks):
    case = case_under_review()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issue(case)
    assert notice.party == case.parties.first()
    assert notice.hearing_right and notice.defence_days == 5
    assert notice.document.doc_type == DocTypeCode.PENALTY_NOTICE
    assert Entry.objects.filter(action="review.notice_issued", case_id=case.pk).exists()
    text = pdf_text(notice.document)
    for part in (
        "行政处罚事先告知书",
        "临沂市华科新材料有限公司：",
        "研发费用材料",
        "询问笔录",
        "第三十条第一款第（二）项",
        "警告、罚款",
        "150,000.00元",
        "陈述权、申辩权",
        "5个工作日内",
        "有权要求举行听证",
        "第六十三条第一款第（一）项",
    ):
        assert part in text, part


def test_notice_without_hearing_right_says_nothing_of_a_hearing(django_capture_on_commit_callbacks):
    case = case_under_review()
    with django_capture_on_commit_callbacks(execute=True):
        notice = issue(case, kinds=[PenaltyKind.WARNING], fine_yuan=None, content="拟给予警告。")
    assert not notice.hearing_right
    text = pdf_text(notice.document)
    assert "陈述权、申辩权" in text and "听证" not in text


@pytest.mark.parametrize(
    "field, empty, named",
    [
        ("facts", "", "违法事实"),
        ("evidence", " ", "证据"),
        ("basis", "", "法律依据"),
        ("basis", "《中华人民共和国科学技术进步法》", "具体条款"),
        ("kinds", [], "拟处罚种类"),
        ("fine_yuan", None, "拟罚款金额"),
        ("content", "", "拟处罚内容"),
    ],
)
def test_each_empty_element_is_refused_naming_it(field, empty, named):
    case = case_under_review()
    with pytest.raises(TransitionError, match="第四十四条") as exc:
        issue(case, **{field: empty})
    assert named in str(exc.value)
    assert not case.penalty_notices.exists()


def test_notice_needs_a_party_of_the_case():
    case = case_under_review()
    other = case_under_review()
    with pytest.raises(TransitionError, match="当事人"):
        defence.notice_issue(case_id=case.pk, by=officer_of(case), party_id=other.parties.first().pk, **NOTICE)


def test_notice_only_by_the_case_officers_while_under_review(reviewer):
    case = case_under_review()
    with pytest.raises(TransitionDenied):
        defence.notice_issue(case_id=case.pk, by=reviewer, party_id=case.parties.first().pk, **NOTICE)
    investigating = CaseFactory()
    with pytest.raises(TransitionError, match="调查取证"):
        defence.notice_issue(case_id=investigating.pk, by=investigating.created_by, party_id=None, **NOTICE)


# --- service and the periods ------------------------------------------------------------------------


def test_service_opens_defence_and_hearing_request_periods_from_the_service_date():
    case = case_under_review()
    notice = backdate(issue(case), 3)
    served = timezone.localdate() - dt.timedelta(days=1)
    serve(notice, served)
    due = {d.kind: d for d in Deadline.objects.filter(case=case, met_at__isnull=True)}
    assert timezone.localtime(due[DeadlineKind.DEFENCE].due).date() == add_working_days(served, 5).date
    assert timezone.localtime(due[DeadlineKind.HEARING_REQUEST].due).date() == add_working_days(served, 5).date
    assert Entry.objects.filter(action="review.notice_served", case_id=case.pk).exists()
    with pytest.raises(TransitionError, match="不能重复送达"):
        serve(notice)


def test_service_date_not_in_the_future_nor_before_the_notice():
    case = case_under_review()
    notice = issue(case)
    with pytest.raises(TransitionError, match="不能晚于今天"):
        serve(notice, timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="不能早于文书制作日期"):
        serve(notice, timezone.localdate() - dt.timedelta(days=1))


def test_no_hearing_request_period_without_the_right():
    case = case_under_review()
    serve(issue(case, kinds=[PenaltyKind.WARNING], fine_yuan=None))
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.HEARING_REQUEST).exists()


# --- statement, defence, re-check; waiver; lapse ------------------------------------------------------


POINTS = [
    {"point": "研发费用系会计差错，并非故意。", "adopted": False, "reason": "财务凭证显示多次虚构，不属于差错。"},
    {"point": "已主动退回项目资金。", "adopted": True, "reason": "有退款凭证，可作为从轻情节。"},
]


def test_defence_is_recorded_point_by_point_and_meets_the_period():
    case = case_under_review()
    notice = serve(issue(case))
    d = defence.defence_record(
        notice_id=notice.pk, by=officer_of(case), received_on=timezone.localdate(), form="书面申辩材料", points=POINTS
    )
    assert d.outcome == DefenceOutcome.STATED
    assert [(p.position, p.adopted) for p in d.points.all()] == [(1, False), (2, True)]
    assert Deadline.objects.get(case=case, kind=DeadlineKind.DEFENCE).met_at is not None
    assert Entry.objects.filter(action="review.defence_recorded", case_id=case.pk).exists()
    with pytest.raises(TransitionError, match="不能重复记录"):
        defence.defence_waive(
            notice_id=notice.pk,
            by=officer_of(case),
            received_on=timezone.localdate(),
            waiver_form=WaiverForm.WRITTEN,
            waiver_note="x",
        )


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"point": ""}, "第1项陈述申辩意见为空"),
        ({"adopted": None}, "第四十五条.*是否采纳"),
        ({"reason": " "}, "第四十五条.*复核意见"),
    ],
)
def test_each_point_needs_its_recheck(bad, match):
    case = case_under_review()
    notice = serve(issue(case))
    with pytest.raises(TransitionError, match=match):
        defence.defence_record(
            notice_id=notice.pk,
            by=officer_of(case),
            received_on=timezone.localdate(),
            form="当面陈述",
            points=[{**POINTS[0], **bad}],
        )
    assert not Defence.objects.exists()


def test_defence_needs_the_service_first():
    case = case_under_review()
    notice = issue(case)
    with pytest.raises(TransitionError, match="告知书尚未送达"):
        defence.defence_record(
            notice_id=notice.pk, by=officer_of(case), received_on=timezone.localdate(), form="书面", points=POINTS
        )


def test_waiver_records_how_it_was_given():
    case = case_under_review()
    notice = serve(issue(case))
    with pytest.raises(TransitionError, match="放弃陈述申辩的情况"):
        defence.defence_waive(
            notice_id=notice.pk,
            by=officer_of(case),
            received_on=timezone.localdate(),
            waiver_form=WaiverForm.WRITTEN,
            waiver_note="",
        )
    d = defence.defence_waive(
        notice_id=notice.pk,
        by=officer_of(case),
        received_on=timezone.localdate(),
        waiver_form=WaiverForm.WRITTEN,
        waiver_note="当事人提交书面声明，明确放弃陈述、申辩。",
    )
    assert d.outcome == DefenceOutcome.WAIVED


def test_lapse_only_after_the_working_day_period_has_passed():
    case = case_under_review()
    notice = serve(issue(case))
    due = add_working_days(timezone.localdate(), 5).date
    with pytest.raises(TransitionError, match=f"{due.year}年{due.month}月{due.day}日届满"):
        defence.defence_lapse(notice_id=notice.pk, by=officer_of(case))

    old = backdate(issue(case), 30)
    serve(old, timezone.localdate() - dt.timedelta(days=20))
    d = defence.defence_lapse(notice_id=old.pk, by=officer_of(case))
    assert d.outcome == DefenceOutcome.LAPSED
    assert Deadline.objects.get(kind=DeadlineKind.DEFENCE, object_id=old.pk).met_at is not None


# --- the checklist (requirements_defence) -----------------------------------------------------------


def _codes(case) -> list[str]:
    return heard_codes(case)


def test_checklist_asks_for_notice_service_and_defence_in_turn():
    case = case_under_review()
    assert _codes(case) == ["review.notice", "review.notice_served", "review.defence"]
    notice = issue(case)
    assert _codes(case) == ["review.notice_served", "review.defence"]
    serve(notice)
    assert _codes(case) == ["review.defence"]
    defence.defence_record(
        notice_id=notice.pk, by=officer_of(case), received_on=timezone.localdate(), form="书面", points=POINTS
    )
    assert _codes(case) == []


def test_a_drafted_no_penalty_decision_needs_no_notice():
    case = case_under_review()
    Decision.objects.create(case=case, outcome=DecisionOutcome.NO_PENALTY_MINOR, drafted_by=officer_of(case))
    assert _codes(case) == []


# --- decision checks: 《行政处罚法》第六十二条 and 第四十五条 -------------------------------------------


def _decision(case, **kw) -> Decision:
    data = {"outcome": DecisionOutcome.PENALTY, "kinds": [PenaltyKind.WARNING, PenaltyKind.FINE], "fine_yuan": 150000}
    return Decision(case=case, drafted_by=officer_of(case), **{**data, **kw})


def test_art_62_no_penalty_decision_before_notice_service_and_hearing_the_party():
    case = case_under_review()
    path.discussed(case)  # the 150,000 yuan fine is heavy (第五十七条第二款): not the subject here
    assert any("第四十四条" in r and "事先告知书" in r for r in decision_refusals(case, _decision(case)))
    notice = issue(case)
    assert any("第六十二条" in r and "未送达" in r for r in decision_refusals(case, _decision(case)))
    serve(notice)
    assert any("第六十二条" in r and "未听取" in r for r in decision_refusals(case, _decision(case)))
    defence.defence_record(
        notice_id=notice.pk, by=officer_of(case), received_on=timezone.localdate(), form="书面", points=POINTS
    )
    assert decision_refusals(case, _decision(case)) == []


def test_art_62_a_no_penalty_outcome_needs_no_notice():
    case = case_under_review()
    for outcome in (DecisionOutcome.NO_PENALTY_MINOR, DecisionOutcome.NO_PENALTY_UNPROVEN, DecisionOutcome.TRANSFER):
        assert decision_refusals(case, _decision(case, outcome=outcome, kinds=[], fine_yuan=None)) == []


def test_art_45_no_heavier_decision_than_the_notice():
    case = case_under_review()
    path.discussed(case)  # the 150,000 yuan fine is heavy (第五十七条第二款): not the subject here
    notice = serve(issue(case))
    defence.defence_record(
        notice_id=notice.pk, by=officer_of(case), received_on=timezone.localdate(), form="书面", points=POINTS
    )
    assert decision_refusals(case, _decision(case, fine_yuan=Decimal("100000"))) == []
    heavier = decision_refusals(case, _decision(case, fine_yuan=Decimal("150000.01")))
    assert heavier and "《行政处罚法》第四十五条" in heavier[0] and "高于告知的150,000.00元" in heavier[0]
    other_kind = decision_refusals(case, _decision(case, kinds=[PenaltyKind.FINE, PenaltyKind.REVOKE_LICENCE]))
    assert other_kind and "第四十五条" in other_kind[0] and "吊销许可证件" in other_kind[0]


def test_the_same_notice_submitted_twice_before_service_is_one_notice():
    # A double click on 制作: one notice, one document number; a changed notice is a new one.
    case = case_under_review()
    first = issue(case)
    again = issue(case)
    assert again.pk == first.pk
    assert PenaltyNotice.objects.filter(case=case).count() == 1
    changed = issue(case, content="拟给予警告。", kinds=["warning"], fine_yuan=None)
    assert changed.pk != first.pk and PenaltyNotice.objects.filter(case=case).count() == 2
