"""Sign-in behind the documented TLS proxy (TRUSTED_PROXY_COUNT=1): lock-outs are keyed on
user name + the real client's address, attempts during a lock-out do not restart it, the
lock-out page speaks in minutes, and the audit trail names the real address."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import Entry

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # what REMOTE_ADDR is for every request through the proxy
ATTACKER, USER_ADDR = "198.51.100.66", "203.0.113.7"


def _via_proxy(client_addr, forged=""):
    """A client behind the proxy: it appends the address it saw to X-Forwarded-For."""
    xff = f"{forged}, {client_addr}" if forged else client_addr
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": xff}


@pytest.fixture(autouse=True)
def _one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def _login(client, username, password, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


def test_attacker_elsewhere_cannot_lock_the_user_out_of_their_own_address(head, password, settings):
    attacker, user = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        resp = _login(attacker, head.username, "guess", **_via_proxy(ATTACKER))
    assert resp.status_code == 429
    # The attacker's lock-out is theirs: the head signs in from their own address.
    resp = _login(user, head.username, password, **_via_proxy(USER_ADDR))
    assert resp.status_code == 302, resp.content.decode()[:500]
    # A forged X-Forwarded-For does not let the attacker out of theirs.
    resp = _login(attacker, head.username, password, **_via_proxy(ATTACKER, forged=USER_ADDR))
    assert resp.status_code == 429

    login = Entry.objects.filter(action="auth.login").get()
    assert login.data["ip"] == USER_ADDR
    failed = Entry.objects.filter(action="auth.login_failed")
    assert failed.exists() and {e.data["ip"] for e in failed} == {ATTACKER}


def test_forged_header_from_a_direct_client_changes_nothing(officer, password, settings):
    settings.TRUSTED_PROXY_COUNT = 0  # the default: no proxy
    c = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(c, officer.username, "guess", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    resp = _login(c, officer.username, password, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=USER_ADDR)
    assert resp.status_code == 429
    assert {e.data["ip"] for e in Entry.objects.filter(action="auth.login_failed")} == {ATTACKER}


def test_lockout_is_not_restarted_by_attempts_during_it_and_speaks_minutes(officer, password, settings):
    from axes.models import AccessAttempt

    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(c, officer.username, "guess", **_via_proxy(USER_ADDR))
    attempt = AccessAttempt.objects.get(username=officer.username)
    locked_at = attempt.attempt_time
    resp = _login(c, officer.username, "again", **_via_proxy(USER_ADDR))
    assert resp.status_code == 429
    body = resp.content.decode()
    assert "30 分钟后再试" in body and "0:30:00" not in body
    attempt.refresh_from_db()
    assert attempt.attempt_time == locked_at  # the cool-off runs from the lock-out, not the last try
    # Once the cool-off has passed, the right password works.
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert _login(c, officer.username, password, **_via_proxy(USER_ADDR)).status_code == 302


def test_password_change_and_admin_reset_are_audited(client, officer, admin_user, password):
    client.force_login(officer)
    resp = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
        **_via_proxy(USER_ADDR),
    )
    assert resp.status_code == 302
    changed = Entry.objects.get(action="auth.password_changed")
    assert changed.actor_id == officer.pk and changed.data["ip"] == USER_ADDR
    assert "Xin-mima" not in changed.payload

    admin = Client()
    admin.force_login(admin_user)
    resp = admin.post(
        f"/admin/accounts/user/{officer.pk}/password/",
        {"password1": "Chongzhi-2026!x", "password2": "Chongzhi-2026!x", "usable_password": "true"},
        **_via_proxy(ATTACKER),
    )
    assert resp.status_code == 302, resp.content.decode()[:1000]
    officer.refresh_from_db()
    assert officer.check_password("Chongzhi-2026!x")
    reset = Entry.objects.get(action="auth.password_reset")
    assert reset.actor_id == admin_user.pk and reset.object_id == str(officer.pk)
    assert reset.data["ip"] == ATTACKER


@pytest.mark.parametrize(
    ("count", "meta", "expected"),
    [
        (0, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "1.2.3.4"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.2.3.4"}, "1.2.3.4"),
        (2, {"REMOTE_ADDR": "10.0.0.3", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 1.2.3.4, 10.0.0.2"}, "1.2.3.4"),
        (1, {"REMOTE_ADDR": "10.0.0.2"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "[2001:db8::1]:4711"}, "2001:db8::1"),
    ],
)
def test_client_ip(rf, settings, count, meta, expected):
    from linke.clientip import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip(rf.get("/", **meta)) == expected
