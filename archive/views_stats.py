"""The statistics page (issue 16 item 7) and its CSV downloads, for the head, 法规科 and the
archivist (archive.stats.may_view); 404 to anyone else."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import audit
from accounts.selectors import departments
from linke.http import AuthedRequest

from . import stats, stats_tally
from .audit_actions import AuditAction

OVERDUE_PER_PAGE = 25


class StatsFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label="年度", coerce=int, error_messages={"invalid_choice": "年度无效：请选择列出的年度。"}
    )
    department = forms.ModelChoiceField(
        label="承办科室",
        queryset=departments(),
        required=False,
        empty_label="全部科室",
        error_messages={"invalid_choice": "科室无效：请选择列出的科室。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in stats.years_available()]  # type: ignore[attr-defined]


def _filters(request: AuthedRequest) -> tuple[StatsFilterForm, stats.Filters | None]:
    """The form bound to the query (this year by default) and its Filters; None when invalid."""
    data = {"year": request.GET.get("year") or timezone.localdate().year, "department": request.GET.get("department")}
    form = StatsFilterForm(data)
    if not form.is_valid():
        return form, None
    return form, stats.Filters(form.cleaned_data["year"], form.cleaned_data["department"])


class _CountedPaginator(Paginator):
    """A paginator told its count (archive.stats.overdue_count reads it from the tally)
    instead of counting the list."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def _require_viewer(request: AuthedRequest) -> None:
    if not stats.may_view(request.user):
        raise Http404("页面不存在")


@never_cache
@require_GET
@login_required
def stats_page(request: AuthedRequest) -> HttpResponse:
    """GET ?year=YYYY&department=PK&page=N: the tables and charts; 400 with the form's Chinese
    error for a year or department not offered."""
    _require_viewer(request)
    form, f = _filters(request)
    if f is None:
        return render(request, "archive/stats.html", {"form": form}, status=400)
    now = timezone.now()
    overdue_now = stats.overdue_this_month(f, now) if stats_tally.enabled() else None
    paginator = _CountedPaginator(stats.overdue(f, now), OVERDUE_PER_PAGE, stats.overdue_count(f, now, overdue_now))
    page = paginator.get_page(request.GET.get("page"))
    overdue_rows = [(d, stats.days_overdue(d, now)) for d in page.object_list]
    stages = stats.stage_table(f)
    months = stats.month_table(f, now)
    on_time = stats.on_time(f, now, overdue_now)
    scores = stats.scores(f)
    # One source for each table and its chart (and its CSV, archive.stats.csv_rows): every
    # stage, 0 included; a month not yet begun is null, so the chart draws no point for it.
    chart = {
        "stages": {"labels": [label for label, _ in stages[:-1]], "data": [n for _, n in stages[:-1]]},
        "months": {
            "labels": [f"{m.month}月" for m in months],
            "registered": [m.registered for m in months],
            "filed": [m.filed for m in months],
            "concluded": [m.concluded for m in months],
        },
        "ontime": {"labels": [r.label for r in on_time], "data": [r.rate for r in on_time]},
        "scores": {"labels": [b[0] for b in scores.bands], "data": [b[1] for b in scores.bands]},
    }
    return render(
        request,
        "archive/stats.html",
        {
            "form": form,
            "f": f,
            "stages": stages,
            "months": months,
            "on_time": on_time,
            "scores": scores,
            "page": page,
            "overdue_rows": overdue_rows,
            "chart": chart,
            "tables": stats.CSV_TABLES,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A text cell that Excel would run as a formula (a case title typed as "=HYPERLINK(…)")
    is prefixed with an apostrophe (OWASP, CSV injection); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv_lines(rows: Iterator[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # UTF-8 BOM: Excel then reads the Chinese headers right
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


@never_cache
@require_GET
@login_required
def stats_csv(request: AuthedRequest, table: str) -> HttpResponse | StreamingHttpResponse:
    """GET: one table as CSV (UTF-8 with BOM, Chinese headers), with the page's filters;
    audited (archive.stats_exported). 404 for an unknown table; 400 for bad filters."""
    _require_viewer(request)
    if table not in stats.CSV_TABLES:
        raise Http404("统计表不存在")
    form, f = _filters(request)
    if f is None:
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(f"筛选条件有误：{errors}", status=400, content_type="text/plain; charset=utf-8")
    audit.record(
        None,
        AuditAction.STATS_EXPORTED,
        actor=request.user,
        table=table,
        year=f.year,
        department=f.department.pk if f.department else None,
    )
    title = stats.CSV_TABLES[table]
    dept = f"-{f.department.name}" if f.department else ""
    filename = f"{title}-{f.year}{dept}.csv"
    resp = StreamingHttpResponse(_csv_lines(stats.csv_rows(table, f)), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = (
        f"attachment; filename=\"stats-{table}-{f.year}.csv\"; filename*=UTF-8''{quote(filename)}"
    )
    return resp
