"""Publication (行政执法公示): the staff's actions on a case, and the public page (no login).

The public pages render `review/publication/public_*.html`, which extend no site template: no
navigation, no link into the application, only the list and its entries."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.panels import section_url
from cases.selectors import case_for_user
from cases.stages import TransitionError
from linke.http import AuthedRequest, refusal

from .forms_publication import DecisionChangeForm, WithdrawForm
from .models import Publication
from .publication import (
    decision_change_record,
    publication_public,
    publication_publish,
    publication_withdraw,
    publications_public,
)
from .views_legal import form_page

PAGE_SIZE = 20


@login_required
@require_POST
def publish(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    try:
        publication_publish(case_id=case.pk, by=request.user)
    except TransitionError as exc:  # allowed on a sealed case (《行政处罚法》第四十八条第二款)
        messages.error(request, refusal(request, exc, case, writes_case=False))
    else:
        messages.success(request, "已公示。")
    return redirect(section_url(case.pk, "review", "panel-review_publication"))


@login_required
@require_http_methods(["GET", "POST"])
def decision_change_new(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return form_page(
        request,
        case,
        DecisionChangeForm,
        "决定被撤销或变更（《行政处罚法》第四十八条）",
        lambda d, _: decision_change_record(case_id=case.pk, by=request.user, **d),
        "已记录；已公示的信息须在三个工作日内撤回。",
        writes_case=False,  # allowed on a sealed case (《行政处罚法》第四十八条第二款)
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthedRequest, case_id: int, pk: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    pub = Publication.objects.filter(pk=pk, case=case).first()
    if pub is None:
        raise Http404("公示信息不存在")
    return form_page(
        request,
        case,
        WithdrawForm,
        f"撤回公示 {pub.decision_number}",
        lambda d, _: publication_withdraw(publication_id=pub.pk, by=request.user, **d),
        "已撤回公示。",
        writes_case=False,  # allowed on a sealed case (《行政处罚法》第四十八条第二款)
    )


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(publications_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/publication/public_list.html", {"page": page, "agency": settings.AGENCY_NAME})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # The site's own 404 page carries its navigation: the public page answers with its own.
    try:
        pub = publication_public(pk)
    except Http404:
        return render(request, "review/publication/public_missing.html", {"agency": settings.AGENCY_NAME}, status=404)
    return render(request, "review/publication/public_detail.html", {"pub": pub, "agency": settings.AGENCY_NAME})
