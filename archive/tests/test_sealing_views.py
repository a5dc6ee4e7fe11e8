"""The review-and-seal page and the head's override page: who sees them, the refusal message,
sealing through the page, and the case page's 归档 panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Seal
from archive.tests.test_sealing import BACK, _veto, concluded_case
from cases.models import CaseState, SignOff, SignOffStep

pytestmark = pytest.mark.django_db


def test_the_archivist_reviews_and_seals_through_the_page(client, head, archivist):
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(case.created_by)
    assert client.get(url).status_code == 404  # officers do not compile case files
    client.force_login(archivist)
    page = client.get(url)
    assert page.status_code == 200 and "卷内目录" in page.content.decode() and "评查得分" in page.content.decode()
    # Titles and order through the form.
    rows = page.context["rows"]
    data = {"action": "arrange"}
    for n, row in enumerate(rows, start=1):
        data |= {f"key_{n}": row["key"], f"position_{n}": str(len(rows) - n), f"title_{n}": row["item"].title}
    data["title_1"] = "改定题名"
    assert client.post(url, data).status_code == 302
    assert any(r["item"].title == "改定题名" for r in client.get(url).context["rows"])
    bad = client.post(url, {**data, "position_1": "x"}, follow=True)
    assert "顺序须为整数" in bad.content.decode()
    resp = client.post(url, {"action": "seal", **BACK})
    assert resp.status_code == 302
    case.refresh_from_db()
    seal = Seal.objects.get(case=case)
    assert case.state == CaseState.ARCHIVED
    panel = client.get(reverse("cases:section", args=[case.pk, "archive"])).content.decode()
    assert seal.archival_code in panel and "已归档" in panel


def test_a_veto_shows_on_the_page_and_the_heads_override_page(client, head, archivist):
    case = concluded_case(head)
    _veto(case)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    resp = client.post(url, {"action": "seal", **BACK}, follow=True)
    assert "不能归档：否决项" in resp.content.decode()
    assert not Seal.objects.exists()
    assert client.get(reverse("archive:override", args=[case.pk])).status_code == 404
    client.force_login(head)
    override = reverse("archive:override", args=[case.pk])
    assert "执法证" in client.get(override).content.decode()
    assert client.post(override, {"decision": "agree", "opinion": ""}).status_code == 200  # opinion required
    assert client.post(override, {"decision": "agree", "opinion": "已核实，准予归档。"}).status_code == 302
    assert SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).count() == 1
    client.force_login(archivist)
    assert client.post(url, {"action": "seal", **BACK}).status_code == 302
    assert Seal.objects.get(case=case).override is not None
