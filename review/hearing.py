"""第十五条: the hearing (听证; 《行政处罚法》第六十三至六十五条).

Request within 5 working days of service (第六十四条第（一）项); the 听证通知书 at least 7 (working,
第八十五条) days before the hearing — shorter only with an explicit confirmation (第（二）项); public
unless a state secret, trade secret or privacy (第（三）项); a chair who did not investigate the case
and holds a hearing-chair certificate (第（四）项; 山东省行政执法监督条例 第十一条); recusal requests
decided by the head (第（四）项); one or two agents (第（五）项); non-attendance without good reason
waives the hearing (第（六）项); the 听证笔录 signed by the party or the refusal noted (第（八）项); the
听证报告; the decision based on the record (第六十五条, review.defence.check_cites_hearing).
Item numbers of 第六十四条 are from memory (unverified).

Public API (each one transaction; TransitionError / TransitionDenied, Chinese messages):
    hearing_request(notice_id, by, requested_on, request_form) -> Hearing
    hearing_schedule(hearing_id, by, scheduled_at, place, public, closed_reason, chair_id,
                     chair_cert_no, recorder_id, confirm_short_notice=False) -> Hearing
        raises ShortNotice (a TransitionError) when less than 7 working days remain and the
        shortness is not confirmed.
    hearing_agent_add(hearing_id, by, name, id_number, phone, authority) -> HearingAgent
    hearing_recusal_request(hearing_id, by, target_id, reason, requested_on) -> HearingRecusal
    hearing_recusal_decide(recusal_id, by, granted, opinion) -> HearingRecusal
    hearing_record(hearing_id, by, started_at, ended_at, investigator_ids, party_attendees,
                   investigators_said, party_said, final_statements, signature, signature_note,
                   av_record_id) -> Hearing
    hearing_absent(hearing_id, by, note) -> Hearing
    hearing_report(hearing_id, by, opinion) -> Hearing
    hearing_withdraw(hearing_id, by, note) -> Hearing
    on_document_served(sender, case_id, document_id, doc_type, served_on, by)  (receiver: the
        听证通知书's service date from 第五章 delivery)
    notified_on(hearing) -> date | None;  short_notice(hearing) -> bool
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.selectors import user_or_none, users_by_pk
from cases import policy, signoffs, stages
from cases.models import Case, CaseState, Level, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines.calendar import add_working_days
from deadlines.models import DeadlineKind
from deadlines.services import deadline_met
from documents.registry import DocTypeCode
from documents.services import document_issue
from linke.validators import ahead_error, period_errors, validate_person_id, validate_phone

from .audit_actions import AuditAction
from .defence import HEARING_REQUEST_DAYS, _cn, _day, _officer_action, current_notice
from .models_defence import Hearing, HearingAgent, HearingRecusal, HearingStatus, PenaltyNotice, RecordSignature

NOTICE_DAYS = 7  # 《行政处罚法》第六十四条第（二）项: working days (第八十五条)
MAX_AGENTS = 2  # 第六十四条第（五）项
CLOSED_REASONS = {"state_secret": "涉及国家秘密", "trade_secret": "涉及商业秘密", "privacy": "涉及个人隐私"}


class ShortNotice(TransitionError):
    """The hearing is less than 7 working days after today: confirm explicitly to go on."""

    def __init__(self, message: str, earliest: dt.date) -> None:
        super().__init__(message)
        self.earliest = earliest


def _lock_hearing(hearing_id: int) -> tuple[Case, Hearing]:
    case_id = Hearing.objects.values_list("notice__case_id", flat=True).get(pk=hearing_id)
    case = stages.lock(case_id)
    hearing = Hearing.objects.select_related("notice__party", "chair", "recorder").get(pk=hearing_id)
    return case, hearing


def _require_status(hearing: Hearing, *statuses: str, what: str) -> None:
    if hearing.status not in statuses:
        raise TransitionError(f"听证处于“{hearing.get_status_display()}”状态，不能{what}。")


def _user(pk: int | None, label: str) -> User:
    user = user_or_none(pk)
    if user is None or not user.is_active:
        raise TransitionError(f"请选择{label}。")
    return user


@transaction.atomic
def hearing_request(*, notice_id: int, by: User, requested_on: dt.date | None, request_form: str) -> Hearing:
    """Register the party's request for a hearing (《行政处罚法》第六十四条第（一）项): only where the
    notice gave the right, within 5 working days of service (a late request is refused, naming
    the last day). Meets the hearing-request period."""
    case_id = PenaltyNotice.objects.values_list("case_id", flat=True).get(pk=notice_id)
    case = stages.lock(case_id)
    notice = PenaltyNotice.objects.get(pk=notice_id)
    _officer_action(case, by, "登记听证申请")
    if notice.pk != getattr(current_notice(case), "pk", None):
        raise TransitionError("该告知书已被新的告知书取代，请在最新的告知书上登记。")
    if not notice.hearing_right:
        raise TransitionError("《行政处罚法》第六十三条：告知的拟处罚不属于应当告知听证权利的情形，不组织听证。")
    if notice.served_on is None:
        raise TransitionError("告知书尚未送达（请在“送达”页登记送达）：听证申请期限自送达之日起计算。")
    if Hearing.objects.filter(notice=notice).exists():
        raise TransitionError("该告知书的听证申请已登记，不能重复登记。")
    requested_on = _day(requested_on, label="申请日期", not_before=notice.served_on, before_label="告知书送达日期")
    last = add_working_days(notice.served_on, HEARING_REQUEST_DAYS).date
    if requested_on > last:
        raise TransitionError(
            f"《行政处罚法》第六十四条第（一）项：听证应在告知后{HEARING_REQUEST_DAYS}个工作日内提出，"
            f"申请期限已于{_cn(last)}届满，当事人于{_cn(requested_on)}提出的申请已逾期。"
        )
    if not (request_form or "").strip():
        raise TransitionError("请填写申请方式（如书面申请、口头申请并记录）。")
    hearing = Hearing.objects.create(
        notice=notice, requested_on=requested_on, request_form=request_form.strip(), requested_recorded_by=by
    )
    deadline_met(kind=DeadlineKind.HEARING_REQUEST, target=notice)
    audit.record(hearing, AuditAction.HEARING_REQUESTED, actor=by, case=case, requested_on=requested_on)
    return hearing


def investigators_of(case: Case) -> set[int]:
    """Ids of the people who investigated the case: its handling officers and the makers and
    officers of its records (《行政处罚法》第六十四条第（四）项: none of them chairs the hearing)."""
    from records.selectors import investigator_ids

    return set(case.officers.values_list("pk", flat=True)) | investigator_ids(case)


def chair_refusal(case: Case, chair: User, cert_no: str) -> str:
    """Why `chair` may not preside over this case's hearing, or "" (《行政处罚法》第六十四条第（四）
    项: not an investigator — no officer of the case, no maker or officer of its records;
    山东省行政执法监督条例 第十一条: a hearing-chair certificate)."""
    from records.selectors import investigator_ids

    if policy.handles(chair, case) or chair.pk in investigator_ids(case):
        return f"《行政处罚法》第六十四条：{chair}是本案调查人员，不能主持听证。"
    if not (cert_no or "").strip():
        return "山东省行政执法监督条例第十一条：听证主持人应持有听证主持人资格证，请填写资格证号。"
    return ""


@transaction.atomic
def hearing_schedule(
    *,
    hearing_id: int,
    by: User,
    scheduled_at: dt.datetime | None,
    place: str,
    public: bool,
    closed_reason: str,
    chair_id: int | None,
    chair_cert_no: str,
    recorder_id: int | None,
    confirm_short_notice: bool = False,
) -> Hearing:
    """Fix the hearing and issue the 听证通知书 to the party (第六十四条第（二）至（四）项). Refused: a
    chair who investigated the case or has no certificate number, a closed hearing without one of
    the three reasons, a time not in the future. Less than 7 working days ahead raises
    ShortNotice unless `confirm_short_notice`. A scheduled hearing whose notice was served less
    than 7 working days before it (`short_notice`) is scheduled again: a new notice, a new time."""
    case, hearing = _lock_hearing(hearing_id)
    _officer_action(case, by, "制作听证通知书")
    if not (hearing.status == HearingStatus.SCHEDULED and short_notice(hearing)):
        # A notice served too late (short_notice) is replaced by a new one with a new time.
        _require_status(hearing, HearingStatus.REQUESTED, what="制作听证通知书")
    if scheduled_at is None:
        raise TransitionError("请填写听证时间。")
    if error := ahead_error(scheduled_at, max_days=settings.AHEAD_MAX_DAYS, label="听证时间"):
        raise TransitionError(error)
    if not (place or "").strip():
        raise TransitionError("请填写听证地点。")
    if not public and closed_reason not in CLOSED_REASONS:
        raise TransitionError(
            "《行政处罚法》第六十四条第（三）项：听证公开举行，不公开的须说明涉及国家秘密、商业秘密或个人隐私。"
        )
    chair = _user(chair_id, "听证主持人")
    recorder = _user(recorder_id, "记录员")
    refusal = chair_refusal(case, chair, chair_cert_no)
    if refusal:
        raise TransitionDenied(refusal)
    if recorder.pk == chair.pk:
        raise TransitionError("记录员不能由听证主持人兼任。")
    if HearingRecusal.objects.filter(hearing=hearing, target__in=[chair, recorder], granted=True).exists():
        raise TransitionError("该人员已被决定回避，不能担任本次听证的主持人或记录员。")
    day = timezone.localtime(scheduled_at).date()
    earliest = add_working_days(timezone.localdate(), NOTICE_DAYS).date
    if day < earliest and not confirm_short_notice:
        raise ShortNotice(
            f"《行政处罚法》第六十四条第（二）项：应在举行听证的{NOTICE_DAYS}日（工作日）前通知当事人，"
            f"今日通知，听证最早应安排在{_cn(earliest)}。如确需提前（如当事人同意），请勾选确认后再提交。",
            earliest,
        )
    hearing.scheduled_at, hearing.place = scheduled_at, place.strip()
    hearing.public, hearing.closed_reason = public, "" if public else closed_reason
    hearing.chair, hearing.chair_cert_no, hearing.recorder = chair, chair_cert_no.strip(), recorder
    hearing.short_notice_confirmed = day < earliest
    hearing.notice_served_on = None
    hearing.status = HearingStatus.SCHEDULED
    hearing.notice_document = document_issue(
        case=case,
        doc_type=DocTypeCode.HEARING_NOTICE,
        context={
            "party_name": hearing.notice.party.name,
            "party_address": hearing.notice.party.address,
            "notice_number": hearing.notice.document.number if hearing.notice.document else "",
            "requested_on": _cn(hearing.requested_on),
            "scheduled_at": f"{timezone.localtime(scheduled_at):%Y年%m月%d日 %H:%M}",
            "place": hearing.place,
            "public": public,
            "closed_reason": CLOSED_REASONS.get(hearing.closed_reason, ""),
            "chair": chair.display_name,
            "chair_cert_no": hearing.chair_cert_no,
            "recorder": recorder.display_name,
        },
        by=by,
        source=hearing,
    )
    hearing.save()
    audit.record(
        hearing,
        AuditAction.HEARING_SCHEDULED,
        actor=by,
        case=case,
        scheduled_at=scheduled_at,
        chair=chair.pk,
        chair_cert_no=hearing.chair_cert_no,
        public=public,
        short_notice_confirmed=hearing.short_notice_confirmed,
        number=hearing.notice_document.number,
    )
    return hearing


def notified_on(hearing: Hearing) -> dt.date | None:
    """The day the party was told of the hearing: the 听证通知书's service date (第五章 delivery)
    when known, else None."""
    return hearing.notice_served_on


def short_notice(hearing: Hearing) -> bool:
    """The 听证通知书 was served less than 7 working days before the hearing day (《行政处罚法》
    第六十四条第（二）项, working days by 第八十五条). False while the service date is unknown (the
    day the notice was made was checked when the hearing was scheduled)."""
    served = notified_on(hearing)
    if served is None or hearing.scheduled_at is None:
        return False
    return timezone.localtime(hearing.scheduled_at).date() < add_working_days(served, NOTICE_DAYS).date


def on_document_served(
    sender: Any, *, case_id: int, document_id: int, doc_type: str, served_on: dt.date, by: User, **kwargs: Any
) -> None:
    """delivery.signals.document_served: a 听证通知书 served records its service date (第十五条). Runs
    in the delivering transaction; refused (TransitionError, the delivery rolled back) when the
    hearing is no longer scheduled or the date is after the hearing day. Served less than 7
    working days before the hearing without the shortness confirmed, the hearing cannot be held
    on that day (`hearing_record` refuses): `hearing_schedule` sets a new time."""
    if doc_type != DocTypeCode.HEARING_NOTICE:
        return
    hearing_id = Hearing.objects.filter(notice_document_id=document_id).values_list("pk", flat=True).first()
    if hearing_id is None:
        return
    case, hearing = _lock_hearing(hearing_id)
    _require_status(hearing, HearingStatus.SCHEDULED, what="登记听证通知书送达")
    assert hearing.scheduled_at is not None
    if served_on > timezone.localtime(hearing.scheduled_at).date():
        raise TransitionError("听证通知书的送达日期晚于听证日期，请重新安排听证时间。")
    hearing.notice_served_on = served_on
    hearing.save(update_fields=["notice_served_on"])
    audit.record(
        hearing,
        AuditAction.HEARING_NOTICE_SERVED,
        actor=by,
        case=case,
        served_on=served_on,
        short_notice=short_notice(hearing),
    )


@transaction.atomic
def hearing_agent_add(
    *, hearing_id: int, by: User, name: str, id_number: str, phone: str, authority: str
) -> HearingAgent:
    """Register an agent the party entrusted (第六十四条第（五）项: one or two; a third is refused)."""
    case, hearing = _lock_hearing(hearing_id)
    _officer_action(case, by, "登记委托代理人")
    _require_status(hearing, HearingStatus.REQUESTED, HearingStatus.SCHEDULED, what="登记委托代理人")
    if HearingAgent.objects.filter(hearing=hearing).count() >= MAX_AGENTS:
        raise TransitionError(f"《行政处罚法》第六十四条第（五）项：当事人可以委托一至二人代理，已登记{MAX_AGENTS}人。")
    if not (name or "").strip() or not (authority or "").strip():
        raise TransitionError("请填写代理人姓名和代理权限。")
    try:
        if not (id_number or "").strip():
            raise ValidationError("请填写代理人身份证号码。")
        validate_person_id(id_number.strip())
        validate_phone(phone)
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from None
    agent = HearingAgent.objects.create(
        hearing=hearing,
        name=name.strip(),
        id_number=id_number.strip().upper(),
        phone=(phone or "").strip(),
        authority=authority.strip(),
        recorded_by=by,
    )
    audit.record(agent, AuditAction.HEARING_AGENT_ADDED, actor=by, case=case, name=agent.name)
    return agent


@transaction.atomic
def hearing_recusal_request(
    *, hearing_id: int, by: User, target_id: int | None, reason: str, requested_on: dt.date | None
) -> HearingRecusal:
    """Register the party's request that the chair (or the recorder) withdraw (第六十四条第（四）项).
    The head decides it (`hearing_recusal_decide`); the hearing is not recorded meanwhile."""
    case, hearing = _lock_hearing(hearing_id)
    _officer_action(case, by, "登记回避申请")
    _require_status(hearing, HearingStatus.SCHEDULED, what="登记回避申请")
    if target_id is None or target_id not in (hearing.chair_id, hearing.recorder_id):
        raise TransitionError("请选择被申请回避的听证主持人或记录员。")
    if not (reason or "").strip():
        raise TransitionError("请填写申请回避的理由。")
    requested_on = _day(requested_on, label="申请日期", not_before=hearing.requested_on, before_label="听证申请日期")
    recusal = HearingRecusal.objects.create(
        hearing=hearing,
        target_id=target_id,
        reason=reason.strip(),
        requested_on=requested_on,
        recorded_by=by,
        round=signoffs.next_round(case, SignOffStep.HEARING_RECUSAL),
    )
    audit.record(recusal, AuditAction.HEARING_RECUSAL_REQUESTED, actor=by, case=case, against=target_id)
    return recusal


@transaction.atomic
def hearing_recusal_decide(*, recusal_id: int, by: User, granted: bool, opinion: str) -> HearingRecusal:
    """The head decides a recusal request with reasons (a SignOff row, step HEARING_RECUSAL, in
    the request's round). Granted: the person leaves the hearing, which is scheduled again."""
    hearing_id = HearingRecusal.objects.values_list("hearing_id", flat=True).get(pk=recusal_id)
    case, hearing = _lock_hearing(hearing_id)
    recusal = HearingRecusal.objects.get(pk=recusal_id)
    if recusal.granted is not None:
        raise TransitionError("该回避申请已作出决定。")
    row = signoffs.signoff_record(
        case=case,
        step=SignOffStep.HEARING_RECUSAL,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE if granted else SignOffOutcome.REFUSE,
        opinion=opinion,
        round=recusal.round,
    )
    recusal.granted, recusal.decision = granted, row
    recusal.save(update_fields=["granted", "decision"])
    if granted and hearing.status == HearingStatus.SCHEDULED:
        # The chair or recorder withdraws: the hearing is fixed again with someone else.
        hearing.status = HearingStatus.REQUESTED
        hearing.save(update_fields=["status"])
    audit.record(recusal, AuditAction.HEARING_RECUSAL_DECIDED, actor=by, case=case, granted=granted, signoff=row.pk)
    return recusal


def _may_record(case: Case, hearing: Hearing, by: User) -> None:
    if by.pk not in (hearing.chair_id, hearing.recorder_id):
        raise TransitionDenied("听证笔录、听证报告由本次听证的主持人或记录员制作。")
    stages.require_state(case, (CaseState.UNDER_REVIEW,), "记录听证")


@transaction.atomic
def hearing_record(
    *,
    hearing_id: int,
    by: User,
    started_at: dt.datetime | None,
    ended_at: dt.datetime | None,
    investigator_ids: list[int],
    party_attendees: str,
    investigators_said: str,
    party_said: str,
    final_statements: str,
    signature: str,
    signature_note: str,
    av_record_id: int | None = None,
) -> Hearing:
    """The 听证笔录 (第十五条; 第六十四条第（七）（八）项): start and end (not in the future, the end
    after the start, not before the hearing notice), place and chair (from the notice), recorder,
    the investigators present (officers of the case), the party and agents, what each said, and
    the party's signature or the refusal noted; optionally the case's AV record of the hearing."""
    case, hearing = _lock_hearing(hearing_id)
    _may_record(case, hearing, by)
    _require_status(hearing, HearingStatus.SCHEDULED, what="制作听证笔录")
    if HearingRecusal.objects.filter(hearing=hearing, granted__isnull=True).exists():
        raise TransitionError("《行政处罚法》第六十四条第（四）项：回避申请尚未决定，不能举行听证。")
    if short_notice(hearing) and not hearing.short_notice_confirmed:
        served = notified_on(hearing)
        assert served is not None
        raise TransitionError(
            f"《行政处罚法》第六十四条第（二）项：听证通知书于{_cn(served)}送达，距听证不足{NOTICE_DAYS}个工作日"
            f"（最早{_cn(add_working_days(served, NOTICE_DAYS).date)}），不能按通知的时间举行听证，请重新安排听证时间并送达新的听证通知书。"
        )
    missing = [
        label
        for label, value in (
            ("听证开始时间", started_at),
            ("听证结束时间", ended_at),
            ("当事人及出席人员", party_attendees),
            ("调查人员提出的违法事实、证据和处罚建议", investigators_said),
            ("当事人的陈述、申辩和质证意见", party_said),
        )
        if not (value.strip() if isinstance(value, str) else value)
    ]
    if not investigator_ids:
        missing.append("出席听证的案件调查人员")
    if signature not in RecordSignature.values:
        missing.append("笔录签字情况")
    if missing:
        raise TransitionError(f"第十五条：听证笔录缺少{'、'.join(missing)}。")
    assert hearing.notice_document is not None
    errors = period_errors(
        started_at, ended_at, not_before=hearing.notice_document.issued_at, not_before_label="听证通知书制作时间"
    )
    if errors:
        raise TransitionError("；".join(errors.values()))
    assert hearing.scheduled_at is not None and started_at is not None
    if timezone.localtime(started_at).date() < timezone.localtime(hearing.scheduled_at).date():
        raise TransitionError(
            f"听证开始时间早于听证通知书确定的听证日期（{timezone.localtime(hearing.scheduled_at):%Y-%m-%d}）。"
        )
    if signature == RecordSignature.REFUSED and not (signature_note or "").strip():
        raise TransitionError("《行政处罚法》第六十四条第（八）项：当事人拒绝签字的，由听证主持人在笔录中注明情况。")
    people = list(users_by_pk(investigator_ids))
    if len(people) != len(set(investigator_ids)) or not all(policy.handles(u, case) for u in people):
        raise TransitionError("出席听证的调查人员应为本案承办人。")
    av = None
    if av_record_id:
        from avrecords.selectors import records_of_case

        av = records_of_case(case.pk).filter(pk=av_record_id).first()
        if av is None:
            raise TransitionError("所选音像记录不属于本案。")
    hearing.started_at, hearing.ended_at = started_at, ended_at
    hearing.party_attendees = party_attendees.strip()
    hearing.investigators_said, hearing.party_said = investigators_said.strip(), party_said.strip()
    hearing.final_statements = (final_statements or "").strip()
    hearing.signature, hearing.signature_note = signature, (signature_note or "").strip()
    hearing.av_record = av
    hearing.status = HearingStatus.HELD
    hearing.save()
    hearing.investigators.set(people)
    agents = list(HearingAgent.objects.filter(hearing=hearing))
    hearing.record_document = document_issue(
        case=case,
        doc_type=DocTypeCode.HEARING_RECORD,
        context={
            "party_name": hearing.notice.party.name,
            "started_at": f"{timezone.localtime(started_at):%Y年%m月%d日 %H:%M}",
            "ended_at": f"{timezone.localtime(ended_at):%Y年%m月%d日 %H:%M}",
            "place": hearing.place,
            "public": hearing.public,
            "closed_reason": CLOSED_REASONS.get(hearing.closed_reason, ""),
            "chair": hearing.chair.display_name if hearing.chair else "",
            "chair_cert_no": hearing.chair_cert_no,
            "recorder": hearing.recorder.display_name if hearing.recorder else "",
            "investigators": [{"name": u.display_name, "cert_no": u.cert_no or ""} for u in people],
            "party_attendees": hearing.party_attendees,
            "agents": [{"name": a.name, "authority": a.authority} for a in agents],
            "investigators_said": hearing.investigators_said,
            "party_said": hearing.party_said,
            "final_statements": hearing.final_statements,
            "signature": hearing.get_signature_display(),
            "signature_note": hearing.signature_note,
            "av_record": f"音像记录 {av.uuid}" if av is not None else "",
        },
        by=by,
        source=hearing,
        dated=timezone.localtime(ended_at).date(),
    )
    hearing.save(update_fields=["record_document"])
    audit.record(
        hearing,
        AuditAction.HEARING_RECORDED,
        actor=by,
        case=case,
        started_at=started_at,
        ended_at=ended_at,
        signature=signature,
        av_record=av.pk if av is not None else None,
        number=hearing.record_document.number,
    )
    return hearing


@transaction.atomic
def hearing_absent(*, hearing_id: int, by: User, note: str) -> Hearing:
    """The party did not attend (or left without leave) without good reason: the hearing right is
    waived and the hearing ends (第六十四条第（六）项). Only once the scheduled time has come."""
    case, hearing = _lock_hearing(hearing_id)
    _may_record(case, hearing, by)
    _require_status(hearing, HearingStatus.SCHEDULED, what="记录未出席")
    if hearing.scheduled_at is None or hearing.scheduled_at > timezone.now():
        raise TransitionError("听证时间未到，不能记录当事人未出席。")
    if not (note or "").strip():
        raise TransitionError("请记录当事人未出席的情况（是否有正当理由）。")
    hearing.status, hearing.absence_note = HearingStatus.ABSENT, note.strip()
    hearing.save(update_fields=["status", "absence_note"])
    audit.record(hearing, AuditAction.HEARING_ABSENT, actor=by, case=case)
    return hearing


@transaction.atomic
def hearing_report(*, hearing_id: int, by: User, opinion: str) -> Hearing:
    """The 听证报告: the chair's opinion on the facts, evidence and intended penalty, after the
    record (第十五条). Issued once, by the chair."""
    case, hearing = _lock_hearing(hearing_id)
    if by.pk != hearing.chair_id:
        raise TransitionDenied("听证报告由听证主持人制作。")
    stages.require_state(case, (CaseState.UNDER_REVIEW,), "制作听证报告")
    _require_status(hearing, HearingStatus.HELD, what="制作听证报告")
    if hearing.report_document_id is not None:
        raise TransitionError("听证报告已制作，不能重复制作。")
    if not (opinion or "").strip():
        raise TransitionError("第十五条：请填写听证主持人意见。")
    hearing.report_opinion = opinion.strip()
    notice = hearing.notice
    hearing.report_document = document_issue(
        case=case,
        doc_type=DocTypeCode.HEARING_REPORT,
        context={
            "party_name": notice.party.name,
            "record_number": hearing.record_document.number if hearing.record_document else "",
            "held_at": f"{timezone.localtime(hearing.started_at):%Y年%m月%d日 %H:%M}" if hearing.started_at else "",
            "place": hearing.place,
            "chair": hearing.chair.display_name if hearing.chair else "",
            "recorder": hearing.recorder.display_name if hearing.recorder else "",
            "intended": notice.content,
            "party_said": hearing.party_said,
            "opinion": hearing.report_opinion,
        },
        by=by,
        source=hearing,
    )
    hearing.save(update_fields=["report_opinion", "report_document"])
    audit.record(hearing, AuditAction.HEARING_REPORTED, actor=by, case=case, number=hearing.report_document.number)
    return hearing


@transaction.atomic
def hearing_withdraw(*, hearing_id: int, by: User, note: str) -> Hearing:
    """The party withdrew its request before the hearing was held: recorded with how (a signed
    statement); the party is then heard through its statement and defence (第十四条第二款)."""
    case, hearing = _lock_hearing(hearing_id)
    _officer_action(case, by, "记录撤回听证申请")
    _require_status(hearing, HearingStatus.REQUESTED, HearingStatus.SCHEDULED, what="记录撤回听证申请")
    if not (note or "").strip():
        raise TransitionError("请记录当事人撤回听证申请的情况（如书面撤回申请并签名）。")
    hearing.status, hearing.withdrawal_note = HearingStatus.WITHDRAWN, note.strip()
    hearing.save(update_fields=["status", "withdrawal_note"])
    audit.record(hearing, AuditAction.HEARING_WITHDRAWN, actor=by, case=case)
    return hearing


def hearing_for(case: Case) -> Any:
    """The hearing on the case's current notice, if any."""
    notice = current_notice(case)
    if notice is None:
        return None
    return Hearing.objects.filter(notice=notice).select_related("chair", "recorder").first()
