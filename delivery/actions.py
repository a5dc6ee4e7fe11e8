"""Actions of 第五章 delivery (第十七至二十二条; 《行政处罚法》第六十一条): each attempt to serve a
document is a row with the elements its method's article asks for (delivery/methods.py), its
files kept as case attachments, and an audit entry. When an attempt succeeds the document's
service date is fixed and `signals.document_served` is sent (review starts the defence and
hearing-request periods of the 事先告知书 from it); when the served document is the case's
decision, the decision-delivery period is met and the case moves 已决定 → 已送达
(`mark_delivered`, owned here).

Public API (each one transaction; TransitionError / TransitionDenied with a Chinese message):
    delivery_record(case_id, by, document_id, method, party_id, outcome="served",
                    failure_reason="", files={element: file}, **elements) -> DeliveryAttempt
    delivery_complete(attempt_id, by, outcome="served", failure_reason="", files={...},
                      **elements) -> DeliveryAttempt
    receipt_issue(case_id, by, document_id, party_id) -> Document  (送达回证 to print and sign)
    address_confirm(case_id, by, party_id, postal_address, phone, electronic_consent,
                    electronic_address, signed_on, scan) -> AddressConfirmation
    decision_delivery_open(case) -- on 已决定: the 7-working-day period of 第六十一条
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from accounts.selectors import certified_officers
from avrecords.selectors import records_of_case
from cases import policy, stages
from cases.models import Case, CaseKind, CaseState, PartyKind
from cases.policy import ACTOR_OFFICER
from cases.services import attachment_add
from cases.stages import Transition, TransitionDenied, TransitionError
from deadlines.models import DeadlineKind
from deadlines.services import LOCAL_TZ, deadline_met, deadline_open
from documents.registry import DocTypeCode
from documents.selectors import documents_of_case
from documents.services import document_issue
from linke.validators import period_errors, validate_day, validate_phone
from review.selectors import decision_of

from .audit_actions import AuditAction
from .methods import COMPLETE, METHODS, START, Method, describe, file_elements, file_title, missing
from .models import (
    AddressConfirmation,
    AttemptOutcome,
    DeliveryAttempt,
    DeliveryFile,
    DeliveryMethod,
    PostalKind,
    RecipientRelation,
)
from .signals import document_served

S = CaseState
PL = (CaseKind.PENALTY, CaseKind.LICENSING)

MARK_DELIVERED = stages.declare(
    Transition(
        "mark_delivered",
        "送达决定",
        "delivery",
        PL,
        (S.DECIDED,),
        S.DELIVERED,
        (ACTOR_OFFICER,),
        order=40,
        # No button: the case moves when the decision's delivery succeeds (delivery_record /
        # delivery_complete).
    )
)

# 《行政处罚法》第六十一条: a decision not handed over on the spot (the party absent — the common
# case here: the head decides in the office, not before the party) is delivered within 7 days;
# 第八十五条 makes them working days. 《行政许可法》第四十四条: a licence within 10 working days
# (第八十二条). The same deadline kind serves both.
DECISION_DELIVERY_DAYS = {CaseKind.PENALTY: 7, CaseKind.LICENSING: 10}
_DECISION_ARTICLE = {CaseKind.PENALTY: "《行政处罚法》第六十一条", CaseKind.LICENSING: "《行政许可法》第四十四条"}
CLOSED_STATES = (S.CONCLUDED, S.ARCHIVED)
_PERSON_ONLY = {RecipientRelation.FAMILY}
_ORG_ONLY = {RecipientRelation.LEGAL_REP, RecipientRelation.PRINCIPAL, RecipientRelation.RECEIVER}
# The attempt's own fields among the elements (the rest: files, deliverers, the AV record).
_FIELDS = {
    "delivered_at",
    "place",
    "seal",
    "recipient_name",
    "recipient_relation",
    "reason",
    "witnesses",
    "postal_kind",
    "tracking_no",
    "sent_on",
    "listed_documents",
    "organ_kind",
    "organ_name",
    "deliverer_name",
    "carrier",
    "published_on",
    "present_persons",
    "served_on",
}


def announcement_days() -> int:
    """The announcement period in days (setting DELIVERY_ANNOUNCEMENT_DAYS; 30 under
    《民事诉讼法》第九十五条 as amended in 2021)."""
    return int(settings.DELIVERY_ANNOUNCEMENT_DAYS)


def announcement_served_on(published_on: dt.date) -> dt.date:
    """The day an announcement counts as served: `announcement_days()` calendar days after the
    day it was published (《民事诉讼法》第九十五条: 自发出公告之日起，经过三十日，即视为送达)."""
    return published_on + dt.timedelta(days=announcement_days())


def _cn(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day is not None else ""


def _require_officer(case: Case, by: User) -> None:
    if not policy.may_act(by, case, ACTOR_OFFICER):
        raise TransitionDenied("只有本案执法人员可以登记送达。")
    if case.state in CLOSED_STATES:
        raise TransitionError(f"案件已处于“{case.get_state_display()}”阶段，不能再登记送达。")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        out[k] = v.strip() if isinstance(v, str) else v
    return out


def _check_day(value: dt.date | None, label: str, not_before: dt.date, before_label: str) -> None:
    if value is None:
        return
    try:
        validate_day(value, not_before=not_before, not_before_label=before_label)
    except ValidationError as exc:
        raise TransitionError(f"{label}：{exc.messages[0]}") from None


def _check_values(method: Method, case: Case, doc: Any, party: Any, v: dict[str, Any]) -> None:
    """Shape checks beyond presence, each naming its article: dates not in the future and not
    before the document was made, the postal kind, the signer's relation to the party, the
    organ kind, the mailing list naming the document."""
    issued = timezone.localtime(doc.issued_at)
    labels = {e.name: e.label for e in method.elements}
    for name in ("sent_on", "published_on", "served_on"):
        if name in labels and not (method.code == DeliveryMethod.ANNOUNCEMENT and name == "served_on"):
            _check_day(v.get(name), labels[name], issued.date(), "文书制作日期")
    if v.get("delivered_at") is not None:
        errors = period_errors(v["delivered_at"], None, not_before=doc.issued_at, not_before_label="文书制作时间")
        if errors:
            raise TransitionError(f"{labels.get('delivered_at', '送达时间')}：{next(iter(errors.values()))}")
    if v.get("sent_on") and v.get("served_on"):
        _check_day(v["served_on"], labels["served_on"], v["sent_on"], labels["sent_on"])
    if v.get("delivered_at") and v.get("served_on") and method.code == DeliveryMethod.DIRECT:
        _check_day(v["served_on"], labels["served_on"], timezone.localtime(v["delivered_at"]).date(), "送达时间")
    if method.code == DeliveryMethod.POSTAL and v.get("postal_kind") and v["postal_kind"] not in PostalKind.values:
        raise TransitionError("第十九条：邮寄送达应当采用挂号信或者邮政特快专递方式。")
    if method.code == DeliveryMethod.POSTAL and v.get("listed_documents"):
        listed = v["listed_documents"]
        if doc.number not in listed or doc.title not in listed:
            raise TransitionError(f"第十九条：邮寄清单应载明所送达文书的名称及文号（{doc.title}，{doc.number}）。")
    if method.organ_kinds and v.get("organ_kind") and v["organ_kind"] not in method.organ_kinds:
        raise TransitionError(f"第二十一条：{method.label}的单位类别不在法定范围内。")
    relation = v.get("recipient_relation")
    if relation:
        if relation not in RecipientRelation.values:
            raise TransitionError("第十八条：请选择签收人与受送达人的关系。")
        if party.kind == PartyKind.PERSON and relation in _ORG_ONLY:
            raise TransitionError(
                "第十八条：受送达人是自然人的，由本人或者同住成年家属签收（或代理人、指定的代收人）。"
            )
        if party.kind != PartyKind.PERSON and relation in _PERSON_ONLY:
            raise TransitionError(
                "第十八条：受送达人是法人或其他组织的，由法定代表人、主要负责人或者负责收件的人签收"
                "（或代理人、指定的代收人）。"
            )
        # 第十八条: a signer said to be the party itself or its legal representative must be the
        # person the case records as such.
        signer = re.sub(r"\s+", "", v.get("recipient_name") or "")
        recorded = ""
        if relation == RecipientRelation.LEGAL_REP and party.legal_rep:
            recorded, who = party.legal_rep, "本案登记的当事人法定代表人"
        elif relation == RecipientRelation.PARTY and party.kind == PartyKind.PERSON:
            recorded, who = party.name, "受送达人本人"
        if signer and recorded and signer != re.sub(r"\s+", "", recorded):
            raise TransitionError(
                f"第十八条：签收人“{signer}”不是{who}（{recorded}）；请核对签收人姓名，或选择其与受送达人的实际关系。"
            )


def _resolve(method: Method, case: Case, v: dict[str, Any]) -> tuple[list[User], Any]:
    """The deliverers (certified officers) and the AV record (of this case) named by id."""
    ids = [int(i) for i in (v.get("deliverers") or [])]
    people = list(certified_officers().filter(pk__in=ids)) if ids else []
    if len({p.pk for p in people}) != len(set(ids)):
        raise TransitionError(f"{method.article}：送达人须为持有执法证件的执法人员。")
    av = None
    if v.get("av_record"):
        av = records_of_case(case.pk).filter(pk=int(v["av_record"])).first()
        if av is None:
            raise TransitionError(f"{method.article}：所选音像记录不属于本案。")
    return people, av


def _served_on(method: Method, v: dict[str, Any]) -> dt.date | None:
    """The legal service date the method fixes (see the model's `served_on`)."""
    if method.code == DeliveryMethod.ANNOUNCEMENT:
        return announcement_served_on(v["published_on"]) if v.get("published_on") else None
    if method.code in (DeliveryMethod.LIEN, DeliveryMethod.ELECTRONIC):
        return timezone.localtime(v["delivered_at"]).date() if v.get("delivered_at") else None
    return v.get("served_on")


def _store_files(case: Case, attempt: DeliveryAttempt, method: Method, files: dict[str, Any], by: User) -> None:
    """The attempt's uploads as case attachments, each titled by what it is and the document it
    concerns (methods.file_title: "送达回证（行政处罚决定书 临科罚决〔2026〕3号）")."""
    titles = {e.name: file_title(e, attempt.document) for e in file_elements(method)}
    for name, upload in files.items():
        if upload is None or name not in titles:
            continue
        att = attachment_add(case=case, file=upload, by=by, owner=attempt, description=titles[name])
        DeliveryFile.objects.create(attempt=attempt, element=name, attachment=att)


def _lock_document(case_id: int, document_id: int) -> tuple[Case, Any]:
    case = stages.lock(case_id)
    doc = documents_of_case(case).filter(pk=document_id).first()
    if doc is None:
        raise TransitionError("所选文书不属于本案。")
    return case, doc


def _refuse_if_settled(doc: Any) -> None:
    earlier = DeliveryAttempt.objects.filter(document=doc).exclude(outcome=AttemptOutcome.FAILED).first()
    if earlier is None:
        return
    if earlier.outcome == AttemptOutcome.SERVED:
        raise TransitionError(f"{doc.title}（{doc.number}）已于{_cn(earlier.served_on)}送达，不能重复送达。")
    raise TransitionError(
        f"{doc.title}（{doc.number}）尚有送达中的记录（{earlier.get_method_display()}），请先登记其结果。"
    )


@transaction.atomic
def delivery_record(
    *,
    case_id: int,
    by: User,
    document_id: int,
    method: str,
    party_id: int | None,
    outcome: str = AttemptOutcome.SERVED,
    failure_reason: str = "",
    files: dict[str, Any] | None = None,
    **elements: Any,
) -> DeliveryAttempt:
    """Record one attempt to serve document `document_id` of the case on party `party_id` by
    `method` (DeliveryMethod), with the elements its article asks for (delivery/methods.py;
    `files` maps a file element to an upload, `deliverers` is a list of user ids, `av_record`
    an AV record id).

    outcome="failed": the attempt did not reach the party (a refusal to sign, nobody found);
    `failure_reason` is required and kept. Otherwise every START element is required; the
    COMPLETE elements (a postal return receipt …) all given serve the document now, none given
    leave the attempt 送达中 for `delivery_complete`. An announcement waits until its period
    (DELIVERY_ANNOUNCEMENT_DAYS from publication) has run: its service date is computed and a
    DeadlineKind.ANNOUNCEMENT deadline opened. Electronic service needs the party's consent
    (`address_confirm`, 《行政处罚法》第六十一条).

    Refused (TransitionError naming the article): a missing element, a date in the future or
    before the document was made, a document already served or with an attempt pending.
    TransitionDenied: `by` is no officer of the case."""
    if method not in METHODS:
        raise TransitionError("请选择送达方式。")
    m = METHODS[method]
    case, doc = _lock_document(case_id, document_id)
    _require_officer(case, by)
    _refuse_if_settled(doc)
    party = case.parties.filter(pk=party_id).first() if party_id else None
    if party is None:
        raise TransitionError("第十七条：请选择受送达人（本案当事人）。")
    files = {k: f for k, f in (files or {}).items() if f}
    v = _clean({**elements, **dict.fromkeys(files, True)})
    consent = None
    if method == DeliveryMethod.ELECTRONIC and outcome != AttemptOutcome.FAILED:
        consent = consent_of(case, party)
        if consent is None:
            raise TransitionError(
                f"{m.article}：当事人未签署同意电子送达的送达地址确认书（载明电子送达地址），不能采用电子送达。"
            )
    if outcome == AttemptOutcome.FAILED:
        gaps = missing(m, v, START, failure=True)
        if not (failure_reason or "").strip():
            raise TransitionError("第十七条：未送达的，请记录未能送达的原因。")
    else:
        gaps = missing(m, v, START)
    if gaps:
        raise TransitionError(f"{describe(m, gaps)}，不能登记。")
    later_gaps = missing(m, v, COMPLETE)
    given_later = [e for e in m.of_phase(COMPLETE) if e not in later_gaps]
    if outcome != AttemptOutcome.FAILED and given_later and later_gaps:
        raise TransitionError(f"{describe(m, later_gaps)}，不能登记为已送达（或都不填，待回执到达后再登记）。")
    _check_values(m, case, doc, party, v)
    people, av = _resolve(m, case, v)
    attempt = DeliveryAttempt(case=case, document=doc, method=method, party=party, recorded_by=by)
    for name in _FIELDS & set(v):
        setattr(attempt, name, v[name] if v[name] is not None else getattr(attempt, name))
    attempt.av_record = av
    if consent is not None:
        sent = v.get("delivered_at")
        if sent is not None and timezone.localtime(sent).date() < consent.signed_on:
            raise TransitionError(f"{m.article}：电子送达时间早于当事人签署送达地址确认书的日期。")
        attempt.consent, attempt.electronic_address = consent, consent.electronic_address
    if outcome == AttemptOutcome.FAILED:
        attempt.outcome, attempt.failure_reason = AttemptOutcome.FAILED, failure_reason.strip()
        attempt.served_on = None
    else:
        attempt.served_on = _served_on(m, v)
        due = attempt.served_on
        done = not later_gaps and (
            method != DeliveryMethod.ANNOUNCEMENT or (due is not None and due <= timezone.localdate())
        )
        attempt.outcome = AttemptOutcome.SERVED if done else AttemptOutcome.PENDING
    attempt.save()
    if people:
        attempt.deliverers.set(people)
    _store_files(case, attempt, m, files, by)
    if (
        attempt.method == DeliveryMethod.ANNOUNCEMENT
        and attempt.outcome == AttemptOutcome.PENDING
        and attempt.published_on
    ):
        deadline_open(
            case=case,
            kind=DeadlineKind.ANNOUNCEMENT,
            article="第二十二条；《民事诉讼法》第九十五条",
            label=f"公告送达期满（{doc.title}，{announcement_days()}日）",
            start=dt.datetime.combine(attempt.published_on, dt.time.min, tzinfo=LOCAL_TZ),
            days=announcement_days(),
            responsible=list(case.officers.all()),
            target=attempt,
        )
    return _recorded(case, doc, attempt, by, AuditAction.ATTEMPT_RECORDED, files, method=method)


@transaction.atomic
def delivery_complete(
    *,
    attempt_id: int,
    by: User,
    outcome: str = AttemptOutcome.SERVED,
    failure_reason: str = "",
    files: dict[str, Any] | None = None,
    **elements: Any,
) -> DeliveryAttempt:
    """Record the result of an attempt that is 送达中: the return receipt arrived (postal, with
    its date), the entrusted organ sent back the 送达回证, the announcement period has run
    (nothing to enter; refused before its last day), or it failed (a reason). Officers of the
    case; each COMPLETE element of the method required, naming its article."""
    case_id, document_id = DeliveryAttempt.objects.values_list("case_id", "document_id").get(pk=attempt_id)
    case, doc = _lock_document(case_id, document_id)
    attempt = DeliveryAttempt.objects.select_related("party").get(pk=attempt_id)
    _require_officer(case, by)
    if attempt.outcome != AttemptOutcome.PENDING:
        raise TransitionError(f"该送达记录已登记为“{attempt.get_outcome_display()}”，不能重复登记结果。")
    m = METHODS[attempt.method]
    files = {k: f for k, f in (files or {}).items() if f}
    v = _clean({**elements, **dict.fromkeys(files, True)})
    if outcome == AttemptOutcome.FAILED:
        if not (failure_reason or "").strip():
            raise TransitionError("第十七条：未送达的，请记录未能送达的原因（如邮件被退回）。")
        attempt.outcome, attempt.failure_reason, attempt.served_on = AttemptOutcome.FAILED, failure_reason.strip(), None
    else:
        gaps = missing(m, v, COMPLETE)
        if gaps:
            raise TransitionError(f"{describe(m, gaps)}，不能登记为已送达。")
        if attempt.method == DeliveryMethod.ANNOUNCEMENT:
            assert attempt.served_on is not None
            if timezone.localdate() < attempt.served_on:
                raise TransitionError(
                    f"第二十二条：公告自{_cn(attempt.published_on)}发布，经过{announcement_days()}日即"
                    f"{_cn(attempt.served_on)}方视为送达，期满前不能登记为已送达。"
                )
        else:
            known = {"sent_on": attempt.sent_on, **v}
            _check_values(m, case, doc, attempt.party, known)
            for name in _FIELDS & set(v):
                setattr(attempt, name, v[name])
            attempt.served_on = _served_on(m, known)
        attempt.outcome = AttemptOutcome.SERVED
    attempt.completed_by, attempt.completed_at = by, timezone.now()
    attempt.save()
    _store_files(case, attempt, m, files, by)
    deadline_met(kind=DeadlineKind.ANNOUNCEMENT, target=attempt)
    return _recorded(case, doc, attempt, by, AuditAction.ATTEMPT_COMPLETED, files)


def _recorded(
    case: Case, doc: Any, attempt: DeliveryAttempt, by: User, action: str, files: dict[str, Any], **extra: Any
) -> DeliveryAttempt:
    """The attempt's audit entry; when it served the document, what follows from that."""
    audit.record(
        attempt,
        action,
        actor=by,
        case=case,
        document=doc.number,
        outcome=attempt.outcome,
        served_on=attempt.served_on,
        failure_reason=attempt.failure_reason,
        files=sorted(files),
        **extra,
    )
    if attempt.outcome == AttemptOutcome.SERVED:
        _on_served(case, doc, attempt, by)
    return attempt


def _on_served(case: Case, doc: Any, attempt: DeliveryAttempt, by: User) -> None:
    """The document is served: tell the other apps (their periods run from the date); the
    decision served meets 第六十一条's period and moves the case 已决定 → 已送达."""
    document_served.send(
        sender=DeliveryAttempt,
        case_id=case.pk,
        document_id=doc.pk,
        doc_type=doc.doc_type,
        served_on=attempt.served_on,
        by=by,
    )
    decision = decision_of(case)
    if decision is not None and decision.document_id == doc.pk:
        deadline_met(kind=DeadlineKind.DECISION_DELIVERY, case=case)
        if case.state == S.DECIDED:
            stages.advance(case, MARK_DELIVERED, by=by, document=doc.number, served_on=attempt.served_on)


# --- 送达回证 -------------------------------------------------------------------------------------


@transaction.atomic
def receipt_issue(*, case_id: int, by: User, document_id: int, party_id: int | None) -> Any:
    """Issue the 送达回证 (DocTypeCode.SERVICE_RECEIPT; 第十八条, 《民事诉讼法》第八十七条) for
    document `document_id` of the case and party `party_id`, to be printed, taken along and
    signed; its signed scan is then recorded with the attempt. Officers of the case; refused for
    a document already served."""
    case, doc = _lock_document(case_id, document_id)
    _require_officer(case, by)
    if doc.doc_type == DocTypeCode.SERVICE_RECEIPT:
        raise TransitionError("送达回证本身不需要送达。")
    served = DeliveryAttempt.objects.filter(document=doc, outcome=AttemptOutcome.SERVED).first()
    if served is not None:
        raise TransitionError(f"{doc.title}（{doc.number}）已于{_cn(served.served_on)}送达。")
    party = case.parties.filter(pk=party_id).first() if party_id else None
    if party is None:
        raise TransitionError("请选择受送达人（本案当事人）。")
    return document_issue(
        case=case,
        doc_type=DocTypeCode.SERVICE_RECEIPT,
        context={
            "party_name": party.name,
            "party_address": party.address,
            "doc_title": doc.title,
            "doc_number": doc.number,
        },
        by=by,
        source=doc,
    )


# --- 送达地址确认书 ------------------------------------------------------------------------------


def consent_of(case: Case, party: Any) -> AddressConfirmation | None:
    """The party's latest 送达地址确认书 if it consents to electronic service, else None."""
    latest = AddressConfirmation.objects.filter(case=case, party=party).order_by("-pk").first()
    return latest if latest is not None and latest.electronic_consent else None


@transaction.atomic
def address_confirm(
    *,
    case_id: int,
    by: User,
    party_id: int | None,
    postal_address: str,
    phone: str,
    electronic_consent: bool,
    electronic_address: str,
    signed_on: dt.date | None,
    scan: Any,
) -> AddressConfirmation:
    """Record the party's signed 送达地址确认书 (最高法解释第一百三十六条; 《行政处罚法》第六十一条):
    the address, a phone, whether it agrees to electronic service and at which address, the day
    it signed (not in the future, not before the case was registered) and the signed form's scan.
    Officers of the case."""
    case = stages.lock(case_id)
    _require_officer(case, by)
    party = case.parties.filter(pk=party_id).first() if party_id else None
    if party is None:
        raise TransitionError("请选择当事人。")
    if not (postal_address or "").strip():
        raise TransitionError("请填写当事人确认的送达地址。")
    if electronic_consent and not (electronic_address or "").strip():
        raise TransitionError("《行政处罚法》第六十一条：同意电子送达的，请填写电子送达地址（电子邮箱、手机号码等）。")
    if signed_on is None:
        raise TransitionError("请填写当事人签署日期。")
    _check_day(signed_on, "签署日期", timezone.localtime(case.created_at).date(), "案件登记日期")
    try:
        validate_phone(phone or "")
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from None
    if not scan:
        raise TransitionError("请上传当事人签署的送达地址确认书扫描件。")
    att = attachment_add(case=case, file=scan, by=by, description="送达地址确认书（签署）")
    row = AddressConfirmation.objects.create(
        case=case,
        party=party,
        postal_address=postal_address.strip(),
        phone=(phone or "").strip(),
        electronic_consent=bool(electronic_consent),
        electronic_address=(electronic_address or "").strip() if electronic_consent else "",
        signed_on=signed_on,
        scan=att,
        recorded_by=by,
    )
    audit.record(
        row, AuditAction.ADDRESS_CONFIRMED, actor=by, case=case, party=party.pk, electronic=row.electronic_consent
    )
    return row


# --- 《行政处罚法》第六十一条: the decision-delivery period ----------------------------------------


def decision_delivery_open(case: Case) -> None:
    """Open DeadlineKind.DECISION_DELIVERY for a case that has just been decided: 7 working days
    for a penalty (《行政处罚法》第六十一条, the party absent), 10 for a licence (《行政许可法》
    第四十四条), from now."""
    kind = CaseKind(case.kind)
    days = DECISION_DELIVERY_DAYS.get(kind)
    if days is None:
        return
    deadline_open(
        case=case,
        kind=DeadlineKind.DECISION_DELIVERY,
        article=_DECISION_ARTICLE[kind],
        label=f"送达决定书（{days}个工作日）",
        start=timezone.now(),
        working_days=days,
        responsible=list(case.officers.all()),
    )


def on_case_transitioned(sender: Any, case: Case, from_state: str, to_state: str, **kwargs: Any) -> None:
    """cases.signals.case_transitioned: a decision made (→ 已决定) opens its delivery period."""
    if to_state == S.DECIDED:
        decision_delivery_open(case)
