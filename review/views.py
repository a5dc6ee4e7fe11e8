"""Views of 第四章: the approval queues (法规科, the head), taking and handing over an item,
signing 审理/审核/批准, the head's decision and the officers' decision draft.

A view reads the case through `cases.selectors.case_for_user` (404 for whoever may not see
it), parses its form and calls one action; a refusal (TransitionError, TransitionDenied) is a
message next to the form, and nothing typed is lost on the draft page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Role
from cases.panels import section_url
from cases.selectors import case_for_user
from cases.stages import TransitionError
from linke.http import AuthedRequest, form_accepted, refusal

from . import actions, selectors
from .forms import DecideForm, DecisionForm, QueueFilterForm, ReassignForm, SignForm
from .models import Decision

QUEUE_TITLES: dict[str, str] = {Role.LEGAL_REVIEWER: "法规科审查队列", Role.HEAD: "机关负责人审批队列"}


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """What waits for me (第十三条、第十六条): 404 for anyone who has no queue."""
    role = selectors.queue_role(request.user)
    if role is None:
        raise Http404
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.queue_for(
        request.user,
        kind=filters.get("kind", ""),
        claim=filters.get("claim", ""),
        overdue=bool(filters.get("overdue")),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = selectors.queue_page_load(list(page))
    now = timezone.now()
    for row in rows:
        row.overdue = row.due is not None and row.due < now  # type: ignore[attr-defined]
    return render(
        request,
        "review/queue.html",
        {"title": QUEUE_TITLES[role], "role": role, "page": page, "rows": rows, "form": form, "query": _query(request)},
    )


def _query(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _back(request: AuthedRequest, case: Any) -> HttpResponse:
    if request.POST.get("back") == "queue":
        return redirect("review:queue")
    return redirect(section_url(case.pk, "review", "panel-review"))


def _act(
    request: AuthedRequest,
    pk: int,
    form: Any,
    run: Callable[[Any, dict[str, Any]], Any],
    ok: str,
    title: str = "",
) -> HttpResponse:
    """Read the case (404), check the form, run the action, say what happened. A refused form
    (bad input or a refusal of the action) is shown again on its own page with the reason and
    everything typed (400); an action without a form (take, release) says why on the case page."""
    case = case_for_user(request.user, pk)
    if not form_accepted(request, form, case):
        return _refused(request, case, form, title)
    try:
        run(case, form.cleaned_data if form is not None else {})
    except TransitionError as exc:
        message = refusal(request, exc, case)  # a sealed case: 409 naming the 档号
        if form is not None:
            form.add_error(None, message)
            return _refused(request, case, form, title)
        messages.error(request, message)
    else:
        messages.success(request, ok)
    return _back(request, case)


def _refused(request: AuthedRequest, case: Any, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "review/legal/form.html",
        {"case": case, "form": form, "title": title, "submit": "提交"},
        status=400,
    )


@login_required
@require_POST
def claim_take(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, None, lambda c, d: actions.claim_take(case_id=c.pk, by=request.user), "已领取。")


@login_required
@require_POST
def claim_release(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, None, lambda c, d: actions.claim_release(case_id=c.pk, by=request.user), "已放弃，事项回到队列。"
    )


@login_required
@require_POST
def claim_reassign(request: AuthedRequest, pk: int) -> HttpResponse:
    role = selectors.queue_role(request.user) or Role.LEGAL_REVIEWER
    form = ReassignForm(request.POST, role=request.POST.get("role") or role)
    return _act(
        request,
        pk,
        form,
        lambda c, d: actions.claim_reassign(case_id=c.pk, by=request.user, to=d["to"], reason=d["reason"]),
        "已转交。",
        "转交他人",
    )


@login_required
@require_POST
def sign(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        SignForm(request.POST),
        lambda c, d: actions.review_sign(case_id=c.pk, by=request.user, opinion=d["opinion"]),
        "已签署。",
        "签署审查意见（第十三条）",
    )


@login_required
@require_POST
def decide(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        DecideForm(request.POST),
        lambda c, d: actions.review_decide(case_id=c.pk, by=request.user, opinion=d["opinion"]),
        "已作出决定，决定书正在生成。",
        "机关负责人签署决定意见（第十六条）",
    )


def _initial(decision: Decision | None) -> dict[str, Any]:
    if decision is None:
        return {}
    return {name: getattr(decision, name) for name in actions.DRAFT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The officers' decision draft (404 for whoever may not change the case's records)."""
    case = case_for_user(request.user, pk, write=True)
    decision = Decision.objects.filter(case=case).first()
    if request.method == "POST":
        form = DecisionForm(request.POST, case_kind=case.kind)
        if form_accepted(request, form, case):
            try:
                actions.decision_save(case_id=case.pk, by=request.user, **form.cleaned_data)
            except TransitionError as exc:
                form.add_error(None, refusal(request, exc, case))
            else:
                messages.success(request, "处理决定草稿已保存。")
                return redirect(section_url(case.pk, "review", "panel-review"))
    else:
        form = DecisionForm(initial=_initial(decision), case_kind=case.kind)
    return render(request, "review/decision_form.html", {"case": case, "form": form, "decision": decision})
