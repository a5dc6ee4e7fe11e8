"""The quality score of a case file (案卷评查): the enabled rules of the sheet
(archive.models.QualityRule) run over the case's records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.panels import section_url

from .checks import CHECKS
from .models import QualityRule, RuleKind


@dataclass(frozen=True)
class Failure:
    code: str
    message: str
    source: str
    kind: str  # RuleKind value
    points: int
    url: str  # the failing record's page, else the case-page section (and anchor) where the record is made; "" without one


@dataclass
class Score:
    score: int  # 0..100
    vetoed: bool
    failures: list[Failure] = field(default_factory=list)


def case_score(case: Any) -> Score:
    """100 minus the points of each failing enabled rule (not below 0); 0 with any failing
    veto. KeyError for a rule whose `check_name` names no registered check (a typo in the admin
    must show, not pass silently)."""
    failures: list[Failure] = []
    for rule in QualityRule.objects.filter(enabled=True):
        result = CHECKS[rule.check_name](case)
        if result.passed:
            continue
        section, _, anchor = result.target.partition("#")
        url = result.url or (section_url(case.pk, section, anchor) if section else "")
        failures.append(Failure(rule.code, rule.message, rule.source, rule.kind, rule.points, url))
    vetoed = any(f.kind == RuleKind.VETO for f in failures)
    score = 0 if vetoed else max(0, 100 - sum(f.points for f in failures))
    return Score(score, vetoed, failures)


def case_score_store(case: Any) -> Any:
    """Compute the case's score and store it as its archive.models_stats.CaseScore (created or
    replaced; the statistics page reads the stored rows). Returns the row."""
    from django.utils import timezone

    from .models_stats import CaseScore

    result = case_score(case)
    row, _ = CaseScore.objects.update_or_create(
        case_id=case.pk,
        defaults={
            "score": result.score,
            "vetoed": result.vetoed,
            "failing": [f.code for f in result.failures],
            "computed_at": timezone.now(),
            "registered_at": case.created_at,
        },
    )
    return row
