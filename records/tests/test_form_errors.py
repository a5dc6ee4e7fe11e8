"""Issue 11, defect 6: a form of the record page posted with bad input, or refused by its
service, renders the record page again (400) with what was typed and the error in the form."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from records.models import CommissionOpinion, Record, RecordKind
from records.selectors import attachments_of
from records.tests.factories import make_record

pytestmark = pytest.mark.django_db


def _form(page: str, action: str) -> str:
    m = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert m, f"no form posting to {action}"
    return m.group(0)


def test_a_future_opinion_date_keeps_the_conclusion_typed(client):
    rec = make_record(RecordKind.COMMISSION, finalise=True)
    client.force_login(rec.maker)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    url = f"/records/{rec.pk}/opinion/"
    resp = client.post(url, {"received_at": later, "conclusion": "费用归集不实，应予调整"})
    assert resp.status_code == 400
    form = _form(resp.content.decode(), url)
    assert "费用归集不实，应予调整</textarea>" in form
    assert "errorlist" in form and "不能晚于当前时间" in form
    assert not CommissionOpinion.objects.filter(record_id=rec.pk).exists()


def test_an_upload_without_a_file_keeps_the_description(client):
    rec = make_record(RecordKind.INSPECTION)
    client.force_login(rec.maker)
    url = f"/records/{rec.pk}/attach/"
    resp = client.post(url, {"description": "现场草图的说明"})
    assert resp.status_code == 400
    form = _form(resp.content.decode(), url)
    assert 'value="现场草图的说明"' in form and "errorlist" in form
    assert not attachments_of(rec.base()).exists()


def test_a_too_long_correction_reason_is_kept(client):
    rec = make_record(RecordKind.OTHER, finalise=True)
    client.force_login(rec.maker)
    url = f"/records/{rec.pk}/correct/"
    resp = client.post(url, {"reason": "x" * 2001})  # longer than the form takes
    assert resp.status_code == 400
    form = _form(resp.content.decode(), url)
    assert "x" * 2001 + "</textarea>" in form and "errorlist" in form
    assert not Record.objects.filter(corrects_id=rec.pk).exists()


def test_a_form_not_offered_shows_its_refusal_at_the_top(client):
    rec = make_record(RecordKind.PRESERVATION, finalise=False)
    client.force_login(rec.maker)
    # The 处理决定 is the head's (《行政处罚法》第五十六条); the officer has no such form.
    resp = client.post(f"/records/{rec.pk}/decide/", {"outcome": "release", "detail": "解除保存"})
    assert resp.status_code == 400
    assert re.search(r'<ul class="messages"><li class="msg-error">[^<]+</li>', resp.content.decode())
