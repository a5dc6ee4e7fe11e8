"""行政执法公示 (国办发〔2018〕118号) and its withdrawal (《行政处罚法》第四十八条).

    publication_period_open(case)                          on 已决定 (case_transitioned)
    publication_publish(*, case_id, by) -> Publication     法规科; meets the 7-working-day period
    decision_change_record(*, case_id, by, kind, reason) -> DecisionChange
                                                           the head; opens the 3-working-day withdrawal
    publication_withdraw(*, publication_id, by, reason) -> Publication
                                                           法规科; meets the withdrawal period
    publications_public(today=None) / publication_public(pk)   the public page's reads

A publication is frozen when published: the public page shows its own columns only, masked then
(a natural person's name as 张**, identity numbers masked, mobile numbers masked in free text).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

import audit
from accounts.models import Role, User
from accounts.selectors import users_in_role
from cases import policy, stages
from cases.models import Case, CaseState, PartyKind, mask_id
from cases.stages import TransitionDenied, TransitionError
from deadlines.models import DeadlineKind
from deadlines.services import deadline_met, deadline_open
from documents.masking import mask_context

from .audit_actions import AuditAction
from .models import Decision, DecisionChange, DecisionChangeKind, DecisionOutcome, Publication

S = CaseState
# Decisions published (国办发〔2018〕118号: penalty and licensing decisions). Not published: the
# no-penalty outcomes and transfers (unverified: some provinces publish those too).
PUBLISHED_OUTCOMES = (DecisionOutcome.PENALTY, DecisionOutcome.LICENCE_GRANT, DecisionOutcome.LICENCE_REFUSAL)
DECIDED_STATES = (S.DECIDED, S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED)
PUBLICATION_WORKING_DAYS = 7  # 国办发〔2018〕118号
WITHDRAWAL_WORKING_DAYS = 3  # 《行政处罚法》第四十八条第二款


def _reviewers() -> QuerySet[User]:
    return users_in_role(Role.LEGAL_REVIEWER)


def _decision(case: Case) -> Decision | None:
    return Decision.objects.filter(case=case).select_related("document").first()


def publication_period_open(case: Case) -> None:
    """Open the period to publish the decision of `case` (7 working days from the decision),
    when its outcome is one that is published. Idempotent (deadline_open)."""
    decision = _decision(case)
    if decision is None or decision.outcome not in PUBLISHED_OUTCOMES:
        return
    deadline_open(
        case=case,
        kind=DeadlineKind.PUBLICATION,
        article="国办发〔2018〕118号（行政执法公示）",
        label=f"{DeadlineKind.PUBLICATION.label}（作出决定之日起七个工作日内）",
        start=decision.decided_at or case.decided_at or timezone.now(),
        working_days=PUBLICATION_WORKING_DAYS,
        responsible=_reviewers(),
    )


def on_case_transitioned(sender: Any, case: Case, from_state: str, to_state: str, **kwargs: Any) -> None:
    """cases.signals.case_transitioned: a decision made (→ 已决定) opens its publication period."""
    if to_state == S.DECIDED:
        publication_period_open(case)


# --- masking ----------------------------------------------------------------------------

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_person_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***: the first character and one * per other character."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_text(text: str, person_names: list[str]) -> str:
    """Free text as published: identity numbers and credit codes of persons masked
    (documents.masking), mobile numbers masked, and each natural-person party's name masked."""
    out = str(mask_context(text))
    out = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    for name in sorted(person_names, key=len, reverse=True):
        if name.strip():
            out = out.replace(name.strip(), mask_person_name(name))
    return out


# --- actions ----------------------------------------------------------------------------


def _live(case: Case) -> Publication | None:
    return Publication.objects.filter(case=case, withdrawn_at__isnull=True).first()


def _require_reviewer(case: Case, by: User, what: str) -> None:
    if not policy.may_act(by, case, Role.LEGAL_REVIEWER):
        raise TransitionDenied(f"无权{what}：需由法规科办理。")


@transaction.atomic
def publication_publish(*, case_id: int, by: User) -> Publication:
    """Publish the decision of `case` (行政执法公示): 法规科, after the decision, with its 文号.
    Freezes the published fields, masked; the publication period runs from today for
    settings.PUBLICATION_PERIOD_DAYS days. Meets the PUBLICATION deadline. A repeated request
    returns the live publication unchanged. Refused for a revoked decision."""
    case = stages.lock(case_id)
    what = "公示行政执法决定"
    _require_reviewer(case, by, what)
    stages.require_state(case, DECIDED_STATES, what)
    live = _live(case)
    if live is not None:
        return live
    decision = _decision(case)
    if decision is None or decision.decided_at is None:
        raise TransitionError("本案尚未作出决定，不能公示。")
    if decision.outcome not in PUBLISHED_OUTCOMES:
        raise TransitionError(f"“{decision.get_outcome_display()}”的决定不予公示。")
    if DecisionChange.objects.filter(decision=decision, kind=DecisionChangeKind.REVOKED).exists():
        raise TransitionError("该决定已被撤销，不能公示。")
    if decision.document is None:
        raise TransitionError("决定书尚未制作（没有文号），不能公示。")
    parties = list(case.parties.order_by("pk"))
    if not parties:
        raise TransitionError("本案没有当事人信息，不能公示。")
    persons = [p.name for p in parties if p.kind == PartyKind.PERSON]
    party_name = "、".join(mask_person_name(p.name) if p.kind == PartyKind.PERSON else p.name for p in parties)
    orgs = [p for p in parties if p.kind == PartyKind.ORGANISATION]
    today = timezone.localdate()
    pub = Publication.objects.create(
        case=case,
        decision=decision,
        party_name=party_name,
        party_is_person=not orgs,
        # An organisation's credit code is public; a person's ID number only masked.
        credit_code="、".join(p.id_number for p in orgs if p.id_number),
        id_masked="、".join(mask_id(p.id_number) for p in parties if p.kind == PartyKind.PERSON and p.id_number),
        legal_rep="、".join(p.legal_rep for p in orgs if p.legal_rep),
        decision_number=decision.document.number,
        decision_kind=decision.get_outcome_display(),
        facts=mask_text(decision.facts, persons),
        basis=mask_text(decision.basis, persons),
        content=mask_text(decision.content, persons),
        decided_on=timezone.localtime(decision.decided_at).date(),
        agency=settings.AGENCY_NAME,
        period_start=today,
        period_end=today + dt.timedelta(days=settings.PUBLICATION_PERIOD_DAYS),
        published_by=by,
    )
    deadline_met(kind=DeadlineKind.PUBLICATION, case=case)
    audit.record(
        pub,
        AuditAction.PUBLISHED,
        actor=by,
        case=case,
        decision_number=pub.decision_number,
        period_start=pub.period_start,
        period_end=pub.period_end,
    )
    return pub


@transaction.atomic
def decision_change_record(*, case_id: int, by: User, kind: str, reason: str) -> DecisionChange:
    """The head records that the decision was revoked or changed (《行政处罚法》第四十八条第二款).
    A live publication must then be withdrawn within 3 working days: that deadline opens, held
    by 法规科. A revoked decision not yet published is no longer to be published (its
    publication period closes)."""
    case = stages.lock(case_id)
    what = "记录决定被撤销或变更"
    stages.require_roles(case, by, (Role.HEAD,), what)
    stages.require_state(case, DECIDED_STATES, what)
    if kind not in DecisionChangeKind.values:
        raise TransitionError("请选择决定被撤销或被变更。")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError("请填写决定被撤销或变更的理由及依据（如复议决定书、判决书文号）。")
    decision = _decision(case)
    if decision is None or decision.decided_at is None:
        raise TransitionError("本案尚未作出决定。")
    change = DecisionChange.objects.create(case=case, decision=decision, kind=kind, reason=reason, recorded_by=by)
    live = _live(case)
    if live is not None:
        deadline_open(
            case=case,
            kind=DeadlineKind.PUBLICATION_WITHDRAWAL,
            article="《行政处罚法》第四十八条第二款",
            label=f"{DeadlineKind.PUBLICATION_WITHDRAWAL.label}（决定被撤销或变更后三个工作日内）",
            start=change.recorded_at,
            working_days=WITHDRAWAL_WORKING_DAYS,
            responsible=_reviewers(),
            target=live,
        )
    elif kind == DecisionChangeKind.REVOKED:
        deadline_met(kind=DeadlineKind.PUBLICATION, case=case)
    audit.record(
        change,
        AuditAction.DECISION_CHANGED,
        actor=by,
        case=case,
        kind=kind,
        reason=reason,
        publication=live and live.pk,
    )
    return change


@transaction.atomic
def publication_withdraw(*, publication_id: int, by: User, reason: str) -> Publication:
    """Withdraw a publication (《行政处罚法》第四十八条第二款): it leaves the public page; the
    withdrawal period closes. 法规科; a repeated request returns it unchanged."""
    pub = Publication.objects.select_related("case").get(pk=publication_id)
    case = stages.lock(pub.case_id)
    _require_reviewer(case, by, "撤回公示")
    pub = Publication.objects.select_for_update().get(pk=publication_id)
    if pub.withdrawn_at is not None:
        return pub
    reason = (reason or "").strip()
    if not reason:
        raise TransitionError("请填写撤回公示的理由。")
    pub.withdrawn_at, pub.withdrawn_by, pub.withdrawal_reason = timezone.now(), by, reason
    pub.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    deadline_met(kind=DeadlineKind.PUBLICATION_WITHDRAWAL, target=pub, met_at=pub.withdrawn_at)
    audit.record(pub, AuditAction.PUBLICATION_WITHDRAWN, actor=by, case=case, reason=reason)
    return pub


# --- reads ------------------------------------------------------------------------------


def publications_public(today: dt.date | None = None) -> QuerySet[Publication]:
    """What the public page lists: live (not withdrawn) publications within their period,
    newest first. Only the frozen columns are read (no case, no user)."""
    today = today or timezone.localdate()
    return Publication.objects.filter(withdrawn_at__isnull=True, period_start__lte=today, period_end__gte=today).only(
        "pk",
        "party_name",
        "decision_number",
        "decision_kind",
        "decided_on",
        "agency",
        "period_start",
        "period_end",
        "published_at",
    )


def publication_public(pk: int) -> Publication:
    """One publication the public may see; else Http404."""
    pub = (
        Publication.objects.filter(withdrawn_at__isnull=True)
        .filter(pk=pk, period_start__lte=timezone.localdate(), period_end__gte=timezone.localdate())
        .first()
    )
    if pub is None:
        raise Http404("公示信息不存在或已撤回")
    return pub


def publications_of_case(case: Case) -> list[Publication]:
    return list(Publication.objects.filter(case=case).select_related("published_by", "withdrawn_by"))


def changes_of_case(case: Case) -> list[DecisionChange]:
    return list(DecisionChange.objects.filter(case=case).select_related("recorded_by"))
