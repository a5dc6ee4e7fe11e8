"""Writing investigation records (第十条). Every write is one of these functions, in one
transaction: each checks the case's state and the actor (an existing record is locked and its
state checked too), writes an audit entry (which also puts it on the case timeline), and
leaves what runs outside the request (the document's PDF rendering) to be queued on commit.
`record_finalise` sends `records.signals.record_finalised` inside the transaction.

Public API:
    record_create(*, case_id, kind, by, data, officers, items=None) -> Record
    record_update(*, record_id, by, data, officers=None, items=None) -> Record     (drafts only)
    record_finalise(*, record_id, by) -> Record        issues the record's document (PDF)
    record_correct(*, record_id, by, reason) -> Record  a new draft linked to a final record
    record_attach(*, record_id, by, file, description="") -> Attachment  (drafts only)
    preservation_request(*, record_id, by, opinion) -> SignOff          报请批准 (a handling officer)
    preservation_approve(*, record_id, by, opinion, late_reason="") -> Preservation   (head; 事后补批)
    preservation_refuse(*, record_id, by, opinion) -> Preservation        (head)
    preservation_decide(*, record_id, by, outcome, detail) -> PreservationDecision    (head; 处理决定书)
    commission_opinion_record(*, record_id, by, received_at, conclusion, file) -> CommissionOpinion
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases import policy, signoffs, stages
from cases.models import Case, CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from cases.selectors import heads_for
from cases.stages import TransitionDenied, TransitionError
from deadlines.models import DeadlineKind
from documents.registry import DocTypeCode
from documents.services import document_issue
from linke.validators import text_error

from . import elements
from .audit_actions import AuditAction
from .models import (
    KIND_MODELS,
    KINDS_WITH_ITEMS,
    CommissionOpinion,
    Preservation,
    PreservationDecision,
    PreservationOutcome,
    Record,
    RecordImmutable,
    RecordItem,
    RecordKind,
    RecordStatus,
)
from .presenters import fmt
from .signals import record_finalised

# Investigation happens while the case is being investigated (penalty) or examined
# (licensing: on-site inspection of an accepted application), and during review when the
# reviewer sends it back for more evidence.
RECORDING_STATES = {CaseState.INVESTIGATING, CaseState.UNDER_REVIEW, CaseState.ACCEPTED}
# Fields copied into a correction: everything the maker typed, nothing about its life.
_NOT_COPIED = {
    "id",
    "record_ptr",
    "status",
    "corrects",
    "correction_reason",
    "maker",
    "created_at",
    "updated_at",
    "finalised_at",
    "finalised_by",
    "document",
    "approved_by",
    "approved_at",
    "approval_opinion",
    "approval_request",
    "approval",
    "late_approval_reason",
}


class RecordError(Exception):
    """A refused record action; the message is shown to the user."""


class RecordDenied(RecordError, TransitionDenied):
    """The access policy (cases.policy) does not let the actor do this."""


class RecordIncomplete(RecordError):
    def __init__(self, record: Record, missing: list[elements.Element]) -> None:
        self.missing = missing
        super().__init__("第十条要求的内容不完整，不能定稿：" + "、".join(e.label for e in missing))


def _refusal(case: Case, by: User, *, officer: bool = True) -> RecordError | None:
    """Why `by` may not act on the case's records now, or None: the actor may write them
    (policy.may_write: an officer who handles the case or belongs to its department; with
    officer=False, may read it: the head deciding) while the case is in a stage where
    investigation is recorded (RECORDING_STATES)."""
    if officer and not policy.may_write(by, case):
        return RecordDenied("无权处理本案的调查取证记录：需由本案执法人员办理")
    if not officer and not policy.may_read(by, case):
        return RecordDenied("无权处理本案的调查取证记录")
    if case.state not in RECORDING_STATES:
        return RecordError(f"案件处于“{case.get_state_display()}”阶段，不能制作或修改调查取证记录")
    return None


def _require_writer(case: Case, by: User, *, officer: bool = True) -> Case:
    """`case`, if `_refusal` finds nothing. Raises RecordDenied or RecordError."""
    refused = _refusal(case, by, officer=officer)
    if refused is not None:
        raise refused
    return case


def may_record(user: User, case: Case) -> bool:
    """`user` may make, edit, finalise, attach to and correct the case's records now (第十条):
    the one rule behind every such button, the same check the actions make."""
    return _refusal(case, user) is None


def record_refusal_reason(user: User, case: Case, *, officer: bool = True) -> str:
    """The Chinese reason `_refusal` gives ('' when the action is allowed), for the page to say
    why an action is not offered."""
    refused = _refusal(case, user, officer=officer)
    return str(refused) if refused is not None else ""


def may_decide_as_head(user: User, case: Case) -> bool:
    """`user` may sign a preservation's approval or decide on it now (《行政处罚法》第五十六条):
    a head who does not handle the case, in a stage where investigation is recorded."""
    return policy.may_sign(user, case, Level.HEAD) and _refusal(case, user, officer=False) is None


def _lock(record_id: int, by: User, *, officer: bool = True) -> Record:
    base = Record.objects.select_for_update().get(pk=record_id)
    _require_writer(base.case, by, officer=officer)
    return base


def _set_fields(rec: Record, data: dict[str, Any]) -> list[str]:
    allowed = {f.name for f in type(rec)._meta.concrete_fields} - _NOT_COPIED - {"case", "kind"}
    unknown = set(data) - allowed
    if unknown:
        raise RecordError(f"未知字段：{', '.join(sorted(unknown))}")
    changed = [k for k, v in data.items() if getattr(rec, k) != v]
    for key, value in data.items():
        setattr(rec, key, value)
    return changed


_ITEM_FIELDS = ("name", "spec", "quantity", "sample_mark", "remarks")


def _item(values: dict[str, Any]) -> dict[str, str]:
    return {f: str(values.get(f) or "").strip() for f in _ITEM_FIELDS}


def _set_items(rec: Record, items: Iterable[dict[str, Any]] | None) -> None:
    if items is None:
        return
    RecordItem.objects.filter(record_id=rec.pk).delete()
    rows = [
        RecordItem(record_id=rec.pk, position=i, **_item(item))
        for i, item in enumerate((i for i in items if str(i.get("name", "")).strip()), start=1)
    ]
    RecordItem.objects.bulk_create(rows)


@transaction.atomic
def record_create(
    *,
    case_id: int,
    kind: str,
    by: User,
    data: dict[str, Any],
    officers: Iterable[User] = (),
    items: Iterable[dict[str, Any]] | None = None,
) -> Record:
    case = _require_writer(stages.lock(case_id), by)  # locked: serialised with the case's transitions
    model = KIND_MODELS[RecordKind(kind)]
    rec = model(case=case, kind=kind, maker=by)
    _set_fields(rec, data)
    rec.save()
    rec.officers.set(list(officers))
    if kind in KINDS_WITH_ITEMS:
        _set_items(rec, items)
    audit.record(rec.base(), AuditAction.CREATED, actor=by, case=case, kind=kind, title=rec.get_kind_display())
    return rec


@transaction.atomic
def record_update(
    *,
    record_id: int,
    by: User,
    data: dict[str, Any],
    officers: Iterable[User] | None = None,
    items: Iterable[dict[str, Any]] | None = None,
) -> Record:
    base = _lock(record_id, by)
    if base.is_final:
        raise RecordImmutable("记录已定稿，不得修改；如有错误请制作更正记录")
    rec = base.specific()
    changed = _set_fields(rec, data)
    rec.save()
    if officers is not None:
        people = list(officers)
        if {u.pk for u in people} != set(rec.officers.values_list("pk", flat=True)):
            rec.officers.set(people)
            changed.append("officers")
    if rec.kind in KINDS_WITH_ITEMS and items is not None:
        items = [_item(i) for i in items if str(i.get("name", "")).strip()]
        if items != [_item(vars(i)) for i in rec.items.all()]:
            _set_items(rec, items)
            changed.append("items")
    audit.record(base, AuditAction.UPDATED, actor=by, case=base.case_id, fields=sorted(set(changed)))
    if isinstance(rec, Preservation) and rec.approved_by_id and changed:
        # The head approved this content; changed content needs a new request and approval.
        rec.approved_by, rec.approved_at, rec.approval_opinion = None, None, ""
        rec.approval_request, rec.approval, rec.late_approval_reason = None, None, ""
        rec.save()
        audit.record(
            base, AuditAction.PRESERVATION_APPROVAL_VOID, actor=by, case=base.case_id, fields=sorted(set(changed))
        )
    return rec


def document_context(rec: Any) -> dict[str, Any]:
    """The record as its document shows it: plain, JSON-able text."""
    from .presenters import record_document_context

    return record_document_context(rec)


def _refuse_invalid(rec: Record) -> None:
    """What the forms check (linke.validators: times, identity numbers, phones, the 问/答 form),
    checked again before a record is finalised and printed: a draft saved another way, or before
    a rule existed, cannot become an immutable document with an impossible fact."""
    from django.core.exceptions import ValidationError

    errors: dict[str, list[str]] = {}
    for check in (rec.clean_fields, rec.clean):
        try:
            check()
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            for name, msgs in found.items():
                errors.setdefault(name, []).extend(msgs)
    if errors:
        labels = {f.name: f.verbose_name for f in type(rec)._meta.fields}
        parts = [
            f"{labels.get(name, '')}：{'；'.join(msgs)}" if name in labels else "；".join(msgs)
            for name, msgs in errors.items()
        ]
        raise RecordError("记录内容有误，不能定稿：" + "　".join(parts)) from None


@transaction.atomic
def record_finalise(*, record_id: int, by: User) -> Record:
    base = _lock(record_id, by)
    if base.is_final:
        raise RecordImmutable("记录已定稿")
    rec = base.specific()
    missing = elements.missing(rec)
    if missing:
        raise RecordIncomplete(rec, missing)
    _refuse_invalid(rec)
    doc = document_issue(
        case=rec.case,
        doc_type=DocTypeCode(rec.kind),
        context=document_context(rec),
        by=by,
        source=base,
        # A record's document is made and handed over at the act (the party signs it there):
        # it bears the day of the act, not the day it was finalised here.
        dated=timezone.localtime(rec.started_at).date() if rec.started_at else None,
    )
    base.status, base.finalised_at, base.finalised_by, base.document = RecordStatus.FINAL, timezone.now(), by, doc
    # Only the base row changes; the kind's own table is already as it will stay.
    base.save(update_fields=["status", "finalised_at", "finalised_by", "document", "updated_at"])
    audit.record(base, AuditAction.FINALISED, actor=by, case=base.case_id, kind=base.kind, document=doc.number)
    if base.corrects_id:
        audit.record(
            base.corrects,
            AuditAction.CORRECTED,
            actor=by,
            case=base.case_id,
            correction=base.pk,
            reason=base.correction_reason,
        )
    if isinstance(rec, Preservation):
        _open_preservation_deadline(rec, by)
    # Apps that act on a finalised record (avrecords expects its recording, 第二十七条).
    record_finalised.send(sender=Record, record=base, by=by)
    return rec


def _open_preservation_deadline(rec: Preservation, by: User) -> None:
    # 《行政处罚法》第五十六条: decide on the preserved evidence within 7 (working) days
    # (art. 85: its 7-day periods are working days).
    from deadlines.services import deadline_open

    deadline_open(
        case=rec.case,
        kind=DeadlineKind.EVIDENCE_PRESERVATION,
        article="《行政处罚法》第五十六条",
        label="对先行登记保存的证据作出处理决定",
        start=rec.started_at or timezone.now(),
        working_days=7,
        # The officers keep the preserved evidence; the head makes the decision.
        responsible=[*rec.officers.all(), *heads_for(rec.case)],
        target=rec.base(),
    )


@transaction.atomic
def record_correct(*, record_id: int, by: User, reason: str) -> Record:
    """Start a correction of a finalised record: a new draft with the same content, linked
    to the original with the reason. The original stays as it is, visible."""
    reason = (reason or "").strip()
    if not reason:
        raise RecordError("请说明更正的内容和原因")
    if error := text_error(reason, label="更正原因", multiline=True):
        raise RecordError(error)
    base = _lock(record_id, by)
    if not base.is_final:
        raise RecordError("草稿可直接修改，无需更正")
    if Record.objects.filter(corrects_id=base.pk).exists():
        raise RecordError("该记录已有更正记录，请在最新的更正记录上继续")
    original = base.specific()
    model = type(original)
    copy = model(case_id=original.case_id, kind=original.kind, maker=by, corrects=base, correction_reason=reason)
    for field in model._meta.concrete_fields:
        if field.name not in _NOT_COPIED and field.name not in ("case", "kind") and not field.primary_key:
            setattr(copy, field.attname, getattr(original, field.attname))
    copy.save()
    copy.officers.set(list(original.officers.all()))
    RecordItem.objects.bulk_create(
        [RecordItem(record_id=copy.pk, position=i.position, **_item(vars(i))) for i in original.items.all()]
    )
    audit.record(
        copy.base(), AuditAction.CORRECTION_STARTED, actor=by, case=base.case_id, corrects=base.pk, reason=reason
    )
    return copy


@transaction.atomic
def record_attach(*, record_id: int, by: User, file: Any, description: str = "") -> Any:
    """Attach a file (sketch, photo, scan) to a draft record; SHA-256 computed while streaming."""
    from cases.services import attachment_add

    base = _lock(record_id, by)
    if base.is_final:
        raise RecordImmutable("记录已定稿，不能再添加附件；如需补充请制作更正记录")
    return attachment_add(
        case=base.case_id, file=file, by=by, owner=base, confidentiality=base.confidentiality, description=description
    )


# --- 先行登记保存: 报请批准 → 机关负责人批准/不批准 → 处理决定 (《行政处罚法》第五十六条) ---------------


def preservation_request_key(request_id: int) -> str:
    """The dedupe key of the heads' 待审批 for the 报请批准 sign-off `request_id`: rung by
    preservation_request, settled (read for every head) once one approves or refuses."""
    return f"records.preservation.request:{request_id}"


def _settle_request(request: SignOff) -> None:
    from deadlines.services import notifications_settle

    notifications_settle(dedupe_key=preservation_request_key(request.pk))


def _notify(user_ids: Iterable[int], text: str, link: str, key: str) -> None:
    from deadlines.services import notify

    notify(user_ids=user_ids, text=text, link=link, dedupe_key=key)


def _officers_of(rec: Preservation, *also: User) -> list[int]:
    return sorted({u.pk for u in rec.officers.all()} | {rec.maker_id} | {u.pk for u in also})


def _lock_preservation(record_id: int) -> tuple[Record, Preservation]:
    # Case first, then the record: the one lock order of the case's transitions and record writes.
    base = Record.objects.only("id", "case_id").get(pk=record_id)
    stages.lock(base.case_id)
    base = Record.objects.select_for_update().select_related("case").get(pk=record_id)
    if base.kind != RecordKind.PRESERVATION:
        raise RecordError("不是先行登记保存记录")
    return base, cast(Preservation, base.specific())


def preservation_request_pending(rec: Preservation) -> SignOff | None:
    """The officer's open request for approval of this record (报请批准), or None."""
    if rec.approval_request_id is None or rec.approved_by_id is not None:
        return None
    return rec.approval_request


def _sign(case: Case, level: str, by: User, outcome: str, opinion: str, round: int) -> SignOff:
    try:
        return signoffs.signoff_record(
            case=case, step=SignOffStep.PRESERVATION, level=level, by=by, outcome=outcome, opinion=opinion, round=round
        )
    except TransitionDenied as exc:
        raise RecordDenied(str(exc)) from exc
    except TransitionError as exc:
        raise RecordError(str(exc)) from exc


@transaction.atomic
def preservation_request(*, record_id: int, by: User, opinion: str) -> SignOff:
    """报请批准: a handling officer asks the head to approve a draft 先行登记保存 record
    (《行政处罚法》第五十六条: 经行政机关负责人批准). A sign-off row (step PRESERVATION, level
    承办人) opening its own round; the heads are notified. Raises RecordDenied (not a handling
    officer of the case) or RecordError (final, approved, already requested, empty opinion)."""
    base, rec = _lock_preservation(record_id)
    _require_writer(base.case, by)
    if base.is_final:
        raise RecordImmutable("记录已定稿")
    if rec.approved_by_id:
        raise RecordError("已经机关负责人批准，无需再次报请")
    if preservation_request_pending(rec) is not None:
        raise RecordError("已报请批准，正待机关负责人审批")
    if not (opinion or "").strip():
        raise RecordError("请填写报请意见。")
    row = _sign(
        base.case,
        Level.OFFICER,
        by,
        SignOffOutcome.AGREE,
        opinion,
        signoffs.next_round(base.case, SignOffStep.PRESERVATION),
    )
    rec.approval_request = row
    rec.save(update_fields=["approval_request"])
    audit.record(base, AuditAction.PRESERVATION_REQUESTED, actor=by, case=base.case_id, signoff=row.pk)
    _notify(
        [h.pk for h in heads_for(base.case)],
        f"待审批：{base.case.ref} 先行登记保存 #{base.pk}，{by}报请批准（《行政处罚法》第五十六条）",
        base.get_absolute_url(),
        preservation_request_key(row.pk),
    )
    return row


def _head_begin(record_id: int, by: User) -> tuple[Record, Preservation, SignOff]:
    base, rec = _lock_preservation(record_id)
    if not policy.may_sign(by, base.case, Level.HEAD):
        raise RecordDenied("先行登记保存须经机关负责人批准：需由机关负责人（非本案承办人）审批")
    _require_writer(base.case, by, officer=False)
    if base.is_final:
        raise RecordImmutable("记录已定稿")
    if rec.approved_by_id:
        raise RecordError("已经批准")
    request = preservation_request_pending(rec)
    if request is None:
        raise RecordError("承办人尚未报请批准先行登记保存。")
    return base, rec, request


@transaction.atomic
def preservation_approve(*, record_id: int, by: User, opinion: str, late_reason: str = "") -> Preservation:
    """The head approves the officer's request (《行政处罚法》第五十六条): a sign-off row (level
    机关负责人, the request's round) in the head's own words, mirrored in approved_by/_at/
    approval_opinion; the officers are notified.

    The law asks for approval BEFORE preserving. When the record's time of preservation
    (started_at) is already past at approval, the approval is 事后补批: `late_reason` is
    required, kept in late_approval_reason, and the document prints it as such.
    Raises RecordDenied (not a head, or a handler of the case) or RecordError."""
    base, rec, request = _head_begin(record_id, by)
    opinion = (opinion or "").strip()
    if not opinion:
        raise RecordError("请填写机关负责人意见。")
    late_reason = (late_reason or "").strip()
    now = timezone.now()
    late = rec.started_at is not None and rec.started_at < now
    if late and not late_reason:
        raise RecordError(
            f"该先行登记保存已于{timezone.localtime(rec.started_at):%Y-%m-%d %H:%M}实施，现在批准属于事后补批"
            "（《行政处罚法》第五十六条要求事先批准）：请填写事后补批理由（如情况紧急的具体情形）。"
        )
    row = _sign(base.case, Level.HEAD, by, SignOffOutcome.AGREE, opinion, request.round)
    rec.approval, rec.approved_by, rec.approved_at, rec.approval_opinion = row, by, row.signed_at, opinion
    rec.late_approval_reason = late_reason if late else ""
    rec.save(update_fields=["approval", "approved_by", "approved_at", "approval_opinion", "late_approval_reason"])
    audit.record(
        base,
        AuditAction.PRESERVATION_APPROVED_LATE if late else AuditAction.PRESERVATION_APPROVED,
        actor=by,
        case=base.case_id,
        opinion=opinion,
        signoff=row.pk,
        **({"late_reason": late_reason, "preserved_at": rec.started_at} if late else {}),
    )
    _settle_request(request)
    what = "已事后补批" if late else "已获机关负责人批准"
    _notify(
        _officers_of(rec, request.actor),
        f"{base.case.ref} 先行登记保存 #{base.pk}{what}（{by}：{opinion}）",
        base.get_absolute_url(),
        f"records.preservation.approved:{row.pk}",
    )
    return rec


@transaction.atomic
def preservation_refuse(*, record_id: int, by: User, opinion: str) -> Preservation:
    """The head refuses the officer's request, with an opinion (a sign-off row, outcome 不同意,
    closing the request's round); the officers are notified and may request again."""
    base, rec, request = _head_begin(record_id, by)
    opinion = (opinion or "").strip()
    if not opinion:
        raise RecordError("请填写不予批准的意见。")
    row = _sign(base.case, Level.HEAD, by, SignOffOutcome.REFUSE, opinion, request.round)
    rec.approval_request = None
    rec.save(update_fields=["approval_request"])
    audit.record(base, AuditAction.PRESERVATION_REFUSED, actor=by, case=base.case_id, opinion=opinion, signoff=row.pk)
    _settle_request(request)
    _notify(
        _officers_of(rec, request.actor),
        f"{base.case.ref} 先行登记保存 #{base.pk}未获批准（{by}：{opinion}）",
        base.get_absolute_url(),
        f"records.preservation.refused:{row.pk}",
    )
    return rec


def _lock_final_for_follow_up(
    record_id: int, by: User, kind: str, follow_up: Any, text: str, not_final: str, exists: str, empty: str
) -> Record:
    """What comes after a finalised record (a decision, a returned opinion) is its own row:
    the record itself stays as it is. One follow-up per record."""
    base = _lock(record_id, by)
    if base.kind != kind or not base.is_final:
        raise RecordError(not_final)
    if follow_up.objects.filter(record_id=base.pk).exists():
        raise RecordError(exists)
    if not (text or "").strip():
        raise RecordError(empty)
    return base


@transaction.atomic
def preservation_decide(*, record_id: int, by: User, outcome: str, detail: str) -> PreservationDecision:
    """The 处理决定 on preserved evidence, within 7 working days (《行政处罚法》第五十六条): the
    head's decision (a sign-off row, step PRESERVATION, level 机关负责人, its own round), the
    PreservationDecision, the 先行登记保存物品处理决定书; the 7-working-day deadline is met and the
    officers are notified. `outcome` is a PreservationOutcome value. Raises RecordDenied (not a
    head, or a handler of the case) or RecordError (record not final, decided already, bad input)."""
    base, rec = _lock_preservation(record_id)
    if not policy.may_sign(by, base.case, Level.HEAD):
        raise RecordDenied("先行登记保存的处理决定须经机关负责人批准：需由机关负责人（非本案承办人）作出")
    _require_writer(base.case, by, officer=False)
    if not base.is_final:
        raise RecordError("只能对已定稿的先行登记保存记录作出处理决定")
    if PreservationDecision.objects.filter(record_id=base.pk).exists():
        raise RecordError("已经作出处理决定")
    try:
        outcome = PreservationOutcome(outcome)
    except ValueError:
        raise RecordError("请选择处理决定") from None
    detail = (detail or "").strip()
    if not detail:
        raise RecordError("请填写决定内容")
    row = _sign(
        base.case,
        Level.HEAD,
        by,
        SignOffOutcome.AGREE,
        detail,
        signoffs.next_round(base.case, SignOffStep.PRESERVATION),
    )
    decision = PreservationDecision.objects.create(
        record_id=base.pk, outcome=outcome, detail=detail, decided_at=row.signed_at, decided_by=by, signoff=row
    )
    notice = base.document
    decision.document = document_issue(
        case=base.case,
        doc_type=DocTypeCode.PRESERVATION_DECISION,
        context={
            "party_name": rec.party_name,
            "notice_number": notice.number if notice else "",
            "preserved_at": fmt(rec.started_at),
            "items": [
                {"name": i.name, "spec": i.spec, "quantity": i.quantity, "remarks": i.remarks} for i in rec.items.all()
            ],
            "outcome": outcome.label,
            "detail": detail,
            "decided_by": str(by),
            "decided_at": fmt(row.signed_at),
        },
        by=by,
        source=decision,
    )
    decision.save(update_fields=["document"])
    from deadlines.services import deadline_met

    deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, case=base.case, target=base, met_at=row.signed_at)
    audit.record(
        base,
        AuditAction.PRESERVATION_DECIDED,
        actor=by,
        case=base.case_id,
        outcome=outcome.value,
        decided_at=row.signed_at,
        signoff=row.pk,
        document=decision.document.number,
    )
    _notify(
        _officers_of(rec),
        f"{base.case.ref} 先行登记保存 #{base.pk}：机关负责人{by}已作出处理决定（{outcome.label}）",
        base.get_absolute_url(),
        f"records.preservation.decided:{row.pk}",
    )
    return decision


@transaction.atomic
def commission_opinion_record(
    *, record_id: int, by: User, received_at: datetime, conclusion: str, file: Any
) -> CommissionOpinion:
    base = _lock_final_for_follow_up(
        record_id,
        by,
        RecordKind.COMMISSION,
        CommissionOpinion,
        conclusion,
        "只能为已定稿的委托书登记返回的意见",
        "已登记返回的意见",
        "请填写意见结论",
    )
    opinion = CommissionOpinion.objects.create(
        record_id=base.pk, received_at=received_at, conclusion=conclusion.strip(), recorded_by=by
    )
    from cases.services import attachment_add

    attachment_add(
        case=base.case_id,
        file=file,
        by=by,
        owner=opinion,
        confidentiality=base.confidentiality,
        description="受托机构出具的意见",
    )
    audit.record(base, AuditAction.COMMISSION_OPINION, actor=by, case=base.case_id, received_at=received_at)
    return opinion
