"""Checks a decision must pass before the head may sign it, registered by the parts of
review that know them (notice and defence: 《行政处罚法》第四十五、六十二条; hearing: 第六十五条;
legal review: 第五十八条). `decide` runs them all inside its transaction.

A check takes the locked case and the `Decision` about to be signed and returns the reasons
it is refused, in Chinese, each naming its article; an empty list lets it pass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.models import Case

    from .models import Decision

DecisionCheck = Callable[["Case", "Decision"], list[str]]

_checks: list[DecisionCheck] = []


def register_decision_check(check: DecisionCheck) -> DecisionCheck:
    """Add a check (usable as a decorator); registering the same function twice keeps one."""
    if check not in _checks:
        _checks.append(check)
    return check


def decision_refusals(case: Case, decision: Decision) -> list[str]:
    """Every registered check's reasons, in registration order."""
    reasons: list[str] = []
    for check in _checks:
        reasons.extend(check(case, decision))
    return reasons
