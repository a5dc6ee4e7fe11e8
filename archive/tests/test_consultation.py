"""第二十九条 consultation: the request is recorded and audited; nothing is shown before the head
approves; a state secret is never approved nor opened; trade secrets and privacy are redacted or
excluded as recorded; access ends with the period; every view is logged; anyone and anything
else gets 404; the PDF shown carries the requester's watermark."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive.audit_actions import AuditAction
from archive.consultation import Treatment, candidates, consultation_decide, consultation_request
from archive.models import ConsultationAccess, ConsultationItem, ConsultationRequest
from archive.models_consultation import ConsultationStatus, ItemTreatment
from audit.models import Entry
from cases import services
from cases.models import CaseOfficer, Confidentiality, PartyKind, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from cases.tests.factories import CaseFactory, PartyFactory
from cases.tests.pages import section_html
from deadlines.models import Notification
from documents.registry import DocTypeCode
from documents.rendering import render_pdf
from documents.services import document_issue
from linke.clock import clock_at

pytestmark = pytest.mark.django_db

ID = "110101199003074514"  # a valid 居民身份证号码 (check digit X-free)
C = Confidentiality


def _pdf(marker: str) -> bytes:
    return render_pdf(f"<html><body><p>{marker}</p></body></html>").pdf


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def _add(case: Any, by: Any, name: str, data: bytes, mark: str = "", mime: str = "application/pdf") -> Any:
    upload = SimpleUploadedFile(name, data, content_type=mime)
    return services.attachment_add(case=case, file=upload, by=by, description=name, confidentiality=mark)


@pytest.fixture
def case(officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    # The requester of `_request` is this party (archive.consultation.requester_errors).
    PartyFactory(case=case, kind=PartyKind.PERSON, name="王小明", id_number=ID, legal_rep="")
    return case


@pytest.fixture
def items(case, officer, django_capture_on_commit_callbacks) -> dict[str, Any]:
    """A rendered document and five attachments, one per confidentiality case."""
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type=DocTypeCode.OTHER_ACTIVITY,
            by=officer,
            context={"activity": "调阅记录", "description": "调阅申报材料原件。"},
        )
    doc.refresh_from_db()
    assert doc.is_final
    return {
        "doc": doc,
        "plain": _add(case, officer, "plain.pdf", _pdf("PLAIN-ORIGINAL")),
        "secret": _add(case, officer, "secret.pdf", _pdf("STATE-SECRET-ORIGINAL"), C.STATE_SECRET),
        "trade": _add(case, officer, "trade.pdf", _pdf("TRADE-ORIGINAL"), C.TRADE_SECRET),
        "trade2": _add(case, officer, "trade2.pdf", _pdf("TRADE2-ORIGINAL"), C.TRADE_SECRET),
        "photo": _add(case, officer, "photo.png", _png(), C.PRIVACY, "image/png"),
    }


def _key(obj: Any) -> str:
    """A Candidate key: "document:<pk>", "attachment:<pk>", "addendum:<pk>" or "av:<pk>"."""
    name = obj._meta.model_name
    return f"{'av' if name == 'avrecord' else name}:{obj.pk}"


def _request(case: Any, by: Any, objs: list[Any], **over: Any) -> ConsultationRequest:
    data = {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": ID,
        "relation": "party",
        "purpose": "ordinary",
        "reason": "了解处罚依据，准备申请行政复议。",
        **over,
    }
    return consultation_request(case_id=case.pk, by=by, items=[_key(o) for o in objs], **data)


def _item(req: ConsultationRequest, obj: Any) -> ConsultationItem:
    name = obj._meta.model_name
    return req.items.get(**{"av_record" if name == "avrecord" else name: obj})


def _approve(req: ConsultationRequest, head: Any, treatments: dict[Any, Treatment], hours: int = 2) -> Any:
    now = timezone.now()
    return consultation_decide(
        request_id=req.pk,
        by=head,
        approve=True,
        opinion="同意在档案室查阅。",
        valid_from=now - dt.timedelta(minutes=1),
        valid_until=now + dt.timedelta(hours=hours),
        treatments={_item(req, o).pk: t for o, t in treatments.items()},
    )


def _text(data: bytes) -> str:
    return "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)


def _open(client: Any, req: ConsultationRequest, obj: Any) -> Any:
    return client.get(reverse("archive:reading_item", args=[req.token, _item(req, obj).pk]), REMOTE_ADDR="10.1.2.3")


# --- the request ------------------------------------------------------------------------------


def test_staff_record_the_request_on_the_case_page_audited(client, case, items, archivist):
    client.force_login(archivist)
    url = reverse("archive:consult_new", args=[case.pk])
    form = client.get(url)
    assert form.status_code == 200 and "plain.pdf" in form.content.decode() and "国家秘密" in form.content.decode()
    post = {
        "requester_name": "王小明",
        "id_type": "resident_id",
        "id_number": ID,
        "relation": "party",
        "purpose": "reconsideration",
        "reason": "申请行政复议，需查阅证据。",
        "items": [_key(items["plain"]), _key(items["doc"])],
    }
    bad = client.post(url, {**post, "id_number": "110101199003074515"})
    assert bad.status_code == 400 and "校验位" in bad.content.decode()
    assert not ConsultationRequest.objects.exists()

    resp = client.post(url, post)
    assert resp.status_code == 302
    req = ConsultationRequest.objects.get()
    assert req.status == ConsultationStatus.PENDING and req.purpose == "reconsideration" and req.token == ""
    assert {i.title for i in req.items.all()} == {"plain.pdf", f"{items['doc'].title} {items['doc'].number}"}
    entry = Entry.objects.get(action=AuditAction.CONSULT_REQUESTED)
    assert entry.case_id == case.pk and entry.actor_id == archivist.pk

    html = section_html(client, case, "archive")
    assert "王小明" in html and "待审批" in html


def test_who_records_a_request(case, items, officer, head, reviewer):
    outsider = UserFactory(roles=[Role.OFFICER])  # another department
    for user in (head, reviewer, outsider):
        with pytest.raises(TransitionDenied):
            _request(case, user, [items["plain"]])
    assert _request(case, officer, [items["plain"]]).recorded_by == officer
    other = CaseFactory()
    with pytest.raises(TransitionError, match="不属于本案"):
        _request(other, other.created_by, [items["plain"]])


def test_candidates_carry_the_strictest_mark(case, items):
    marks = {c.key: c.confidentiality for c in candidates(case)}
    assert marks[_key(items["secret"])] == C.STATE_SECRET and marks[_key(items["plain"])] == ""
    case.confidentiality = C.STATE_SECRET
    case.save(update_fields=["confidentiality"])
    assert {c.confidentiality for c in candidates(case)} == {C.STATE_SECRET}


def test_a_second_request_while_one_is_pending_is_recorded_not_a_500(case, items, archivist):
    first = _request(case, archivist, [items["plain"]])
    # other items (the same ones are refused: test_consultation_trial, trial defect 14)
    second = _request(case, archivist, [items["plain"], items["doc"]], reason="再次申请查阅。")
    assert first.round != second.round and ConsultationRequest.objects.filter(case=case).count() == 2


def test_only_documents_and_attachments_are_offered(case, items):
    from archive.casefile import assemble

    offered = {c.key for c in candidates(case)}
    assert offered and all(k.split(":")[0] in ("document", "attachment") for k in offered)
    # the 副卷's pages generated from rows (internal approvals) are in the file, not offered to a party
    assert len(offered) == sum(1 for i in assemble(case).items if i.record is None)


# --- approval -------------------------------------------------------------------------------


def test_approval_required_nothing_before_and_nothing_after_refusal(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"]])
    client.force_login(archivist)
    item = _item(req, items["plain"])
    # No token exists before the approval: no link works.
    assert client.get(reverse("archive:reading_room", args=["x" * 43])).status_code == 404
    assert client.get(reverse("archive:reading_item", args=["x" * 43, item.pk])).status_code == 404

    consultation_decide(request_id=req.pk, by=head, approve=False, opinion="涉及正在办理的关联案件，不同意查阅。")
    req.refresh_from_db()
    assert req.status == ConsultationStatus.REFUSED and req.token == ""
    row = SignOff.objects.get(case=case, step=SignOffStep.CONSULTATION)
    assert row.outcome == SignOffOutcome.REFUSE and row.actor == head and req.signoff == row
    assert Entry.objects.filter(action=AuditAction.CONSULT_DECIDED, case_id=case.pk).count() == 1
    with pytest.raises(TransitionError, match="已审批"):
        _approve(req, head, {items["plain"]: Treatment(ItemTreatment.FULL)})
    assert not ConsultationAccess.objects.exists()


def test_only_a_head_not_handling_the_case_decides(client, case, items, archivist, officer, reviewer):
    req = _request(case, archivist, [items["plain"]])
    for user in (archivist, officer, reviewer):
        with pytest.raises(TransitionDenied):
            _approve(req, user, {items["plain"]: Treatment(ItemTreatment.FULL)})
        client.force_login(user)
        assert client.get(reverse("archive:consult_decide", args=[req.pk])).status_code == 404
    assert not SignOff.objects.filter(step=SignOffStep.CONSULTATION).exists()


def test_head_decides_on_the_page(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["trade"]])
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    page = client.get(url).content.decode()
    assert "商业秘密" in page and 'name="opinion"' in page
    plain, trade = _item(req, items["plain"]), _item(req, items["trade"])
    now = timezone.localtime()
    post = {
        "approve": "1",
        "opinion": "同意查阅。",
        "valid_from": now.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        f"t_{plain.pk}": "full",
        f"t_{trade.pk}": "full",
    }
    refused = client.post(url, post)
    assert refused.status_code == 400 and "应遮蔽后提供或不予提供" in refused.content.decode()
    post[f"t_{trade.pk}"], post[f"r_{trade.pk}"] = "excluded", "含该公司的技术秘密。"
    assert client.post(url, post).status_code == 302
    req.refresh_from_db()
    trade.refresh_from_db()
    assert req.status == ConsultationStatus.APPROVED and len(req.token) >= 40
    assert trade.treatment == ItemTreatment.EXCLUDED and trade.reason == "含该公司的技术秘密。"


def test_a_state_secret_is_never_approved_nor_opened(client, case, items, archivist, head):
    req = _request(case, archivist, [items["plain"], items["secret"]])
    for treatment in (ItemTreatment.FULL, ItemTreatment.REDACTED):
        with pytest.raises(TransitionError, match="国家秘密"):
            _approve(
                req,
                head,
                {
                    items["plain"]: Treatment(ItemTreatment.FULL),
                    items["secret"]: Treatment(treatment, "依法处理", SimpleUploadedFile("r.pdf", _pdf("R"))),
                },
            )
    req = _approve(
        req,
        head,
        {items["plain"]: Treatment(ItemTreatment.FULL), items["secret"]: Treatment(ItemTreatment.EXCLUDED, "国家秘密")},
    )
    secret = _item(req, items["secret"])
    # The database refuses it too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationItem.objects.filter(pk=secret.pk).update(treatment=ItemTreatment.FULL)

    client.force_login(archivist)
    assert _open(client, req, items["secret"]).status_code == 404
    room = client.get(reverse("archive:reading_room", args=[req.token])).content.decode()
    assert "secret.pdf" not in room and "plain.pdf" in room
    assert _open(client, req, items["plain"]).status_code == 200
    assert not ConsultationAccess.objects.filter(item=secret).exists()


def test_trade_secrets_redacted_or_excluded_as_recorded(client, case, items, archivist, head):
    req = _request(case, archivist, [items["trade"], items["trade2"]])
    with pytest.raises(TransitionError, match="应遮蔽后提供或不予提供"):
        _approve(
            req, head, {items["trade"]: Treatment(ItemTreatment.FULL, "x"), items["trade2"]: Treatment("excluded", "x")}
        )
    with pytest.raises(TransitionError, match="处理理由"):
        _approve(req, head, {items["trade"]: Treatment("excluded"), items["trade2"]: Treatment("excluded", "x")})
    with pytest.raises(TransitionError, match="上传遮蔽后的PDF"):
        _approve(req, head, {items["trade"]: Treatment("redacted", "x"), items["trade2"]: Treatment("excluded", "x")})
    with pytest.raises(TransitionError, match="有效的PDF"):
        bad = SimpleUploadedFile("r.pdf", b"not a pdf")
        _approve(
            req, head, {items["trade"]: Treatment("redacted", "x", bad), items["trade2"]: Treatment("excluded", "x")}
        )

    copy = SimpleUploadedFile("redacted.pdf", _pdf("TRADE-REDACTED-COPY"))
    req = _approve(
        req,
        head,
        {
            items["trade"]: Treatment(ItemTreatment.REDACTED, "遮蔽配方参数后提供。", copy),
            items["trade2"]: Treatment(ItemTreatment.EXCLUDED, "全文均为技术秘密。"),
        },
    )
    trade, trade2 = _item(req, items["trade"]), _item(req, items["trade2"])
    assert (trade.treatment, trade.reason) == (ItemTreatment.REDACTED, "遮蔽配方参数后提供。")
    assert (trade2.treatment, trade2.reason) == (ItemTreatment.EXCLUDED, "全文均为技术秘密。")

    client.force_login(archivist)
    shown = _open(client, req, items["trade"])
    assert shown.status_code == 200
    text = _text(shown.content)
    assert "TRADE-REDACTED-COPY" in text and "TRADE-ORIGINAL" not in text
    assert _open(client, req, items["trade2"]).status_code == 404


def test_privacy_document_redacted_with_its_masked_rendition(client, case, items, archivist, head):
    doc = items["doc"]
    case.confidentiality = C.PRIVACY  # the document inherits the case's mark
    case.save(update_fields=["confidentiality"])
    req = _request(case, archivist, [doc])
    assert _item(req, doc).confidentiality == C.PRIVACY
    req = _approve(req, head, {doc: Treatment(ItemTreatment.REDACTED, "遮蔽身份证件号码。")})
    client.force_login(archivist)
    shown = _open(client, req, doc)
    assert shown.status_code == 200
    with doc.masked_pdf.open("rb") as fh:
        masked_pages = len(PdfReader(fh).pages)
    assert len(PdfReader(io.BytesIO(shown.content)).pages) == masked_pages
    assert "副本" in _text(shown.content)


# --- access ---------------------------------------------------------------------------------


def test_expiry_ends_access(client, case, items, archivist, head):
    req = _approve(_request(case, archivist, [items["plain"]]), head, {items["plain"]: Treatment("full")}, hours=2)
    client.force_login(archivist)
    assert _open(client, req, items["plain"]).status_code == 200
    with clock_at(timezone.now() + dt.timedelta(hours=3)):  # the archivist is told it expired
        assert _open(client, req, items["plain"]).status_code == 410
        assert client.get(reverse("archive:reading_room", args=[req.token])).status_code == 410
    with clock_at(timezone.now() - dt.timedelta(hours=1)):  # before the period begins
        assert _open(client, req, items["plain"]).status_code == 403
    assert ConsultationAccess.objects.count() == 1
    with pytest.raises(TransitionError, match="查阅期限"):
        req2 = _request(case, archivist, [items["plain"]])
        consultation_decide(
            request_id=req2.pk,
            by=head,
            approve=True,
            opinion="同意。",
            valid_from=timezone.now() - dt.timedelta(days=2),
            valid_until=timezone.now() - dt.timedelta(days=1),
            treatments={_item(req2, items["plain"]).pk: Treatment("full")},
        )


def test_every_view_is_logged_and_audited(client, case, items, archivist, head):
    req = _approve(_request(case, archivist, [items["plain"]]), head, {items["plain"]: Treatment("full")})
    client.force_login(archivist)
    for _ in range(2):
        assert _open(client, req, items["plain"]).status_code == 200
    rows = list(ConsultationAccess.objects.filter(request=req))
    assert len(rows) == 2
    assert all(r.viewer == archivist and r.ip == "10.1.2.3" and r.item.attachment == items["plain"] for r in rows)
    entries = Entry.objects.filter(action=AuditAction.CONSULT_VIEWED, case_id=case.pk)
    assert entries.count() == 2 and all(e.actor_id == archivist.pk for e in entries)


def test_404_for_anyone_and_anything_else(client, case, items, archivist, head, officer, reviewer):
    req = _approve(_request(case, archivist, [items["plain"]]), head, {items["plain"]: Treatment("full")})
    item = _item(req, items["plain"])
    url = reverse("archive:reading_item", args=[req.token, item.pk])
    for user in (head, officer, reviewer, UserFactory(roles=[Role.OFFICER])):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("archive:reading_room", args=[req.token])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(archivist)
    # An item not asked for, another request's item, a wrong token.
    other = _approve(
        _request(case, archivist, [items["doc"], items["trade"]]),
        head,
        {items["doc"]: Treatment("full"), items["trade"]: Treatment("excluded", "x")},
    )
    other_item = _item(other, items["doc"])
    assert client.get(reverse("archive:reading_item", args=[req.token, other_item.pk])).status_code == 404
    wrong = req.token[:-1] + ("B" if req.token.endswith("A") else "A")  # never the token itself
    assert client.get(reverse("archive:reading_item", args=[wrong, item.pk])).status_code == 404
    assert not ConsultationAccess.objects.exists()


def test_the_watermark_names_the_requester_and_the_date(client, case, items, archivist, head):
    req = _approve(
        _request(case, archivist, [items["doc"], items["photo"]]),
        head,
        {
            items["doc"]: Treatment("full"),
            items["photo"]: Treatment("redacted", "遮蔽人脸", SimpleUploadedFile("p.pdf", _pdf("FACE-BLURRED"))),
        },
    )
    client.force_login(archivist)
    today = timezone.localdate().strftime("%Y-%m-%d")
    for obj in (items["doc"], items["photo"]):
        resp = _open(client, req, obj)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        text = _text(resp.content)
        assert "王小明" in text and today in text


def test_a_file_that_is_not_a_pdf_nor_an_image_is_refused_not_a_500(client, case, items, archivist, head, officer):
    clip = _add(case, officer, "clip.mp4", b"\x00\x00\x00\x18ftypmp42 not really", mime="video/mp4")
    req = _approve(_request(case, archivist, [clip]), head, {clip: Treatment("full")})
    client.force_login(archivist)
    room = client.get(reverse("archive:reading_room", args=[req.token]))
    assert room.status_code == 200 and "clip.mp4" in room.content.decode()
    resp = _open(client, req, clip)
    assert resp.status_code == 415 and "不是可显示的PDF或图片" in resp.content.decode()
    assert not ConsultationAccess.objects.exists()  # nothing was shown


def test_the_panel_offers_each_action_to_who_may_take_it(client, case, items, archivist, head, officer):
    req = _request(case, archivist, [items["plain"]])
    decide = reverse("archive:consult_decide", args=[req.pk])
    client.force_login(officer)
    html = section_html(client, case, "archive")
    assert reverse("archive:consult_new", args=[case.pk]) in html and decide not in html
    client.force_login(head)
    assert decide in section_html(client, case, "archive")
    _approve(req, head, {items["plain"]: Treatment("full")})
    req.refresh_from_db()
    room = reverse("archive:reading_room", args=[req.token])
    assert room not in section_html(client, case, "archive")  # the head does not open it
    client.force_login(archivist)
    assert room in section_html(client, case, "archive")


# --- messages, the period's bounds, an expired link, the head's view ---------------------------


def test_every_treatment_refusal_reads_as_chinese_naming_only_a_real_mark(case, items):
    """Issue 16 trial 13: a blank mark leaked into the message as "涉及无". Every combination of
    mark, treatment, reason, upload and source (a document with a masked rendition, an
    attachment) that is refused says so in a sentence naming the item and no empty category."""
    from archive.consultation import _check_treatment

    doc = items["doc"]
    assert doc.masked_pdf  # the rendition exists: the branch that used to leak the blank mark
    sources = [{"document": doc}, {"attachment": items["plain"]}]
    messages = {}
    for mark in C.values:
        for source in sources:
            item = ConsultationItem(title="材料甲", confidentiality=mark, **source)
            for treatment in ["", "bogus", *ItemTreatment.values]:
                for reason in ("", "理由"):
                    for upload in (None, io.BytesIO(_pdf("R"))):
                        try:
                            _check_treatment(item, Treatment(treatment, reason, upload))
                        except TransitionError as exc:
                            messages[(mark, tuple(source), treatment, reason, upload is None)] = str(exc)
    assert messages
    for key, text in messages.items():
        assert "“材料甲”" in text and text.endswith("。"), (key, text)
        assert "涉及无" not in text and "涉及，" not in text and "涉及：" not in text, (key, text)
        assert "None" not in text, (key, text)
    unmarked = messages[("", ("document",), ItemTreatment.REDACTED, "理由", True)]
    assert unmarked == (
        "“材料甲”未标注涉及商业秘密或个人隐私，已遮蔽身份证件号码的副本仅用于个人隐私：请提供原件，或上传遮蔽后的PDF。"
    )
    trade = messages[(C.TRADE_SECRET, ("document",), ItemTreatment.REDACTED, "理由", True)]
    assert trade.startswith("“材料甲”涉及商业秘密，")
    assert messages[("", ("document",), "", "", True)] == "请选择“材料甲”的处理方式。"


def _decide_post(req: ConsultationRequest, start: dt.datetime, end: dt.datetime) -> dict[str, str]:
    return {
        "approve": "1",
        "opinion": "同意查阅。",
        "valid_from": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "valid_until": timezone.localtime(end).strftime("%Y-%m-%dT%H:%M"),
        **{f"t_{i.pk}": "full" for i in req.items.all()},
    }


def test_the_access_period_is_bounded_on_the_page_and_in_the_service(client, case, items, archivist, head, settings):
    """Issue 16 trial 14: years 2099–2199 went through. The end is not past and at most
    CONSULTATION_MAX_DAYS ahead; the start not before today. The page keeps what was typed."""
    settings.CONSULTATION_MAX_DAYS = 30
    req = _request(case, archivist, [items["plain"]])
    client.force_login(head)
    url = reverse("archive:consult_decide", args=[req.pk])
    now = timezone.now()
    far = now.replace(year=2099)
    resp = client.post(url, _decide_post(req, now, far))
    page = resp.content.decode()
    assert resp.status_code == 400 and "查阅期限的结束时间不能超过30日之后" in page
    assert "2099-" in page and "同意查阅。" in page  # nothing typed is lost
    past = client.post(url, _decide_post(req, now - dt.timedelta(days=3), now - dt.timedelta(days=2)))
    assert past.status_code == 400 and "查阅期限的开始时间不能早于今天" in past.content.decode()
    assert "查阅期限的结束时间已过" in past.content.decode()
    req.refresh_from_db()
    assert req.status == ConsultationStatus.PENDING
    for start, end in ((now, now.replace(year=2199)), (now, now + dt.timedelta(days=31))):
        with pytest.raises(TransitionError, match="不能超过30日"):
            consultation_decide(
                request_id=req.pk,
                by=head,
                approve=True,
                opinion="同意。",
                valid_from=start,
                valid_until=end,
                treatments={_item(req, items["plain"]).pk: Treatment("full")},
            )
    settings.CONSULTATION_MAX_DAYS = 40  # the setting, not a constant, sets the bound
    assert client.post(url, _decide_post(req, now, now + dt.timedelta(days=31))).status_code == 302


def test_window_errors_is_the_shared_check_of_a_period_granted_ahead():
    from linke.validators import window_errors

    now = timezone.now()
    assert window_errors(now, now + dt.timedelta(days=2), max_days=3) == {}
    assert set(window_errors(now, now + dt.timedelta(days=4), max_days=3)) == {"valid_until"}
    assert (
        window_errors(now, now - dt.timedelta(minutes=1), max_days=3)["valid_until"]
        == "期限的结束时间已过，请重新填写。"
    )
    later = now + dt.timedelta(days=1)
    assert (
        window_errors(later, later - dt.timedelta(hours=1), max_days=3)["valid_until"]
        == "期限的结束时间应晚于开始时间。"
    )
    assert set(window_errors(now - dt.timedelta(days=1), now + dt.timedelta(hours=1), max_days=3)) == {"valid_from"}


def test_an_expired_link_says_so_to_the_archivist_and_the_list_shows_it(client, case, items, archivist, head):
    req = _approve(_request(case, archivist, [items["plain"]]), head, {items["plain"]: Treatment("full")}, hours=2)
    item = _item(req, items["plain"])
    client.force_login(archivist)
    with clock_at(timezone.now() + dt.timedelta(hours=3)):
        for url in (
            reverse("archive:reading_room", args=[req.token]),
            reverse("archive:reading_item", args=[req.token, item.pk]),
        ):
            resp = client.get(url)
            assert resp.status_code == 410, url
            assert "已过期" in resp.content.decode() and "重新登记查阅申请" in resp.content.decode()
        html = section_html(client, case, "archive")
        assert "已过期" in html and reverse("archive:reading_room", args=[req.token]) not in html
        # Who may not use the link still learns nothing.
        client.force_login(head)
        assert client.get(reverse("archive:reading_room", args=[req.token])).status_code == 404
    client.force_login(archivist)
    with clock_at(timezone.now() - dt.timedelta(hours=1)):
        early = client.get(reverse("archive:reading_room", args=[req.token]))
        assert early.status_code == 403 and "尚未开始" in early.content.decode()
    assert not ConsultationAccess.objects.exists()
    html = section_html(client, case, "archive")
    assert "已过期" not in html and "同意查阅" in html


def test_the_head_sees_who_attends_and_the_access_log_not_the_link(client, case, items, archivist, head):
    """Issue 16 trial 15c: the reading room is the attending archivist's (README, consultation);
    the head's panel names who attends and shows every view instead of a link."""
    req = _approve(_request(case, archivist, [items["plain"]]), head, {items["plain"]: Treatment("full")})
    room = reverse("archive:reading_room", args=[req.token])
    client.force_login(head)
    html = section_html(client, case, "archive")
    assert room not in html and "陪同查阅" in html and str(archivist) in html and "尚无查阅记录" in html
    client.force_login(archivist)
    assert _open(client, req, items["plain"]).status_code == 200
    client.force_login(head)
    html = section_html(client, case, "archive")
    log = html[html.index("consult-log") :]
    assert "plain.pdf" in log and str(archivist) in log and "10.1.2.3" in log and "尚无查阅记录" not in log
    assert client.get(room).status_code == 404


def test_a_request_rings_the_bell_of_the_heads_who_may_decide_it(client, case, items, archivist, head, officer):
    handling = UserFactory(roles=[Role.HEAD, Role.OFFICER])
    CaseOfficer.objects.create(case=case, officer=handling, is_lead=False, cert_no="")  # handles it: not asked
    req = _request(case, archivist, [items["plain"]])
    note = Notification.objects.get(user=head)
    assert note.link == reverse("archive:consult_decide", args=[req.pk]) and note.read_at is None
    assert "查阅申请" in note.text and "王小明" in note.text and case.ref in note.text
    assert not Notification.objects.filter(user__in=[handling, officer, archivist]).exists()
    client.force_login(head)
    assert client.get(note.link).status_code == 200


@pytest.mark.parametrize("blank", ["", "  \n", "\u3000", "\u00a0 "])
@pytest.mark.parametrize("treatment", [ItemTreatment.EXCLUDED, ItemTreatment.REDACTED])
def test_the_database_refuses_a_withheld_item_without_a_reason(case, items, archivist, treatment, blank):
    """第二十九条: an unmarked item withheld (遮蔽后提供, 不予提供) by an ORM save without a non-blank
    reason is refused by the database, not only by the service (reason_error)."""
    req = _request(case, archivist, [items["plain"]])
    item = _item(req, items["plain"])
    item.treatment, item.reason = treatment, blank
    with pytest.raises(IntegrityError, match="consultation_item_withheld_has_reason"), transaction.atomic():
        item.save()
    item.reason = "与查阅目的无关。"
    item.save()
    item.refresh_from_db()
    assert item.treatment == treatment


def test_control_characters_are_refused_in_the_services_texts(case, items, archivist, head):
    # linke.validators.text_error from the service itself: every caller is covered, not only the form.
    with pytest.raises(TransitionError, match="查阅理由含有不可见的控制字符"):
        _request(case, archivist, [items["doc"]], reason="了解\x00依据")
    with pytest.raises(TransitionError, match="查阅人姓名应为一行文字"):
        _request(case, archivist, [items["doc"]], requester_name="王小\n明")
    req = _request(case, archivist, [items["doc"]])
    with pytest.raises(TransitionError, match="的处理理由含有不可见的控制字符"):
        _approve(req, head, {items["doc"]: Treatment(ItemTreatment.EXCLUDED, "涉及\x00他人隐私")})


def test_one_heads_decision_settles_the_other_heads_bell(case, items, archivist, head):
    """Every head who may decide is rung (待审批); once one decides, the others' notification is
    read (kept in their list) and their bell drops; another request's stays unread."""
    from deadlines.selectors import unread_count

    other_head = UserFactory(username="head2", roles=[Role.HEAD])
    req = _request(case, archivist, [items["plain"]])
    another = _request(case, archivist, [items["doc"]])
    asks = Notification.objects.filter(link=reverse("archive:consult_decide", args=[req.pk]))
    assert {n.user for n in asks} == {head, other_head} and unread_count(other_head) == 2

    _approve(req, head, {items["plain"]: Treatment(ItemTreatment.FULL)})

    assert asks.count() == 2 and not asks.filter(read_at__isnull=True).exists()
    assert unread_count(other_head) == unread_count(head) == 1
    left = Notification.objects.get(user=other_head, read_at__isnull=True)
    assert left.link == reverse("archive:consult_decide", args=[another.pk])
    consultation_decide(request_id=another.pk, by=other_head, approve=False, opinion="不同意查阅。")
    assert unread_count(head) == unread_count(other_head) == 0
