"""The review-and-seal page and the head's override page: who sees them, the refusal message,
sealing through the page, and the case page's 归档 panel."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from archive.casefile import MAIN, assemble
from archive.models import TITLE_MAX, Seal
from archive.tests.factories_export import _make_readable
from archive.tests.test_sealing import BACK, _veto, checked, concluded_case, reversed_within_volumes
from archive.volume import write_volume
from cases.models import CaseState, SignOff, SignOffStep

pytestmark = pytest.mark.django_db


def seal_data(**changes):
    """The 备考表 form as posted: the description (the 检查人 is who signed the check)."""
    return {"action": "seal", **BACK, **changes}


def arrange_data(rows, **changes):
    """The arrangement form as the page renders it (key, position, title per keyed row)."""
    data = {"action": "arrange"}
    for n, row in enumerate(rows, start=1):
        if row["key"]:
            data |= {f"key_{n}": row["key"], f"position_{n}": row["position"], f"title_{n}": row["title"]}
    return data | changes


def test_the_archivist_reviews_and_seals_through_the_page(client, head, archivist):
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(case.created_by)
    assert client.get(url).status_code == 404  # officers do not compile case files
    client.force_login(archivist)
    page = client.get(url)
    assert page.status_code == 200 and "卷内目录" in page.content.decode() and "评查得分" in page.content.decode()
    # Titles and order through the form.
    rows = page.context["catalogue"]
    positions = {k: p for k, p, _ in reversed_within_volumes([r["item"] for r in rows])}
    data = {"action": "arrange"}
    for n, row in enumerate(rows, start=1):
        data |= {f"key_{n}": row["key"], f"position_{n}": str(positions[row["key"]]), f"title_{n}": row["item"].title}
    data["title_1"] = "改定题名"
    assert client.post(url, data).status_code == 302
    assert any(r["item"].title == "改定题名" for r in client.get(url).context["catalogue"])
    bad = client.post(url, {**data, "position_1": "x"}, follow=True)
    assert "顺序须为0至100000之间的整数" in bad.content.decode()
    checked(case)
    resp = client.post(url, seal_data())
    assert resp.status_code == 302
    case.refresh_from_db()
    seal = Seal.objects.get(case=case)
    assert case.state == CaseState.ARCHIVED
    panel = client.get(reverse("cases:section", args=[case.pk, "archive"])).content.decode()
    assert seal.archival_code in panel and "已归档" in panel


def test_a_veto_shows_on_the_page_and_the_heads_override_page(client, head, archivist):
    case = concluded_case(head)
    _veto(case)
    checked(case)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    resp = client.post(url, seal_data(), follow=True)
    assert "不能归档：否决项" in resp.content.decode()
    assert not Seal.objects.exists()
    assert client.get(reverse("archive:override", args=[case.pk])).status_code == 404
    client.force_login(head)
    override = reverse("archive:override", args=[case.pk])
    assert "执法证" in client.get(override).content.decode()
    assert client.post(override, {"decision": "agree", "opinion": ""}).status_code == 400  # opinion required
    assert client.post(override, {"decision": "agree", "opinion": "已核实，准予归档。"}).status_code == 302
    assert SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).count() == 1
    client.force_login(archivist)
    assert client.post(url, seal_data()).status_code == 302
    assert Seal.objects.get(case=case).override is not None


def test_a_refused_arrangement_shows_the_page_again_with_everything_typed(client, head, archivist):
    """Trial defects 5 and 6: a bad position or an over-long title re-renders the page with the
    error naming the item and every title and position as typed (no redirect, nothing lost)."""
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(archivist)
    rows = client.get(url).context["catalogue"]
    typed = arrange_data(rows, title_1="改定题名一", title_2="改定题名二", position_1="x")
    resp = client.post(url, typed)
    html = resp.content.decode()
    assert resp.status_code == 400 and "顺序须为0至100000之间的整数" in html and "“改定题名一”的顺序“x”" in html
    shown = {r["key"]: (r["position"], r["title"]) for r in resp.context["catalogue"]}
    assert shown[rows[0]["key"]] == ("x", "改定题名一") and shown[rows[1]["key"]][1] == "改定题名二"
    assert 'value="改定题名一"' in html and 'value="改定题名二"' in html and 'value="x"' in html

    long_title = "超" * (TITLE_MAX + 1)
    resp = client.post(url, arrange_data(rows, title_1="改定题名一", title_2=long_title))
    html = resp.content.decode()
    item = rows[1]["item"]
    assert resp.status_code == 400 and f"第{item.number}件“{item.title}”的题名超过{TITLE_MAX}字" in html
    assert f'value="{long_title}"' in html and 'value="改定题名一"' in html  # kept in full, not cut
    assert 'maxlength="200"' not in html  # the browser does not cut it either
    assert client.get(url).context["catalogue"][0]["title"] == rows[0]["title"]  # nothing saved


def test_a_refused_seal_keeps_the_form_as_typed(client, head, archivist):
    """Trial defect 5: a refused seal (no check yet; a veto) re-renders the form with the
    description; the 立卷人 is the archivist, shown, not typed, and the 检查人 is who signed the
    check, never a choice."""
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(archivist)
    page = client.get(url)
    html = page.content.decode()
    assert 'id="id_compiler"' not in html and f'<span id="compiler">{archivist.display_name}</span>' in html
    assert "checker" not in page.context["form"].fields and 'id="id_checker"' not in html

    unchecked = client.post(url, seal_data(description="说明甲。"))
    assert unchecked.status_code == 400 and "请先由检查人审核案卷并签署检查意见" in unchecked.content.decode()
    assert "说明甲。" in unchecked.content.decode()

    checked(case)
    _veto(case)
    refused = client.post(url, seal_data(description="说明乙。"))
    html = refused.content.decode()
    assert refused.status_code == 400 and "不能归档：否决项" in html and "说明乙。" in html
    assert not Seal.objects.exists()


def test_the_catalogue_shows_page_numbers_as_the_volume_numbers_them(client, head, archivist):
    """Trial defect 15b: the seal page's 卷内目录 shows each item's 页号 — the same pages and start
    pages as the volume (archive.volume) numbers them."""
    case = concluded_case(head)
    _make_readable(case)  # real PDFs for the stand-in receipts: the volume can be made
    client.force_login(archivist)
    resp = client.get(reverse("archive:seal", args=[case.pk]))
    shown = [(r["item"].pages, r["item"].start_page) for r in resp.context["catalogue"]]
    volume = write_volume(case, io.BytesIO())
    assert shown == [(i.pages, i.start_page) for i in volume.items]
    assert sum(p for p, _ in shown) == volume.page_count > 0
    html = resp.content.decode()
    assert "<th>页号</th>" in html
    for item in volume.items:
        if item.pages:
            assert f'<td class="page-range">{item.page_range}</td>' in html
    assert any(i.volume == MAIN and i.pages for i in volume.items)


def test_an_item_that_will_not_open_is_named_on_the_page(client, head, archivist):
    """The catalogue's page count opens every item: one that will not open (a receipt whose
    stored bytes are no PDF — scans are checked at upload, so damaged in storage) is named,
    without pages, and the page still answers."""
    case = concluded_case(head)
    item = next(i for i in assemble(case).items if i.pdf_name and i.record is None)
    with default_storage.open(item.pdf_name, "wb") as fh:
        fh.write(b"not a pdf: damaged in storage")
    client.force_login(archivist)
    resp = client.get(reverse("archive:seal", args=[case.pk]))
    html = resp.content.decode()
    assert resp.status_code == 200 and resp.context["unreadable"]
    assert all(line in html for line in resp.context["unreadable"]) and "无法读取" in html


def test_the_page_does_not_call_a_file_with_gaps_complete(client, head, archivist):
    # Trial: "案卷材料齐备，无否决项" above its own list of what each stage still lacks.
    case = concluded_case(head)
    client.force_login(archivist)
    page = client.get(reverse("archive:seal", args=[case.pk]))
    review = page.context["review"]
    assert not review.blockers and review.gaps
    html = page.content.decode()
    assert "材料齐备" not in html
    assert f"无阻止归档的问题；尚缺{len(review.gaps)}项（见下）。" in html
