"""Stale sign-off pages (第二十八条): a repeated sign-off never silently overturns a decision.

    latest(case, step) -> SignOff | None       the step's latest round (the one that counts)
    latest_round(case, step) -> int            its round number, 0 before the first
    seen_round(data) -> int                    the round a submitted page showed (ROUND_FIELD)
    sign_in_round(case_id, step, seen, sign)   `sign()` only while `seen` is still the latest

The archive's repeatable sign-offs — the head's 准予归档 (SEAL_OVERRIDE) and the 检查人's 检查意见
(ARCHIVE_CHECK) — are each their own round, and the latest counts. A page carries the latest
round it showed (a hidden `round` field); a submission whose round is no longer the latest
(browser back and resubmit, a second tab) is refused naming who signed the newer round, so a
decision is overturned only from a page that showed it. The one-shot decisions (补充材料审批,
查阅审批) are refused once decided by their own actions (not pending any more).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from cases import stages
from cases.models import Case, SignOff
from cases.selectors import signoffs_of
from cases.stages import TransitionError

ROUND_FIELD = "round"  # the hidden field of each repeatable sign-off form

T = TypeVar("T")


class StaleRound(TransitionError):
    """The page was rendered before the step's latest round: refused, nothing signed."""


def latest(case: Case, step: str) -> SignOff | None:
    """The latest sign-off of `step` on `case` (highest round, then newest), with its actor."""
    return signoffs_of(case, [step]).select_related("actor").order_by("-round", "-pk").first()


def latest_round(case: Case, step: str) -> int:
    """The round number of `step`'s latest sign-off on `case`; 0 when none was signed. Rendered
    into the form as ROUND_FIELD."""
    row = latest(case, step)
    return row.round if row is not None else 0


def seen_round(data: Any) -> int:
    """The round a submitted page showed (`data`: request.POST): ROUND_FIELD as a non-negative
    integer; 0 when absent (the page showed no sign-off yet); -1 when it is not such an integer
    (never current: refused as stale)."""
    raw = (data.get(ROUND_FIELD) or "").strip()
    if not raw:
        return 0
    return int(raw) if raw.isdigit() and len(raw) <= 9 else -1


def stale_message(row: SignOff | None) -> str:
    """The Chinese refusal of a stale page: "该意见已由…于…签署（第N轮），页面已过期，请刷新后再签署。"
    naming the latest sign-off (`row`; None: the page carried a round that never existed)."""
    if row is None:
        return "页面已过期，请刷新后再签署。"
    when = timezone.localtime(row.signed_at).strftime("%Y-%m-%d %H:%M")
    return f"该意见已由{row.actor}于{when}签署（第{row.round}轮），页面已过期，请刷新后再签署。"


@transaction.atomic
def sign_in_round(*, case_id: int, step: str, seen: int, sign: Callable[[], T]) -> T:
    """`sign()` (an archive.sealing action signing `step` on the case) when `seen`, the round the
    page showed (seen_round), is still `step`'s latest round (latest_round) — checked with the
    case locked (cases.stages.lock, the lock the action takes next in this transaction), so two
    submissions of the same page cannot both pass. Returns what `sign` returns. StaleRound (a
    TransitionError, Chinese: stale_message) otherwise, nothing signed."""
    case = stages.lock(case_id)
    row = latest(case, step)
    if (row.round if row is not None else 0) != seen:
        raise StaleRound(stale_message(row))
    return sign()
