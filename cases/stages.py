"""The case's stage machine: the one place that sets `Case.state` (DESIGN.md, "Stage-owned actions").

Each transition is declared by the app that owns it (`declare(...)` in that app's actions
module, imported by its AppConfig.ready), and only that app's code may run it. A stage app's
action, in one transaction:

    case = stages.lock(case_id)                       # select_for_update
    stages.require_actor(case, by, t)                 # cases.policy, else TransitionDenied
    ... write the stage's own rows, sign-offs, documents, deadlines ...
    stages.advance(case, t, by=by, **audit_data)      # state + audit entry + case_transitioned

`advance` checks the case's kind and state, that the stage being left is complete
(`cases.requirements.missing`), and that its caller belongs to the owning app; it then sets the
state (and the transition's time stamp), writes the audit entry `case.<name>` and sends
`cases.signals.case_transitioned` inside the transaction.

A transition whose `button` is set needs nothing but an opinion: the case page offers it as a
button and runs `button(case_id=..., by=..., opinion=...)`. The others are reached through their
own app's form. A transition nobody declared (the later stages until their apps exist) is not
offered and cannot run.

Refusals: `TransitionError` (wrong state, incomplete stage; `.missing` lists the requirements)
and `TransitionDenied` (also a `PermissionDenied`: the policy says no). Their `str()` is a
Chinese message fit to show the user.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User

from . import policy, requirements
from .models import Case, CaseState
from .signals import case_transitioned


class TransitionError(Exception):
    """A refused transition or record change; str() is the Chinese message."""

    def __init__(self, message: str, *, missing: list[requirements.Requirement] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class TransitionDenied(TransitionError, PermissionDenied):
    """The access policy does not allow this actor."""


SEALED_MESSAGE = "本案已归档（第二十八条），案卷及其记录只读，不能修改或删除；如需更正，请提出补充材料申请。"


class CaseSealed(TransitionError):
    """A change to a sealed case (已归档, 第二十八条): refused because of the seal, not because of
    who asks. Raised by the model guard (archive.guard) and by `cases.selectors.refuse_if_sealed`
    (a write a reader of the case attempts); `case`, when known, lets archive.guard.SealedMiddleware
    answer 409 naming the 档号. str() is the Chinese message."""

    def __init__(self, message: str = SEALED_MESSAGE, *, case: Case | None = None) -> None:
        super().__init__(message)
        self.case = case


@dataclass(frozen=True)
class Transition:
    name: str  # also the audit action's suffix: case.<name>
    label: str  # button and timeline text
    owner: str  # the app label of the only app that may run it
    kinds: tuple[str, ...]
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # policy.may_act roles: "officer" or a Role value
    check_complete: bool = True  # leaving the source stage needs its requirements
    stamp: str = ""  # a Case time field set to now()
    needs_opinion: bool = False  # the button's form asks for an opinion / reason
    order: int = 0  # order of the buttons on the case page
    # The owning app's action for the case page's generic button (opinion-only transitions).
    button: Callable[..., Any] | None = None
    # Narrower roles in some source stages: ((state, roles), ...); `roles` elsewhere.
    roles_in: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def roles_for(self, state: str) -> tuple[str, ...]:
        """The roles that may take the transition from `state`."""
        return dict(self.roles_in).get(state, self.roles)


_registry: dict[str, Transition] = {}


def declare(t: Transition) -> Transition:
    """Register `t`; a name is declared once, by one app (ValueError otherwise)."""
    existing = _registry.get(t.name)
    if existing is not None and existing.owner != t.owner:
        raise ValueError(f"transition {t.name!r} declared by {existing.owner} and {t.owner}")
    _registry[t.name] = t
    return t


def transitions() -> dict[str, Transition]:
    """Every declared transition by name, in button order."""
    return dict(sorted(_registry.items(), key=lambda kv: (kv[1].order, kv[0])))


def get(name: str) -> Transition | None:
    return _registry.get(name)


def lock(case_id: int) -> Case:
    """The case row, locked for this transaction (select_for_update). Raises Case.DoesNotExist."""
    return Case.objects.select_for_update().get(pk=case_id)


def require_state(case: Case, states: Iterable[str], what: str) -> None:
    """TransitionError unless the case is in one of `states`."""
    states = tuple(states)
    if case.state not in states:
        allowed = "、".join(CaseState(s).label for s in states)
        raise TransitionError(f"案件当前处于“{case.get_state_display()}”阶段，不能{what}（须在“{allowed}”阶段）。")


def require_roles(case: Case, by: User, roles: Iterable[str], what: str) -> None:
    """TransitionDenied unless `by` may act in one of `roles` on the case (cases.policy)."""
    roles = tuple(roles)
    if not any(policy.may_act(by, case, r) for r in roles):
        who = "或".join(policy.ROLE_LABELS[r] for r in roles)
        raise TransitionDenied(f"无权{what}：需由{who}办理。")


def require_actor(case: Case, by: User, t: Transition) -> None:
    """The transition applies to the case's kind, its state is a source, `by` holds a role."""
    if case.kind not in t.kinds:
        raise TransitionError(f"{case.get_kind_display()}案件没有“{t.label}”这一环节。")
    require_state(case, t.sources, t.label)
    require_roles(case, by, t.roles_for(case.state), t.label)


def allowed(case: Case, t: Transition, user: User) -> bool:
    """Whether `user` may try `t` now (kind, state and role; completeness aside)."""
    return (
        case.kind in t.kinds
        and case.state in t.sources
        and any(policy.may_act(user, case, r) for r in t.roles_for(case.state))
    )


def buttons_for(case: Case, user: User) -> list[Transition]:
    """The opinion-only transitions `user` may take on the case now (the case page's buttons)."""
    return [t for t in transitions().values() if t.button is not None and allowed(case, t, user)]


def _caller_app(depth: int = 2) -> str:
    module = sys._getframe(depth).f_globals.get("__name__", "")
    return module.split(".", 1)[0]


def advance(case: Case, t: Transition | str, *, by: User, **audit_data: Any) -> Case:
    """Move the locked `case` along transition `t` (see the module docstring). Must run inside
    the owning app's transaction, after its policy check and its own rows.

    Raises TransitionError (kind, state, incomplete stage) and RuntimeError when called outside
    a transaction, for an undeclared transition, or from an app that does not own it."""
    if isinstance(t, str):
        found = _registry.get(t)
        if found is None:
            raise RuntimeError(f"transition {t!r} is not declared")
        t = found
    if _registry.get(t.name) is not t:
        raise RuntimeError(f"transition {t.name!r} is not declared")
    caller = _caller_app()
    if caller != t.owner:
        raise RuntimeError(f"transition {t.name!r} belongs to {t.owner}, not {caller}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advance() must run inside the owning action's transaction")
    if case.kind not in t.kinds:
        raise TransitionError(f"{case.get_kind_display()}案件没有“{t.label}”这一环节。")
    require_state(case, t.sources, t.label)
    if t.check_complete:
        gaps = requirements.missing(case, case.state)
        if gaps:
            raise TransitionError(
                f"不能{t.label}，尚缺以下应记录内容（{requirements.describe_missing(gaps)}）。", missing=gaps
            )
    from_state = case.state
    case.state = t.target
    fields = ["state", "updated_at"]
    if t.stamp:
        setattr(case, t.stamp, timezone.now())
        fields.append(t.stamp)
    case.save(update_fields=fields)
    audit.record(case, f"case.{t.name}", actor=by, from_state=from_state, to_state=t.target, **audit_data)
    case_transitioned.send(sender=Case, case=case, from_state=from_state, to_state=t.target, by=by)
    return case


@transaction.atomic
def run_button(*, case_id: int, name: str, by: User, opinion: str = "") -> Case:
    """The case page's generic button: run the owning app's action of an opinion-only
    transition. TransitionError for a name that is not such a transition."""
    t = _registry.get(name)
    if t is None or t.button is None:
        raise TransitionError("该环节需通过其专用表单办理，或尚未开放。")
    if t.needs_opinion:
        return t.button(case_id=case_id, by=by, opinion=opinion)
    return t.button(case_id=case_id, by=by)


S = CaseState

# The stages a case passes through, in order, for each branch of its flow (DESIGN.md).
_PATHS = [
    (
        "penalty",
        [
            S.REGISTERED,
            S.PENDING_FILING,
            S.INVESTIGATING,
            S.UNDER_REVIEW,
            S.PENDING_DECISION,
            S.DECIDED,
            S.DELIVERED,
            S.EXECUTING,
            S.CONCLUDED,
            S.ARCHIVED,
        ],
    ),
    ("penalty", [S.REGISTERED, S.PENDING_FILING, S.NOT_FILED, S.ARCHIVED]),
    ("penalty", [S.REGISTERED, S.WITHDRAWN]),
    (
        "licensing",
        [S.APPLIED, S.ACCEPTED, S.UNDER_REVIEW, S.PENDING_DECISION, S.DECIDED, S.DELIVERED, S.CONCLUDED, S.ARCHIVED],
    ),
    ("licensing", [S.APPLIED, S.REJECTED, S.ARCHIVED]),
]


def stage_path(case: Case) -> list[str]:
    """The stages of the case's flow, in order; a not-filed or rejected case is on its short
    branch. An archived case is on the branch its records show."""
    branches = [path for kind, path in _PATHS if kind == case.kind]
    if case.state == S.ARCHIVED:
        short = (case.kind == "penalty" and requirements._rel(case, "non_initiation") is not None) or (
            case.kind == "licensing" and case.filed_at is None
        )
        return [str(x) for x in branches[1 if short else 0]]
    for path in branches:
        if case.state in path:
            return [str(x) for x in path]
    return [case.state]
