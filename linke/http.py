"""Typed request for views behind `login_required` (the seam between Django's request and our
`User`): `request.user` is an `accounts.models.User`, never `AnonymousUser`."""

from django.http import HttpRequest

from accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # narrowed: login_required ran before the view
