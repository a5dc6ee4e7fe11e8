"""Typed request for views behind `login_required` (the seam between Django's request and our
`User`): `request.user` is an `accounts.models.User`, never `AnonymousUser`. And the one status
rule of a form page (`form_page`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # narrowed: login_required ran before the view


def form_page(request: HttpRequest, template: str, ctx: dict[str, Any]) -> HttpResponse:
    """`template` rendered with `ctx`: status 400 after a POST, 200 otherwise. A form view
    redirects after an accepted POST, so a POST that renders the page is a refusal (an invalid
    form or a refused action, shown with its Chinese message and everything as typed)."""
    return render(request, template, ctx, status=400 if request.method == "POST" else 200)
