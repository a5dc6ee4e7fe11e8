"""The decision's safeguards (第十六条): 法制审核 (《行政处罚法》第五十八条), 专家论证, 集体讨论
(第五十七条第二款), and the decision checks that refuse a decision without them.

    review_sheet_save(*, case_id, by, situations, other_basis="", expert_required=False,
                      expert_reason="", discussion_required=False, discussion_reason="") -> ReviewSheet
    legal_review_record(*, case_id, by, findings, outcome, opinion) -> LegalReview
    expert_opinion_add(*, case_id, by, held_on, expert_name, expert_title, opinion) -> ExpertOpinion
    discussion_record(*, case_id, by, held_at, place, chair, recorder, outcome, conclusion,
                      opinions) -> CollectiveDiscussion

Each locks the case, checks the policy and the stage, writes its rows and its audit entry, in
one transaction. Refusals raise `cases.stages.TransitionError` (Chinese message) or
`TransitionDenied`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import Role, User
from cases import policy, signoffs, stages
from cases.models import Case, CaseState, Level, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from linke.validators import validate_day

from .audit_actions import AuditAction
from .checks import register_decision_check
from .models import (
    DISCUSSION_OUTCOMES,
    CollectiveDiscussion,
    Decision,
    DecisionOutcome,
    DiscussionOpinion,
    ExpertOpinion,
    LegalFinding,
    LegalReview,
    LegalReviewPoint,
    LegalReviewSituation,
    ReviewSheet,
)

S = CaseState
# Until the head decides, the switches and the safeguards may be recorded.
BEFORE_DECISION = (S.INVESTIGATING, S.ACCEPTED, S.UNDER_REVIEW, S.PENDING_DECISION)
# 法制审核 examines the case the officers submitted (第十三条: it is part of the review).
REVIEW_STATES = (S.UNDER_REVIEW, S.PENDING_DECISION)
# 《行政处罚法》第五十八条第二款 took effect with the 2021 amendment (in force 2021-07-15, from
# memory: unverified): who reviewed before is no first-time reviewer.
QUALIFICATION_FROM = dt.date(2021, 7, 15)


# --- reads (review's own rows) ----------------------------------------------------------


def sheet_of(case: Case) -> ReviewSheet | None:
    return ReviewSheet.objects.filter(case=case).first()


def latest_legal_review(case: Case) -> LegalReview | None:
    return LegalReview.objects.filter(case=case).select_related("signoff", "reviewer").order_by("-pk").first()


def latest_discussion(case: Case) -> CollectiveDiscussion | None:
    return CollectiveDiscussion.objects.filter(case=case).order_by("-held_at", "-pk").first()


def first_time_unqualified(user: User) -> bool:
    """《行政处罚法》第五十八条第二款: `user` would review for the first time without the national
    legal qualification: no 法律职业资格证书编号 recorded, and not reviewing since before the
    article took effect."""
    if (user.legal_qualification_no or "").strip():
        return False
    since = user.legal_review_since
    return not (since is not None and since < QUALIFICATION_FROM)


def heavy_penalty(decision: Decision) -> bool:
    """A penalty heavy enough that the agency has its heads discuss it collectively (settings
    COLLECTIVE_DISCUSSION_FINE_YUAN / COLLECTIVE_DISCUSSION_KINDS; unverified defaults)."""
    if decision.outcome != DecisionOutcome.PENALTY:
        return False
    amount = (decision.fine_yuan or Decimal(0)) + (decision.confiscation_yuan or Decimal(0))
    if amount >= Decimal(settings.COLLECTIVE_DISCUSSION_FINE_YUAN):
        return True
    return any(k in settings.COLLECTIVE_DISCUSSION_KINDS for k in decision.kinds or [])


def discussion_required(case: Case, decision: Decision | None) -> bool:
    sheet = sheet_of(case)
    return bool(sheet and sheet.discussion_required) or (decision is not None and heavy_penalty(decision))


# --- actions ----------------------------------------------------------------------------


def _require_before_decision(case: Case, what: str) -> None:
    stages.require_state(case, BEFORE_DECISION, what)


@transaction.atomic
def review_sheet_save(
    *,
    case_id: int,
    by: User,
    situations: list[str],
    other_basis: str = "",
    expert_required: bool = False,
    expert_reason: str = "",
    discussion_required: bool = False,
    discussion_reason: str = "",
) -> ReviewSheet:
    """Record which 第五十八条 situations apply (any makes 法制审核 mandatory), and whether expert
    argumentation and 集体讨论 (第五十七条第二款) are required. The officers of the case, 法规科
    or the head, before the decision. Audited with the switches before and after."""
    case = stages.lock(case_id)
    what = "填写法制审核情形"
    _require_before_decision(case, what)
    stages.require_roles(case, by, (policy.ACTOR_OFFICER, Role.LEGAL_REVIEWER, Role.HEAD), what)
    unknown = [s for s in situations if s not in LegalReviewSituation.values]
    if unknown:
        raise TransitionError(f"未知的法制审核情形：{'、'.join(unknown)}。")
    other_basis, expert_reason, discussion_reason = (
        other_basis.strip(),
        expert_reason.strip(),
        discussion_reason.strip(),
    )
    if LegalReviewSituation.OTHER_BY_LAW in situations and not other_basis:
        raise TransitionError("《行政处罚法》第五十八条第一款第四项：请写明规定应当法制审核的法律、法规名称及条款。")
    if expert_required and not expert_reason:
        raise TransitionError("请填写需要专家论证的理由。")
    if discussion_required and not discussion_reason:
        raise TransitionError("请填写需要集体讨论的理由（情节复杂或者重大违法行为）。")
    ordered = [s.value for s in LegalReviewSituation if s.value in situations]
    sheet = ReviewSheet.objects.filter(case=case).first()
    dropped = [s for s in (sheet.situations if sheet else []) if s not in ordered]
    # The officers may add a situation, not take one away: only 法规科 or the head lift the
    # mandatory review (第五十八条), so a case does not slip past it.
    if dropped and not any(policy.may_act(by, case, r) for r in (Role.LEGAL_REVIEWER, Role.HEAD)):
        labels = "；".join(LegalReviewSituation(s).label for s in dropped)
        raise TransitionDenied(
            f"《行政处罚法》第五十八条：已勾选的法制审核情形（{labels}）只能由法规科或机关负责人取消。"
        )
    before = (
        {"situations": sheet.situations, "expert": sheet.expert_required, "discussion": sheet.discussion_required}
        if sheet
        else None
    )
    if sheet is None:
        sheet = ReviewSheet(case=case)
    sheet.situations, sheet.other_basis = ordered, other_basis
    sheet.expert_required, sheet.expert_reason = expert_required, expert_reason
    sheet.discussion_required, sheet.discussion_reason = discussion_required, discussion_reason
    sheet.updated_by = by
    sheet.save()
    audit.record(
        sheet,
        AuditAction.SHEET_SAVED,
        actor=by,
        case=case,
        before=before,
        situations=ordered,
        other_basis=other_basis,
        expert_required=expert_required,
        discussion_required=discussion_required,
    )
    return sheet


def _clean_findings(findings: dict[str, Any]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for point in LegalReviewPoint:
        item = findings.get(point.value) or {}
        finding = str(item.get("finding") or "")
        note = str(item.get("note") or "").strip()
        if finding not in LegalFinding.values:
            raise TransitionError(f"国办发〔2018〕118号：请对审核要点“{point.label}”作出审核结论。")
        if finding == LegalFinding.FLAWED and not note:
            raise TransitionError(f"审核要点“{point.label}”存在问题：请写明存在的问题。")
        out[point.value] = {"finding": finding, "note": note}
    return out


@transaction.atomic
def legal_review_record(*, case_id: int, by: User, findings: dict[str, Any], outcome: str, opinion: str) -> LegalReview:
    """法制审核 (《行政处罚法》第五十八条): 法规科 examines the seven points of 国办发〔2018〕118号
    (`findings`: {point: {"finding": "sound"|"flawed", "note": text}}) and signs the overall
    opinion, AGREE (通过) or RETURN (不通过，退回; the next review is a new round). The reviewer
    is not an officer of the case, and a first-time reviewer holds the national legal
    qualification (第五十八条第二款). Raises TransitionDenied / TransitionError."""
    case = stages.lock(case_id)
    stages.require_state(case, REVIEW_STATES, "进行法制审核")
    if not by.has_role(Role.LEGAL_REVIEWER):
        raise TransitionDenied("《行政处罚法》第五十八条：法制审核由法制审核人员（法规科）办理。")
    if policy.is_officer_of(by, case) or policy.handles(by, case):
        raise TransitionDenied("本案执法人员不得对本案进行法制审核。")
    if first_time_unqualified(by):
        raise TransitionDenied(
            "《行政处罚法》第五十八条第二款：初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试"
            "取得法律职业资格。您的法律职业资格证书编号尚未登记，请系统管理员在用户信息中录入后再审核。"
        )
    outcome = SignOffOutcome(outcome)
    if outcome not in (SignOffOutcome.AGREE, SignOffOutcome.RETURN):
        raise TransitionError("法制审核结论应为“同意”（通过）或“退回”（不通过）。")
    clean = _clean_findings(findings)
    flawed = [LegalReviewPoint(p).label for p, v in clean.items() if v["finding"] == LegalFinding.FLAWED]
    if outcome == SignOffOutcome.AGREE and flawed:
        raise TransitionError(f"审核要点存在问题（{'；'.join(flawed)}），法制审核不能通过：请选择“退回”并写明意见。")
    row = signoffs.signoff_record(
        case=case, step=SignOffStep.LEGAL_REVIEW, level=Level.LEGAL, by=by, outcome=outcome, opinion=opinion
    )
    review = LegalReview.objects.create(
        case=case, signoff=row, reviewer=by, qualification_no=(by.legal_qualification_no or "").strip(), findings=clean
    )
    audit.record(
        review,
        AuditAction.LEGAL_REVIEWED,
        actor=by,
        case=case,
        signoff=row.pk,
        outcome=outcome.value,
        findings=clean,
        qualification_no=review.qualification_no,
    )
    return review


@transaction.atomic
def expert_opinion_add(
    *, case_id: int, by: User, held_on: dt.date, expert_name: str, expert_title: str, opinion: str
) -> ExpertOpinion:
    """One expert's opinion (专家论证), recorded by the officers of the case or 法规科 before the
    decision. The day is not in the future."""
    case = stages.lock(case_id)
    what = "记录专家论证意见"
    _require_before_decision(case, what)
    stages.require_roles(case, by, (policy.ACTOR_OFFICER, Role.LEGAL_REVIEWER), what)
    # The argumentation answers the case: not before it was filed (accepted), not in the future.
    filed = timezone.localdate(case.filed_at) if case.filed_at else None
    try:
        validate_day(held_on, not_before=filed, not_before_label="立案（受理）日期")
    except ValidationError as exc:
        raise TransitionError(f"论证日期：{exc.messages[0]}") from None
    expert_name, expert_title, opinion = expert_name.strip(), expert_title.strip(), opinion.strip()
    if not (expert_name and expert_title and opinion):
        raise TransitionError("请填写专家姓名、工作单位及职称和论证意见。")
    row = ExpertOpinion.objects.create(
        case=case, held_on=held_on, expert_name=expert_name, expert_title=expert_title, opinion=opinion, recorded_by=by
    )
    audit.record(row, AuditAction.EXPERT_OPINION, actor=by, case=case, expert=expert_name, held_on=held_on)
    return row


@transaction.atomic
def discussion_record(
    *,
    case_id: int,
    by: User,
    held_at: dt.datetime,
    place: str,
    chair: User,
    recorder: str,
    outcome: str,
    conclusion: str,
    opinions: list[tuple[str, str, str]],
) -> CollectiveDiscussion:
    """集体讨论 (《行政处罚法》第五十七条第二款): the heads decide a complex or major case together.
    `opinions` are (participant, position, opinion) in the order spoken (at least two: it is a
    collective; the minimum is ours, unverified). `chair` is a head; `outcome` one of the four of 第五十七条第一款. Recorded by
    法规科 or the head, while the case is under review or awaits the decision."""
    case = stages.lock(case_id)
    what = "记录集体讨论"
    stages.require_state(case, REVIEW_STATES, what)
    stages.require_roles(case, by, (Role.LEGAL_REVIEWER, Role.HEAD), what)
    if outcome not in [o.value for o in DISCUSSION_OUTCOMES]:
        raise TransitionError(
            "《行政处罚法》第五十七条：讨论决定应为给予处罚、不予处罚（轻微）、不予处罚（事实不成立）或移送司法机关之一。"
        )
    if not (chair.is_active and chair.has_role(Role.HEAD)):
        raise TransitionError("集体讨论由机关负责人主持：请选择一名机关负责人为主持人。")
    if held_at > timezone.now():
        raise TransitionError("讨论时间不能晚于当前时间。")
    if case.filed_at is not None and held_at < case.filed_at:
        raise TransitionError("讨论时间不能早于立案时间。")
    place, recorder, conclusion = place.strip(), recorder.strip(), conclusion.strip()
    if not (place and recorder and conclusion):
        raise TransitionError("请填写讨论地点、记录人和讨论结论。")
    lines = [(p.strip(), pos.strip(), o.strip()) for p, pos, o in opinions if p.strip() or o.strip()]
    if len(lines) < 2:
        raise TransitionError("集体讨论应记录至少两名参加人的意见（按发言顺序）。")
    for i, (name, pos, text) in enumerate(lines, 1):
        if not (name and pos and text):
            raise TransitionError(f"第{i}位发言：请填写参加人、职务和意见。")
    row = CollectiveDiscussion.objects.create(
        case=case,
        held_at=held_at,
        place=place,
        chair=chair,
        recorder=recorder,
        outcome=outcome,
        conclusion=conclusion,
        recorded_by=by,
    )
    DiscussionOpinion.objects.bulk_create(
        DiscussionOpinion(discussion=row, order=i, participant=n, position=p, opinion=o)
        for i, (n, p, o) in enumerate(lines, 1)
    )
    audit.record(
        row,
        AuditAction.DISCUSSED,
        actor=by,
        case=case,
        held_at=held_at,
        place=place,
        chair=chair.pk,
        outcome=outcome,
        opinions=[{"order": i, "participant": n, "position": p, "opinion": o} for i, (n, p, o) in enumerate(lines, 1)],
    )
    return row


# --- decision checks (review.checks; `decide` runs them) -------------------------------


@register_decision_check
def legal_review_check(case: Case, decision: Decision) -> list[str]:
    """《行政处罚法》第五十八条: where a situation of the sheet applies, no decision without a
    passing 法制审核 (the latest one counts)."""
    sheet = sheet_of(case)
    if sheet is None or not sheet.legal_review_mandatory:
        return []
    situations = "；".join(sheet.situation_labels())
    review = latest_legal_review(case)
    if review is None:
        return [f"《行政处罚法》第五十八条：本案属于应当进行法制审核的情形（{situations}），未经法制审核不得作出决定。"]
    if not review.passed:
        return ["《行政处罚法》第五十八条：法制审核未通过，不得作出决定；请补正后重新提交法制审核。"]
    return []


@register_decision_check
def expert_check(case: Case, decision: Decision) -> list[str]:
    """专家论证 where the sheet requires it (国办发〔2018〕118号; unverified as a strict rule)."""
    sheet = sheet_of(case)
    if sheet is None or not sheet.expert_required or ExpertOpinion.objects.filter(case=case).exists():
        return []
    return ["本案需要专家论证（国办发〔2018〕118号）：尚未记录专家论证意见，不得作出决定。"]


@register_decision_check
def discussion_check(case: Case, decision: Decision) -> list[str]:
    """《行政处罚法》第五十七条第二款: a complex or major case (the sheet's switch, or a heavy
    penalty by the settings) is decided by the heads collectively; the decision follows the
    discussion's outcome."""
    discussion = latest_discussion(case)
    if discussion is None:
        if discussion_required(case, decision):
            return [
                "《行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定；本案尚无集体讨论记录。"
            ]
        return []
    if decision.outcome != discussion.outcome:
        return [
            f"《行政处罚法》第五十七条第二款：决定（{decision.get_outcome_display()}）与集体讨论决定"
            f"（{discussion.get_outcome_display()}）不一致。"
        ]
    return []
