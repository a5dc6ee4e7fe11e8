"""The delivery page of a case (第十七至二十二条): every document with its attempts, outcome and
service date; a form per method showing only its elements; the result of an attempt 送达中; the
送达地址确认书. A view checks access (404 for whoever may not see the case), parses a form, calls
one action; a refusal shows the page again (400) with what was typed and the message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases import policy
from cases.selectors import case_for_user, refuse_if_sealed
from cases.stages import TransitionError
from linke.http import AuthedRequest, form_accepted, refusal

from . import actions
from .forms import AddressConfirmationForm, AttemptForm, CompleteForm, ReceiptForm
from .methods import METHODS
from .models import AttemptOutcome
from .selectors import address_confirmations, attempts_of_case, deliverable_documents


def may_deliver(user: Any, case: Any) -> bool:
    """Whether the page offers `user` the delivery forms now (the actions check again)."""
    return policy.may_act(user, case, policy.ACTOR_OFFICER) and case.state not in actions.CLOSED_STATES


def documents_with_attempts(case: Any) -> list[dict[str, Any]]:
    """[{document, attempts, served_on, pending}] for every document of the case, in issue order."""
    by_doc: dict[int, list[Any]] = {}
    for a in attempts_of_case(case.pk):
        by_doc.setdefault(a.document_id, []).append(a)
    rows = []
    for doc in deliverable_documents(case):
        attempts = by_doc.get(doc.pk, [])
        served = next((a for a in attempts if a.outcome == AttemptOutcome.SERVED), None)
        rows.append(
            {
                "document": doc,
                "attempts": attempts,
                "served_on": served.served_on if served else None,
                "pending": any(a.outcome == AttemptOutcome.PENDING for a in attempts),
            }
        )
    return rows


def _page(
    request: AuthedRequest,
    case: Any,
    *,
    method: str = "",
    form: Any = None,
    complete: tuple[int, Any] | None = None,
    address_form: Any = None,
    receipt_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    may = may_deliver(request.user, case)
    if may and method and form is None:
        initial = {"document": request.GET.get("document")} if request.GET.get("document") else None
        form = AttemptForm(case=case, method=method, initial=initial)
    rows = documents_with_attempts(case)
    complete_forms = {}
    if may:
        for row in rows:
            for a in row["attempts"]:
                if a.outcome == AttemptOutcome.PENDING:
                    bound = complete[1] if complete and complete[0] == a.pk else None
                    complete_forms[a.pk] = bound or CompleteForm(
                        case=case, method=a.method, auto_id=f"complete{a.pk}_%s"
                    )
    for row in rows:
        for a in row["attempts"]:
            a.complete_form = complete_forms.get(a.pk)
    return render(
        request,
        "delivery/page.html",
        {
            "case": case,
            "rows": rows,
            "may": may,
            "methods": list(METHODS.values()),
            "method": METHODS.get(method),
            "form": form if may else None,
            "confirmations": list(address_confirmations(case.pk)),
            "address_form": (address_form or AddressConfirmationForm(case=case)) if may else None,
            "receipt_form": (receipt_form or ReceiptForm(case=case)) if may else None,
            "announcement_days": actions.announcement_days(),
        },
        status=status,
    )


@login_required
def delivery_page(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    method = request.GET.get("method", "")
    return _page(request, case, method=method if method in METHODS else "")


def _refused_elsewhere(request: AuthedRequest, case: Any, exc: Exception) -> HttpResponse:
    refuse_if_sealed(request.user, case)  # a sealed case: 409 naming the 档号 (第二十八条)
    messages.error(request, str(exc))
    return redirect("delivery:page", case_id=case.pk)


@login_required
@require_POST
def attempt_record(request: AuthedRequest, case_id: int, method: str) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if method not in METHODS:
        raise Http404("未知的送达方式")
    if not may_deliver(request.user, case):
        return _refused_elsewhere(request, case, TransitionError("您不能登记本案的送达。"))
    form = AttemptForm(request.POST, request.FILES, case=case, method=method)
    if form_accepted(request, form, case):
        try:
            attempt = actions.delivery_record(case_id=case.pk, by=request.user, method=method, **form.action_kwargs())
        except TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, f"已登记{attempt.get_method_display()}：{attempt.get_outcome_display()}。")
            return redirect("delivery:page", case_id=case.pk)
    return _page(request, case, method=method, form=form, status=400)


@login_required
@require_POST
def attempt_complete(request: AuthedRequest, case_id: int, attempt_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    attempt = next((a for a in attempts_of_case(case.pk) if a.pk == attempt_id), None)
    if attempt is None:
        raise Http404("送达记录不存在")
    if not may_deliver(request.user, case) or attempt.outcome != AttemptOutcome.PENDING:
        return _refused_elsewhere(request, case, TransitionError("该送达记录现在不能登记结果。"))
    form = CompleteForm(
        request.POST, request.FILES, case=case, method=attempt.method, auto_id=f"complete{attempt.pk}_%s"
    )
    if form_accepted(request, form, case):
        try:
            done = actions.delivery_complete(attempt_id=attempt.pk, by=request.user, **form.action_kwargs())
        except TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, f"已登记送达结果：{done.get_outcome_display()}。")
            return redirect("delivery:page", case_id=case.pk)
    return _page(request, case, complete=(attempt.pk, form), status=400)


@login_required
@require_POST
def receipt_issue(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if not may_deliver(request.user, case):
        return _refused_elsewhere(request, case, TransitionError("您不能为本案制作送达回证。"))
    form = ReceiptForm(request.POST, case=case)
    if form_accepted(request, form, case):
        try:
            doc = actions.receipt_issue(
                case_id=case.pk,
                by=request.user,
                document_id=form.cleaned_data["document"].pk,
                party_id=form.cleaned_data["party"].pk,
            )
        except TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, f"送达回证（{doc.number}）已制作，正在生成文书，打印后随文书送达。")
            return redirect("delivery:page", case_id=case.pk)
    return _page(request, case, receipt_form=form, status=400)


@login_required
@require_POST
def address_confirm(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if not may_deliver(request.user, case):
        return _refused_elsewhere(request, case, TransitionError("您不能登记本案的送达地址确认书。"))
    form = AddressConfirmationForm(request.POST, request.FILES, case=case)
    if form_accepted(request, form, case):
        try:
            actions.address_confirm(case_id=case.pk, by=request.user, **form.action_kwargs())
        except TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, "已登记送达地址确认书。")
            return redirect("delivery:page", case_id=case.pk)
    return _page(request, case, address_form=form, status=400)
