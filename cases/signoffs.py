"""Sign-off rows: every opinion of every approval step (第八条 承办人/承办机构/负责人意见, 第十三条
审理/审核/批准, 第十六条 负责人签署意见和签发时间, preservation, consultation, conclusion).

Stage apps call `signoff_record` inside their own action's transaction (after locking the case)
and read the current round with `current` / `current_round`. A higher level's RETURN closes a
round: the next signatures of that step open the next round.
"""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

import audit
from accounts.models import User
from linke.validators import text_error

from . import policy
from .models import Case, Level, SignOff, SignOffOutcome, SignOffStep
from .stages import TransitionDenied, TransitionError

_LEVEL_WHO = {
    Level.OFFICER: "本案承办人",
    Level.UNIT: "本案承办科室的承办机构负责人（科长）",
    Level.LEGAL: "法规科审查人员（非本案承办人）",
    Level.HEAD: "机关负责人（非本案承办人）",
    Level.CHECK: "立卷人以外的档案管理员、法规科人员或机关负责人（非本案承办人）",
}


def current_round(case: Case, step: str) -> int:
    """The open round of `step`: 1, plus one for every round a higher level returned."""
    last = SignOff.objects.filter(case=case, step=step).aggregate(r=Max("round"))["r"]
    if last is None:
        return 1
    returned = SignOff.objects.filter(case=case, step=step, round=last, outcome=SignOffOutcome.RETURN).exists()
    return last + 1 if returned else last


def current(case: Case, step: str) -> dict[str, SignOff]:
    """The signatures of the open round of `step`, by level; after a return, the returned round
    (so the page shows why it came back until somebody signs again)."""
    rows = list(
        SignOff.objects.filter(case=case, step=step).select_related("actor").order_by("-round", "signed_at", "pk")
    )
    if not rows:
        return {}
    last = rows[0].round
    return {r.level: r for r in rows if r.round == last}


def signed(case: Case, step: str, level: str) -> SignOff | None:
    """The signature at `level` in the open round of `step`, if any."""
    return SignOff.objects.filter(case=case, step=step, round=current_round(case, step), level=level).first()


def next_round(case: Case, step: str) -> int:
    """A fresh round of `step`, for steps where each request is its own round (先行登记保存:
    every record's request for approval, and its decision, opens one)."""
    last = SignOff.objects.filter(case=case, step=step).aggregate(r=Max("round"))["r"]
    return (last or 0) + 1


def open_levels(case: Case, step: str) -> set[str]:
    """The levels that signed the open round of `step` (one round look-up, one query)."""
    return set(
        SignOff.objects.filter(case=case, step=step, round=current_round(case, step)).values_list("level", flat=True)
    )


def signoff_record(
    *,
    case: Case,
    step: str,
    level: str,
    by: User,
    outcome: str,
    opinion: str,
    round: int | None = None,
    digest: str = "",
) -> SignOff:
    """Sign `step` of the (locked) `case` at `level`. The opinion is the signer's own text.
    `round` defaults to the open round (`current_round`); a step with one round per request
    passes the request's round (`next_round` for a new request). `digest`: the SHA-256 (hex)
    of what the signer saw, for a step bound to content (SignOff.digest); "" otherwise.

    Raises TransitionDenied when the policy does not let `by` sign at `level`, or `by` signed
    another level of this step; TransitionError when the opinion is empty or the level signed
    this round already."""
    step, level, outcome = SignOffStep(step), Level(level), SignOffOutcome(outcome)
    if not policy.may_sign(by, case, level):
        raise TransitionDenied(f"无权以“{level.label}”身份签署{step.label}意见：需由{_LEVEL_WHO[level]}签署。")
    opinion = (opinion or "").strip()
    if not opinion:
        raise TransitionError(f"请填写{level.label}意见。")
    if error := text_error(opinion, label=f"{level.label}意见", multiline=True):
        raise TransitionError(error)
    other = SignOff.objects.filter(case=case, step=step, actor=by).exclude(level=level).first()
    if other is not None:
        raise TransitionDenied(
            f"同一人不得在同一环节签署两个层级的意见：您已以“{other.get_level_display()}”身份签署{step.label}意见。"
        )
    rnd = current_round(case, step) if round is None else round
    done = SignOff.objects.filter(case=case, step=step, round=rnd, level=level).first()
    if done is not None:
        raise TransitionError(
            f"本轮{step.label}的{level.label}意见已由{done.actor}于{timezone.localtime(done.signed_at):%Y-%m-%d %H:%M}签署，不能重复签署。"
        )
    row = SignOff.objects.create(
        case=case, step=step, round=rnd, level=level, actor=by, outcome=outcome, opinion=opinion, digest=digest
    )
    audit.record(
        row,
        "signoff.signed",
        actor=by,
        case=case,
        step=step.value,
        round=rnd,
        level=level.value,
        outcome=outcome.value,
        opinion=opinion,
        **({"digest": digest} if digest else {}),
    )
    return row
