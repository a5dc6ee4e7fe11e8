"""Trial S (the archive chapter, a fresh user): control characters in free text refused by the
one shared validator (linke.validators.text_error), an arrangement naming an item twice
refused, every quality rule's link landing on an element of the case page, the volume PDF
named by its 档号, and a double export submit making one job."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from archive import sealing
from archive.models import ItemArrangement
from archive.tests.test_sealing import concluded_case, sealed_case
from archive.tests.test_sealing_views import arrange_data
from cases.models import SignOff, SignOffStep
from cases.stages import TransitionError
from linke.validators import text_error, validate_plain_text

pytestmark = pytest.mark.django_db

CONTROL = "含有不可见的控制字符"
ONE_LINE = "应为一行文字，不能含有换行或制表符"


def test_the_text_validator_refuses_control_characters_and_line_breaks_in_one_line_text():
    assert text_error("询问笔录", label="题名") == ""
    assert text_error("  询问笔录\n", label="题名") == ""  # stripped ends are no line break
    assert CONTROL in text_error("询问\n笔录\x00", label="题名") and text_error("a\x00", label="题名").startswith(
        "题名"
    )
    assert ONE_LINE in text_error("询问\n笔录", label="题名")
    assert ONE_LINE in text_error("询问\t笔录", label="题名")
    assert CONTROL in text_error("询问\x1b笔录", label="题名") and CONTROL in text_error("询问\x85笔录", label="题名")
    assert text_error("同意。\r\n\t理由如下", label="意见", multiline=True) == ""
    assert CONTROL in text_error("同意\x00", label="意见", multiline=True)
    assert CONTROL in text_error("同意\x07", label="意见", multiline=True)
    with pytest.raises(ValidationError, match="意见含有不可见的控制字符"):
        validate_plain_text("同意\x0c", label="意见", multiline=True)


@pytest.mark.parametrize("title", ["询问\n笔录\x00", "询问\n笔录", "询问笔录\x00", "询问\x1f笔录"])
def test_an_arrangement_title_with_a_control_character_is_refused_not_a_500(client, head, archivist, title):
    """Trial S item 1: a NUL made the save a DataError on PostgreSQL (500); a newline garbled
    the 卷内目录. Now 400 naming the item, nothing saved."""
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(archivist)
    rows = client.get(url).context["catalogue"]
    resp = client.post(url, arrange_data(rows, title_1=title))
    html = resp.content.decode()
    item = rows[0]["item"]
    assert resp.status_code == 400
    assert f"第{item.number}件“{item.title}”的题名" in html
    assert (CONTROL in html) if "\n" not in title or "\x00" in title else (ONE_LINE in html)
    assert not ItemArrangement.objects.filter(case=case).exists()


def test_an_arrangement_naming_an_item_twice_is_refused(client, head, archivist):
    """Trial S item 2: two rows with the same key — the later title applied and the other item
    moved. Now refused naming the item, nothing saved, by the service and through the page."""
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(archivist)
    rows = client.get(url).context["catalogue"]
    data = arrange_data(rows, title_2="改定题名")
    data["key_2"] = rows[0]["key"]
    resp = client.post(url, data)
    item = rows[0]["item"]
    assert resp.status_code == 400
    assert f"第{item.number}件“{item.title}”在排列中出现了2次" in resp.content.decode()
    assert not ItemArrangement.objects.filter(case=case).exists()
    entries = [(r["key"], n, r["title"]) for n, r in enumerate(rows, start=1)]
    entries.append((rows[0]["key"], 99, "另一题名"))
    with pytest.raises(TransitionError, match="出现了2次"):
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    assert not ItemArrangement.objects.filter(case=case).exists()


def test_a_signoff_opinion_with_a_control_character_is_refused(client, head, archivist):
    """Trial S item 1: signoffs.signoff_record is the single entry of every opinion."""
    case = concluded_case(head)
    for opinion in ("准予归档\x00", "准予归档\x07"):
        with pytest.raises(TransitionError, match="机关负责人意见含有不可见的控制字符"):
            sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion=opinion)
    client.force_login(head)
    resp = client.post(reverse("archive:override", args=[case.pk]), {"decision": "agree", "opinion": "准予\x1b归档"})
    assert resp.status_code == 400 and CONTROL in resp.content.decode()
    assert not SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).exists()
    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="已核实，\r\n准予归档。")  # lines kept


def test_an_addendum_title_or_text_with_a_control_character_is_refused(head, archivist):
    case = sealed_case(head, archivist)
    with pytest.raises(TransitionError, match="补充材料的题名应为一行文字"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title="送达\n回证", text="补充回证。")
    with pytest.raises(TransitionError, match="补充材料的说明含有不可见的控制字符"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title="送达回证", text="补充\x00回证。")
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="送达回证", text="补充回证。\n第二行。")
    assert row.text == "补充回证。\n第二行。"


def _ids(html):
    import re

    return set(re.findall(r'\bid="([^"]+)"', html))


def test_every_quality_rule_links_to_an_element_of_the_case_page(client, head, archivist):
    """Trial S item 3: "执法人员少于两人" linked to #record-officers, which the case page does not
    have (a form gone once archived, never shown to the archivist). Every registered check's
    target, and the link of each failing rule, names an id on the page it opens."""
    from archive.checks import CHECKS
    from archive.quality import case_score
    from cases.panels import section_url

    case = concluded_case(head)
    client.force_login(archivist)
    pages: dict[str, set[str]] = {}
    for name, check in CHECKS.items():
        result = check(case)
        section, _, anchor = result.target.partition("#")
        if not anchor:
            continue
        url = section_url(case.pk, section)
        if url not in pages:
            resp = client.get(url)
            assert resp.status_code == 200, url
            pages[url] = _ids(resp.content.decode())
        assert anchor in pages[url], f"{name}: #{anchor} not on {url}"
    case.assignments.exclude(pk=case.assignments.first().pk).delete()  # one officer: the rule fails
    failure = next(f for f in case_score(case).failures if f.url.endswith("#officers"))
    page, _, anchor = failure.url.partition("#")
    assert anchor in _ids(client.get(page).content.decode())


def _download_name(resp):
    from urllib.parse import unquote

    header = resp["Content-Disposition"]
    assert header.startswith("inline;") and "filename*=utf-8''" in header.lower()
    start = header.lower().index("filename*=utf-8''") + len("filename*=utf-8''")
    return unquote(header[start:].split(";")[0])


def test_the_volume_pdf_is_named_by_its_archival_code_or_as_a_draft(client, head, archivist):
    """Trial S item 4: the volume was served as case-<pk>-volume.pdf. A draft is named by its
    案号 and 案卷（草稿）; a sealed one by its 档号, rendered or stored."""
    from archive.models import Seal
    from archive.sealed_volume import current_volume, volume_store

    case = concluded_case(head)
    client.force_login(archivist)
    url = reverse("archive:volume_pdf", args=[case.pk])
    resp = client.get(url)
    assert resp.status_code == 200 and _download_name(resp) == f"{case.number}-案卷（草稿）.pdf"
    case = sealed_case(head, archivist)
    code = Seal.objects.get(case=case).archival_code
    url = reverse("archive:volume_pdf", args=[case.pk])
    assert current_volume(case) is None
    resp = client.get(url)
    assert resp.status_code == 200 and _download_name(resp) == f"{code}.pdf"
    volume_store(case.pk)
    assert current_volume(case) is not None
    resp = client.get(url)
    assert resp.status_code == 200 and _download_name(resp) == f"{code}.pdf" and "·" in code
    b"".join(resp.streaming_content)


def test_the_export_form_submitted_twice_makes_one_job(client, head, archivist):
    """Trial S item 5: the same export form submitted twice (a double click, a reload after the
    first export finished) made two jobs. The form's token makes it one; a new page, a new job."""
    from archive.models_export import ExportJob, ExportStatus

    case = sealed_case(head, archivist)
    client.force_login(archivist)
    url = reverse("archive:export", args=[case.pk])
    token = client.get(url).context["token"]
    assert client.post(url, {"token": token}).status_code == 302
    job = ExportJob.objects.get(case=case)
    assert job.request_token == token
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.DONE)  # the first export ran at once
    resp = client.post(url, {"token": token}, follow=True)
    assert ExportJob.objects.filter(case=case).count() == 1
    assert "该导出申请已提交过（已完成），未重复导出" in resp.content.decode()
    again = client.get(url).context["token"]
    assert again != token
    client.post(url, {"token": again})
    assert ExportJob.objects.filter(case=case).count() == 2
    client.post(url, {"token": "x" * 32})  # not a token: counts as none, the running job is found
    assert ExportJob.objects.filter(case=case).count() == 2
