"""Project-level pages: the entry point and the health check."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    # The cases app owns the dashboard; until it is installed, a plain welcome page.
    try:
        return redirect(reverse("cases:dashboard"))
    except NoReverseMatch:
        return render(request, "home.html")


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def _check_broker() -> dict[str, Any]:
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "in-process"}
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"ok": True, "mode": "redis"}


def _check_storage() -> dict[str, Any]:
    out: dict[str, Any] = {"ok": True}
    for alias in ("default", "originals"):
        store = storages[alias]
        # A lookup of a name that cannot exist: reaches the backend without writing to it
        # (the originals store is write-once, so the check must not leave files there).
        store.exists(f"healthz/{uuid.uuid4().hex}")
        out[alias] = type(store).__name__
    return out


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    for name, check in (("database", _check_database), ("broker", _check_broker), ("storage", _check_storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of a dependency is a 503 with the reason
            checks[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
