"""Project-level pages: the entry point and the health check."""

import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
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
    # Documents and attachments: a real write and delete of a probe file.
    store = storages["default"]
    name = store.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    store.delete(name)
    out["default"] = type(store).__name__
    # Originals are write-once (第二十七条), so nothing is written there: the bucket must
    # answer, or the folder must exist and be writable.
    originals: Any = storages["originals"]  # S3Storage or FileSystemStorage: told apart below
    if hasattr(originals, "bucket_name"):
        originals.connection.meta.client.head_bucket(Bucket=originals.bucket_name)
    else:
        location = Path(originals.location)
        location.mkdir(parents=True, exist_ok=True)
        if not os.access(location, os.W_OK | os.X_OK):
            raise PermissionError(f"originals folder is not writable: {location}")
    out["originals"] = type(originals).__name__
    return out


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    for name, check in (("database", _check_database), ("broker", _check_broker), ("storage", _check_storage)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of a dependency is a 503 with the reason
            # Staff see the reason; anyone else (a load balancer) the kind of failure only.
            detail = f"{type(exc).__name__}: {exc}"[:300] if request.user.is_staff else type(exc).__name__
            checks[name] = {"ok": False, "error": detail}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
