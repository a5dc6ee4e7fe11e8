"""What the Measures ask to be recorded, article by article, and whether a case has it.

Each stage app has its own `requirements.py` that builds `Requirement`s and calls
`register(...)` at import; `CasesConfig.ready()` imports every installed app's
`requirements` module. The case page shows `checklist(case)`; a transition out of a stage
is refused while `missing(case, stage)` is not empty (the message names the articles).
This module holds the framework and the 第二章 (第七至九条) requirements of cases itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Case


@dataclass(frozen=True)
class Requirement:
    code: str  # unique, e.g. "ex_officio.cause"
    article: str  # the article it applies, e.g. "第八条第一款"
    label: str  # what must be recorded, in Chinese
    stage: str  # a CaseState value: leaving this stage needs it
    applies: Callable[["Case"], bool]
    satisfied: Callable[["Case"], bool]
    order: int = 0


@dataclass
class CheckItem:
    requirement: Requirement
    status: str  # "done", "missing" or "na" (does not apply to this case)

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass
class _Registry:
    items: dict[str, Requirement] = field(default_factory=dict)


_registry = _Registry()


def register(*requirements: Requirement) -> None:
    for req in requirements:
        _registry.items[req.code] = req


def all_requirements() -> list[Requirement]:
    return sorted(_registry.items.values(), key=lambda r: (r.order, r.code))


def checklist(case: "Case") -> list[CheckItem]:
    items = []
    for req in all_requirements():
        if not req.applies(case):
            items.append(CheckItem(req, "na"))
        else:
            items.append(CheckItem(req, "done" if req.satisfied(case) else "missing"))
    return items


def missing(case: "Case", stage: str) -> list[Requirement]:
    """Applicable requirements of `stage` that the case does not have yet."""
    return [r for r in all_requirements() if r.stage == stage and r.applies(case) and not r.satisfied(case)]


def describe_missing(reqs: list[Requirement]) -> str:
    return "；".join(f"{r.article}：{r.label}" for r in reqs)
