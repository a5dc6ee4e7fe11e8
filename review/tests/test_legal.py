"""法制审核 (《行政处罚法》第五十八条), 专家论证 and 集体讨论 (第五十七条第二款): the switch, the
reviewer's qualification and independence, the seven points, and the decision checks that
`decide` runs (review.checks.decision_refusals)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases import requirements
from cases.models import CaseState, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from review.checks import decision_refusals
from review.legal import discussion_record, expert_opinion_add, legal_review_record, review_sheet_save
from review.models import (
    DecisionOutcome,
    LegalFinding,
    LegalReview,
    LegalReviewPoint,
    LegalReviewSituation,
    PenaltyKind,
)

from .legal_helpers import all_sound, draft_decision, now, penalty_case, qualified_reviewer, tick

pytestmark = pytest.mark.django_db
SIT = LegalReviewSituation


def _review(case, by, outcome=SignOffOutcome.AGREE, findings=None, opinion="经审核，事实清楚，证据充分，同意。"):
    return legal_review_record(
        case_id=case.pk, by=by, findings=findings or all_sound(), outcome=outcome, opinion=opinion
    )


def test_ticked_situation_makes_legal_review_mandatory(head):
    case = penalty_case()
    officer = case.created_by
    tick(case, officer, SIT.PUBLIC_INTEREST)
    decision = draft_decision(case)
    refusals = decision_refusals(case, decision)
    assert any("第五十八条" in r and "涉及重大公共利益" in r for r in refusals)
    # The checklist line of leaving 待决定 is missing too.
    assert "review.legal_review" in [r.code for r in requirements.missing(case, CaseState.PENDING_DECISION)]

    review = _review(case, qualified_reviewer())
    assert review.passed and review.qualification_no == "A20213713000123"
    assert not [r for r in decision_refusals(case, decision) if "第五十八条" in r]
    assert "review.legal_review" not in [r.code for r in requirements.missing(case, CaseState.PENDING_DECISION)]


def test_unticked_sheet_needs_no_legal_review():
    case = penalty_case()
    tick(case, case.created_by)  # answered: none of the four situations
    decision = draft_decision(case)
    assert decision_refusals(case, decision) == []
    item = next(i for i in requirements.checklist(case) if i.requirement.code == "review.legal_review")
    assert item.status == "na"


def test_failed_review_refuses_the_decision_and_a_new_round_can_pass():
    case = penalty_case()
    tick(case, case.created_by, SIT.COMPLEX)
    reviewer = qualified_reviewer()
    findings = all_sound()
    findings[LegalReviewPoint.FACTS] = {"finding": LegalFinding.FLAWED, "note": "违法所得数额证据不足。"}
    failed = _review(case, reviewer, SignOffOutcome.RETURN, findings, "证据不足，退回补充。")
    assert not failed.passed
    decision = draft_decision(case)
    assert any("法制审核未通过" in r and "第五十八条" in r for r in decision_refusals(case, decision))
    # The RETURN closed the round: the next review is a new round of the step.
    second = _review(case, reviewer)
    assert second.signoff.round == failed.signoff.round + 1
    assert not [r for r in decision_refusals(case, decision) if "第五十八条" in r]


def test_review_is_a_signoff_row_and_audited():
    case = penalty_case()
    review = _review(case, qualified_reviewer())
    row = SignOff.objects.get(pk=review.signoff_id)
    assert (row.step, row.level, row.outcome) == (SignOffStep.LEGAL_REVIEW, "legal", SignOffOutcome.AGREE)
    entry = Entry.objects.filter(action="review.legal_reviewed", case_id=case.pk).get()
    assert entry.data["findings"][LegalReviewPoint.CRIME]["finding"] == LegalFinding.SOUND


def test_first_time_reviewer_without_qualification_is_refused():
    case = penalty_case()
    novice = UserFactory(username="novice", roles=[Role.LEGAL_REVIEWER])
    with pytest.raises(TransitionDenied, match="第五十八条第二款"):
        _review(case, novice)
    assert not LegalReview.objects.exists() and not SignOff.objects.filter(step=SignOffStep.LEGAL_REVIEW).exists()
    # Reviewing since before 2021-07-15: not a first-time reviewer.
    veteran = qualified_reviewer("veteran", qualification="", since=dt.date(2019, 3, 1))
    assert _review(case, veteran).qualification_no == ""
    # Started after the article took effect: needs the qualification.
    late = qualified_reviewer("late", qualification="", since=dt.date(2022, 1, 1))
    with pytest.raises(TransitionDenied, match="法律职业资格"):
        _review(penalty_case(), late)


def test_reviewer_who_is_an_officer_of_the_case_is_refused():
    case = penalty_case()
    both = UserFactory(username="both", department=case.department, roles=[Role.OFFICER, Role.LEGAL_REVIEWER])
    both.legal_qualification_no = "A2021000001"
    both.save()
    with pytest.raises(TransitionDenied, match="本案执法人员"):
        _review(case, both)
    with pytest.raises(TransitionDenied, match="法制审核人员"):
        _review(case, case.created_by)


def test_every_point_needs_a_finding_and_a_flawed_point_cannot_pass():
    case = penalty_case()
    reviewer = qualified_reviewer()
    for point in LegalReviewPoint:
        findings = all_sound()
        del findings[point.value]
        with pytest.raises(TransitionError, match=point.label):
            _review(case, reviewer, findings=findings)
    findings = all_sound()
    findings[LegalReviewPoint.AUTHORITY] = {"finding": LegalFinding.FLAWED, "note": ""}
    with pytest.raises(TransitionError, match="请写明存在的问题"):
        _review(case, reviewer, findings=findings)
    findings[LegalReviewPoint.AUTHORITY]["note"] = "超越法定权限。"
    with pytest.raises(TransitionError, match="不能通过"):
        _review(case, reviewer, SignOffOutcome.AGREE, findings)
    assert not LegalReview.objects.exists()


def test_legal_review_only_under_review():
    case = penalty_case(state=CaseState.INVESTIGATING)
    with pytest.raises(TransitionError, match="审查中"):
        _review(case, qualified_reviewer())


def test_other_situation_needs_its_basis():
    case = penalty_case()
    with pytest.raises(TransitionError, match="第五十八条第一款第四项"):
        tick(case, case.created_by, SIT.OTHER_BY_LAW)
    sheet = tick(case, case.created_by, SIT.OTHER_BY_LAW, SIT.PUBLIC_INTEREST, other_basis="《某条例》第十条")
    assert sheet.situations == [SIT.PUBLIC_INTEREST, SIT.OTHER_BY_LAW]  # the article's order


def test_sheet_is_required_before_leaving_review():
    case = penalty_case()
    assert "review.legal_situations" in [r.code for r in requirements.missing(case, CaseState.UNDER_REVIEW)]
    tick(case, case.created_by)
    assert "review.legal_situations" not in [r.code for r in requirements.missing(case, CaseState.UNDER_REVIEW)]


def test_outsider_cannot_tick(officer):
    case = penalty_case()  # another department
    with pytest.raises(TransitionDenied):
        review_sheet_save(case_id=case.pk, by=officer, situations=[])


# --- 专家论证 -----------------------------------------------------------------------------


def test_expert_argumentation_where_required():
    case = penalty_case()
    tick(case, case.created_by, expert_required=True, expert_reason="涉及专业技术认定")
    decision = draft_decision(case)
    assert any("专家论证" in r for r in decision_refusals(case, decision))
    with pytest.raises(TransitionError, match="晚于今天"):
        expert_opinion_add(
            case_id=case.pk,
            by=case.created_by,
            held_on=dt.date.today() + dt.timedelta(days=2),
            expert_name="王教授",
            expert_title="山东大学 教授",
            opinion="技术指标不达标。",
        )
    expert_opinion_add(
        case_id=case.pk,
        by=case.created_by,
        held_on=dt.date.today(),
        expert_name="王教授",
        expert_title="山东大学 教授",
        opinion="技术指标不达标。",
    )
    assert not [r for r in decision_refusals(case, decision) if "专家论证" in r]


# --- 集体讨论 -----------------------------------------------------------------------------

OPINIONS = [
    ("王局长", "局长", "同意给予罚款。"),
    ("李副局长", "副局长", "同意，建议从轻。"),
    ("赵副局长", "副局长", "同意。"),
]


def _discuss(case, by, chair, outcome=DecisionOutcome.PENALTY, opinions=OPINIONS, **kw):
    return discussion_record(
        case_id=case.pk,
        by=by,
        held_at=kw.get("held_at", now() - dt.timedelta(hours=1)),
        place="局三楼会议室",
        chair=chair,
        recorder="孙记录",
        outcome=outcome,
        conclusion="经集体讨论，决定给予行政处罚。",
        opinions=opinions,
    )


def test_discussion_required_by_the_switch(head):
    case = penalty_case()
    tick(case, case.created_by, discussion_required=True, discussion_reason="案情复杂")
    decision = draft_decision(case)
    assert any("第五十七条第二款" in r and "尚无集体讨论" in r for r in decision_refusals(case, decision))
    assert "review.discussion" in [r.code for r in requirements.missing(case, CaseState.PENDING_DECISION)]
    row = _discuss(case, qualified_reviewer(), head)
    assert [(o.order, o.participant) for o in row.opinions.all()] == [(1, "王局长"), (2, "李副局长"), (3, "赵副局长")]
    assert decision_refusals(case, decision) == []
    assert Entry.objects.filter(action="review.discussed", case_id=case.pk).get().data["opinions"][1]["opinion"] == (
        "同意，建议从轻。"
    )


def test_heavy_penalty_needs_a_discussion_without_the_switch(head, settings):
    settings.COLLECTIVE_DISCUSSION_FINE_YUAN = 50_000
    case = penalty_case()
    tick(case, case.created_by)
    light = draft_decision(case)
    assert decision_refusals(case, light) == []
    light.fine_yuan = Decimal("50000")
    assert any("第五十七条第二款" in r for r in decision_refusals(case, light))
    light.fine_yuan, light.kinds = Decimal("100"), [PenaltyKind.ORDER_CLOSURE]
    assert any("第五十七条第二款" in r for r in decision_refusals(case, light))


@pytest.mark.parametrize(
    "outcome",
    [
        DecisionOutcome.PENALTY,
        DecisionOutcome.NO_PENALTY_MINOR,
        DecisionOutcome.NO_PENALTY_UNPROVEN,
        DecisionOutcome.TRANSFER,
    ],
)
def test_each_of_the_four_outcomes_and_a_mismatch(head, outcome):
    case = penalty_case()
    _discuss(case, head, head, outcome=outcome)
    assert decision_refusals(case, draft_decision(case, outcome)) == []
    other = DecisionOutcome.NO_PENALTY_MINOR if outcome == DecisionOutcome.PENALTY else DecisionOutcome.PENALTY
    case.decision.delete()
    refusals = decision_refusals(case, draft_decision(case, other))
    assert any("不一致" in r and DecisionOutcome(outcome).label in r for r in refusals)


def test_discussion_refusals(head):
    case = penalty_case()
    reviewer = qualified_reviewer()
    with pytest.raises(TransitionError, match="机关负责人主持"):
        _discuss(case, reviewer, reviewer)
    with pytest.raises(TransitionError, match="至少两名"):
        _discuss(case, reviewer, head, opinions=OPINIONS[:1])
    with pytest.raises(TransitionError, match="第2位发言"):
        _discuss(case, reviewer, head, opinions=[OPINIONS[0], ("李副局长", "副局长", "")])
    with pytest.raises(TransitionError, match="第五十七条"):
        _discuss(case, reviewer, head, outcome=DecisionOutcome.LICENCE_GRANT)
    with pytest.raises(TransitionError, match="晚于当前时间"):
        _discuss(case, reviewer, head, held_at=now() + dt.timedelta(days=1))
    with pytest.raises(TransitionDenied):
        _discuss(case, case.created_by, head)


def test_officers_cannot_lift_the_mandatory_review(head):
    case = penalty_case()
    tick(case, case.created_by, SIT.PUBLIC_INTEREST, SIT.COMPLEX)
    with pytest.raises(TransitionDenied, match="只能由法规科或机关负责人取消"):
        tick(case, case.created_by, SIT.COMPLEX)
    assert case.review_sheet.situations == [SIT.PUBLIC_INTEREST, SIT.COMPLEX]
    assert tick(case, head, SIT.COMPLEX).situations == [SIT.COMPLEX]
    entry = Entry.objects.filter(action="review.sheet_saved", case_id=case.pk).order_by("-pk").first()
    assert entry.data["before"]["situations"] == [SIT.PUBLIC_INTEREST, SIT.COMPLEX]


def test_expert_argumentation_before_the_case_was_filed_is_refused():
    case = penalty_case()
    filed = timezone.localdate(case.filed_at)
    with pytest.raises(TransitionError, match="论证日期：日期不能早于立案（受理）日期"):
        expert_opinion_add(
            case_id=case.pk,
            by=case.created_by,
            held_on=filed - dt.timedelta(days=400),
            expert_name="王教授",
            expert_title="山东大学 教授",
            opinion="技术指标不达标。",
        )


def test_the_demo_has_one_reviewer_qualified_for_legal_review_and_one_not():
    # 第五十八条第二款: in the demo the 法制审核 can be tried (reviewer) and its refusal seen (reviewer2).
    import io

    from accounts import demo
    from review.legal import first_time_unqualified

    users = demo.seed(io.StringIO())
    assert not first_time_unqualified(users["reviewer"])
    assert first_time_unqualified(users["reviewer2"])
