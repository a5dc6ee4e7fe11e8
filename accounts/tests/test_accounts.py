import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.roles import sync_role_permissions
from accounts.tests.factories import UserFactory
from audit.models import Entry

pytestmark = pytest.mark.django_db


def test_cert_no_is_unique_when_set_and_blank_means_none():
    a = UserFactory(cert_no="")
    b = UserFactory(cert_no="  ")
    assert a.cert_no is None and b.cert_no is None  # many users without a certificate
    UserFactory(cert_no="371300001")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(cert_no="371300001")


def test_migrate_gives_every_role_group_its_permissions():
    # No explicit sync here: the test database was built by migrate, whose post_migrate
    # applied the role table.
    for role in Role:
        assert Group.objects.get(name=role.label).permissions.exists(), role
    officer = set(Group.objects.get(name=Role.OFFICER.label).permissions.values_list("codename", flat=True))
    assert {"add_case", "change_case", "view_case"} <= officer
    reviewer = set(Group.objects.get(name=Role.LEGAL_REVIEWER.label).permissions.values_list("codename", flat=True))
    assert "view_case" in reviewer and "change_case" not in reviewer


def test_role_groups_exist_with_chinese_names_and_admin_permissions():
    sync_role_permissions()
    names = set(Group.objects.values_list("name", flat=True))
    assert {r.label for r in Role} <= names
    admin_perms = set(Group.objects.get(name=Role.ADMIN.label).permissions.values_list("codename", flat=True))
    assert {"change_user", "view_entry"} <= admin_perms
    user = UserFactory(roles=[Role.ADMIN])
    assert user.has_perm("accounts.change_user")
    assert user.has_role(Role.ADMIN) and not user.has_role(Role.OFFICER)


def test_login_page_speaks_chinese(client):
    resp = client.get("/accounts/login/")
    html = resp.content.decode()
    assert resp.status_code == 200
    assert 'lang="zh-Hans"' in html and "登录" in html and "用户名" in html and "密码" in html
    assert "连续 5 次登录失败后" in html


def test_admin_speaks_chinese(client):
    resp = client.get("/admin/login/")
    assert "用户名" in resp.content.decode()


def test_login_success_and_failure_are_audited(client, officer, password):
    client.post("/accounts/login/", {"username": officer.username, "password": "wrong"})
    resp = client.post("/accounts/login/", {"username": officer.username, "password": password})
    assert resp.status_code == 302
    actions = list(Entry.objects.values_list("action", flat=True))
    assert "auth.login_failed" in actions and "auth.login" in actions


def test_repeated_failed_logins_lock_the_account_out(client, officer, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        resp = client.post("/accounts/login/", {"username": officer.username, "password": "wrong"})
    assert resp.status_code == 429
    # Even the right password is refused while locked out, with a Chinese explanation.
    resp = client.post("/accounts/login/", {"username": officer.username, "password": password})
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change_page(client, officer, password):
    client.force_login(officer)
    resp = client.get("/accounts/password/")
    assert resp.status_code == 200 and "修改密码" in resp.content.decode()
    resp = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
    )
    assert resp.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Xin-mima-2026!")


def test_pages_need_login(client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]


def test_seed_demo_is_idempotent():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    count = User.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == count
    assert "linke-demo-2026" in out.getvalue()
    for role in Role:
        assert User.objects.filter(groups__name=role.label).exists()
