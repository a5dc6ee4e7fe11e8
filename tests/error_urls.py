"""URLs for tests/test_error_pages.py: the site's own, plus views that fail on purpose."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from linke.urls import urlpatterns as site


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("bad")


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("test-400/", _bad),
    path("test-403/", _denied),
    path("test-500/", _broken),
    *site,
]
