from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification
from .selectors import OPEN_FIRST, deadlines_escalated_to, deadlines_of_user, notifications_of_user, with_states
from .services import notifications_mark_read


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    qs = deadlines_of_user(request.user, open_only=not show_all)
    if show_all:
        qs = qs.order_by(*OPEN_FIRST)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    escalated = with_states(deadlines_escalated_to(request.user)[:100])
    return render(
        request,
        "deadlines/mine.html",
        {
            "page": page,
            "deadlines": with_states(page.object_list),
            "show_all": show_all,
            "escalated": escalated,
        },
    )


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(notifications_of_user(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "deadlines/notifications.html", {"page": page})


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    notifications_mark_read(user=request.user, ids=[note.pk])
    if note.link and url_has_allowed_host_and_scheme(note.link, allowed_hosts={request.get_host()}):
        return redirect(note.link)
    return redirect("deadlines:notifications")


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("deadlines:notifications")
