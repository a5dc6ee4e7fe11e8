"""第二十九条 consultation, defects of the fresh-user trial: every item not provided as it is
(遮蔽后提供, 不予提供) carries the head's reason whatever its mark (9); a decided request's page
shows the decision, not an empty form that loses what is typed (11); the same requester asking
for the same items while a request is pending is refused, a double submission included (14)."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from archive.consultation import Treatment, consultation_decide, consultation_request
from archive.models import ConsultationRequest
from archive.models_consultation import ConsultationStatus, ItemTreatment
from cases.models import SignOff, SignOffStep
from cases.stages import TransitionError

from .test_consultation import ID, _approve, _item, _key, _pdf, _request, case, items  # noqa: F401

pytestmark = pytest.mark.django_db

REASON_REFUSED = "请填写“plain.pdf”的处理理由（第二十九条）"


# --- 9: a reason for every item not provided as it is ------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_unmarked_item_excluded_or_redacted_needs_a_reason_trial_9(case, items, archivist, head, reason):
    req = _request(case, archivist, [items["doc"], items["plain"]])
    copy = SimpleUploadedFile("r.pdf", _pdf("PLAIN-REDACTED"))
    for refused in (Treatment(ItemTreatment.EXCLUDED, reason), Treatment(ItemTreatment.REDACTED, reason, copy)):
        with pytest.raises(TransitionError) as exc:
            _approve(req, head, {items["doc"]: Treatment(ItemTreatment.FULL), items["plain"]: refused})
        assert str(exc.value) == REASON_REFUSED + "。"
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING and not SignOff.objects.filter(case=case).exists()
    req = _approve(
        req,
        head,
        {items["doc"]: Treatment(ItemTreatment.FULL), items["plain"]: Treatment("excluded", " 与本次复议无关。 ")},
    )
    plain = _item(req, items["plain"])
    assert (plain.treatment, plain.reason) == (ItemTreatment.EXCLUDED, "与本次复议无关。")
    assert _item(req, items["doc"]).reason == ""  # provided as it is: no reason asked


def _post(req: ConsultationRequest, **over: str) -> dict[str, str]:
    now = timezone.localtime()
    return {
        "approve": "1",
        "opinion": "同意查阅决定书。",
        "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        **{f"t_{i.pk}": "full" for i in req.items.all()},
        **over,
    }


def test_the_form_asks_the_reason_by_its_field_keeping_what_was_typed_trial_9(client, case, items, archivist, head):
    req = _request(case, archivist, [items["doc"], items["plain"]])
    plain = _item(req, items["plain"])
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    resp = client.post(url, _post(req, **{f"t_{plain.pk}": "excluded", f"r_{plain.pk}": ""}))
    html = resp.content.decode()
    assert resp.status_code == 400 and REASON_REFUSED in html
    # shown by the reason's own field, and the choice and the opinion typed are still there
    field = html[html.index(f'name="r_{plain.pk}"') :]
    assert REASON_REFUSED in field[: field.index("</div>", field.index("errorlist"))]
    assert "同意查阅决定书。" in html and 'value="excluded" selected' in html.replace("\n", " ")
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING
    bad = client.post(url, _post(req, **{f"t_{plain.pk}": "excluded", f"r_{plain.pk}": "与复议\x1b无关。"}))
    assert bad.status_code == 400 and "的处理理由含有不可见的控制字符" in bad.content.decode()  # trial S item 1
    # A NUL (refused by the form field itself) and an over-long reason: one message each, never
    # also "请填写" (trial T2 2-3).
    for reason, message in (("与复议\x00无关。", "含有不可见的控制字符（如空字符）"), ("理" * 501, "不能超过500字")):
        html = client.post(url, _post(req, **{f"t_{plain.pk}": "excluded", f"r_{plain.pk}": reason})).content.decode()
        assert message in html and "不允许是用空字符串" not in html and REASON_REFUSED not in html
    ok = client.post(url, _post(req, **{f"t_{plain.pk}": "excluded", f"r_{plain.pk}": "与复议无关。"}))
    assert ok.status_code == 302
    plain.refresh_from_db()
    assert (plain.treatment, plain.reason) == (ItemTreatment.EXCLUDED, "与复议无关。")


def test_a_nul_after_the_period_is_refused_not_dropped(client, case, items, archivist, head):
    """Issue 16 leftover: "…09:00\\x00" parsed as 09:00 (the NUL dropped) and was signed."""
    req = _request(case, archivist, [items["plain"]])
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    for field in ("valid_from", "valid_until"):
        typed = _post(req)[field] + "\x00"
        resp = client.post(url, _post(req, **{field: typed}))
        html = resp.content.decode()
        assert resp.status_code == 400 and "含有不可见的控制字符（如空字符）" in html, field
        assert "不是有效的日期时间" not in html and "请填写查阅期限" not in html
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING and not SignOff.objects.filter(case=case).exists()


# --- 11: a decided request shows its decision -----------------------------------------------


def test_a_decided_request_shows_its_decision_and_no_form_trial_11(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["trade"]])
    req = _approve(
        req,
        head,
        {items["plain"]: Treatment("full"), items["trade"]: Treatment("excluded", "含该公司的技术秘密。")},
    )
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    resp = client.get(url)
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "<form" not in html.split("</header>")[-1] and 'name="opinion"' not in html
    local = timezone.localtime
    for shown in (
        "同意查阅",
        "同意在档案室查阅。",  # the opinion
        str(head),
        local(req.signoff.signed_at).strftime("%Y-%m-%d %H:%M"),
        local(req.valid_from).strftime("%Y-%m-%d %H:%M"),
        local(req.valid_until).strftime("%Y-%m-%d %H:%M"),
        "plain.pdf",
        "提供原件",
        "trade.pdf",
        "不予提供",
        "含该公司的技术秘密。",
    ):
        assert shown in html, shown


def test_a_decision_posted_to_a_decided_request_is_refused_showing_what_was_typed_trial_11(
    client, case, items, archivist, head
):
    req = _request(case, archivist, [items["plain"]])
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    typed = _post(req)  # the form as loaded while pending
    consultation_decide(request_id=req.pk, by=head, approve=False, opinion="涉及正在办理的关联案件，不同意查阅。")
    resp = client.post(url, {**typed, "opinion": "同意查阅，限当日。"})
    html = resp.content.decode()
    assert resp.status_code == 400
    assert "该查阅申请已审批（不同意查阅）" in html and "涉及正在办理的关联案件，不同意查阅。" in html
    assert "同意查阅，限当日。" in html  # what was typed is shown, not lost
    assert 'name="opinion"' not in html
    req.refresh_from_db()
    assert req.status == ConsultationStatus.REFUSED
    assert SignOff.objects.filter(case=case, step=SignOffStep.CONSULTATION).count() == 1


# --- 14: no duplicate request -------------------------------------------------------------------


DUPLICATE = "该查阅人对相同材料的查阅申请尚待审批（本案第1号查阅申请"


def test_the_same_requester_and_items_while_pending_is_refused_trial_14(case, items, archivist, officer, head):
    first = _request(case, archivist, [items["plain"], items["doc"]])
    assert first.round == 1
    # the same ID and items (in any order, by anyone who records it, whatever the purpose and reason)
    for by, over in (
        (archivist, {}),
        (officer, {"purpose": "reconsideration", "reason": "申请行政复议。"}),
    ):
        with pytest.raises(TransitionError, match=DUPLICATE) as exc:
            _request(case, by, [items["doc"], items["plain"]], **over)
        assert "未重复登记" in str(exc.value) and str(exc.value).endswith("。")
    assert ConsultationRequest.objects.filter(case=case).count() == 1
    # other items, or another requester, are another request
    assert _request(case, archivist, [items["plain"]]).round == 2
    other = {"relation": "agent", "requester_name": "李律师", "id_number": "110101198506121234"}
    scan = SimpleUploadedFile("授权委托书.pdf", _pdf("授权委托书"), content_type="application/pdf")
    other |= {"principal": case.parties.get().pk, "authorisation": scan}
    assert _request(case, archivist, [items["plain"], items["doc"]], **other).round == 3
    # once decided, the same request may be made again
    consultation_decide(request_id=first.pk, by=head, approve=False, opinion="不同意。")
    assert _request(case, archivist, [items["plain"], items["doc"]]).round == 4


def _form(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": ID,
        "relation": "party",
        "purpose": "ordinary",
        "reason": "了解处罚依据。",
        "items": [_key(items["plain"])],
    }


def test_the_same_form_posted_twice_records_one_request_trial_14(client, case, items, archivist):
    client.force_login(archivist)
    url = reverse("archive:consult_new", args=[case.pk])
    assert client.post(url, _form(items)).status_code == 302
    again = client.post(url, _form(items))
    html = again.content.decode()
    assert again.status_code == 400 and DUPLICATE in html and "了解处罚依据。" in html
    assert ConsultationRequest.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_record_one_request_trial_14(case, items, archivist):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    barrier = threading.Barrier(2)
    data = _form(items)

    def submit(_: int) -> str:
        try:
            barrier.wait(timeout=30)
            try:
                consultation_request(case_id=case.pk, by=archivist, **data)
            except TransitionError as exc:
                return str(exc)
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(submit, range(2)))
    assert results[0] == "ok" and DUPLICATE in results[1], results  # "ok" sorts first
    assert ConsultationRequest.objects.filter(case=case).count() == 1
