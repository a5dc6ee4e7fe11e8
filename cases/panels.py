"""Panels other apps contribute to the case page (deadlines, records, documents, media …).

An app registers a panel at import of its `panels.py` (imported by CasesConfig.ready via
`<app>.panels`): `register(Panel(key, title, template, context, order))`. `context(case,
user, request)` returns the template's context, or None to hide the panel (e.g. for a
role that must not see it). The case page renders them in `order`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable[[Any, Any, HttpRequest], dict[str, Any] | None]
    order: int = 100


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _panels[panel.key] = panel


def panels_for(case: Any, user: Any, request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        ctx = panel.context(case, user, request)
        if ctx is not None:
            out.append(
                {"key": panel.key, "title": panel.title, "template": panel.template, "context": {"case": case, **ctx}}
            )
    return out
