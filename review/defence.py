"""第十四条: the 行政处罚事先告知书 and how the party was heard (陈述、申辩, 复核), with the decision
checks of 《行政处罚法》第四十五、六十二、六十五条.

When: the officers of a penalty case issue the notice while the case is 审查中 (UNDER_REVIEW):
after the investigation ended and the case went to review (第十三条: 法规科 examines the intended
penalty), before the review is completed and the head decides (第十六条). The party is heard
before 审查中 is left (requirements_defence) and before the decision (decision checks).

Service: the notice is served through 第五章 delivery (any method of 第十八至二十二条); review
listens to `delivery.signals.document_served` (`on_document_served`) and records the service
date (送达日期) on the notice; the defence period (a setting per case kind) and the
hearing-request period (5 working days, 第六十四条) count from it. Review calls nothing in
delivery.

Public API (each one transaction; TransitionError / TransitionDenied with a Chinese message):
    hearing_right(party_is_person, kinds, fine, confiscation) -> (bool, [reasons])
    notice_issue(case_id, by, party_id, facts, evidence, basis, kinds, fine_yuan,
                 confiscation_yuan, content) -> PenaltyNotice
    on_document_served(sender, case_id, document_id, doc_type, served_on, by)  (receiver)
    defence_record(notice_id, by, received_on, form, points=[{point, adopted, reason}]) -> Defence
    defence_waive(notice_id, by, received_on, waiver_form, waiver_note) -> Defence
    defence_lapse(notice_id, by) -> Defence
    current_notice(case) -> PenaltyNotice | None
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases import policy, stages
from cases.models import Case, CaseKind, CaseState, PartyKind
from cases.policy import ACTOR_OFFICER
from cases.stages import TransitionDenied, TransitionError
from deadlines.calendar import add_working_days
from deadlines.models import DeadlineKind
from deadlines.services import LOCAL_TZ, deadline_met, deadline_open
from documents.registry import DocTypeCode
from documents.services import document_issue
from linke.validators import validate_day

from .audit_actions import AuditAction
from .checks import register_decision_check
from .models import Decision, DecisionOutcome, PenaltyKind
from .models_defence import Defence, DefenceOutcome, DefencePoint, HearingStatus, PenaltyNotice, WaiverForm

ART_NOTICE = "《行政处罚法》第四十四条"
HEARING_REQUEST_DAYS = 5  # 《行政处罚法》第六十四条第（一）项 (working days, 第八十五条)

# 《行政处罚法》第六十三条第一款: the kinds that always give a hearing. Item numbers from memory
# (unverified); RESTRICT_ACTIVITIES and OTHER are treated as 其他较重的行政处罚 (unverified: the
# legal-affairs section may narrow this).
_HEARING_KINDS = {
    PenaltyKind.DOWNGRADE_QUALIFICATION: "降低资质等级（第六十三条第一款第（三）项）",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件（第六十三条第一款第（三）项）",
    PenaltyKind.ORDER_SUSPENSION: "责令停产停业（第六十三条第一款第（四）项）",
    PenaltyKind.ORDER_CLOSURE: "责令关闭（第六十三条第一款第（四）项）",
    PenaltyKind.RESTRICT_EMPLOYMENT: "限制从业（第六十三条第一款第（四）项）",
    PenaltyKind.RESTRICT_ACTIVITIES: "限制开展生产经营活动，属其他较重的行政处罚（第六十三条第一款第（五）项）",
    PenaltyKind.OTHER: "其他较重的行政处罚（第六十三条第一款第（五）项）",
}
_CONFISCATION_KINDS = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}


def _yuan(value: Decimal | int | None) -> str:
    return f"{Decimal(value or 0):,.2f}元"


def hearing_right(
    party_is_person: bool, kinds: Iterable[str], fine: Decimal | None, confiscation: Decimal | None
) -> tuple[bool, list[str]]:
    """Whether the intended penalty gives the party a hearing (《行政处罚法》第六十三条), and why.
    `fine` and `confiscation` are yuan; the 较大数额 thresholds are settings per party kind
    (REVIEW_HEARING_FINE_*_YUAN, REVIEW_HEARING_CONFISCATION_*_YUAN; defaults unverified)."""
    kinds = set(kinds)
    reasons: list[str] = []
    who = "PERSON" if party_is_person else "ORGANISATION"
    fine_limit = Decimal(getattr(settings, f"REVIEW_HEARING_FINE_{who}_YUAN"))
    conf_limit = Decimal(getattr(settings, f"REVIEW_HEARING_CONFISCATION_{who}_YUAN"))
    if PenaltyKind.FINE in kinds and fine is not None and Decimal(fine) >= fine_limit:
        reasons.append(f"较大数额罚款：{_yuan(fine)}，达到{_yuan(fine_limit)}（第六十三条第一款第（一）项）")
    if kinds & _CONFISCATION_KINDS and confiscation is not None and Decimal(confiscation) >= conf_limit:
        reasons.append(
            f"没收较大数额违法所得、较大价值非法财物：{_yuan(confiscation)}，达到{_yuan(conf_limit)}"
            "（第六十三条第一款第（二）项）"
        )
    reasons.extend(text for kind, text in _HEARING_KINDS.items() if kind in kinds)
    return bool(reasons), reasons


def current_notice(case: Case) -> PenaltyNotice | None:
    """The case's latest notice: a new one (changed facts or penalty) replaces the earlier."""
    return (
        PenaltyNotice.objects.filter(case=case)
        .select_related("party", "document", "served_recorded_by", "issued_by")
        .order_by("-pk")
        .first()
    )


def notice_elements_missing(
    *,
    party: Any,
    facts: str,
    evidence: str,
    basis: str,
    kinds: list[str],
    fine_yuan: Any,
    confiscation_yuan: Any,
    content: str,
) -> list[str]:
    """The names of the notice's empty elements (《行政处罚法》第四十四条), in the document's order."""
    missing = []
    if party is None:
        missing.append("当事人")
    if not (facts or "").strip():
        missing.append("违法事实")
    if not (evidence or "").strip():
        missing.append("证据")
    if not (basis or "").strip():
        missing.append("法律依据")
    elif "条" not in basis:
        missing.append("法律依据的具体条款（写明第几条、款、项）")
    if not kinds:
        missing.append("拟处罚种类")
    if PenaltyKind.FINE in kinds and not fine_yuan:
        missing.append("拟罚款金额")
    if set(kinds) & _CONFISCATION_KINDS and not confiscation_yuan:
        missing.append("拟没收违法所得、非法财物价值")
    if not (content or "").strip():
        missing.append("拟处罚内容")
    return missing


def _officer_action(case: Case, by: User, what: str) -> None:
    if case.kind != CaseKind.PENALTY:
        raise TransitionError(f"{case.get_kind_display()}案件没有“{what}”这一环节。")
    stages.require_state(case, (CaseState.UNDER_REVIEW,), what)
    if not policy.may_act(by, case, ACTOR_OFFICER):
        raise TransitionDenied(f"只有本案执法人员可以{what}。")


def _lock_notice(notice_id: int) -> tuple[Case, PenaltyNotice]:
    case_id = PenaltyNotice.objects.values_list("case_id", flat=True).get(pk=notice_id)
    case = stages.lock(case_id)
    return case, PenaltyNotice.objects.select_related("party").get(pk=notice_id)


def _day(value: dt.date | None, *, label: str, not_before: dt.date | None = None, before_label: str = "") -> dt.date:
    if value is None:
        raise TransitionError(f"请填写{label}。")
    try:
        validate_day(value, not_before=not_before, not_before_label=before_label)
    except ValidationError as exc:
        raise TransitionError(f"{label}：{exc.messages[0]}") from None
    return value


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TZ)


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def defence_days(case: Case) -> int:
    """The period for statement and defence of this case's kind, in working days (setting
    REVIEW_DEFENCE_WORKING_DAYS; default 5, unverified)."""
    return int(settings.REVIEW_DEFENCE_WORKING_DAYS.get(case.kind, 5))


@transaction.atomic
def notice_issue(
    *,
    case_id: int,
    by: User,
    party_id: int | None,
    facts: str,
    evidence: str,
    basis: str,
    kinds: list[str],
    fine_yuan: Decimal | None,
    confiscation_yuan: Decimal | None,
    content: str,
) -> PenaltyNotice:
    """Issue the 行政处罚事先告知书 (第十四条第一款; 《行政处罚法》第四十四、四十五、六十三条) to the
    case's party, with the rights the intended penalty gives (a hearing where 第六十三条 gives one).
    Officers of the case, while it is 审查中. Refused while an element is empty, naming it."""
    case = stages.lock(case_id)
    _officer_action(case, by, "制作行政处罚事先告知书")
    earlier = current_notice(case)
    party = case.parties.filter(pk=party_id).first() if party_id else None
    kinds = [PenaltyKind(k).value for k in kinds]
    missing = notice_elements_missing(
        party=party,
        facts=facts,
        evidence=evidence,
        basis=basis,
        kinds=kinds,
        fine_yuan=fine_yuan,
        confiscation_yuan=confiscation_yuan,
        content=content,
    )
    if missing:
        raise TransitionError(f"{ART_NOTICE}、第十四条：告知书缺少{'、'.join(missing)}，不能制作。")
    assert party is not None
    fine = fine_yuan if PenaltyKind.FINE in kinds else None
    confiscation = confiscation_yuan if set(kinds) & _CONFISCATION_KINDS else None
    if (
        earlier is not None
        and earlier.served_on is None
        and _same_notice(earlier, party.pk, facts, evidence, basis, kinds, fine, confiscation, content)
    ):
        # The same notice submitted again (a double click, a resent form) while the first is
        # not yet served: that notice, not a second document with a second number.
        return earlier
    right, reasons = hearing_right(party.kind == PartyKind.PERSON, kinds, fine_yuan, confiscation_yuan)
    notice = PenaltyNotice.objects.create(
        case=case,
        party=party,
        facts=facts.strip(),
        evidence=evidence.strip(),
        basis=basis.strip(),
        kinds=kinds,
        fine_yuan=fine,
        confiscation_yuan=confiscation,
        content=content.strip(),
        defence_days=defence_days(case),
        hearing_right=right,
        hearing_reasons=reasons,
        issued_by=by,
    )
    notice.document = document_issue(
        case=case, doc_type=DocTypeCode.PENALTY_NOTICE, context=_notice_context(notice), by=by, source=notice
    )
    notice.save(update_fields=["document"])
    if earlier is not None:
        # The new notice replaces the earlier one: its periods no longer run.
        deadline_met(kind=DeadlineKind.DEFENCE, target=earlier)
        deadline_met(kind=DeadlineKind.HEARING_REQUEST, target=earlier)
    audit.record(
        notice,
        AuditAction.NOTICE_ISSUED,
        actor=by,
        case=case,
        number=notice.document.number,
        kinds=kinds,
        fine_yuan=notice.fine_yuan,
        hearing_right=right,
        replaces=earlier.pk if earlier is not None else None,
    )
    return notice


def _same_notice(
    notice: PenaltyNotice,
    party_id: int,
    facts: str,
    evidence: str,
    basis: str,
    kinds: list[str],
    fine: Decimal | None,
    confiscation: Decimal | None,
    content: str,
) -> bool:
    """Whether `notice` says exactly what a new one with these elements would say."""
    return (
        notice.party_id == party_id
        and (notice.facts, notice.evidence, notice.basis, notice.content)
        == (facts.strip(), evidence.strip(), basis.strip(), content.strip())
        and list(notice.kinds) == list(kinds)
        and notice.fine_yuan == fine
        and notice.confiscation_yuan == confiscation
    )


def _notice_context(notice: PenaltyNotice) -> dict[str, Any]:
    party = notice.party
    return {
        "party_name": party.name,
        "party_address": party.address,
        "facts": notice.facts,
        "evidence": notice.evidence,
        "basis": notice.basis,
        "kinds": [PenaltyKind(k).label for k in notice.kinds],
        "fine": _yuan(notice.fine_yuan) if notice.fine_yuan else "",
        "confiscation": _yuan(notice.confiscation_yuan) if notice.confiscation_yuan else "",
        "content": notice.content,
        "defence_days": notice.defence_days,
        "hearing_right": notice.hearing_right,
        "hearing_reasons": notice.hearing_reasons,
        "hearing_days": HEARING_REQUEST_DAYS,
    }


def on_document_served(
    sender: Any, *, case_id: int, document_id: int, doc_type: str, served_on: dt.date, by: User, **kwargs: Any
) -> None:
    """delivery.signals.document_served (第五章 delivery recorded a successful attempt): when the
    document is a 事先告知书, its service date (送达日期) is recorded and the periods start from
    it — the defence period (DeadlineKind.DEFENCE) and, where the party has a hearing right, the
    5-working-day hearing-request period (DeadlineKind.HEARING_REQUEST, 第六十四条). Runs in the
    delivering transaction; a refusal (the case left 审查中, the notice served already) raises
    TransitionError and the delivery is not recorded."""
    if doc_type != DocTypeCode.PENALTY_NOTICE:
        return
    notice_id = PenaltyNotice.objects.filter(document_id=document_id).values_list("pk", flat=True).first()
    if notice_id is None:
        return
    case, notice = _lock_notice(notice_id)
    _officer_action(case, by, "送达告知书")
    if notice.served_on is not None:
        raise TransitionError(f"告知书已于{notice.served_on:%Y-%m-%d}送达，不能重复送达。")
    issued = timezone.localtime(notice.issued_at).date()
    served_on = _day(served_on, label="送达日期", not_before=issued, before_label="告知书制作日期")
    notice.served_on, notice.served_recorded_by = served_on, by
    notice.save(update_fields=["served_on", "served_recorded_by"])
    officers = list(case.officers.all())
    deadline_open(
        case=case,
        kind=DeadlineKind.DEFENCE,
        article="第十四条；《行政处罚法》第四十五条",
        label=f"陈述申辩期限（{notice.defence_days}个工作日）",
        start=_start_of(served_on),
        working_days=notice.defence_days,
        responsible=officers,
        target=notice,
    )
    if notice.hearing_right:
        deadline_open(
            case=case,
            kind=DeadlineKind.HEARING_REQUEST,
            article="《行政处罚法》第六十四条",
            label="听证申请期限（5个工作日）",
            start=_start_of(served_on),
            working_days=HEARING_REQUEST_DAYS,
            responsible=officers,
            target=notice,
        )
    audit.record(notice, AuditAction.NOTICE_SERVED, actor=by, case=case, served_on=served_on)


def defence_due(notice: PenaltyNotice) -> dt.date | None:
    """The last day of the defence period (working days from the service date)."""
    if notice.served_on is None:
        return None
    return add_working_days(notice.served_on, notice.defence_days).date


def _served_unheard(case: Case, notice: PenaltyNotice, by: User, what: str) -> None:
    _officer_action(case, by, what)
    if notice.pk != getattr(current_notice(case), "pk", None):
        raise TransitionError("该告知书已被新的告知书取代，请在最新的告知书上记录。")
    if notice.served_on is None:
        raise TransitionError("告知书尚未送达（请在“送达”页登记送达）：陈述申辩期限自送达之日起计算。")
    if Defence.objects.filter(notice=notice).exists():
        raise TransitionError("该告知书的陈述申辩情况已记录，不能重复记录。")


@transaction.atomic
def defence_record(
    *, notice_id: int, by: User, received_on: dt.date | None, form: str, points: list[dict[str, Any]]
) -> Defence:
    """Record the party's statement and defence point by point, each re-checked: adopted or not,
    and why (第十四条第二款; 《行政处罚法》第四十五条第一款). Meets the defence period."""
    case, notice = _lock_notice(notice_id)
    _served_unheard(case, notice, by, "记录陈述申辩")
    received_on = _day(received_on, label="陈述申辩日期", not_before=notice.served_on, before_label="告知书送达日期")
    if not (form or "").strip():
        raise TransitionError("第十四条第二款：请填写陈述申辩方式（如书面申辩材料、当面陈述）。")
    if not points:
        raise TransitionError("第十四条第二款：请逐项记录当事人的陈述申辩意见及复核意见。")
    for i, p in enumerate(points, 1):
        if not (p.get("point") or "").strip():
            raise TransitionError(f"第十四条第二款：第{i}项陈述申辩意见为空。")
        if p.get("adopted") is None:
            raise TransitionError(f"《行政处罚法》第四十五条：第{i}项意见请注明是否采纳。")
        if not (p.get("reason") or "").strip():
            raise TransitionError(f"《行政处罚法》第四十五条：第{i}项意见请写明复核意见（采纳或不采纳的理由）。")
    defence = Defence.objects.create(
        notice=notice, outcome=DefenceOutcome.STATED, received_on=received_on, form=form.strip(), recorded_by=by
    )
    DefencePoint.objects.bulk_create(
        DefencePoint(
            defence=defence,
            position=i,
            point=p["point"].strip(),
            adopted=bool(p["adopted"]),
            reason=p["reason"].strip(),
        )
        for i, p in enumerate(points, 1)
    )
    deadline_met(kind=DeadlineKind.DEFENCE, target=notice)
    audit.record(
        defence,
        AuditAction.DEFENCE_RECORDED,
        actor=by,
        case=case,
        received_on=received_on,
        points=len(points),
        adopted=sum(1 for p in points if p["adopted"]),
    )
    return defence


@transaction.atomic
def defence_waive(
    *, notice_id: int, by: User, received_on: dt.date | None, waiver_form: str, waiver_note: str
) -> Defence:
    """Record that the party expressly waived statement and defence, and how (第十四条第二款;
    《行政处罚法》第六十二条: 明确放弃). Meets the defence period."""
    case, notice = _lock_notice(notice_id)
    _served_unheard(case, notice, by, "记录放弃陈述申辩")
    received_on = _day(received_on, label="放弃日期", not_before=notice.served_on, before_label="告知书送达日期")
    if waiver_form not in WaiverForm.values:
        raise TransitionError("第十四条第二款：请选择当事人放弃陈述申辩的方式。")
    if not (waiver_note or "").strip():
        raise TransitionError("第十四条第二款：请记录当事人放弃陈述申辩的情况。")
    defence = Defence.objects.create(
        notice=notice,
        outcome=DefenceOutcome.WAIVED,
        received_on=received_on,
        waiver_form=waiver_form,
        waiver_note=waiver_note.strip(),
        recorded_by=by,
    )
    deadline_met(kind=DeadlineKind.DEFENCE, target=notice)
    audit.record(defence, AuditAction.DEFENCE_WAIVED, actor=by, case=case, received_on=received_on, form=waiver_form)
    return defence


@transaction.atomic
def defence_lapse(*, notice_id: int, by: User) -> Defence:
    """Record that the defence period passed without a statement or defence — only after its
    last working day has passed (working-day calendar). Meets the defence period."""
    case, notice = _lock_notice(notice_id)
    _served_unheard(case, notice, by, "记录期限届满未陈述申辩")
    due = defence_due(notice)
    assert due is not None
    if timezone.localdate() <= due:
        raise TransitionError(f"陈述申辩期限至{_cn(due)}届满，期限届满前不能记录为逾期未陈述申辩。")
    defence = Defence.objects.create(notice=notice, outcome=DefenceOutcome.LAPSED, recorded_by=by)
    deadline_met(kind=DeadlineKind.DEFENCE, target=notice)
    audit.record(defence, AuditAction.DEFENCE_LAPSED, actor=by, case=case, due=due)
    return defence


# --- whether the party was heard: shared by the requirements and the decision checks -------------

HEARING_OPEN = (HearingStatus.REQUESTED, HearingStatus.SCHEDULED)


def hearing_of(notice: PenaltyNotice) -> Any:
    from .models_defence import Hearing

    return Hearing.objects.filter(notice=notice).first()


def heard_gaps(notice: PenaltyNotice | None) -> list[str]:
    """What still stands between the party and 'heard' (《行政处罚法》第六十二条), as Chinese
    phrases naming the article: the notice, its service, the defence (recorded, waived or lapsed,
    or a hearing in its place), and a requested hearing held with its report."""
    unheard = "《行政处罚法》第六十二条：未听取当事人陈述申辩（未记录陈述申辩、放弃或期限届满）"
    if notice is None:
        return [
            "《行政处罚法》第四十四条：未制作行政处罚事先告知书",
            "《行政处罚法》第六十二条：事先告知书未送达",
            unheard,
        ]
    if notice.served_on is None:
        return ["《行政处罚法》第六十二条：事先告知书未送达（未送达）", unheard]
    hearing = hearing_of(notice)
    gaps = []
    has_defence = Defence.objects.filter(notice=notice).exists()
    heard_at_hearing = hearing is not None and hearing.status in (HearingStatus.HELD, HearingStatus.ABSENT)
    if not heard_at_hearing and not has_defence:
        gaps.append(unheard)
    if hearing is not None and hearing.status in HEARING_OPEN:
        gaps.append("《行政处罚法》第六十四条：当事人申请的听证尚未举行")
    waived = (HearingStatus.ABSENT, HearingStatus.WITHDRAWN)
    if hearing is not None and hearing.status not in waived and hearing.report_document_id is None:
        gaps.append("第十五条：听证报告未制作")
    return gaps


# --- decision checks (review.checks) -------------------------------------------------------------


@register_decision_check
def check_heard(case: Case, decision: Decision) -> list[str]:
    """《行政处罚法》第六十二条: a penalty is not decided while the notice was not issued and
    served or the party not heard. A decision that imposes no penalty (不予处罚, 移送) needs no
    notice: 第四十四条 asks for one before a penalty decision."""
    if case.kind != CaseKind.PENALTY or decision.outcome != DecisionOutcome.PENALTY:
        return []
    return [f"{gap}，不得作出行政处罚决定。" for gap in heard_gaps(current_notice(case))]


@register_decision_check
def check_not_heavier(case: Case, decision: Decision) -> list[str]:
    """《行政处罚法》第四十五条第二款: the decision is not heavier than the notice's intended
    penalty (a kind the notice did not name, a larger fine or confiscation); a heavier one needs
    a new notice."""
    if case.kind != CaseKind.PENALTY or decision.outcome != DecisionOutcome.PENALTY:
        return []
    notice = current_notice(case)
    if notice is None:
        return []
    out = []
    extra = [PenaltyKind(k).label for k in decision.kinds if k not in notice.kinds]
    if extra:
        out.append(f"处罚种类“{'、'.join(extra)}”未在事先告知书中告知")
    if decision.fine_yuan is not None and Decimal(decision.fine_yuan) > Decimal(notice.fine_yuan or 0):
        out.append(f"罚款{_yuan(decision.fine_yuan)}高于告知的{_yuan(notice.fine_yuan)}")
    if decision.confiscation_yuan is not None and Decimal(decision.confiscation_yuan) > Decimal(
        notice.confiscation_yuan or 0
    ):
        out.append(f"没收价值{_yuan(decision.confiscation_yuan)}高于告知的{_yuan(notice.confiscation_yuan)}")
    if not out:
        return []
    return [f"《行政处罚法》第四十五条：决定不得重于事先告知的处罚（{'；'.join(out)}），应重新告知。"]


@register_decision_check
def check_cites_hearing(case: Case, decision: Decision) -> list[str]:
    """《行政处罚法》第六十五条: after a hearing the decision is made on the hearing record — the
    decision's facts, evidence or basis cite the 听证笔录."""
    if case.kind != CaseKind.PENALTY:
        return []
    notice = current_notice(case)
    hearing = hearing_of(notice) if notice is not None else None
    if hearing is None or hearing.status != HearingStatus.HELD:
        return []
    text = " ".join((decision.facts or "", decision.evidence or "", decision.basis or "", decision.content or ""))
    if "听证笔录" in text:
        return []
    return ["《行政处罚法》第六十五条：听证结束后应当根据听证笔录作出决定，决定的事实、证据或依据中应写明听证笔录。"]
