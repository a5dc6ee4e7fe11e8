"""第二十九条 consultation, defects of the fresh-user trial of 第六章: an unparseable 查阅期限 is
named as not a date-time (1); the 查阅理由 and the other free texts are bounded (2); a bad
遮蔽件 upload asks for the 遮蔽件 again, not a 扫描件 (3); the decision form offers each item only
the treatments 第二十九条第二款 allows it (4)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from archive.consultation import Treatment
from archive.models import ConsultationItem, ConsultationRequest
from archive.models_consultation import OPINION_MAX, REASON_MAX, ConsultationStatus
from cases.stages import TransitionError

from .test_consultation import _approve, _item, _request, case, items  # noqa: F401
from .test_consultation_trial import _post

pytestmark = pytest.mark.django_db


def _decide_url(req: ConsultationRequest) -> str:
    return reverse("archive:consult_decide", args=[req.pk])


# --- 1: an impossible period is named as such ---------------------------------------------


def test_an_unparseable_period_says_it_is_not_a_date_time(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"]])
    client.force_login(head)
    resp = client.post(_decide_url(req), _post(req, valid_until="2026-13-45T99:99"))
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "查阅期限的结束时间不是有效的日期时间（例：" in html
    assert "同意查阅时请填写查阅期限" not in html
    resp = client.post(_decide_url(req), _post(req, valid_from="昨天", valid_until=""))
    html = resp.content.decode()
    assert "查阅期限的开始时间不是有效的日期时间（例：" in html
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING


def test_an_empty_period_still_asks_for_it(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"]])
    client.force_login(head)
    resp = client.post(_decide_url(req), _post(req, valid_until=""))
    assert resp.status_code == 400 and "同意查阅时请填写查阅期限" in resp.content.decode()


# --- 2: bounded free texts -------------------------------------------------------------------


def _request_form(items: dict[str, Any], reason: str) -> dict[str, Any]:
    return {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": "110101199003074514",
        "relation": "party",
        "purpose": "ordinary",
        "reason": reason,
        "items": [f"attachment:{items['plain'].pk}"],
    }


def test_a_reason_over_the_bound_is_refused_with_its_count(client, case, items, archivist):
    client.force_login(archivist)
    url = reverse("archive:consult_new", args=[case.pk])
    resp = client.post(url, _request_form(items, "理" * 20_000))
    html = resp.content.decode()
    assert resp.status_code == 400
    assert f"查阅理由不能超过{REASON_MAX}字（现为20000字）" in html
    assert not ConsultationRequest.objects.filter(case=case).exists()
    with pytest.raises(TransitionError, match=f"查阅理由不能超过{REASON_MAX}字"):
        _request(case, archivist, [items["plain"]], reason="理" * (REASON_MAX + 1))
    assert _request(case, archivist, [items["plain"]], reason="理" * REASON_MAX).reason == "理" * REASON_MAX


def test_the_database_bounds_the_reasons(case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["trade"]])
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.filter(pk=req.pk).update(reason="理" * (REASON_MAX + 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationItem.objects.filter(pk=_item(req, items["trade"]).pk).update(reason="理" * (REASON_MAX + 1))


def test_an_exclusion_reason_and_opinion_over_the_bound_are_refused(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["trade"]])
    trade = _item(req, items["trade"])
    with pytest.raises(TransitionError, match=f"处理理由不能超过{REASON_MAX}字"):
        _approve(
            req,
            head,
            {items["plain"]: Treatment("full"), items["trade"]: Treatment("excluded", "理" * (REASON_MAX + 1))},
        )
    client.force_login(head)
    over = {f"t_{trade.pk}": "excluded", f"r_{trade.pk}": "理" * (REASON_MAX + 1), "opinion": "意" * (OPINION_MAX + 1)}
    html = client.post(_decide_url(req), _post(req, **over)).content.decode()
    assert f"处理理由不能超过{REASON_MAX}字（现为{REASON_MAX + 1}字）" in html
    assert f"机关负责人意见不能超过{OPINION_MAX}字（现为{OPINION_MAX + 1}字）" in html
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING


def test_a_requester_name_over_its_column_is_refused_not_a_500(case, items, archivist):
    with pytest.raises(TransitionError, match="查阅人姓名不能超过100字"):
        _request(case, archivist, [items["plain"]], requester_name="王" * 101)


# --- 3: the re-choose hint names the 遮蔽件 -------------------------------------------------


def test_a_bad_redacted_copy_asks_for_the_redacted_copy_again(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["trade"]])
    trade = _item(req, items["trade"])
    client.force_login(head)
    bad = SimpleUploadedFile("copy.pdf", b"not a pdf at all", content_type="application/pdf")
    data = {**_post(req, **{f"t_{trade.pk}": "redacted", f"r_{trade.pk}": "遮蔽技术参数。"}), f"f_{trade.pk}": bad}
    html = client.post(_decide_url(req), data).content.decode()
    assert "请重新选择遮蔽件文件" in html
    assert "请重新选择扫描件文件" not in html


# --- 4: only the treatments an item may get are offered ---------------------------------------


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return re.findall(r'<option value="([^"]*)"', select.group(1))


def test_the_form_offers_each_item_only_its_allowed_treatments(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["secret"], items["trade"], items["photo"]])
    client.force_login(head)
    html = client.get(_decide_url(req)).content.decode()
    t = {k: f"t_{_item(req, items[k]).pk}" for k in ("plain", "secret", "trade", "photo")}
    assert _options(html, t["plain"]) == ["", "full", "redacted", "excluded"]
    assert _options(html, t["trade"]) == ["", "redacted", "excluded"]
    assert _options(html, t["photo"]) == ["", "redacted", "excluded"]
    # A state secret is never provided: 不予提供, fixed.
    assert _options(html, t["secret"]) == ["excluded"]
    secret = html[html.index(f'name="{t["secret"]}"') :]
    assert "不予提供" in secret[: secret.index("</select>")]
    # Refused on submit all the same (a crafted post).
    resp = client.post(_decide_url(req), _post(req, **{t["trade"]: "full", t["secret"]: "full", t["photo"]: "full"}))
    assert resp.status_code == 400
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING
