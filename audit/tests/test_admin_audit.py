import pytest

from accounts.models import Department
from audit.models import Entry

pytestmark = pytest.mark.django_db


def test_editing_through_django_admin_is_audited(client, admin_user):
    dept = Department.objects.create(code="ZF9", name="执法九科")
    client.force_login(admin_user)

    resp = client.post(f"/admin/accounts/department/{dept.pk}/change/", {"code": "ZF9", "name": "稽查科"})

    assert resp.status_code == 302
    entry = Entry.objects.filter(action="admin.change").last()
    assert entry is not None
    assert entry.actor == admin_user
    assert entry.object_type == "accounts.department" and entry.object_id == str(dept.pk)
    assert entry.data["values"]["name"] == "稽查科"
    assert "名称" in entry.data["change_message"]


def test_admin_user_edit_never_copies_the_password_hash(client, admin_user, officer):
    client.force_login(admin_user)
    resp = client.get(f"/admin/accounts/user/{officer.pk}/change/")
    assert resp.status_code == 200
    data = resp.context["adminform"].form.initial
    post = {k: v for k, v in data.items() if v is not None and not isinstance(v, (list, tuple))}
    post.update(
        {
            "username": officer.username,
            "cert_no": "37130099",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
            "groups": [g.pk for g in officer.groups.all()],
            "phone": "13800000000",
        }
    )
    post.pop("last_login", None)
    post.pop("password", None)
    resp = client.post(f"/admin/accounts/user/{officer.pk}/change/", post)
    assert resp.status_code == 302, resp.context["adminform"].form.errors if resp.context else resp
    entry = Entry.objects.filter(action="admin.change", object_type="accounts.user").last()
    assert entry.data["values"]["cert_no"] == "37130099"
    assert "password" not in entry.data["values"]


def test_audit_admin_is_read_only(client, admin_user):
    import audit

    e = audit.record(None, "admin.other")
    client.force_login(admin_user)
    assert client.get("/admin/audit/entry/").status_code == 200
    assert client.get("/admin/audit/entry/add/").status_code == 403
    resp = client.post(f"/admin/audit/entry/{e.seq}/delete/", {"post": "yes"})
    assert resp.status_code == 403
    assert Entry.objects.filter(seq=e.seq).exists()
