"""第二十九条 consultation (查阅): services and reads.

Flow
- `consultation_request`: staff (the archivist, or an officer of the case) record a party's
  request: who (name, ID type and number, relation to the case), why, the purpose (一般查阅 /
  行政复议 / 行政诉讼: 《行政复议法》第四十七条 uses the same path) and which items of the case file.
- `consultation_decide`: the head (机关负责人, not a handling officer of the case) approves or
  refuses with an opinion — a sign-off row (SignOffStep.CONSULTATION, Level.HEAD, one round per
  request). Approval sets the period and, item by item, the treatment: 国家秘密 is always
  excluded; 商业秘密 and 个人隐私 are redacted or excluded with the reason recorded; other items
  are provided as they are. Approval issues the reading-room link's unguessable token.
- Access (`request_for_reading` / `item_for_reading` / `item_view`): the party reads at the
  agency's terminal, the archivist logged in and attending (so who opened what is a person's
  account, and nobody outside the agency holds a link that works). Only an archivist, only
  with the token of an approved request, only inside its period and only the items provided;
  404 for anything else. Every view is a ConsultationAccess row and an audit entry, and the PDF
  shown carries a watermark naming the requester and the date (archive.watermark); an AV
  record is played only as its copy with the watermark burnt in, made on approval
  (archive.rendition).

An item's confidentiality is archive.confidentiality.item_confidentiality (the strictest of its
own, its document's record's and the case's mark).
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import Role, User
from avrecords.selectors import records_of_case
from cases import policy, stages
from cases.models import Case, Confidentiality, Level, Party, PartyKind, SignOffOutcome, SignOffStep
from cases.selectors import heads_for, parties_of
from cases.services import file_store
from cases.signoffs import next_round, signoff_record
from cases.stages import TransitionDenied, TransitionError
from deadlines.services import notifications_settle, notify
from linke.fields import fit
from linke.validators import (
    SCAN_TYPES_LABEL,
    length_error,
    text_error,
    validate_person_id,
    validate_scan,
    validate_uscc,
    window_errors,
)

from .asks import consult_request_key
from .audit_actions import AuditAction
from .casefile import assemble
from .confidentiality import item_confidentiality
from .models_consultation import (
    OPINION_MAX,
    REASON_MAX,
    REQUESTER_NAME_MAX,
    ConsultationAccess,
    ConsultationItem,
    ConsultationPurpose,
    ConsultationRequest,
    ConsultationStatus,
    ItemTreatment,
    RequesterIdType,
    RequesterRelation,
)
from .rendition import renditions_queue
from .watermark import watermark_pdf

C = Confidentiality


@dataclass(frozen=True)
class Candidate:
    """An item of the case file a party may ask for. `key` is "document:<pk>",
    "attachment:<pk>", "addendum:<pk>" (an approved addendum) or "av:<pk>" (an AV record)."""

    key: str
    title: str
    confidentiality: str
    source: Any

    @property
    def confidentiality_label(self) -> str:
        return C(self.confidentiality).label if self.confidentiality else ""


def candidates(case: Case) -> list[Candidate]:
    """The items a party may ask for (第二十九条: the 行政执法全过程记录): the case file's documents,
    attachments and approved addenda (archive.casefile.assemble, in its order), then the case's
    AV records (avrecords.selectors.records_of_case, in recording order)."""
    out = []
    for item in assemble(case).items:
        src = item.source
        kind = src._meta.model_name
        if kind == "addendum":  # 归档后补充材料: its generated page and scan, as in the volume
            title = f"归档后补充材料：{item.title}"
            out.append(Candidate(f"addendum:{src.pk}", title, item_confidentiality(case, src), src))
        elif item.record is None and kind in ("document", "attachment"):
            title = f"{item.title} {item.doc_number}".strip()
            out.append(Candidate(f"{kind}:{src.pk}", title, item_confidentiality(case, src), src))
        # else: the 副卷's internal records generated from rows are not offered; an AV record
        # placed in the file is offered below, once.
    for record in records_of_case(case.pk).order_by("started_at", "pk"):
        out.append(Candidate(f"av:{record.pk}", av_title(record), item_confidentiality(case, record), record))
    return out


def av_title(record: Any) -> str:
    """An AV record as the item list names it: "音像记录：<file name>，<证明对象>（时长M分SS秒）"
    (the parts it has)."""
    name = "，".join(p for p in (record.filename or str(record.uuid), record.proves.strip()[:60]) if p)
    if record.duration:
        minutes, seconds = divmod(round(record.duration), 60)
        name += f"（时长{minutes}分{seconds:02d}秒）"
    return f"音像记录：{name}"


def may_record(user: User, case: Case) -> bool:
    """Who records a party's request: the archivist (the 专人, 第二十八条) or an officer of the case."""
    return policy.may_act(user, case, Role.ARCHIVIST) or policy.is_officer_of(user, case)


def _lock(case_id: int) -> Case:
    return stages.lock(case_id)


def _check_id(id_type: str, id_number: str) -> str:
    number = (id_number or "").strip().upper()
    if not number:
        raise TransitionError("请填写查阅人证件号码。")
    check = validate_person_id if id_type == RequesterIdType.RESIDENT_ID else validate_uscc
    try:
        check(number)
    except ValidationError as exc:
        raise TransitionError(exc.messages[0]) from None
    return number


# The ID a party of each kind carries (第八条: 当事人基本情况; cases.forms.PartyForm checks the same).
_ID_OF_KIND: dict[str, RequesterIdType] = {
    PartyKind.PERSON: RequesterIdType.RESIDENT_ID,
    PartyKind.ORGANISATION: RequesterIdType.USCC,
}


def _refusal(messages: Iterable[str]) -> TransitionError:
    """Several Chinese messages as one refusal: joined by "；", one final "。"."""
    return TransitionError("；".join(m.rstrip("。") for m in messages) + "。")


def requester_errors(case: Case, *, requester_name: str, id_type: str, id_number: str, relation: str) -> list[str]:
    """Who asks, checked against the case's recorded parties (cases.selectors.parties_of), so that
    the request the head approves (第二十九条第一款: 当事人依法申请查阅) records a party rightly
    where it is entered. `requester_name` stripped; `id_number` stripped, upper-case and valid for
    `id_type` (a RequesterIdType value); `relation` a RequesterRelation value. Returns Chinese
    messages, empty when the requester fits:

    - 当事人 (PARTY): one of the parties. A party whose ID number equals `id_number`; else a party
      with no number recorded whose name is `requester_name` (same_name); a party matched by
      number must carry that name too (same_name: NFKC, white space ignored). Its kind must fit
      `id_type`: 居民身份证 for a 自然人, 统一社会信用代码 for a 法人或其他组织. A case with no
      party recorded has nobody to match.
    - 当事人的法定代表人（负责人）(LEGAL_REP): the case has an organisation party; `id_type` is
      居民身份证; the name equals one of the organisation parties' recorded legal_rep, unless one
      of them has none recorded (then the name cannot be checked).
    - 委托代理人 (AGENT): the principal and the 授权委托书 are checked by `agent_errors`; the
      agent's own name and ID are not checked here.
    - 第三人, 其他利害关系人: not checked here; the head judges them on the reasons given
      (consultation_decide)."""
    if relation not in (RequesterRelation.PARTY, RequesterRelation.LEGAL_REP):
        return []
    parties = list(parties_of(case))
    if not parties:
        who = RequesterRelation(relation).label
        return [f"本案未登记当事人，无法核对查阅人是否为{who}：请先登记当事人，或选择其他与案件关系。"]
    if relation == RequesterRelation.PARTY:
        return _party_errors(parties, requester_name, id_type, id_number)
    return _legal_rep_errors(parties, requester_name, id_type)


AUTHORISATION = "授权委托书"


def agent_errors(parties: list[Party], *, relation: str, principal: int | None, authorisation: bool) -> dict[str, str]:
    """The principal and the 授权委托书 of a request, by form field (`principal`,
    `authorisation`). 第二十九条 (当事人依法申请查阅): a 委托代理人 consults on the party's behalf
    only with the party's 授权委托书 — unverified: from practice, not in DOMAIN.md. `parties`:
    the case's recorded parties (cases.selectors.parties_of); `principal` the pk of the party
    named as 委托人, or None; `authorisation` whether a scan was given. For RequesterRelation.
    AGENT both are required and the principal is one of `parties` (a case with none recorded
    has nobody to name); for any other relation both must be empty. Returns Chinese messages,
    empty when right. The one check the request form shows by its fields and
    `consultation_request` applies."""
    errors: dict[str, str] = {}
    if relation != RequesterRelation.AGENT:
        if principal is not None:
            errors["principal"] = "只有委托代理人查阅须选择委托人：其他与案件关系请将委托人留空。"
        if authorisation:
            errors["authorisation"] = f"只有委托代理人查阅须上传{AUTHORISATION}：其他与案件关系请不要选择文件。"
        return errors
    if not parties:
        errors["principal"] = "本案未登记当事人，无法核对委托代理人的委托人：请先登记当事人，或选择其他与案件关系。"
    elif principal is None:
        errors["principal"] = "委托代理人查阅，请选择委托人（本案当事人）。"
    elif principal not in {p.pk for p in parties}:
        errors["principal"] = "所选委托人不是本案登记的当事人，请重新选择。"
    if not authorisation:
        errors["authorisation"] = (
            f"委托代理人查阅，请上传当事人的{AUTHORISATION}扫描件（{SCAN_TYPES_LABEL}）：代理人凭授权委托书代为查阅。"
        )
    return errors


def same_name(recorded: str, typed: str) -> bool:
    """Whether two names of one person or organisation are the same as written on an ID: equal
    after NFKC (full-width and half-width brackets, letters and digits alike) with all white
    space removed."""
    return _name_key(recorded) == _name_key(typed)


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _party_errors(parties: list[Party], name: str, id_type: str, number: str) -> list[str]:
    match = next((p for p in parties if p.id_number and p.id_number.strip().upper() == number), None)
    if match is None:
        match = next((p for p in parties if not p.id_number.strip() and same_name(p.name, name)), None)
    if match is not None:
        fits = _ID_OF_KIND[match.kind]
        if fits != id_type:
            return [f"本案当事人“{match.name}”为{match.get_kind_display()}，证件类型应为{fits.label}。"]
        if not same_name(match.name, name):  # the number is the party's: so must the name be
            return [f"查阅人姓名（名称）与本案当事人登记的“{match.name}”不一致，请按证件如实填写。"]
        return []
    kinds = {p.kind for p in parties}
    if id_type == RequesterIdType.RESIDENT_ID and kinds == {PartyKind.ORGANISATION}:
        rep, agent = RequesterRelation.LEGAL_REP.label, RequesterRelation.AGENT.label
        return [f"本案当事人为法人或其他组织，其工作人员应选择“{rep}”或“{agent}”。"]
    if id_type == RequesterIdType.USCC and kinds == {PartyKind.PERSON}:
        return ["本案当事人为自然人，应填写当事人本人的居民身份证号码；组织查阅请选择其他与案件关系。"]
    named = next((p for p in parties if p.id_number and same_name(p.name, name)), None)
    if named is not None:
        return [f"查阅人证件号码与本案当事人“{named.name}”登记的证件号码不一致。"]
    names = "、".join(p.name for p in parties)
    return [f"查阅人与本案登记的当事人不一致（本案当事人：{names}）：请核对姓名和证件号码，或选择其他与案件关系。"]


def _legal_rep_errors(parties: list[Party], name: str, id_type: str) -> list[str]:
    organisations = [p for p in parties if p.kind == PartyKind.ORGANISATION]
    label, agent = RequesterRelation.LEGAL_REP.label, RequesterRelation.AGENT.label
    if not organisations:
        return [f"本案当事人均为自然人，没有{label}：当事人本人请选择“当事人”，代理人请选择“{agent}”。"]
    errors = []
    if id_type != RequesterIdType.RESIDENT_ID:
        errors.append(f"{label}查阅，请填写其本人的居民身份证号码。")
    reps = [p.legal_rep.strip() for p in organisations]
    if all(reps) and not any(same_name(rep, name) for rep in reps):
        errors.append(f"查阅人姓名与本案当事人登记的{label}（{'、'.join(dict.fromkeys(reps))}）不一致。")
    return errors


# A Candidate key's kind -> the ConsultationItem field holding its source.
_SOURCE_FIELD = {"document": "document", "attachment": "attachment", "addendum": "addendum", "av": "av_record"}
_ITEM_SOURCES = ("document", "attachment", "addendum", "av_record")


def _item_key(item: ConsultationItem) -> str:
    """The Candidate key of a request's item ("document:<pk>", "attachment:<pk>",
    "addendum:<pk>" or "av:<pk>", as candidates() makes them)."""
    kind, field = next((k, f) for k, f in _SOURCE_FIELD.items() if getattr(item, f"{f}_id"))
    return f"{kind}:{getattr(item, f'{field}_id')}"


def pending_duplicate(case: Case, *, id_number: str, keys: Iterable[str]) -> ConsultationRequest | None:
    """The pending request of `case` that a new one would repeat: the same requester's ID number
    (stripped, upper-case, as stored) and the same items (Candidate keys, in any order), whoever
    records it and whatever its purpose and reason; the earliest such, or None."""
    wanted = set(keys)
    rows = (
        ConsultationRequest.objects.filter(case=case, id_number=id_number, status=ConsultationStatus.PENDING)
        .prefetch_related("items")
        .order_by("round")
    )
    return next((r for r in rows if {_item_key(i) for i in r.items.all()} == wanted), None)


@transaction.atomic
def consultation_request(
    *,
    case_id: int,
    by: User,
    requester_name: str,
    id_type: str,
    id_number: str,
    relation: str,
    purpose: str,
    reason: str,
    items: list[str],
    principal: int | None = None,
    authorisation: IO[bytes] | None = None,
) -> ConsultationRequest:
    """Record a party's request (第二十九条第一款). `items`: Candidate keys of this case. A
    委托代理人's request names `principal` (the pk of one of the case's parties) and carries
    `authorisation`, the scan of the party's 授权委托书 (an uploaded PDF, JPEG or PNG: linke.
    validators.validate_scan), stored as attachments are (cases.services.file_store) with its
    SHA-256 and size; any other relation gives neither (`agent_errors`).

    Raises TransitionDenied (not the archivist nor an officer of the case), TransitionError
    (empty name or reason, a name or reason over REQUESTER_NAME_MAX / REASON_MAX characters, bad ID number, unknown choice, no item or an item not of this case,
    a requester who does not fit the case's parties: `requester_errors`, a missing, foreign or
    unwanted principal or 授权委托书, or a scan that is no PDF or image: `agent_errors`, the same requester and
    items as a request still pending: `pending_duplicate`). The heads who may decide it
    (cases.selectors.heads_for) are notified through the bell, linking to its decide page."""
    case = _lock(case_id)
    if not may_record(user=by, case=case):
        raise TransitionDenied("查阅申请由档案管理员或本案执法人员登记。")
    name, why = (requester_name or "").strip(), (reason or "").strip()
    if not name:
        raise TransitionError("请填写查阅人姓名。")
    if not why:
        raise TransitionError("请填写查阅理由（第二十九条）。")
    for text, bound, label in ((name, REQUESTER_NAME_MAX, "查阅人姓名"), (why, REASON_MAX, "查阅理由")):
        if error := text_error(text, label=label, multiline=label == "查阅理由") or length_error(
            text, max_chars=bound, label=label
        ):
            raise TransitionError(error)
    for value, choices, label in (
        (id_type, RequesterIdType, "证件类型"),
        (relation, RequesterRelation, "与案件关系"),
        (purpose, ConsultationPurpose, "查阅目的"),
    ):
        if value not in choices.values:
            raise TransitionError(f"{label}不正确。")
    number = _check_id(id_type, id_number)
    by_key = {c.key: c for c in candidates(case)}
    chosen = list(dict.fromkeys(items))
    if not chosen:
        raise TransitionError("请选择申请查阅的材料。")
    unknown = [k for k in chosen if k not in by_key]
    if unknown:
        raise TransitionError("所选材料不属于本案案卷。")
    errors = requester_errors(case, requester_name=name, id_type=id_type, id_number=number, relation=relation)
    errors += agent_errors(
        list(parties_of(case)), relation=relation, principal=principal, authorisation=authorisation is not None
    ).values()
    if errors:
        raise _refusal(errors)
    if authorisation is not None:
        try:  # the one scan check (linke.validators.validate_scan)
            validate_scan(authorisation, what=AUTHORISATION)
        except ValidationError as exc:
            raise TransitionError("；".join(exc.messages)) from None
    # Under the case's lock (above): a double-submitted form waits for the first to commit, then
    # finds it here (trial defect 14).
    same = pending_duplicate(case, id_number=number, keys=chosen)
    if same is not None:
        at = timezone.localtime(same.recorded_at).strftime("%Y-%m-%d %H:%M")
        raise TransitionError(
            f"该查阅人对相同材料的查阅申请尚待审批（本案第{same.round}号查阅申请，{at}登记），未重复登记；"
            "请待机关负责人审批后再行申请。"
        )
    scan: dict[str, Any] = {}
    if authorisation is not None:  # stored as the case's attachments are: by its content hash
        key, sha, size = file_store(authorisation)
        original = (getattr(authorisation, "name", "") or "").rsplit("/", 1)[-1]
        scan = {
            "principal_id": principal,
            "authorisation": key,
            "authorisation_name": fit(ConsultationRequest, "authorisation_name", original),
            "authorisation_sha256": sha,
            "authorisation_size": size,
        }
    req = ConsultationRequest.objects.create(
        **scan,
        case=case,
        requester_name=name,
        id_type=id_type,
        id_number=number,
        relation=relation,
        purpose=purpose,
        reason=why,
        recorded_by=by,
        # One round per request: a request still pending has no sign-off yet, so count the requests too.
        round=max(
            next_round(case, SignOffStep.CONSULTATION),
            (ConsultationRequest.objects.filter(case=case).aggregate(m=Max("round"))["m"] or 0) + 1,
        ),
    )
    for key in chosen:
        cand = by_key[key]
        ConsultationItem.objects.create(
            request=req,
            **{_SOURCE_FIELD[key.split(":", 1)[0]]: cand.source},
            title=cand.title[:255],
            confidentiality=cand.confidentiality,
        )
    audit.record(
        req,
        AuditAction.CONSULT_REQUESTED,
        actor=by,
        case=case,
        requester=name,
        relation=relation,
        purpose=purpose,
        items=chosen,
        principal=req.principal.name if req.principal else "",
        principal_id=req.principal_id,
        authorisation_sha256=req.authorisation_sha256,
        authorisation_size=req.authorisation_size,
    )
    # The heads who may decide it (not handling the case) are told, as for addenda (待我审批).
    notify(
        user_ids=[h.pk for h in heads_for(case)],
        text=f"待审批：{case.ref} 第{req.round}号查阅申请（查阅人{name}）（第二十九条）",
        link=reverse("archive:consult_decide", args=[req.pk]),
        dedupe_key=consult_request_key(req.pk),
    )
    return req


@dataclass
class Treatment:
    """The head's choice for one item: `treatment` an ItemTreatment value; `reason` required for
    every treatment but 提供原件 (`reason_error`); `redacted` a redacted PDF (file-like) the
    agency prepared, else a document's masked rendition is shown."""

    treatment: str
    reason: str = ""
    redacted: IO[bytes] | None = None


def reason_error(item: ConsultationItem, treatment: str, reason: str) -> str:
    """The refusal of `treatment` (an ItemTreatment value) for `item` without a reason: every
    item not provided as it is (遮蔽后提供, 不予提供) carries the head's reason, whatever its mark
    (trial defect 9) — for a marked item the ground of 第二十九条第二款, for any other the reason a
    party is refused part of what was asked (第二十九条第一款: 经机关负责人同意). `reason` is
    stripped. Returns the Chinese message, "" when a reason is given or none is needed. The one
    check the decision form shows by the reason's field and `consultation_decide` applies."""
    if error := text_error(reason, label=f"“{item.title}”的处理理由", multiline=True):
        return error  # control characters (linke.validators.text_error)
    if treatment not in (ItemTreatment.REDACTED, ItemTreatment.EXCLUDED) or (reason or "").strip():
        return ""
    article = "第二十九条第二款" if item.confidentiality else "第二十九条"
    return f"请填写“{item.title}”的处理理由（{article}）。"


def allowed_treatments(item: ConsultationItem) -> list[str]:
    """The ItemTreatment values 第二十九条第二款 allows `item`, in ItemTreatment order: a state
    secret only 不予提供; a trade secret or privacy 遮蔽后提供 or 不予提供; an AV record never
    遮蔽后提供 (provided whole or not at all); anything else all three. What the decision form
    offers; `_check_treatment` refuses the rest, saying why."""
    if item.confidentiality == C.STATE_SECRET:
        return [ItemTreatment.EXCLUDED]
    allowed = list(ItemTreatment.values)
    if item.confidentiality:
        allowed.remove(ItemTreatment.FULL)
    if item.av_record_id is not None:
        allowed.remove(ItemTreatment.REDACTED)
    return allowed


def _check_treatment(item: ConsultationItem, t: Treatment) -> None:
    """Refuse (TransitionError) a treatment 第二十九条第二款 does not allow for `item`. Each message
    names the item, and its mark only where it has one (a blank mark has no category to name)."""
    label = f"“{item.title}”"
    mark = C(item.confidentiality).label if item.confidentiality else ""
    if not t.treatment:
        raise TransitionError(f"请选择{label}的处理方式。")
    if t.treatment not in ItemTreatment.values:
        raise TransitionError(f"{label}的处理方式不正确。")
    if item.confidentiality == C.STATE_SECRET and t.treatment != ItemTreatment.EXCLUDED:
        raise TransitionError(f"{label}涉及国家秘密，不得提供查阅（第二十九条第二款）。")
    if item.av_record_id is not None and t.treatment != ItemTreatment.EXCLUDED:
        # A video is not redacted here: an AV record is provided whole or not at all.
        if mark:
            raise TransitionError(f"{label}涉及{mark}，音像记录不能遮蔽提供，应不予提供（第二十九条第二款）。")
        if t.treatment == ItemTreatment.REDACTED:
            raise TransitionError(f"{label}：音像记录不能遮蔽提供，请选择“不予提供”或“提供原件”。")
    if mark and t.treatment == ItemTreatment.FULL:
        raise TransitionError(f"{label}涉及{mark}，应遮蔽后提供或不予提供（第二十九条第二款）。")
    if t.treatment not in allowed_treatments(item):  # each case has its message above
        raise TransitionError(f"{label}的处理方式不正确（第二十九条第二款）。")
    missing = reason_error(item, t.treatment, t.reason) or length_error(
        (t.reason or "").strip(), max_chars=REASON_MAX, label=f"{label}的处理理由"
    )
    if missing:
        raise TransitionError(missing)
    if t.treatment == ItemTreatment.REDACTED and t.redacted is None:
        if item.document is None or not item.document.masked_pdf:
            raise TransitionError(f"{label}没有遮蔽件：请上传遮蔽后的PDF，或选择其他处理方式。")
        # The masked rendition masks identifiers only: it serves 个人隐私, nothing else.
        if item.confidentiality == C.TRADE_SECRET:
            raise TransitionError(
                f"{label}涉及商业秘密，已遮蔽身份证件号码的副本不能遮蔽商业秘密：请上传遮蔽后的PDF，或不予提供。"
            )
        if not mark:
            raise TransitionError(
                f"{label}未标注涉及商业秘密或个人隐私，已遮蔽身份证件号码的副本仅用于个人隐私："
                "请提供原件，或上传遮蔽后的PDF。"
            )


def _store_redacted(item: ConsultationItem, upload: IO[bytes]) -> str:
    try:  # the one scan check (linke.validators.validate_scan), PDF only
        validate_scan(upload, what=f"“{item.title}”的遮蔽件", pdf_only=True)
    except ValidationError as exc:
        raise TransitionError("；".join(exc.messages)) from None
    key, _sha, _size = file_store(upload)
    return key


PERIOD_LABEL = "查阅期限"  # the window's name in the messages (linke.validators.window_label)


def period_window_errors(valid_from: dt.datetime | None, valid_until: dt.datetime | None) -> dict[str, str]:
    """The errors of an access period the head grants, by form field (`valid_from`, `valid_until`):
    linke.validators.window_errors with settings.CONSULTATION_MAX_DAYS (第二十九条 sets no length;
    the default 30 days is unverified). Empty when the period is right."""
    return window_errors(valid_from, valid_until, max_days=settings.CONSULTATION_MAX_DAYS, label=PERIOD_LABEL)


@transaction.atomic
def consultation_decide(
    *,
    request_id: int,
    by: User,
    approve: bool,
    opinion: str,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
    treatments: dict[int, Treatment] | None = None,
) -> ConsultationRequest:
    """The head approves or refuses a pending request (第二十九条第一款: 经机关负责人同意). The
    opinion is the head's sign-off (SignOffStep.CONSULTATION, Level.HEAD, the request's round).
    Approval: `valid_from` < `valid_until` (aware datetimes; `period_window_errors`: from today,
    at most settings.CONSULTATION_MAX_DAYS days ahead) and a Treatment for every item by item id (第二十九条第二款; module docstring); at least one item provided.
    The watermarked copy of each AV record provided is queued on commit (archive.rendition).

    Raises TransitionDenied (not a head, or a handling officer of the case), TransitionError
    (decided already, empty opinion or one over OPINION_MAX characters, bad period, a missing or
    refused treatment, an item's reason over REASON_MAX characters)."""
    req = ConsultationRequest.objects.select_related("case").get(pk=request_id)
    case = _lock(req.case_id)
    req = ConsultationRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != ConsultationStatus.PENDING:
        raise TransitionError(f"该查阅申请已审批（{req.get_status_display()}）。")
    items = list(req.items.select_related(*_ITEM_SOURCES))
    # The opinion is a sign-off row of cases (signoff_record); its bound is this form's.
    if error := length_error((opinion or "").strip(), max_chars=OPINION_MAX, label="机关负责人意见"):
        raise TransitionError(error)
    if approve:
        if valid_from is None or valid_until is None:
            raise TransitionError("请填写查阅期限。")
        errors = period_window_errors(valid_from, valid_until)
        if errors:
            raise _refusal(errors.values())
        treatments = treatments or {}
        for item in items:
            if item.pk not in treatments:
                raise TransitionError(f"请选择“{item.title}”的处理方式。")
            _check_treatment(item, treatments[item.pk])
        if not any(treatments[i.pk].treatment != ItemTreatment.EXCLUDED for i in items):
            raise TransitionError("所选材料均不予提供：请作出不同意查阅的决定。")
    # The policy check (head, not a handling officer) and the opinion are signoff_record's.
    row = signoff_record(
        case=case,
        step=SignOffStep.CONSULTATION,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE if approve else SignOffOutcome.REFUSE,
        opinion=opinion,
        round=req.round,
    )
    req.signoff = row
    if approve:
        assert treatments is not None
        for item in items:
            t = treatments[item.pk]
            item.treatment, item.reason = t.treatment, t.reason.strip()
            if t.treatment == ItemTreatment.REDACTED and t.redacted is not None:
                item.redacted_file = _store_redacted(item, t.redacted)
            item.save(update_fields=["treatment", "reason", "redacted_file"])
        req.status = ConsultationStatus.APPROVED
        req.valid_from, req.valid_until = valid_from, valid_until
        req.token = secrets.token_urlsafe(32)
    else:
        req.status = ConsultationStatus.REFUSED
    req.save(update_fields=["signoff", "status", "valid_from", "valid_until", "token"])
    if approve:
        # The watermarked copies of the AV records provided, made on commit (archive.rendition).
        renditions_queue(items)
    audit.record(
        req,
        AuditAction.CONSULT_DECIDED,
        actor=by,
        case=case,
        approved=approve,
        valid_from=valid_from.isoformat() if approve and valid_from else "",
        valid_until=valid_until.isoformat() if approve and valid_until else "",
        items={str(i.pk): {"treatment": i.treatment, "reason": i.reason} for i in items},
    )
    notifications_settle(dedupe_key=consult_request_key(req.pk))  # decided: the other heads' 待审批 too
    return req


def requests_of(case: Case) -> list[ConsultationRequest]:
    """The case's requests, newest first, with their items, sign-off and access log (the case
    page)."""
    return list(
        ConsultationRequest.objects.filter(case=case)
        .select_related("recorded_by", "signoff__actor", "principal")
        .prefetch_related("items", "accesses__viewer", "accesses__item")
    )


def request_for_decision(user: User, pk: int) -> ConsultationRequest:
    """A request the head may decide, pending or decided (its page shows the decision), with its
    sign-off and signer and principal (404 for anyone else: who may not sign it learns nothing)."""
    req = ConsultationRequest.objects.select_related("case", "signoff__actor", "principal").filter(pk=pk).first()
    if req is None or not policy.may_sign(user, req.case, Level.HEAD):
        raise Http404("查阅申请不存在")
    return req


def authorisation_for_user(user: User, pk: int) -> ConsultationRequest:
    """A request whose 授权委托书 `user` may open: who may decide it (a head, policy.may_sign) or
    record it (`may_record`). Http404 for anyone else, or for a request without the scan."""
    req = ConsultationRequest.objects.select_related("case").filter(pk=pk).first()
    if req is None or not req.authorisation:
        raise Http404("授权委托书不存在")
    if not (policy.may_sign(user, req.case, Level.HEAD) or may_record(user, req.case)):
        raise Http404("授权委托书不存在")
    return req


def authorisation_viewed(req: ConsultationRequest, *, by: User) -> None:
    """Every read of a request's 授权委托书 is on the trail (第二十九条), as an addendum's scan."""
    audit.record(
        req, AuditAction.CONSULT_AUTHORISATION_VIEWED, actor=by, case=req.case, sha256=req.authorisation_sha256
    )


class ReadingClosed(Exception):
    """A reading-room link of an approved request opened outside its period, by the archivist
    who may attend it: `message` says plainly it has expired (已过期) or when it begins; `expired`
    tells which (the page answers 410 or 403)."""

    def __init__(self, req: ConsultationRequest, message: str, *, expired: bool) -> None:
        super().__init__(message)
        self.req, self.message, self.expired = req, message, expired


def request_for_reading(user: User, token: str) -> ConsultationRequest:
    """The approved request behind a reading-room link, for the archivist attending, inside its
    period (第二十九条). Http404 for a wrong token, a refused or pending request, or a viewer who
    is not an archivist (who may not use it learns nothing). ReadingClosed for the archivist
    outside the period: expired, or not yet begun."""
    if not token or not policy.reads_every_case(user) or not user.has_role(Role.ARCHIVIST):
        raise Http404("查阅链接无效")
    req = (
        ConsultationRequest.objects.select_related("case")
        .filter(token=token, status=ConsultationStatus.APPROVED)
        .first()
    )
    now = timezone.now()
    if req is None or req.valid_from is None or req.valid_until is None:
        raise Http404("查阅链接无效")
    if now >= req.valid_until:
        until = timezone.localtime(req.valid_until).strftime("%Y-%m-%d %H:%M")
        raise ReadingClosed(
            req, f"该查阅链接已过期：查阅期限已于{until}届满。如需再次查阅，请重新登记查阅申请。", expired=True
        )
    if now < req.valid_from:
        since = timezone.localtime(req.valid_from).strftime("%Y-%m-%d %H:%M")
        raise ReadingClosed(req, f"查阅期限尚未开始：自{since}起方可查阅。", expired=False)
    return req


def item_for_reading(req: ConsultationRequest, item_pk: int) -> ConsultationItem:
    """An item the approval provides (full or redacted); Http404 for any other."""
    item = req.items.select_related(*_ITEM_SOURCES).filter(pk=item_pk).first()
    if item is None or not item.provided or item.confidentiality == C.STATE_SECRET:
        raise Http404("材料不存在")
    return item


def _shown_bytes(item: ConsultationItem) -> bytes:
    """The bytes shown for an item: the redacted copy for a redacted item, else the original."""
    if item.treatment == ItemTreatment.REDACTED:
        fieldfile = item.redacted_file or (item.document.masked_pdf if item.document else None)
    elif item.addendum is not None:
        return _addendum_pages(item.addendum)
    elif item.document is not None:
        fieldfile = item.document.pdf
    else:
        fieldfile = item.attachment.file if item.attachment else None
    if not fieldfile:
        raise Http404("材料不存在")
    with fieldfile.open("rb") as fh:
        data: bytes = fh.read()
    return data


def _addendum_pages(addendum: Any) -> bytes:
    """An approved addendum's item as the volume has it (its generated page, then its scan):
    archive.export.item_pages. Http404 when it is no item of the file (not approved)."""
    from .export import item_pages
    from .sealing import addendum_entry

    entry = addendum_entry(addendum)
    if entry is None or entry.record is None:
        raise Http404("材料不存在")
    return item_pages(addendum.case, entry.number, entry.record)


def watermark_text(req: ConsultationRequest, on: dt.date | None = None) -> str:
    """The watermark of what `req`'s requester reads: name, date (YYYY-MM-DD) and purpose."""
    day = on or timezone.localdate()
    return f"仅供{req.requester_name}查阅 {day:%Y-%m-%d} {req.get_purpose_display()} 不得复制"


def item_view(req: ConsultationRequest, item: ConsultationItem, *, viewer: User, ip: str, user_agent: str) -> bytes:
    """The watermarked PDF of `item`, with its access row and audit entry (who, item, when, IP).
    Raises archive.watermark.NotViewable for a file that is neither PDF nor image."""
    data = watermark_pdf(_shown_bytes(item), watermark_text(req))
    log_view(req, item, viewer=viewer, ip=ip, user_agent=user_agent)
    return data


def log_view(req: ConsultationRequest, item: ConsultationItem, *, viewer: User, ip: str, user_agent: str) -> None:
    """One view of `item` in the reading room: its access row and audit entry (who, item, when,
    IP). item_view calls it for a PDF; the reading room's AV page (player with the watermark
    overlaid) calls it for a page view of an AV record."""
    with transaction.atomic():
        ConsultationAccess.objects.create(
            request=req, item=item, viewer=viewer, ip=ip or None, user_agent=(user_agent or "")[:255]
        )
        audit.record(
            item,
            AuditAction.CONSULT_VIEWED,
            actor=viewer,
            case=req.case,
            request=req.pk,
            requester=req.requester_name,
            item=item.title,
            treatment=item.treatment,
            ip=ip,
        )
