"""Panels other apps contribute to the case page (deadlines, records, documents, media …),
grouped into the page's sections (tabs), each loaded on demand at its own URL.

An app registers a panel at import of its `panels.py` (imported by CasesConfig.ready via
`<app>.panels`): `register(Panel(key, title, template, context, order, section, count))`.
`context(case, user, request)` returns the template's context, or None to hide the panel
(e.g. for a role that must not see it); a context with a list pages it with
`cases.pagination.page_of(..., request)` so a section costs the same for any size of case.
`section` is a key of SECTIONS; `count(case)` returns the QuerySet whose size the section's
tab shows (e.g. 音像记录 (200)): every tab is counted in one query (`tab_counts`). A section's page renders only its own panels, in `order`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str  # in the URL: /cases/<pk>/s/<key>/
    title: str


# The case page's tabs, in order. "overview" (the facts, the completeness checklist, the
# actions and record forms) is the default page (cases:detail); "attachments" and "timeline"
# are the cases app's own lists.
SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section("overview", "概况与应记录事项"),
        Section("records", "调查取证记录"),
        Section("av", "音像记录"),
        Section("documents", "执法文书"),
        Section("attachments", "附件"),
        Section("review", "审查与决定"),
        Section("delivery", "送达与执行"),
        Section("archive", "归档与评查"),
        Section("timeline", "全过程记录"),
    )
}
OVERVIEW = "overview"


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable[[Any, Any, HttpRequest], dict[str, Any] | None]
    order: int = 100
    section: str = OVERVIEW
    count: Callable[[Any], QuerySet[Any]] | None = None


_panels: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    """ValueError for a section that is not in SECTIONS (a typo would hide the panel)."""
    if panel.section not in SECTIONS:
        raise ValueError(f"panel {panel.key}: unknown section {panel.section!r}")
    _panels[panel.key] = panel


def section_url(case_id: int, section: str, anchor: str = "") -> str:
    """The URL of one section of the case page ("/cases/7/s/av/"), with "#anchor" if given;
    the overview is the case page itself. NoReverseMatch never: unknown keys raise KeyError."""
    SECTIONS[section]
    url = (
        reverse("cases:detail", args=[case_id])
        if section == OVERVIEW
        else reverse("cases:section", args=[case_id, section])
    )
    return f"{url}#{anchor}" if anchor else url


def tab_counts(case: Any, **own: QuerySet[Any]) -> dict[str, int]:
    """{section key: number of items} for the sections whose panels count (their QuerySets
    summed) and for `own` (section key -> QuerySet, the cases app's lists), in one query of
    one COUNT per list, each served by its table's case index."""
    lists: list[tuple[str, QuerySet[Any]]] = [
        (panel.section, panel.count(case)) for panel in _panels.values() if panel.count is not None
    ]
    lists += own.items()
    if not lists:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for i, (_, qs) in enumerate(lists):
        sql, p = qs.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS q{i})")
        params.extend(p)
    with connection.cursor() as cur:
        cur.execute("SELECT " + ", ".join(parts), params)
        row = cur.fetchone()
    out: dict[str, int] = {}
    for (section, _), n in zip(lists, row, strict=True):
        out[section] = out.get(section, 0) + n
    return out


def panels_for(case: Any, user: Any, request: HttpRequest, section: str | None = None) -> list[dict[str, Any]]:
    """The panels of `section` (all sections when None) that this user sees, in order."""
    out = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        if section is not None and panel.section != section:
            continue
        ctx = panel.context(case, user, request)
        if ctx is not None:
            out.append(
                {"key": panel.key, "title": panel.title, "template": panel.template, "context": {"case": case, **ctx}}
            )
    return out
