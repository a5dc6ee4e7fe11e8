"""The execution page and the case-page panel: access (404), the live surcharge, 400 keeping the
input, the head's forms, opinion fields starting empty."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from cases.models import CaseState
from cases.tests.pages import section_html
from delivery import execution as ex
from delivery.models import FinePayment
from delivery.tests.execution_helpers import NO_PENALTY, TODAY, receipt, served_case

pytestmark = pytest.mark.django_db


def _url(case, key=None):
    if key is None:
        return reverse("delivery:execution", args=[case.pk])
    return reverse("delivery:execution_act", args=[case.pk, key])


def test_outsiders_get_404(client, head, officer):
    case = served_case(head)
    client.force_login(officer)  # an officer of another department
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case, "start"), {}).status_code == 404
    client.force_login(case.created_by)
    assert client.post(_url(case, "nonsense"), {}).status_code == 404


def test_case_page_shows_the_live_surcharge_and_the_page_offers_the_officers_actions(client, head):
    case = served_case(head, served_days_ago=25)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    client.force_login(case.created_by)
    page = section_html(client, case, "delivery")
    surcharge = ex.fine_status_of(case).surcharge
    assert surcharge > 0
    assert "执行、强制执行与结案" in page and f"{surcharge} 元" in page
    page = client.get(_url(case)).content.decode()
    assert 'id="act-payment"' in page and 'id="act-plan"' not in page and 'id="act-conclude"' not in page


def test_payment_form_errors_answer_400_and_keep_the_input(client, head):
    case = served_case(head)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    client.force_login(case.created_by)
    data = {"amount_yuan": "20000.00", "paid_on": TODAY().isoformat(), "note": "工商银行兰山支行"}
    response = client.post(_url(case, "payment"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "此项为必填项" in body and "工商银行兰山支行" in body
    # The action's refusal (a date in the future) is shown next to the form, input kept.
    future = (TODAY() + dt.timedelta(days=3)).isoformat()
    response = client.post(_url(case, "payment"), {**data, "paid_on": future, "receipt": receipt()})
    assert response.status_code == 400 and "日期不能晚于今天" in response.content.decode()
    assert future in response.content.decode()
    response = client.post(_url(case, "payment"), {**data, "receipt": receipt()})
    assert response.status_code == 302 and FinePayment.objects.filter(case=case).count() == 1


def test_bad_amount_is_a_chinese_error_not_a_500(client, head):
    case = served_case(head)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    client.force_login(case.created_by)
    response = client.post(_url(case, "payment"), {"amount_yuan": "abc", "paid_on": "2026-13-45", "receipt": receipt()})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请输入金额" in body and "请输入有效日期" in body


def test_head_concludes_through_the_page_and_the_opinion_starts_empty(client, head):
    case = served_case(head, **NO_PENALTY)
    client.force_login(case.created_by)
    assert 'id="act-conclude"' not in client.get(_url(case)).content.decode()
    client.force_login(head)
    page = client.get(_url(case)).content.decode()
    assert 'id="act-conclude"' in page
    opinion = re.search(r'<textarea name="opinion"[^>]*>(.*?)</textarea>', page, re.S)
    assert opinion is not None and opinion.group(1).strip() == ""
    response = client.post(_url(case, "conclude"), {"ending": "nothing", "opinion": ""})
    assert response.status_code == 400
    response = client.post(_url(case, "conclude"), {"ending": "nothing", "opinion": "同意结案。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    assert "同意结案。" in section_html(client, case, "delivery")


def test_head_signs_the_court_application_through_the_page(client, head):
    from delivery import enforcement as en
    from delivery.tests.test_enforcement import _executing, _reminded

    case = _executing(head)
    _reminded(case)
    client.force_login(case.created_by)
    page = client.get(_url(case)).content.decode()
    assert 'data-window="open"' in page and 'id="act-application"' not in page
    client.force_login(head)
    page = client.get(_url(case)).content.decode()
    assert 'id="act-application"' in page and 'id="act-plan"' in page and "临沂市兰山区人民法院" in page
    data = {"court": "临沂市兰山区人民法院", "subject": "罚款及加处罚款", "opinion": "同意申请。"}
    response = client.post(_url(case, "application"), {**data, "materials": ["application", "decision"]})
    assert response.status_code == 400 and "第五十五条" in response.content.decode()
    response = client.post(_url(case, "application"), {**data, "materials": list(en.MATERIALS)})
    assert response.status_code == 302 and en.application_of(case) is not None
    client.force_login(case.created_by)
    assert 'id="act-accept"' in client.get(_url(case)).content.decode()


def test_each_form_on_the_page_has_its_own_field_ids(client, head):
    # The payment and the 催告书 forms both rendered id="id_amount_yuan" (and two id_note): a
    # label of one form focused the other form's field.
    case = served_case(head, served_days_ago=25)
    ex.execution_start(case_id=case.pk, by=case.created_by)
    client.force_login(case.created_by)
    html = client.get(_url(case)).content.decode()
    assert 'action="' + _url(case, "reminder") in html and 'action="' + _url(case, "payment") in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids, target
