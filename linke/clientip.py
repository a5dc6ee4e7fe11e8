"""The client's address behind a known number of trusted reverse proxies.

settings.TRUSTED_PROXY_COUNT (env TRUSTED_PROXY_COUNT, default 0) is how many proxies of
our own stand in front of the app. Each appends the address it received the request from
to X-Forwarded-For, so the client's address is the TRUSTED_PROXY_COUNT-th entry from the
right; anything left of it was written by the client and is ignored (a forged header
changes nothing). With 0 the header is ignored altogether and REMOTE_ADDR is the client.

Not django-ipware: its `proxy_count` expects the proxies themselves in the header
(len(X-Forwarded-For) - 1 == count), answers None for the single entry one nginx writes,
and falls back to REMOTE_ADDR — the proxy, shared by everyone — when the count does not
match, which is exactly what a client forging the header would cause.

Used by django-axes (AXES_CLIENT_IP_CALLABLE: lock-outs keyed on user name + address) and
by the audit trail's sign-in entries, so both name the same address.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as a string ("" if unknown). Never raises."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [h for h in (request.META.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if h.strip()]
    if len(hops) < count:
        # Fewer entries than our proxies write: not a request that came through them.
        return remote
    return _valid(hops[-count]) or remote
