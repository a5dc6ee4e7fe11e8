"""The core of 第四章: 第十三条 审理/审核/批准 as sign-off rows, returns, claims, complete_review,
decide (第十六条) with its checks and its document, the draft's rules, each requirement
omitted in turn."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import CaseKind, CaseOrigin, CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from cases.tests.factories import CaseFactory, PartyFactory
from cases.tests.pages import section_html
from deadlines.models import DeadlineKind
from deadlines.services import deadline_open
from documents.registry import DocTypeCode
from documents.tests.test_services import pdf_text
from review import actions, checks, selectors
from review.models import Decision, DecisionOutcome, PenaltyKind, ReviewClaim, ReviewTask
from review.tests import path

pytestmark = pytest.mark.django_db

S = CaseState

PENALTY_DRAFT: dict[str, Any] = {
    "outcome": DecisionOutcome.PENALTY,
    "facts": "当事人在2026年度科技项目申报中提供虚假的研发费用材料。",
    "evidence": "1.询问笔录一份；2.现场检查笔录一份；3.申报材料复印件。",
    "basis": "《山东省科学技术奖励办法》第三十二条第一款第（二）项",
    "kinds": [PenaltyKind.WARNING, PenaltyKind.FINE],
    "fine_yuan": Decimal("20000"),
    "confiscation_yuan": None,
    "content": "给予警告，并处罚款人民币贰万元。",
    "performance": "自收到本决定书之日起十五日内到指定银行缴纳罚款。",
}


@pytest.fixture
def reviewer2(db: Any) -> Any:
    return UserFactory(username="reviewer2", last_name="赵", first_name="敏", roles=[Role.LEGAL_REVIEWER])


@pytest.fixture
def head2(db: Any) -> Any:
    return UserFactory(username="head2", last_name="孙", first_name="强", roles=[Role.HEAD])


def in_review(
    *, kind: str = CaseKind.PENALTY, draft: dict[str, Any] | None = None, legal: bool = True, **kw: Any
) -> Any:
    """A case in 审查中 with a party and (unless draft={}) a complete decision draft; unless
    legal=False, the party heard and the 第五十八条 sheet saved (review/tests/path.py)."""
    if kind == CaseKind.LICENSING:
        kw.setdefault("origin", CaseOrigin.APPLICATION)
    case: Any = CaseFactory(state=S.UNDER_REVIEW, kind=kind, **kw)
    PartyFactory(case=case, name="临沂市蒙山科技有限公司", address="临沂市兰山区蒙山大道1号")
    if draft is None:
        draft = PENALTY_DRAFT
    if draft:
        actions.decision_save(case_id=case.pk, by=case.created_by, **draft)
    actions.review_round_open(case, case.created_by)  # as review_submit does (第十条's records aside)
    if legal:
        path.legal_path(case)
    return case


def reviewed(case: Any, reviewer: Any, reviewer2: Any) -> Any:
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="事实清楚，证据确实充分，同意拟处理意见。")
    actions.review_sign(case_id=case.pk, by=reviewer2, opinion="经审核，程序合法，适用依据正确。")
    return actions.review_complete(case_id=case.pk, by=reviewer2)


def decided(case: Any, reviewer: Any, reviewer2: Any, head: Any) -> Decision:
    reviewed(case, reviewer, reviewer2)
    actions.review_sign(case_id=case.pk, by=head, opinion="同意审查意见。")
    return actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")


# --- the whole path and the document ----------------------------------------------------------


def test_penalty_path_signs_each_level_and_issues_the_decision_with_art59_elements(
    reviewer, reviewer2, head, django_capture_on_commit_callbacks
):
    case = in_review()
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="行政处罚决定",
        start=timezone.now(),
        days=90,
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision = decided(case, reviewer, reviewer2, head)
    case.refresh_from_db()
    decision.refresh_from_db()
    assert case.state == S.DECIDED and case.decided_at is not None
    assert decision.decided_by == head and decision.decided_at is not None
    rows = {(r.step, r.level): r for r in SignOff.objects.filter(case=case)}
    assert rows[(SignOffStep.EXAMINATION, Level.LEGAL)].actor == reviewer
    assert rows[(SignOffStep.REVIEW, Level.LEGAL)].actor == reviewer2
    assert rows[(SignOffStep.REVIEW, Level.HEAD)].actor == head
    assert rows[(SignOffStep.DECISION, Level.HEAD)].opinion == "同意，签发。"
    assert case.deadlines.get(kind=DeadlineKind.PENALTY_DECISION).met_at is not None
    doc = decision.document
    assert doc.doc_type == DocTypeCode.PENALTY_DECISION and doc.number.startswith("临科罚决〔")
    text = pdf_text(doc).replace("\n", "")
    for element in (
        "行政处罚决定书",
        "临沂市蒙山科技有限公司",  # (一) name
        "临沂市兰山区蒙山大道1号",  # (一) address
        "提供虚假的研发费用材料",  # (二) facts
        "询问笔录一份",  # (二) evidence
        "第三十二条第一款第（二）项",  # (三) basis
        "警告、罚款",  # (三) kinds
        "人民币20,000.00元",
        "十五日内",  # (四) performance; 第六十七条
        "六十日内向临沂市人民政府申请行政复议",  # (五) remedies
        "六个月内依法向临沂市兰山区人民法院提起行政诉讼",
        "临沂市科学技术局（印章）",  # (六) agency, seal
        f"{timezone.localdate().year}年",  # (六) date
    ):
        assert element in text, element
    assert Entry.objects.filter(case_id=case.pk, action="case.decide").exists()
    assert Entry.objects.filter(case_id=case.pk, action="review.decision_made").exists()


def test_decision_text_names_the_party_once_and_the_remedies_heading_once(
    reviewer, reviewer2, head, django_capture_on_commit_callbacks
):
    # A title that starts with the party's name and ends with 案, as officers write them.
    case = in_review(title="临沂市蒙山科技有限公司涉嫌虚报研发费用案")
    with django_capture_on_commit_callbacks(execute=True):
        decision = decided(case, reviewer, reviewer2, head)
    decision.refresh_from_db()
    text = pdf_text(decision.document).replace("\n", "")
    assert "当事人临沂市蒙山科技有限公司涉嫌虚报研发费用一案" in text
    assert "临沂市蒙山科技有限公司临沂市蒙山科技有限公司" not in text and "案一案" not in text
    assert text.count("救济途径和期限") == 1 and "五、救济途径和期限：当事人如不服本决定" in text


@pytest.mark.parametrize(
    "outcome, doc_type, words",
    [
        (DecisionOutcome.NO_PENALTY_MINOR, DocTypeCode.NO_PENALTY_DECISION, ("不予行政处罚", "临沂市人民政府")),
        (DecisionOutcome.NO_PENALTY_UNPROVEN, DocTypeCode.NO_PENALTY_DECISION, ("违法事实不能成立",)),
        (DecisionOutcome.TRANSFER, None, ()),
    ],
)
def test_no_penalty_outcomes_issue_their_document_and_a_transfer_none(
    outcome, doc_type, words, reviewer, reviewer2, head, django_capture_on_commit_callbacks
):
    draft = {
        **PENALTY_DRAFT,
        "outcome": outcome,
        "kinds": [],
        "fine_yuan": None,
        "content": "违法行为轻微并及时改正，没有造成危害后果。",
    }
    case = in_review(draft=draft)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decided(case, reviewer, reviewer2, head)
    decision.refresh_from_db()
    if doc_type is None:
        assert decision.document is None and decision.decided_at is not None
        return
    assert decision.document.doc_type == doc_type
    text = pdf_text(decision.document).replace("\n", "")
    for w in words:
        assert w in text


@pytest.mark.parametrize(
    "outcome, doc_type, words",
    [
        (DecisionOutcome.LICENCE_GRANT, DocTypeCode.LICENCE_GRANT, ("准予行政许可", "准予许可的事项")),
        (
            DecisionOutcome.LICENCE_REFUSAL,
            DocTypeCode.LICENCE_REFUSAL,
            ("不予许可的理由", "六十日内向临沂市人民政府申请行政复议", "提起行政诉讼"),
        ),
    ],
)
def test_licensing_decisions(outcome, doc_type, words, reviewer, reviewer2, head, django_capture_on_commit_callbacks):
    draft = {
        "outcome": outcome,
        "facts": "申请人提交的材料经审查。",
        "basis": "《中华人民共和国行政许可法》第三十八条",
        "content": "申请人不具备规定的研发场所条件。",
    }
    case = in_review(kind=CaseKind.LICENSING, draft=draft)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decided(case, reviewer, reviewer2, head)
    case.refresh_from_db()
    decision.refresh_from_db()
    assert case.state == S.DECIDED and decision.document.doc_type == doc_type
    text = pdf_text(decision.document).replace("\n", "")
    for w in words:
        assert w in text, w


def test_document_refused_while_a_required_element_is_empty(reviewer, reviewer2, head):
    case = in_review()
    case.parties.update(address="")
    reviewed(case, reviewer, reviewer2)
    actions.review_sign(case_id=case.pk, by=head, opinion="同意。")
    with pytest.raises(TransitionError, match="第五十九条第（一）项：当事人的地址"):
        actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")
    case.refresh_from_db()
    assert case.state == S.PENDING_DECISION
    assert not SignOff.objects.filter(case=case, step=SignOffStep.DECISION).exists()


def test_decision_checks_refuse_with_every_reason(reviewer, reviewer2, head):
    def first(case: Any, decision: Any) -> list[str]:
        return ["《行政处罚法》第六十二条：未告知当事人"]

    def second(case: Any, decision: Any) -> list[str]:
        return ["《行政处罚法》第五十八条：未经法制审核"]

    case = in_review()
    reviewed(case, reviewer, reviewer2)
    actions.review_sign(case_id=case.pk, by=head, opinion="同意。")
    checks.register_decision_check(first)
    checks.register_decision_check(second)
    try:
        with pytest.raises(TransitionError) as exc:
            actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")
    finally:
        checks._checks.remove(first)
        checks._checks.remove(second)
    assert "第六十二条" in str(exc.value) and "第五十八条" in str(exc.value)
    case.refresh_from_db()
    assert case.state == S.PENDING_DECISION


# --- each requirement omitted in turn -----------------------------------------------------------


def test_complete_review_needs_examination_check_and_draft(reviewer, reviewer2):
    case = in_review(draft={})
    with pytest.raises(TransitionError) as exc:
        actions.review_complete(case_id=case.pk, by=reviewer)
    message = str(exc.value)
    assert "第十三条：法规科的审理意见" in message and "第十三条：法规科的审核意见" in message
    assert "拟作出的处理决定" in message
    actions.decision_save(case_id=case.pk, by=case.created_by, **PENALTY_DRAFT)
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    with pytest.raises(TransitionError, match="第十三条：法规科的审核意见") as exc:
        actions.review_complete(case_id=case.pk, by=reviewer)
    assert "审理意见" not in str(exc.value)
    actions.review_sign(case_id=case.pk, by=reviewer2, opinion="同意。")
    assert actions.review_complete(case_id=case.pk, by=reviewer2).state == S.PENDING_DECISION


def test_examination_is_refused_before_there_is_a_draft_to_examine(client, reviewer):
    # Signing 审理 freezes the draft: signed before one exists, the case could never be decided.
    case = in_review(draft={})
    with pytest.raises(TransitionError, match="第十三条：承办人员尚未拟写处理决定"):
        actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    assert not SignOff.objects.filter(case=case, step=SignOffStep.EXAMINATION).exists()
    client.force_login(reviewer)
    page = section_html(client, case, "review")
    assert 'id="review-sign-form"' not in page and "尚未拟写处理决定，暂不能审理" in page
    actions.decision_save(case_id=case.pk, by=case.created_by, **PENALTY_DRAFT)
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")


def test_decide_needs_the_heads_approval(reviewer, reviewer2, head):
    case = in_review()
    reviewed(case, reviewer, reviewer2)
    with pytest.raises(TransitionError, match="第十三条"):
        actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")
    # The decision's opinion (第十六条) is the head's own text: never empty.
    actions.review_sign(case_id=case.pk, by=head, opinion="同意。")
    with pytest.raises(TransitionError, match="意见"):
        actions.review_decide(case_id=case.pk, by=head, opinion="  ")
    assert not SignOff.objects.filter(case=case, step=SignOffStep.DECISION).exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"fine_yuan": None}, "罚款金额"),
        ({"fine_yuan": Decimal("0")}, "罚款金额"),
        ({"basis": "《山东省科学技术奖励办法》有关规定"}, "条、款、项"),
        ({"facts": ""}, "违法事实"),
        ({"evidence": ""}, "证据"),
        ({"performance": ""}, "履行方式和期限"),
        ({"kinds": []}, "处罚种类"),
        ({"outcome": DecisionOutcome.LICENCE_GRANT}, "处理结果只能是"),
    ],
)
def test_draft_refused_with_each_element_wrong(change, field):
    case = CaseFactory(state=S.INVESTIGATING)
    with pytest.raises(TransitionError, match=field):
        actions.decision_save(case_id=case.pk, by=case.created_by, **{**PENALTY_DRAFT, **change})
    assert not Decision.objects.filter(case=case).exists()


def test_licensing_draft_takes_only_licensing_outcomes():
    case = CaseFactory(state=S.ACCEPTED, kind=CaseKind.LICENSING, origin=CaseOrigin.APPLICATION)
    with pytest.raises(TransitionError, match="处理结果只能是：准予行政许可、不予行政许可"):
        actions.decision_save(case_id=case.pk, by=case.created_by, **PENALTY_DRAFT)


def test_draft_frozen_once_examined_and_only_officers_draft(reviewer):
    case = in_review()
    with pytest.raises(TransitionDenied):
        actions.decision_save(case_id=case.pk, by=reviewer, **PENALTY_DRAFT)
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    with pytest.raises(TransitionError, match="草稿不得再改"):
        actions.decision_save(case_id=case.pk, by=case.created_by, **{**PENALTY_DRAFT, "fine_yuan": Decimal("1")})
    assert Decision.objects.get(case=case).fine_yuan == Decimal("20000")


# --- who signs: self-approval, two levels, roles -------------------------------------------------


def test_nobody_signs_a_case_they_handle(department):
    both = UserFactory(department=department, roles=[Role.OFFICER, Role.LEGAL_REVIEWER])
    other = UserFactory(department=department, roles=[Role.OFFICER])
    case = in_review(officers=[both, other], created_by=both)
    with pytest.raises(TransitionDenied, match="承办人员不得审查"):
        actions.review_sign(case_id=case.pk, by=both, opinion="同意。")
    with pytest.raises(TransitionDenied):
        actions.claim_take(case_id=case.pk, by=both)
    assert not SignOff.objects.filter(case=case, step=SignOffStep.EXAMINATION).exists()


def test_one_person_signs_one_of_examination_check_approval(reviewer, reviewer2):
    case = in_review()
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    with pytest.raises(TransitionDenied, match="您已签署本轮“审理”意见"):
        actions.review_sign(case_id=case.pk, by=reviewer, opinion="审核同意。")
    # Somebody holding both roles who checked a case does not also approve it (two levels of REVIEW).
    both = UserFactory(roles=[Role.LEGAL_REVIEWER, Role.HEAD])
    actions.review_sign(case_id=case.pk, by=both, opinion="审核同意。")
    actions.review_complete(case_id=case.pk, by=reviewer2)
    with pytest.raises(TransitionDenied, match="两项|两个层级"):
        actions.review_sign(case_id=case.pk, by=both, opinion="批准。")
    assert not SignOff.objects.filter(case=case, step=SignOffStep.REVIEW, level=Level.HEAD).exists()


def test_roles_that_may_not_act_are_refused(reviewer, reviewer2, head, archivist):
    case = in_review()
    with pytest.raises(TransitionDenied):
        actions.review_sign(case_id=case.pk, by=head, opinion="同意。")  # 审理 is 法规科's
    with pytest.raises(TransitionDenied):
        actions.review_sign(case_id=case.pk, by=archivist, opinion="同意。")
    with pytest.raises(TransitionDenied):
        actions.review_sign(case_id=case.pk, by=case.created_by, opinion="同意。")
    reviewed(case, reviewer, reviewer2)
    with pytest.raises(TransitionDenied):
        actions.review_decide(case_id=case.pk, by=reviewer, opinion="同意。")
    with pytest.raises(TransitionDenied):
        actions.review_sign(case_id=case.pk, by=reviewer, opinion="批准。")


# --- return for more investigation -------------------------------------------------------------


def test_return_sends_the_case_back_with_reasons_and_opens_a_new_round(reviewer, reviewer2, head):
    case = in_review()
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    with pytest.raises(TransitionError, match="理由"):
        actions.review_return_for_investigation(case_id=case.pk, by=reviewer2, opinion=" ")
    actions.review_return_for_investigation(case_id=case.pk, by=reviewer2, opinion="违法所得数额未查清，请补充调查。")
    case.refresh_from_db()
    assert case.state == S.INVESTIGATING
    row = SignOff.objects.get(case=case, outcome=SignOffOutcome.RETURN)
    assert (row.step, row.level, row.actor, row.round) == (SignOffStep.REVIEW, Level.LEGAL, reviewer2, 1)
    entry = Entry.objects.get(case_id=case.pk, action="case.return_for_investigation")
    assert json.loads(entry.payload)["opinion"] == "违法所得数额未查清，请补充调查。"
    progress = selectors.review_progress(case)
    assert progress.round == 2 and progress.signed == {} and progress.returned == row
    # The officers may change the draft again and resubmit; 审理 is signed anew.
    actions.decision_save(case_id=case.pk, by=case.created_by, **{**PENALTY_DRAFT, "fine_yuan": Decimal("30000")})
    from cases.models import Case

    Case.objects.filter(pk=case.pk).update(state=S.UNDER_REVIEW)  # (第十条 records are another app's)
    with pytest.raises(TransitionError, match="审理意见"):
        actions.review_complete(case_id=case.pk, by=reviewer)
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="补充调查后同意。")
    assert selectors.review_progress(case).signed[ReviewTask.EXAMINE].round == 2


def test_head_returns_a_case_pending_decision(reviewer, reviewer2, head):
    case = in_review()
    reviewed(case, reviewer, reviewer2)
    with pytest.raises(TransitionDenied):
        actions.review_return_for_investigation(case_id=case.pk, by=reviewer, opinion="再查。")
    actions.review_return_for_investigation(case_id=case.pk, by=head, opinion="处罚幅度依据不足，补充调查。")
    case.refresh_from_db()
    assert case.state == S.INVESTIGATING
    assert SignOff.objects.get(case=case, outcome=SignOffOutcome.RETURN).level == Level.HEAD


# --- claims ------------------------------------------------------------------------------------


def test_take_sign_and_reassign(reviewer, reviewer2, head):
    case = in_review()
    claim = actions.claim_take(case_id=case.pk, by=reviewer)
    assert claim.task == ReviewTask.EXAMINE
    assert actions.claim_take(case_id=case.pk, by=reviewer) == claim  # repeated: no duplicate
    with pytest.raises(TransitionError, match="已由王芳领取|已由.*领取"):
        actions.claim_take(case_id=case.pk, by=reviewer2)
    with pytest.raises(TransitionDenied, match="领取"):
        actions.review_sign(case_id=case.pk, by=reviewer2, opinion="同意。")
    with pytest.raises(TransitionDenied):
        actions.claim_reassign(case_id=case.pk, by=reviewer2, to=reviewer2, reason="我来。")
    with pytest.raises(TransitionError, match="不能转交"):
        actions.claim_reassign(case_id=case.pk, by=reviewer, to=case.created_by, reason="交给承办人。")
    with pytest.raises(TransitionError, match="转交理由"):
        actions.claim_reassign(case_id=case.pk, by=reviewer, to=reviewer2, reason="")
    with pytest.raises(TransitionError, match="转交理由含有不可见的控制字符"):  # trial S item 1
        actions.claim_reassign(case_id=case.pk, by=reviewer, to=reviewer2, reason="出差\x07。")
    new = actions.claim_reassign(case_id=case.pk, by=reviewer, to=reviewer2, reason="出差。")
    assert new.handed_from == claim and new.claimed_by == reviewer2
    claim.refresh_from_db()
    assert claim.end == "reassigned" and claim.ended_at is not None
    entry = Entry.objects.get(case_id=case.pk, action="review.claim_reassigned")
    assert json.loads(entry.payload)["to_user"] == reviewer2.pk and json.loads(entry.payload)["reason"] == "出差。"
    with pytest.raises(TransitionDenied):
        actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    actions.review_sign(case_id=case.pk, by=reviewer2, opinion="同意。")
    new.refresh_from_db()
    assert new.end == "done"
    assert not ReviewClaim.objects.filter(case=case, ended_at__isnull=True).exists()
    # 审核 is next; who examined may not take it.
    with pytest.raises(TransitionDenied):
        actions.claim_take(case_id=case.pk, by=reviewer2)
    assert actions.claim_take(case_id=case.pk, by=reviewer).task == ReviewTask.CHECK
    # The head hands any claim over.
    other = UserFactory(roles=[Role.LEGAL_REVIEWER])
    assert actions.claim_reassign(case_id=case.pk, by=head, to=other, reason="均衡工作量。").claimed_by == other
    released = actions.claim_release(case_id=case.pk, by=other)
    assert released.end == "released"


# --- the queues --------------------------------------------------------------------------------


def test_queues_list_what_waits_nearest_deadline_first(reviewer, reviewer2, head, officer):
    late, soon, none_due = in_review(), in_review(), in_review()
    for case, days in ((late, 60), (soon, 5)):
        deadline_open(
            case=case,
            kind=DeadlineKind.PENALTY_DECISION,
            article="《行政处罚法》第六十条",
            label="行政处罚决定",
            start=timezone.now() - dt.timedelta(days=90 - days),
            days=90,
        )
    assert [r.case_id for r in selectors.queue_for(reviewer)] == [soon.pk, late.pk, none_due.pk]
    actions.review_sign(case_id=soon.pk, by=reviewer, opinion="同意。")
    rows = {r.case_id: r for r in selectors.queue_for(reviewer2)}
    assert rows[soon.pk].task == ReviewTask.CHECK and rows[late.pk].task == ReviewTask.EXAMINE
    assert soon.pk not in {r.case_id for r in selectors.queue_for(reviewer)}  # 审核 is not for who examined
    actions.claim_take(case_id=late.pk, by=reviewer2)
    assert [r.case_id for r in selectors.queue_for(reviewer2, claim="mine")] == [late.pk]
    assert late.pk not in {r.case_id for r in selectors.queue_for(reviewer, claim="unclaimed")}
    assert list(selectors.queue_for(reviewer, overdue=True)) == []
    assert list(selectors.queue_for(reviewer, kind=CaseKind.LICENSING)) == []
    assert list(selectors.queue_for(head)) == []
    actions.review_sign(case_id=soon.pk, by=reviewer2, opinion="同意。")
    actions.review_complete(case_id=soon.pk, by=reviewer2)
    assert [r.case_id for r in selectors.queue_for(head)] == [soon.pk]
    assert selectors.queue_for(head).get().task == ReviewTask.APPROVE
    actions.review_return_for_investigation(case_id=soon.pk, by=head, opinion="补充调查。")
    assert list(selectors.queue_for(head)) == []
    assert list(selectors.queue_for(officer)) == []
