"""Pages of 法制审核, 专家论证, 集体讨论 and the decision period: each a form that calls one action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases.models import Case, CaseKind
from cases.panels import section_url
from cases.selectors import case_for_user
from cases.stages import TransitionError
from linke.http import AuthedRequest, form_accepted, refusal

from . import forms_legal as f
from .legal import discussion_record, expert_opinion_add, legal_review_record, review_sheet_save, sheet_of
from .periods import period_exclude, period_extend_licensing, period_extend_penalty


def form_page(
    request: AuthedRequest,
    case: Case,
    form_class: type,
    title: str,
    run: Callable[[dict[str, Any], Any], object],
    ok: str,
    initial: dict[str, Any] | None = None,
    note: str = "",
    writes_case: bool = True,
) -> HttpResponse:
    """GET: the empty form (or `initial`). POST: parse, run the action with the cleaned data;
    a refusal re-renders the form with the message and everything typed (400)."""
    form = form_class(request.POST) if request.method == "POST" else form_class(initial=initial)
    status = 200
    if request.method == "POST":
        if form_accepted(request, form, case, writes_case=writes_case):
            try:
                run(form.cleaned_data, form)
            except TransitionError as exc:
                form.add_error(None, refusal(request, exc, case, writes_case=writes_case))
            else:
                messages.success(request, ok)
                return redirect(section_url(case.pk, "review"))
        status = 400
    return render(
        request, "review/legal/form.html", {"case": case, "form": form, "title": title, "note": note}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    sheet = sheet_of(case)
    initial = (
        {
            "situations": sheet.situations,
            "other_basis": sheet.other_basis,
            "expert_required": sheet.expert_required,
            "expert_reason": sheet.expert_reason,
            "discussion_required": sheet.discussion_required,
            "discussion_reason": sheet.discussion_reason,
        }
        if sheet
        else None
    )
    return form_page(
        request,
        case,
        f.SheetForm,
        "法制审核、专家论证与集体讨论情形",
        lambda d, _: review_sheet_save(case_id=case.pk, by=request.user, **d),
        "已保存。",
        initial=initial,
    )


@login_required
@require_http_methods(["GET", "POST"])
def legal_review_new(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return form_page(
        request,
        case,
        f.LegalReviewForm,
        "法制审核（《行政处罚法》第五十八条）",
        lambda d, form: legal_review_record(
            case_id=case.pk, by=request.user, findings=form.findings(), outcome=d["outcome"], opinion=d["opinion"]
        ),
        "已记录法制审核意见。",
        note="逐项审核国办发〔2018〕118号所列要点；存在问题的写明问题，结论不能为通过。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def expert_opinion_new(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return form_page(
        request,
        case,
        f.ExpertOpinionForm,
        "专家论证意见",
        lambda d, _: expert_opinion_add(case_id=case.pk, by=request.user, **d),
        "已记录专家论证意见。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def discussion_new(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    keys = ("held_at", "place", "chair", "recorder", "outcome", "conclusion")
    return form_page(
        request,
        case,
        f.DiscussionForm,
        "集体讨论记录（《行政处罚法》第五十七条第二款）",
        lambda d, form: discussion_record(
            case_id=case.pk, by=request.user, opinions=form.opinions(), **{k: d[k] for k in keys}
        ),
        "已记录集体讨论。",
        note="按发言顺序记录每位参加人的意见。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_extend(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if case.kind == CaseKind.LICENSING:
        return form_page(
            request,
            case,
            f.LicensingExtensionForm,
            "延长许可办理期限十日（《行政许可法》第四十二条）",
            lambda d, _: period_extend_licensing(case_id=case.pk, by=request.user, **d),
            "已批准延长十个工作日。",
        )
    return form_page(
        request,
        case,
        f.PenaltyExtensionForm,
        "延长办理期限（《行政处罚法》第六十条）",
        lambda d, _: period_extend_penalty(case_id=case.pk, by=request.user, **d),
        "已批准延长办理期限。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_exclude_new(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return form_page(
        request,
        case,
        f.ExclusionForm,
        "不计入办理期限的时间（《行政许可法》第四十五条）",
        lambda d, _: period_exclude(case_id=case.pk, by=request.user, **d),
        "已记录，办理期限已相应顺延。",
    )
