"""Trial defects D3–D9 on the sealing and addendum pages (issue 16; 第二十八条): the head opens
a scan before approving it (D3); a repeated addendum request is not registered twice (D4); a
second tab's seal or arrangement says the case is sealed (D5); the decision is shown (D6); the
length messages, the empty position and a refused form's status (D7); what the arrangement did
(D8); the scan chooser's filter and the 备考表's bound (D9)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from archive import sealing
from archive.forms import AddendumForm
from archive.models import BACK_DESCRIPTION_MAX, Addendum, AddendumStatus, Seal
from archive.tests.test_casefile import _pdf
from archive.tests.test_sealing import checked, concluded_case, seal_checked, sealed_case
from archive.tests.test_sealing_views import arrange_data, seal_data
from cases.stages import TransitionError
from linke.validators import SCAN_ACCEPT, ScanField

pytestmark = pytest.mark.django_db


def _scan(name="回证.pdf", pages=1):
    return SimpleUploadedFile(name, _pdf(pages), content_type="application/pdf")


def _decide(row):
    return reverse("archive:addendum_decide", args=[row.pk])


def _panel(case):
    return reverse("cases:section", args=[case.pk, "archive"])


def _said(resp) -> str:
    """The last message the response left (earlier ones stay unread across redirects)."""
    return str(list(get_messages(resp.wsgi_request))[-1])


# --- D3: the head opens the scan before approving ---------------------------------------------


def test_approval_is_refused_until_the_head_has_opened_the_scan(client, head, archivist):
    case = sealed_case(head, archivist)
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="送达回证补充", text="补充回证。", scan=_scan())
    with pytest.raises(TransitionError, match="请先查看补充材料1的扫描件"):
        sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意。")
    client.force_login(head)
    page = client.get(_decide(row)).content.decode()
    assert "批准前须先查看扫描件" in page
    resp = client.post(_decide(row), {"decision": "agree", "opinion": "经核对，同意补充。"})
    html = resp.content.decode()
    assert resp.status_code == 400 and "请先查看补充材料1的扫描件，再批准。" in html
    assert "经核对，同意补充。" in html  # the opinion as typed
    assert Addendum.objects.get(pk=row.pk).status == AddendumStatus.PENDING
    # Another head's reading does not count for this one.
    sealing.addendum_scan_viewed(addendum=row, by=archivist)
    assert client.post(_decide(row), {"decision": "agree", "opinion": "同意。"}).status_code == 400
    assert client.get(reverse("archive:addendum_scan", args=[row.pk])).status_code == 200
    assert "批准前须先查看扫描件" not in client.get(_decide(row)).content.decode()
    assert client.post(_decide(row), {"decision": "agree", "opinion": "经核对，同意补充。"}).status_code == 302
    assert Addendum.objects.get(pk=row.pk).status == AddendumStatus.APPROVED
    assert "批准前须先查看扫描件" not in client.get(_decide(row)).content.decode()


def test_refusal_needs_no_reading_and_the_decision_is_shown(client, head, archivist):
    """D3 (refusing stays allowed) and D6: the opinion, who decided and when, on the decide page
    and the case's archive panel."""
    case = sealed_case(head, archivist)
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="送达回证补充", text="补充回证。", scan=_scan())
    client.force_login(head)
    resp = client.post(_decide(row), {"decision": "refuse", "opinion": "原卷已有回证，不予补充。"})
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.status == AddendumStatus.REFUSED
    when = row.signoff.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
    for url in (_decide(row), _panel(case)):
        html = client.get(url).content.decode()
        assert "原卷已有回证，不予补充。" in html and f"机关负责人{head}" in html and when in html, url
        assert "批准前须先查看扫描件" not in html


# --- D4: a repeated request -------------------------------------------------------------------


def test_a_double_submitted_request_is_registered_once(client, head, archivist):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    url = reverse("archive:addendum_new", args=[case.pk])
    data = {"title": "送达回证补充", "text": "补充送达回证。"}
    assert client.post(url, {**data, "scan": _scan()}).status_code == 302
    again = client.post(url, {**data, "scan": _scan()})
    html = again.content.decode()
    assert again.status_code == 400 and "补充材料1（题名、说明、扫描件相同）已提交" in html and "未重复登记" in html
    assert 'value="送达回证补充"' in html
    assert Addendum.objects.filter(case=case).count() == 1
    # Another scan content, or another text, is another request.
    assert client.post(url, {**data, "scan": _scan(pages=2)}).status_code == 302
    assert client.post(url, {**data, "text": "另一说明。"}).status_code == 302
    with pytest.raises(TransitionError, match="未重复登记"):
        sealing.addendum_request(case_id=case.pk, by=archivist, title=" 送达回证补充", text="另一说明。 ")
    assert Addendum.objects.filter(case=case).count() == 3
    # Once decided, the same request may be made again.
    first = Addendum.objects.get(case=case, number=3)
    sealing.addendum_decide(addendum_id=first.pk, by=head, approve=False, opinion="不予补充。")
    assert client.post(url, {**data, "text": "另一说明。"}).status_code == 302


# --- D5: a second tab's seal ------------------------------------------------------------------


def test_a_second_seal_or_arrangement_says_the_case_is_sealed(client, head, archivist):
    case = concluded_case(head)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    rows = client.get(url).context["catalogue"]
    checked(case)
    assert client.post(url, seal_data()).status_code == 302
    code = Seal.objects.get(case=case).archival_code
    for data in (seal_data(), arrange_data(rows)):
        resp = client.post(url, data)
        assert resp.status_code == 302
        said = _said(resp)
        assert f"该案件已归档（档号 {code}）。" in said and "只有档案管理员" not in said
    with pytest.raises(TransitionError, match=f"该案件已归档（档号 {code}）"):
        seal_checked(case, by=archivist)


# --- D7: messages and status ------------------------------------------------------------------


def test_length_messages_read_as_chinese_for_every_form(client, head, archivist):
    case = sealed_case(head, archivist)
    client.force_login(archivist)
    resp = client.post(reverse("archive:addendum_new", args=[case.pk]), {"title": "超" * 201, "text": "说明。"})
    html = resp.content.decode()
    assert resp.status_code == 400 and "不能超过200字（现为201字）。" in html and "确保该变量" not in html


def test_an_invalid_form_answers_400_on_every_sealing_page(client, head, archivist):
    case = sealed_case(head, archivist)
    row = sealing.addendum_request(case_id=case.pk, by=archivist, title="送达回证补充", text="补充回证。")
    client.force_login(archivist)
    assert client.post(reverse("archive:addendum_new", args=[case.pk]), {"title": "", "text": ""}).status_code == 400
    client.force_login(head)
    assert client.post(_decide(row), {"decision": "agree", "opinion": ""}).status_code == 400
    waiting = concluded_case(head)
    assert client.post(reverse("archive:override", args=[waiting.pk]), {"opinion": "x"}).status_code == 400


def test_an_empty_position_is_asked_for(client, head, archivist):
    case = concluded_case(head)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    rows = client.get(url).context["catalogue"]
    resp = client.post(url, arrange_data(rows, position_2=" "))
    html = resp.content.decode()
    assert resp.status_code == 400 and "请填写第2件的顺序。" in html and "不是" not in html


# --- D8: what the arrangement did -------------------------------------------------------------


def test_the_arrangement_says_what_it_restored_and_reordered(client, head, archivist):
    case = concluded_case(head)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    rows = client.get(url).context["catalogue"]
    plain = client.post(url, arrange_data(rows))
    assert plain.status_code == 302 and _said(plain) == "卷内排列与题名已保存。"
    resp = client.post(url, arrange_data(rows, title_3="  ", position_2=rows[0]["position"]))
    assert resp.status_code == 302
    assert _said(resp) == "卷内排列与题名已保存。第3件题名为空，已恢复为原题名；顺序重复的已按原次序排列。"
    assert client.get(url).context["catalogue"][2]["title"] == rows[2]["title"]


# --- D9: the scan chooser and the 备考表's bound ------------------------------------------------


def test_every_scan_field_filters_the_chooser_from_scan_types():
    from delivery.forms import AddressConfirmationForm
    from delivery.forms_execution import PaymentForm
    from records.forms import OpinionForm

    assert SCAN_ACCEPT == ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
    assert f'accept="{SCAN_ACCEPT}"' in str(AddendumForm()["scan"])
    for form, name in ((AddressConfirmationForm, "scan"), (PaymentForm, "receipt"), (OpinionForm, "file")):
        assert isinstance(form.base_fields[name], ScanField), form


def test_the_back_description_fits_one_page(client, head, archivist):
    case = concluded_case(head)
    client.force_login(archivist)
    url = reverse("archive:seal", args=[case.pk])
    long = "说" * (BACK_DESCRIPTION_MAX + 1)
    checked(case)
    resp = client.post(url, seal_data(description=long))
    html = resp.content.decode()
    assert resp.status_code == 400 and f"不能超过{BACK_DESCRIPTION_MAX}字（现为{BACK_DESCRIPTION_MAX + 1}字）" in html
    assert long in html and not Seal.objects.exists()
    with pytest.raises(TransitionError, match=f"不能超过{BACK_DESCRIPTION_MAX}字"):
        seal_checked(case, by=archivist, description=long)
