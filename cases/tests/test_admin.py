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


def test_state_cannot_be_set_in_admin(client, admin_user):
    case = CaseFactory(state=CaseState.INVESTIGATING)
    client.force_login(admin_user)
    url = reverse("admin:cases_case_change", args=[case.pk])
    resp = client.get(url)
    assert 'name="state"' not in resp.content.decode()
    resp = client.post(
        url,
        {
            "title": "改过的案由",
            "summary": "",
            "confidentiality": "",
            "state": "archived",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
            "parties-TOTAL_FORMS": "0",
            "parties-INITIAL_FORMS": "0",
        },
    )
    # The form was saved (redirect to the list, the title changed) but the state was ignored.
    assert resp.status_code == 302, resp.context and resp.context["adminform"].form.errors
    case.refresh_from_db()
    assert case.title == "改过的案由"
    assert case.state == CaseState.INVESTIGATING
    assert reverse("admin:cases_case_add") and client.get(reverse("admin:cases_case_add")).status_code == 403
