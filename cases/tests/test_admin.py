import pytest
from django.contrib import admin
from django.urls import reverse

from cases.models import CaseState
from cases.tests.factories import ApplicationFactory, CaseFactory, ComplaintFactory, FilingRecordFactory, PartyFactory

pytestmark = pytest.mark.django_db

MODELS = [
    "case",
    "party",
    "application",
    "applicationevent",
    "filingrecord",
    "complaint",
    "noninitiation",
    "attachment",
]


def test_every_model_is_registered_searchable_and_chinese(client, admin_user):
    case = CaseFactory(title="某某公司违规案")
    PartyFactory(case=case)
    FilingRecordFactory()
    ComplaintFactory()
    ApplicationFactory()
    client.force_login(admin_user)
    for name in MODELS:
        model_admin = next(
            a for m, a in admin.site._registry.items() if m._meta.model_name == name and m._meta.app_label == "cases"
        )
        assert model_admin.search_fields, name
        resp = client.get(reverse(f"admin:cases_{name}_changelist"), {"q": "某某"})
        assert resp.status_code == 200, name
    body = client.get(reverse("admin:cases_case_changelist"), {"q": "某某"}).content.decode()
    assert "案件" in body and case.ref in body


def test_case_records_are_read_only_in_admin(client, admin_user):
    """Issue 11, defect 9: an admin could rewrite a case's parties and credit codes at any stage,
    without validation, after documents were issued. Case records change only through the services."""
    case = CaseFactory(state=CaseState.INVESTIGATING, title="原案由")
    party = PartyFactory(case=case, name="临沂原名有限公司")
    client.force_login(admin_user)
    for url in (
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_party_change", args=[party.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert 'name="title"' not in page.content.decode() and 'name="name"' not in page.content.decode()
    resp = client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        {"title": "改过的案由", "summary": "", "confidentiality": "", "state": "archived"},
    )
    assert resp.status_code == 403
    resp = client.post(
        reverse("admin:cases_party_change", args=[party.pk]),
        {"kind": "organisation", "name": "改过的名称", "id_number": "abc"},
    )
    assert resp.status_code == 403
    case.refresh_from_db()
    party.refresh_from_db()
    assert (case.title, case.state, party.name) == ("原案由", CaseState.INVESTIGATING, "临沂原名有限公司")
    assert client.get(reverse("admin:cases_case_add")).status_code == 403


def test_an_admin_change_of_a_user_records_old_and_new_values(client, admin_user, officer):
    from audit.models import Entry

    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    form = client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "groups", "user_permissions", "last_login", "date_joined")
    }
    data.update(
        {
            "username": officer.username,
            "phone": "13953912345",
            "cert_no": "37130020260001",
            "is_active": "on",
            "groups": [g.pk for g in officer.groups.all()],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        }
    )
    data.pop("department", None)
    resp = client.post(url, data)
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    entry = Entry.objects.filter(action="admin.change", object_id=str(officer.pk)).latest("seq")
    changes = entry.data["changes"]
    assert changes["phone"] == [officer.phone, "13953912345"]
    assert changes["cert_no"] == [officer.cert_no, "37130020260001"]
    assert "password" not in changes
