"""Writes to the case aggregate: registration (第七至九条), its records, and the transitions of
第二章 that cases owns (filing approval, licensing acceptance).

Each action is one transaction: lock the case (`stages.lock`), check the access policy
(`cases.policy`, refusals raise `TransitionDenied`), write its own rows (opinions are `SignOff`
rows), issue its document, then `stages.advance` the case. The stage machine, its errors and the
declared transitions live in `cases.stages`; later stages declare theirs in their own apps.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

import audit
from accounts.models import Department, Role, User
from linke.validators import period_errors
from numbering.services import number_next

from . import initiation_docs, licensing, policy, signoffs, stages
from .models import (
    Application,
    ApplicationDecision,
    ApplicationEvent,
    ApplicationEventKind,
    Attachment,
    Case,
    CaseKind,
    CaseOfficer,
    CaseOrigin,
    CaseState,
    Complaint,
    FilingRecord,
    Level,
    NonInitiation,
    Party,
    SignOff,
    SignOffOutcome,
    SignOffStep,
)
from .signals import officers_assigned
from .stages import Transition, TransitionDenied, TransitionError

__all__ = ["TransitionDenied", "TransitionError"]

S = CaseState

# 案号 kind codes: 罚立 = 行政处罚立案, 许受 = 行政许可受理.
NUMBER_CODES = {CaseKind.PENALTY: "罚立", CaseKind.LICENSING: "许受"}

OFFICER, SECTION_CHIEF, HEAD = policy.ACTOR_OFFICER, Role.SECTION_CHIEF, Role.HEAD


def _check_time(value: datetime, what: str, *, not_before: datetime | None = None, before_label: str = "") -> None:
    """The one time rule (linke.validators.period_errors) for a time entered through a service:
    not in the future, not before the event it follows. TransitionError names the field."""
    errors = period_errors(value, None, not_before=not_before, not_before_label=before_label)
    if errors:
        raise TransitionError(f"{what}：{next(iter(errors.values()))}")


def _need_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise TransitionError(f"请填写{what}。")
    return value


# --- registration: 第七条, 第八条, 第九条 -----------------------------------------------


def case_number_format(kind: str, year: int, n: int) -> str:
    return f"{settings.AGENCY_PREFIX}{NUMBER_CODES[CaseKind(kind)]}〔{year}〕{n}号"


def case_number_next(kind: str, year: int | None = None) -> str:
    """The next 案号 of `kind` (立案号 for penalty, 受理号 for licensing), gap-free per kind and
    year. Taken only when the head approves filing / on acceptance, inside that transaction (a
    rollback returns the number)."""
    year = year or timezone.localdate().year
    return case_number_format(kind, year, number_next(f"case:{kind}", year))


REGISTRATION_SCOPE = "case:registration"


def registration_number_format(year: int, n: int) -> str:
    return f"{settings.AGENCY_PREFIX}登〔{year}〕{n}号"


def registration_number_next(year: int | None = None) -> str:
    """The next 登记号 (临科登〔YYYY〕N号): one gap-free series per year for every case registered,
    filed or not. Call inside the transaction that saves the case."""
    year = year or timezone.localdate().year
    return registration_number_format(year, number_next(REGISTRATION_SCOPE, year))


# Why a case has two or more certified officers: a penalty case by 《行政处罚法》第四十二条; a
# licensing case is handled by the Measures' 执法人员 (第七条), and 《行政许可法》第三十四条第三款 has
# two or more staff verify the substance of an application.
OFFICERS_ARTICLE = {
    CaseKind.PENALTY: "《行政处罚法》第四十二条",
    CaseKind.LICENSING: "第七条；《行政许可法》第三十四条第三款",
}


def _check_officers(officers: Iterable[User], kind: str = CaseKind.PENALTY) -> list[User]:
    """At least two officers holding a 执法证号 handle a case (OFFICERS_ARTICLE by kind)."""
    article = OFFICERS_ARTICLE[CaseKind(kind)]
    people = list(dict.fromkeys(officers))
    for user in people:
        if not user.has_role(Role.OFFICER) or not user.is_active:
            raise TransitionError(f"{user}不是在岗执法人员，不能承办案件。")
        if not user.cert_no:
            raise TransitionError(f"{user}没有执法证号，不能承办案件（{article}）。")
    if len(people) < 2:
        raise TransitionError(f"承办人不得少于两人，且均须持有执法证（{article}）。")
    return people


def _case_create(
    *,
    kind: str,
    origin: str,
    state: str,
    by: User,
    title: str,
    summary: str,
    officers: Iterable[User],
    department: Department | None,
    confidentiality: str,
) -> Case:
    if not by.has_role(Role.OFFICER):
        raise TransitionDenied("只有执法人员可以登记案件。")
    people = _check_officers(officers, kind)
    if by in people:  # the registering officer leads the case they register
        people.remove(by)
        people.insert(0, by)
    department = department or by.department
    if department is None:
        raise TransitionError("请指定承办科室。")
    case = Case.objects.create(
        registration_number=registration_number_next(),
        kind=kind,
        origin=origin,
        state=state,
        title=_need_text(title, "案由"),
        summary=summary.strip(),
        department=department,
        confidentiality=confidentiality,
        created_by=by,
    )
    CaseOfficer.objects.bulk_create(
        [CaseOfficer(case=case, officer=u, is_lead=i == 0, cert_no=u.cert_no or "") for i, u in enumerate(people)]
    )
    audit.record(
        case,
        "case.registered",
        actor=by,
        registration_number=case.registration_number,
        kind=kind,
        origin=origin,
        state=state,
        officers=[u.pk for u in people],
    )
    return case


def _parties_create(case: Case, parties: Iterable[dict[str, Any]], by: User) -> list[Party]:
    out = []
    for fields in parties:
        party = Party.objects.create(case=case, created_by=by, **fields)
        audit.record(party, "party.added", actor=by, case=case, name=party.name, kind=party.kind)
        out.append(party)
    return out


@transaction.atomic
def case_register_application(
    *,
    by: User,
    title: str,
    officers: Iterable[User],
    parties: Iterable[dict[str, Any]],
    form: str,
    received_at: datetime,
    matter: str,
    materials: str = "",
    oral_record: str = "",
    summary: str = "",
    department: Department | None = None,
    confidentiality: str = "",
) -> Case:
    """第七条: a licensing case started by a written or oral application (state APPLIED)."""
    case = _case_create(
        kind=CaseKind.LICENSING,
        origin=CaseOrigin.APPLICATION,
        state=S.APPLIED,
        by=by,
        title=title,
        summary=summary,
        officers=officers,
        department=department,
        confidentiality=confidentiality,
    )
    _parties_create(case, parties, by)
    app = Application.objects.create(
        case=case,
        form=form,
        received_at=received_at,
        matter=matter.strip(),
        materials=materials.strip(),
        oral_record=oral_record.strip(),
        recorded_by=by,
    )
    audit.record(
        app, "application.recorded", actor=by, case=case, form=form, received_at=received_at, matter=app.matter
    )
    licensing.supplement_period_open(case, app)
    return case


@transaction.atomic
def case_register_ex_officio(
    *,
    by: User,
    title: str,
    officers: Iterable[User],
    parties: Iterable[dict[str, Any]],
    cause: str,
    source: str,
    summary: str = "",
    source_detail: str = "",
    officer_opinion: str = "",
    department: Department | None = None,
    confidentiality: str = "",
) -> Case:
    """第八条第一款: a penalty case the agency starts of its own motion (state REGISTERED);
    the filing approval form is opened with the cause and source."""
    case = _case_create(
        kind=CaseKind.PENALTY,
        origin=CaseOrigin.EX_OFFICIO,
        state=S.REGISTERED,
        by=by,
        title=title,
        summary=summary,
        officers=officers,
        department=department,
        confidentiality=confidentiality,
    )
    _parties_create(case, parties, by)
    filing = FilingRecord.objects.create(
        case=case, cause=cause.strip(), source=source, source_detail=source_detail.strip()
    )
    if officer_opinion.strip():
        signoffs.signoff_record(
            case=case,
            step=SignOffStep.FILING,
            level=Level.OFFICER,
            by=by,
            outcome=SignOffOutcome.AGREE,
            opinion=officer_opinion,
        )
    audit.record(filing, "filing.opened", actor=by, case=case, cause=filing.cause, source=source)
    return case


@transaction.atomic
def case_register_complaint(
    *,
    by: User,
    title: str,
    officers: Iterable[User],
    parties: Iterable[dict[str, Any]],
    channel: str,
    received_at: datetime,
    content: str,
    anonymous: bool = False,
    complainant_name: str = "",
    complainant_id_number: str = "",
    complainant_phone: str = "",
    complainant_address: str = "",
    summary: str = "",
    department: Department | None = None,
    confidentiality: str = "",
) -> Case:
    """第九条第一款: a penalty case started by a complaint or report (state REGISTERED). The
    recording officer is `by`; the filing form is opened with source = complaint."""
    case = _case_create(
        kind=CaseKind.PENALTY,
        origin=CaseOrigin.COMPLAINT,
        state=S.REGISTERED,
        by=by,
        title=title,
        summary=summary,
        officers=officers,
        department=department,
        confidentiality=confidentiality,
    )
    _parties_create(case, parties, by)
    if anonymous:
        complainant_name = complainant_id_number = complainant_phone = complainant_address = ""
    elif not complainant_name.strip():
        raise TransitionError("实名投诉举报须填写投诉举报人姓名或名称；否则请勾选匿名。")
    complaint = Complaint.objects.create(
        case=case,
        anonymous=anonymous,
        complainant_name=complainant_name.strip(),
        complainant_id_number=complainant_id_number.strip(),
        complainant_phone=complainant_phone.strip(),
        complainant_address=complainant_address.strip(),
        channel=channel,
        received_at=received_at,
        content=_need_text(content, "投诉举报内容"),
        recorded_by=by,
    )
    audit.record(
        complaint,
        "complaint.recorded",
        actor=by,
        case=case,
        anonymous=anonymous,
        channel=channel,
        received_at=received_at,
    )
    FilingRecord.objects.create(case=case, source="complaint")
    return case


# --- records of the starting stage ------------------------------------------------------------


def _editable(case_id: int, by: User, states: Iterable[str], what: str, roles: Iterable[str] = (OFFICER,)) -> Case:
    case = stages.lock(case_id)
    stages.require_state(case, states, what)
    stages.require_roles(case, by, roles, what)
    return case


# Records of how the case started are fixed once it has left its starting stage.
_STARTING = (S.REGISTERED, S.APPLIED)


@transaction.atomic
def case_assign_officers(*, case_id: int, officers: Iterable[User], by: User) -> Case:
    """Replace the handling officers (two or more, certified: OFFICERS_ARTICLE)."""
    case = stages.lock(case_id)
    if case.state in (S.ARCHIVED,):
        raise TransitionError("已归档案件不能变更承办人。")
    stages.require_roles(case, by, (OFFICER, HEAD), "变更承办人")
    people = _check_officers(officers, case.kind)
    if by in people:
        people.remove(by)
        people.insert(0, by)
    CaseOfficer.objects.filter(case=case).exclude(officer__in=people).delete()
    existing = set(CaseOfficer.objects.filter(case=case).values_list("officer_id", flat=True))
    CaseOfficer.objects.bulk_create(
        [CaseOfficer(case=case, officer=u, cert_no=u.cert_no or "") for u in people if u.pk not in existing]
    )
    CaseOfficer.objects.filter(case=case).update(is_lead=False)
    CaseOfficer.objects.filter(case=case, officer=people[0]).update(is_lead=True)
    audit.record(case, "case.officers_assigned", actor=by, officers=[u.pk for u in people])
    officers_assigned.send(sender=Case, case=case, by=by)
    return case


@transaction.atomic
def party_add(*, case_id: int, by: User, **fields: Any) -> Party:
    case = _editable(case_id, by, (*_STARTING, S.PENDING_FILING, S.INVESTIGATING, S.ACCEPTED), "添加当事人")
    return _parties_create(case, [fields], by)[0]


@transaction.atomic
def party_update(*, party_id: int, by: User, **fields: Any) -> Party:
    party = Party.objects.select_related("case").get(pk=party_id)
    _editable(party.case_id, by, (*_STARTING, S.INVESTIGATING, S.ACCEPTED), "修改当事人")
    changed = {k: v for k, v in fields.items() if getattr(party, k) != v}
    for k, v in changed.items():
        setattr(party, k, v)
    party.save()
    audit.record(party, "party.updated", actor=by, case=party.case_id, fields=sorted(changed))
    return party


@transaction.atomic
def filing_record_update(
    *,
    case_id: int,
    by: User,
    cause: str | None = None,
    source: str | None = None,
    source_detail: str | None = None,
    summary: str | None = None,
) -> FilingRecord:
    """第八条第一款: cause, source and the basic facts (on the case) before submission."""
    case = _editable(case_id, by, (S.REGISTERED,), "修改立案信息")
    filing, _ = FilingRecord.objects.get_or_create(case=case)
    changed = []
    for name, value in (("cause", cause), ("source", source), ("source_detail", source_detail)):
        if value is not None and getattr(filing, name) != value.strip():
            setattr(filing, name, value.strip())
            changed.append(name)
    filing.save()
    if summary is not None and case.summary != summary.strip():
        case.summary = summary.strip()
        case.save(update_fields=["summary", "updated_at"])
        changed.append("summary")
    audit.record(filing, "filing.updated", actor=by, case=case, fields=changed)
    return filing


@transaction.atomic
def filing_opinion_record(*, case_id: int, by: User, level: str, opinion: str) -> SignOff:
    """第八条第一款: 承办人意见 (level "officer", a handling officer) or 承办机构意见 (level "unit", the
    section chief of the case's department), signed with its time as a `SignOff` row of the
    filing step, before the case is submitted. Raises TransitionError / TransitionDenied."""
    if level not in (Level.OFFICER, Level.UNIT):
        raise ValueError(level)
    what = "签署承办人意见" if level == Level.OFFICER else "签署承办机构意见"
    case = stages.lock(case_id)
    stages.require_state(case, (S.REGISTERED,), what)
    return signoffs.signoff_record(
        case=case, step=SignOffStep.FILING, level=level, by=by, outcome=SignOffOutcome.AGREE, opinion=opinion
    )


@transaction.atomic
def complaint_record_handling(*, case_id: int, by: User, handling: str) -> Complaint:
    """第九条第一款: how the complaint or report was handled."""
    case = _editable(case_id, by, (S.REGISTERED, S.PENDING_FILING, S.NOT_FILED), "记录投诉举报处理情况")
    complaint = Complaint.objects.select_for_update().get(case=case)
    complaint.handling = _need_text(handling, "处理情况")
    complaint.handled_at = timezone.now()
    complaint.handled_by = by
    complaint.save(update_fields=["handling", "handled_at", "handled_by"])
    audit.record(complaint, "complaint.handled", actor=by, case=case, handling=complaint.handling)
    return complaint


@transaction.atomic
def application_event_add(
    *, case_id: int, by: User, kind: str, occurred_at: datetime, content: str, confidentiality: str = ""
) -> ApplicationEvent:
    """第七条: an on-the-spot correction, a request for supplementary materials, or their receipt.
    A request is the 补正材料通知 (`licensing.application_supplement_notice`: every missing
    material, one per line of `content`, once, within 5 working days, with its document), a
    receipt `licensing.application_supplement_receive`."""
    kind = ApplicationEventKind(kind)
    if kind == ApplicationEventKind.SUPPLEMENT_REQUEST:
        return licensing.application_supplement_notice(
            case_id=case_id, by=by, materials=content, notified_at=occurred_at
        )
    if kind == ApplicationEventKind.SUPPLEMENT_RECEIVED:
        return licensing.application_supplement_receive(
            case_id=case_id, by=by, supplied_at=occurred_at, content=content
        )
    case = _editable(case_id, by, (S.APPLIED,), "记录补正更正情况")
    received = Application.objects.filter(case=case).values_list("received_at", flat=True).first()
    _check_time(occurred_at, "时间", not_before=received, before_label="申请时间")
    event = ApplicationEvent.objects.create(
        case=case,
        kind=kind,
        occurred_at=occurred_at,
        content=_need_text(content, "内容"),
        recorded_by=by,
        confidentiality=confidentiality,
    )
    audit.record(
        event, f"application.{kind.value}", actor=by, case=case, occurred_at=occurred_at, content=event.content
    )
    return event


@transaction.atomic
def application_update(*, case_id: int, by: User, **fields: Any) -> Application:
    """第七条: complete the application record (e.g. the written record of an oral one)."""
    case = _editable(case_id, by, (S.APPLIED,), "修改申请记录")
    app = Application.objects.select_for_update().get(case=case)
    allowed = {"form", "received_at", "matter", "materials", "oral_record", "confidentiality"}
    changed = sorted(k for k, v in fields.items() if k in allowed and getattr(app, k) != v)
    for k in changed:
        setattr(app, k, fields[k])
    app.save()
    audit.record(app, "application.updated", actor=by, case=case, fields=changed)
    return app


@transaction.atomic
def noninitiation_record_notice(
    *, case_id: int, by: User, method: str, notified_at: datetime, detail: str
) -> NonInitiation:
    """第八条第二款: how the party was told, or how it was made public, that no case is started."""
    case = _editable(case_id, by, (S.NOT_FILED,), "记录不予立案告知情况")
    ni = NonInitiation.objects.select_for_update().get(case=case)
    _check_time(notified_at, "告知或公示时间", not_before=ni.decided_at, before_label="不予立案决定时间")
    ni.notice_method, ni.notice_at, ni.notice_detail, ni.notice_by = method, notified_at, detail.strip(), by
    ni.save()
    audit.record(
        ni,
        "non_initiation.notice",
        actor=by,
        case=case,
        method=method,
        notified_at=notified_at,
        detail=ni.notice_detail,
    )
    return ni


@transaction.atomic
def noninitiation_record_complainant_notice(
    *, case_id: int, by: User, method: str, notified_at: datetime, detail: str
) -> NonInitiation:
    """第九条第二款: how and when a real-name complainant was told that no case is started."""
    case = _editable(case_id, by, (S.NOT_FILED,), "记录告知投诉举报人情况")
    complaint = Complaint.objects.filter(case=case).first()
    if complaint is None or complaint.anonymous:
        raise TransitionError("本案不是实名投诉举报，无需告知投诉举报人（第九条第二款）。")
    ni = NonInitiation.objects.select_for_update().get(case=case)
    # 第九条第二款: the complainant is told after the decision, which comes after the complaint.
    _check_time(notified_at, "告知投诉举报人时间", not_before=ni.decided_at, before_label="不予立案决定时间")
    ni.complainant_notice_method, ni.complainant_notice_at = method, notified_at
    ni.complainant_notice_detail, ni.complainant_notice_by = detail.strip(), by
    ni.save()
    audit.record(
        ni,
        "non_initiation.complainant_notice",
        actor=by,
        case=case,
        method=method,
        notified_at=notified_at,
        detail=ni.complainant_notice_detail,
    )
    return ni


# --- transitions: 第二章 ------------------------------------------------------------------

P, L = (CaseKind.PENALTY,), (CaseKind.LICENSING,)


def _begin(case_id: int, t: Transition, by: User) -> Case:
    case = stages.lock(case_id)
    stages.require_actor(case, by, t)
    return case


@transaction.atomic
def case_submit_for_filing(*, case_id: int, by: User) -> Case:
    """REGISTERED -> PENDING_FILING (第八条第一款 / 第九条第一款 complete); goes to the head's queue."""
    case = _begin(case_id, SUBMIT_FOR_FILING, by)
    FilingRecord.objects.filter(case=case).update(submitted_at=timezone.now())
    return stages.advance(case, SUBMIT_FOR_FILING, by=by)


def _take_number(case: Case) -> None:
    """The 立案号 / 受理号 is taken only now, when the case is filed or accepted (issue: numbers)."""
    if case.number:
        raise TransitionError(f"本案已有案号 {case.number}。")
    case.number = case_number_next(case.kind)
    case.save(update_fields=["number", "updated_at"])


def _head_signs(case: Case, by: User, outcome: str, opinion: str, what: str) -> SignOff:
    FilingRecord.objects.get_or_create(case=case)
    return signoffs.signoff_record(
        case=case, step=SignOffStep.FILING, level=Level.HEAD, by=by, outcome=outcome, opinion=_need_text(opinion, what)
    )


@transaction.atomic
def case_approve_filing(*, case_id: int, by: User, opinion: str) -> Case:
    """PENDING_FILING -> INVESTIGATING: the agency head's opinion and its time (第八条第一款), a
    sign-off row; the 立案审批表 is issued from the rows."""
    case = _begin(case_id, APPROVE_FILING, by)
    row = _head_signs(case, by, SignOffOutcome.AGREE, opinion, "机关负责人意见")
    _take_number(case)
    case = stages.advance(case, APPROVE_FILING, by=by, opinion=row.opinion, signoff=row.pk, number=case.number)
    initiation_docs.filing_approval_issue(filing=FilingRecord.objects.get(case=case), by=by)
    return case


@transaction.atomic
def case_reject_filing(*, case_id: int, by: User, opinion: str) -> Case:
    """PENDING_FILING -> REGISTERED: the head sends it back for more (the opinion says what); the
    next signatures open a new round of the filing step."""
    case = _begin(case_id, REJECT_FILING, by)
    row = _head_signs(case, by, SignOffOutcome.RETURN, opinion, "退回意见")
    return stages.advance(case, REJECT_FILING, by=by, opinion=row.opinion, signoff=row.pk)


@transaction.atomic
def case_not_file(*, case_id: int, by: User, opinion: str, notice_reason: str) -> Case:
    """REGISTERED | PENDING_FILING -> NOT_FILED (第八条第二款): the head decides not to start
    proceedings. `opinion` is the head's own sign-off (internal, on the approval form);
    `notice_reason` is the reason written for the person told (printed in the notice). The
    notice goes to whom the article names: for a real-name complaint the complainant (第九条第二款),
    who must not learn of it from the reported party, and the reported party is not told of the
    report; for a case the agency started itself, the party (第八条第二款). How it reached them, or
    how it was made public, is recorded next; archiving waits for that.
    Raises TransitionError / TransitionDenied."""
    case = _begin(case_id, NOT_FILE, by)
    reason = _need_text(notice_reason, "告知理由（写给被告知人）")
    row = _head_signs(case, by, SignOffOutcome.REFUSE, opinion, "机关负责人意见")
    ni = NonInitiation.objects.create(case=case, reason=reason, decided_at=timezone.now(), decided_by=by)
    # 第九条第一款: the complaint's handling is this decision, unless recorded already.
    Complaint.objects.filter(case=case, handling="").update(
        handling=f"经审查，不予立案。理由：{reason}", handled_at=timezone.now(), handled_by=by
    )
    case = stages.advance(case, NOT_FILE, by=by, opinion=row.opinion, notice_reason=reason, signoff=row.pk)
    initiation_docs.non_filing_notice_issue(non_initiation=ni, by=by)
    return case


@transaction.atomic
def case_accept_application(*, case_id: int, by: User, opinion: str) -> Case:
    """APPLIED -> ACCEPTED (第七条: 受理, with the reason and date): takes the 受理号 and issues the
    受理通知书 to the applicant (《行政许可法》第三十二条第一款第（五）项). When the 5 working days to
    tell missing material lapsed without a notice, the acceptance date recorded (and printed, and
    the start of the 20 working days of 第四十二条) is the day of receipt
    (第三十二条第一款第（四）项; see cases.licensing). Raises TransitionError / TransitionDenied."""
    case = _begin(case_id, ACCEPT_APPLICATION, by)
    opinion = _need_text(opinion, "受理意见")
    app = Application.objects.select_for_update().get(case=case)
    accepted_at, deemed = licensing.acceptance_moment(case, app)
    _application_decide(app, by, ApplicationDecision.ACCEPTED, opinion, accepted_at=accepted_at, deemed_accepted=deemed)
    _take_number(case)
    case = stages.advance(
        case, ACCEPT_APPLICATION, by=by, opinion=opinion, number=case.number, accepted_at=accepted_at, deemed=deemed
    )
    if deemed:  # the case's 受理时间 is the legal one, not the day the officer clicked
        case.filed_at = accepted_at
        case.save(update_fields=["filed_at", "updated_at"])
    licensing.supplement_period_meet(case, timezone.now())
    licensing.acceptance_notice_issue(case=case, app=app, by=by)
    return case


@transaction.atomic
def case_reject_application(
    *, case_id: int, by: User, opinion: str, ground: str, notice_reason: str, competent_organ: str = ""
) -> Case:
    """APPLIED -> REJECTED (第七条: 不予受理, with the reason and date) and the 不予受理决定书 to the
    applicant (《行政许可法》第三十二条第一款). `opinion` is the officer's internal opinion;
    `notice_reason` the reason written for the applicant (printed); `ground` a RefusalGround;
    `competent_organ` the organ to apply to, required for NOT_COMPETENT (第（二）项).
    Raises TransitionError / TransitionDenied."""
    case = _begin(case_id, REJECT_APPLICATION, by)
    opinion = _need_text(opinion, "不予受理意见")
    reason = _need_text(notice_reason, "不予受理理由（告知申请人）")
    ground, organ = licensing.refusal_check(ground, competent_organ)
    app = Application.objects.select_for_update().get(case=case)
    _application_decide(
        app,
        by,
        ApplicationDecision.REJECTED,
        opinion,
        refusal_ground=ground,
        refusal_reason=reason,
        competent_organ=organ,
    )
    case = stages.advance(
        case, REJECT_APPLICATION, by=by, opinion=opinion, ground=ground, notice_reason=reason, competent_organ=organ
    )
    licensing.supplement_period_meet(case, timezone.now())
    licensing.non_acceptance_decision_issue(case=case, app=app, by=by)
    return case


def _application_decide(app: Application, by: User, decision: str, reason: str, **fields: Any) -> None:
    app.decision, app.decision_reason, app.decided_at, app.decided_by = decision, reason, timezone.now(), by
    for name, value in fields.items():
        setattr(app, name, value)
    app.save(update_fields=["decision", "decision_reason", "decided_at", "decided_by", *fields])


# --- 撤销登记: a mistaken registration, withdrawn with the head's approval ---------------------------


def _withdrawal_pending(case: Case) -> SignOff | None:
    """The officer's request in the open round of the withdrawal step, if the head has not signed."""
    rows = signoffs.current(case, SignOffStep.WITHDRAWAL)
    if Level.HEAD in rows:
        return None
    return rows.get(Level.OFFICER)


def withdrawal_pending(case: Case) -> SignOff | None:
    """The pending 撤销登记 request of a registered case (for pages and queues), or None."""
    return _withdrawal_pending(case) if case.state == S.REGISTERED else None


@transaction.atomic
def registration_withdrawal_request(*, case_id: int, by: User, reason: str) -> SignOff:
    """撤销登记, first step: a handling officer asks to withdraw a registered, not yet filed case,
    with the reason (a sign-off row of the withdrawal step). The head decides next
    (`case_withdraw_registration`). Raises TransitionError / TransitionDenied."""
    case = stages.lock(case_id)
    stages.require_state(case, (S.REGISTERED,), "申请撤销登记")
    if _withdrawal_pending(case) is not None:
        raise TransitionError("已申请撤销登记，正待机关负责人审批。")
    return signoffs.signoff_record(
        case=case,
        step=SignOffStep.WITHDRAWAL,
        level=Level.OFFICER,
        by=by,
        outcome=SignOffOutcome.AGREE,
        opinion=_need_text(reason, "撤销登记的理由"),
    )


@transaction.atomic
def case_withdraw_registration(*, case_id: int, by: User, opinion: str, approve: bool) -> Case:
    """撤销登记, the head's decision on the officer's request: approve (REGISTERED -> WITHDRAWN; the
    case stays visible with its 登记号 and takes no 立案号) or refuse (it stays registered; a new
    request opens the next round). Either way a sign-off row with the head's own opinion."""
    case = _begin(case_id, WITHDRAW_REGISTRATION, by)
    request = _withdrawal_pending(case)
    if request is None:
        raise TransitionError("承办人尚未申请撤销登记。")
    outcome = SignOffOutcome.AGREE if approve else SignOffOutcome.RETURN
    row = signoffs.signoff_record(
        case=case,
        step=SignOffStep.WITHDRAWAL,
        level=Level.HEAD,
        by=by,
        outcome=outcome,
        opinion=_need_text(opinion, "机关负责人意见"),
    )
    if not approve:
        return case
    return stages.advance(
        case, WITHDRAW_REGISTRATION, by=by, reason=request.opinion, opinion=row.opinion, signoff=row.pk
    )


# The transitions of 第二章, owned by cases. Order = the order of the buttons on the case page.
SUBMIT_FOR_FILING = stages.declare(
    Transition(
        "submit_for_filing",
        "提交立案审批",
        "cases",
        P,
        (S.REGISTERED,),
        S.PENDING_FILING,
        (OFFICER,),
        order=10,
        button=case_submit_for_filing,
    )
)
APPROVE_FILING = stages.declare(
    Transition(
        "approve_filing",
        "同意立案",
        "cases",
        P,
        (S.PENDING_FILING,),
        S.INVESTIGATING,
        (HEAD,),
        stamp="filed_at",
        needs_opinion=True,
        order=11,
        button=case_approve_filing,
    )
)
REJECT_FILING = stages.declare(
    Transition(
        "reject_filing",
        "退回补充",
        "cases",
        P,
        (S.PENDING_FILING,),
        S.REGISTERED,
        (HEAD,),
        check_complete=False,
        needs_opinion=True,
        order=12,
        button=case_reject_filing,
    )
)
NOT_FILE = stages.declare(
    Transition(
        "not_file",
        "不予立案",
        "cases",
        P,
        (S.REGISTERED, S.PENDING_FILING),
        S.NOT_FILED,
        (HEAD,),
        check_complete=False,
        stamp="concluded_at",
        needs_opinion=True,
        order=13,
        # Not a generic button: it needs the head's opinion and the reason for the person told.
    )
)
WITHDRAW_REGISTRATION = stages.declare(
    Transition(
        "withdraw_registration",
        "撤销登记",
        "cases",
        P,
        (S.REGISTERED,),
        S.WITHDRAWN,
        (HEAD,),
        check_complete=False,
        order=14,
        # Its own form: the officer's request first, then the head's opinion and decision.
    )
)
ACCEPT_APPLICATION = stages.declare(
    Transition(
        "accept_application",
        "受理",
        "cases",
        L,
        (S.APPLIED,),
        S.ACCEPTED,
        (OFFICER,),
        stamp="filed_at",
        needs_opinion=True,
        order=20,
        button=case_accept_application,
    )
)
REJECT_APPLICATION = stages.declare(
    Transition(
        "reject_application",
        "不予受理",
        "cases",
        L,
        (S.APPLIED,),
        S.REJECTED,
        (OFFICER,),
        check_complete=False,
        stamp="concluded_at",
        needs_opinion=True,
        order=21,
        # Its own form: the ground, the reason for the applicant, the organ to apply to.
    )
)


# --- attachments -----------------------------------------------------------------------------

_CHUNK = 1024 * 1024


def attachment_key(sha256: str) -> str:
    """Storage key of a file: from its content hash only, never from the user's filename."""
    return f"attachments/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _chunks(file: IO[bytes]) -> Iterable[bytes]:
    chunks = getattr(file, "chunks", None)
    if chunks is not None:
        yield from chunks(_CHUNK)
        return
    while block := file.read(_CHUNK):
        yield block


def file_store(file: IO[bytes]) -> tuple[str, str, int]:
    """Stream `file` once to hash it, then into the default storage under its hash key
    (skipped when those bytes are stored already). Returns (key, sha256, size)."""
    digest, size = hashlib.sha256(), 0
    if hasattr(file, "seek"):
        file.seek(0)
    for block in _chunks(file):
        digest.update(block)
        size += len(block)
    sha = digest.hexdigest()
    key = attachment_key(sha)
    if not default_storage.exists(key):
        file.seek(0)
        key = default_storage.save(key, file)
    return key, sha, size


# The records a file may belong to: the case's own record types (第七条 materials, 第九条
# letters, 第十条 investigation records and a commissioned body's opinion). Anything else —
# an audit entry, a user, another app's bookkeeping — is refused.
ATTACHMENT_OWNER_TYPES = frozenset(
    {
        "cases.application",
        "cases.applicationevent",
        "cases.complaint",
        "cases.filingrecord",
        "cases.noninitiation",
        "records.record",
        "records.commissionopinion",
        # 第五章: the files proving a delivery attempt's elements (delivery.DeliveryFile).
        "delivery.deliveryattempt",
    }
)


def _attachment_check(case: Case, by: User, owner: Model | None) -> None:
    """Refuse an attachment before anything is stored: the case's state, the user's right,
    the owner's type, case and finality."""
    if owner is not None:
        if owner._meta.label_lower not in ATTACHMENT_OWNER_TYPES:
            raise TransitionError("附件只能属于本案的记录。")
        if getattr(owner, "case_id", None) != case.pk:
            raise TransitionError("附件所属记录不属于本案。")
        # A finalised record is immutable (第十条); a supplement is a correction record.
        if getattr(owner, "is_final", False):
            raise TransitionError("记录已定稿，不能再添加附件；如需补充请制作更正记录。")
    if case.state == S.ARCHIVED:
        raise TransitionError("已归档案件不能再添加附件。")
    if not policy.may_write(by, case):
        raise TransitionDenied("无权为本案上传附件：需由本案执法人员办理。")


def attachment_add(
    *,
    case: Case | int,
    file: Any,
    by: User,
    owner: Model | None = None,
    confidentiality: str = "",
    description: str = "",
) -> Attachment:
    """Store an uploaded file (streamed, hashed with SHA-256) and record it on the case and,
    optionally, on `owner` (one of ATTACHMENT_OWNER_TYPES, of this case, not finalised).

    Raises TransitionError (archived case, foreign or finalised owner) or TransitionDenied
    (no right to upload) before any byte is stored, and again under the case's lock.
    The bytes are stored before the row's transaction (STYLE.md); call it inside your own
    service's transaction or on its own."""
    case_id = case if isinstance(case, int) else case.pk
    name = getattr(file, "name", "") or "file"
    name = name.rsplit("/", 1)[-1][:255]
    # Permission and state before any byte is stored (STYLE.md); checked again under lock.
    _attachment_check(Case.objects.get(pk=case_id), by, owner)
    key, sha, size = file_store(file)
    mime = getattr(file, "content_type", "") or mimetypes.guess_type(name)[0] or ""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case_id)
        _attachment_check(locked, by, owner)
        att = Attachment(
            case=locked,
            file=key,
            sha256=sha,
            size=size,
            original_name=name,
            mime_type=mime[:100],
            description=description.strip(),
            confidentiality=confidentiality,
            uploaded_by=by,
        )
        if owner is not None:
            att.content_type = ContentType.objects.get_for_model(owner)
            att.object_id = owner.pk
        att.save()
        audit.record(
            att,
            "attachment.added",
            actor=by,
            case=case_id,
            sha256=sha,
            size=size,
            name=name,
            owner=f"{owner._meta.label_lower}:{owner.pk}" if owner is not None else "",
        )
    return att


def attachment_downloaded(*, attachment: Attachment, by: User) -> None:
    """Every read of a file is on the trail (第二十九条)."""
    audit.record(attachment, "attachment.downloaded", actor=by, case=attachment.case_id, sha256=attachment.sha256)
