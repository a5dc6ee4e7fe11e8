"""The archivist asks the head for 准予归档 (SEAL_OVERRIDE, 第二十八条) through the bell.

A concluded file whose review is blocked (items that will not go into the volume, a failing veto
rule: `sealing.review(case).blockers`) is sealed only on a head's agreeing SEAL_OVERRIDE. The
head's 待我审批 lists vetoed scores already; this lets the archivist ring the heads who may sign
(cases.selectors.heads_for), once per case and blockers state, linking to the override page.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

import audit
from accounts.models import Role, User
from audit.selectors import recorded
from cases import policy, stages
from cases.models import CaseState
from cases.selectors import heads_for
from cases.stages import TransitionDenied, TransitionError
from deadlines.services import notify

from .asks import override_ask_key
from .audit_actions import AuditAction
from .sealing import review


@dataclass(frozen=True)
class OverrideAsk:
    """The outcome of `seal_override_ask`: `heads` the number of heads who may sign, `repeated`
    True when this archivist had asked about the same blockers (nobody was told again)."""

    heads: int
    repeated: bool


def blockers_key(blockers: list[str]) -> str:
    """The first 16 hex digits of the SHA-256 of the blockers (one per line): the request's
    state, so a changed set of blockers may be asked about again."""
    return hashlib.sha256("\n".join(blockers).encode()).hexdigest()[:16]


@transaction.atomic
def seal_override_ask(*, case_id: int, by: User) -> OverrideAsk:
    """The archivist asks the heads for 准予归档 (第二十八条): notifies every head who may sign for
    the case (heads_for) with a link to `archive:override`, deduplicated per case and blockers
    state (blockers_key), and records archive.seal_override_asked (state, blockers, heads). Returns an
    OverrideAsk.

    Raises TransitionDenied (not an archivist who may compile the case file), TransitionError
    (the case not 已结案; nothing blocks sealing; a head already agreed; no head may sign)."""
    case = stages.lock(case_id)
    if not (by.has_role(Role.ARCHIVIST) and policy.may_compile_case_file(by, case)):
        raise TransitionDenied("无权请求准予归档：需由档案管理员办理。")
    stages.require_state(case, [CaseState.CONCLUDED], "请求机关负责人准予归档")
    r = review(case)
    if not r.blockers:
        raise TransitionError("案卷没有阻止归档的问题，无需请求机关负责人准予归档。")
    if r.overridden:
        raise TransitionError("机关负责人已签署准予归档意见，可以直接归档。")
    heads = heads_for(case)
    if not heads:
        raise TransitionError("没有可以签署本案准予归档意见的机关负责人（办理本案的负责人不能签署）。")
    state = blockers_key(r.blockers)
    # The bell deduplicates per case and state; the trail tells this archivist he asked already.
    repeated = recorded(case, AuditAction.SEAL_OVERRIDE_ASKED, actor=by, state=state)
    notify(
        user_ids=[h.pk for h in heads],
        text=f"待审批：{case.ref} 存在阻止归档的问题，{by}请求准予归档（第二十八条）",
        link=reverse("archive:override", args=[case.pk]),
        dedupe_key=override_ask_key(case.pk, state),
    )
    audit.record(
        case,
        AuditAction.SEAL_OVERRIDE_ASKED,
        actor=by,
        case=case,
        state=state,
        blockers=r.blockers,
        heads=[h.pk for h in heads],
        repeated=repeated,
    )
    return OverrideAsk(len(heads), repeated)
