"""第二十九条 consultation of the 行政执法全过程记录 beyond documents (trial defect 15): a party may
ask for the case's AV records (音像记录) and its approved addenda (归档后补充材料). An AV record
is played in the reading room as its copy with the watermark burnt in (test_consultation_rendition)
and is provided whole or not at all (no redaction of video); an addendum is shown as the volume has it (its page, then its scan),
watermarked like a document. Every view is an access row and an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.consultation import Treatment, candidates
from archive.models import ConsultationAccess, ConsultationItem, ConsultationRequest
from archive.models_consultation import ItemTreatment
from archive.tests.test_consultation import ID, _add, _approve, _pdf, _request, _text
from archive.tests.test_sealing import sealed_case
from avrecords.models import AVRecord
from cases.models import Confidentiality, PartyKind
from cases.stages import TransitionError
from cases.tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db
C = Confidentiality
PROXY = b"\x00\x00\x00\x18ftypmp42" + b"PLAYABLE-PROXY" * 20


@pytest.fixture
def case(officer, officer2):
    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    PartyFactory(case=case, kind=PartyKind.PERSON, name="王小明", id_number=ID, legal_rep="")
    return case


def _av(case: Any, name: str = "现场检查.mp4", mark: str = "", **over: Any) -> AVRecord:
    key = default_storage.save(f"avrecords/proxy/test-{name}", ContentFile(PROXY))
    data = {"kind": "video", "duration": 125.4, "proves": "现场检查过程", "proxy": key, "confidentiality": mark}
    return AVRecord.objects.create(case=case, filename=name, **{**data, **over})


def _approved_addendum(case: Any, head: Any, archivist: Any) -> Any:
    scan = SimpleUploadedFile("scan.pdf", _pdf("ADDENDUM-SCAN-PAGE"), content_type="application/pdf")
    row = sealing.addendum_request(
        case_id=case.pk, by=archivist, title="送达回证补充", text="补充送达回证。", scan=scan
    )
    sealing.addendum_scan_viewed(addendum=row, by=head)
    return sealing.addendum_decide(addendum_id=row.pk, by=head, approve=True, opinion="同意补充。")


def _av_page(client: Any, req: ConsultationRequest, item: ConsultationItem) -> Any:
    return client.get(reverse("archive:reading_av", args=[req.token, item.pk]), REMOTE_ADDR="10.1.2.3")


def test_candidates_offer_the_cases_av_records_and_its_approved_addenda(case, head, archivist, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    record = _av(case)
    _av(CaseFactory(), "别案.mp4")  # another case's record
    offered = {c.key: c for c in candidates(case)}
    assert [k for k in offered if k.startswith("av:")] == [f"av:{record.pk}"]
    assert offered[f"av:{record.pk}"].title == "音像记录：现场检查.mp4，现场检查过程（时长2分05秒）"
    assert offered[f"av:{record.pk}"].confidentiality == ""
    # A sealed file's approved addendum is offered; one still pending is not (not in the file).
    sealed = sealed_case(head, archivist)
    approved = _approved_addendum(sealed, head, archivist)
    pending = sealing.addendum_request(case_id=sealed.pk, by=archivist, title="待批补充", text="尚未审批。")
    offered = {c.key: c for c in candidates(sealed)}
    assert f"addendum:{approved.pk}" in offered and f"addendum:{pending.pk}" not in offered
    assert offered[f"addendum:{approved.pk}"].title == "归档后补充材料：送达回证补充"


def test_an_av_record_is_requested_approved_and_played_under_a_watermark_logged(
    client, case, officer, archivist, head, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    record = _av(case)
    req = _approve(_request(case, archivist, [record]), head, {record: Treatment(ItemTreatment.FULL)})
    item = req.items.get()
    assert item.av_record == record and item.title.startswith("音像记录：")
    # Exactly one source per item (the constraint, four sources now).
    clip = _add(case, officer, "plain.pdf", _pdf("PLAIN"))
    for sources in ({"av_record": record, "attachment": clip}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ConsultationItem.objects.create(request=req, title="两个来源", **sources)
    client.force_login(archivist)
    room = client.get(reverse("archive:reading_room", args=[req.token]))
    page_url = reverse("archive:reading_av", args=[req.token, item.pk])
    assert page_url in room.content.decode()
    # The PDF link of an AV item leads to its player page.
    old = client.get(reverse("archive:reading_item", args=[req.token, item.pk]))
    assert old.status_code == 302 and old["Location"] == page_url
    # Approval queued the watermarked copy (archive.rendition); until it is made the page says
    # so and the player's URL answers 409, never the record's own copy (第二十九条).
    item.refresh_from_db()
    assert item.rendition_status == "pending" and not item.rendition
    page = _av_page(client, req, item)
    html = page.content.decode()
    media_url = reverse("archive:reading_media", args=[req.token, item.pk])
    assert page.status_code == 200 and "正在生成带水印的查阅副本，请稍后刷新" in html
    assert media_url not in html and "<video" not in html
    for headers in ({}, {"HTTP_RANGE": "bytes=0-3"}):
        resp = client.get(media_url, **headers)
        assert resp.status_code == 409 and PROXY[:4] not in resp.content
    # Nothing was shown: no view is logged yet (test_consultation_rendition logs one).
    assert not ConsultationAccess.objects.filter(request=req).exists()


def test_an_av_record_is_not_redacted(case, archivist, head, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    plain, private = _av(case), _av(case, "询问.mp4", C.PRIVACY)
    req = _request(case, archivist, [plain, private])
    excluded = Treatment(ItemTreatment.EXCLUDED, "涉及他人隐私。")
    with pytest.raises(TransitionError, match="音像记录不能遮蔽提供，请选择“不予提供”或“提供原件”"):
        _approve(req, head, {plain: Treatment(ItemTreatment.REDACTED, "遮蔽人脸"), private: excluded})
    for refused in (Treatment(ItemTreatment.REDACTED, "遮蔽人脸"), Treatment(ItemTreatment.FULL, "可以提供")):
        with pytest.raises(TransitionError, match="涉及个人隐私，音像记录不能遮蔽提供，应不予提供"):
            _approve(req, head, {plain: Treatment(ItemTreatment.FULL), private: refused})
    req = _approve(req, head, {plain: Treatment(ItemTreatment.FULL), private: excluded})
    by_record = {i.av_record_id: i for i in req.items.all()}
    assert by_record[plain.pk].treatment == "full" and by_record[private.pk].reason == "涉及他人隐私。"


def test_a_state_secret_av_record_is_never_provided(client, case, archivist, head, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    plain, secret = _av(case), _av(case, "涉密.mp4", C.STATE_SECRET)
    offered = {c.key: c for c in candidates(case)}
    assert offered[f"av:{secret.pk}"].confidentiality == C.STATE_SECRET
    req = _request(case, archivist, [plain, secret])
    for treatment in (ItemTreatment.FULL, ItemTreatment.REDACTED):
        with pytest.raises(TransitionError, match="涉及国家秘密，不得提供查阅"):
            _approve(req, head, {plain: Treatment(ItemTreatment.FULL), secret: Treatment(treatment, "理由")})
    req = _approve(
        req, head, {plain: Treatment(ItemTreatment.FULL), secret: Treatment(ItemTreatment.EXCLUDED, "国家秘密。")}
    )
    item = req.items.get(av_record=secret)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationItem.objects.filter(pk=item.pk).update(treatment=ItemTreatment.FULL)
    client.force_login(archivist)
    room = client.get(reverse("archive:reading_room", args=[req.token])).content.decode()
    assert "涉密.mp4" not in room
    assert _av_page(client, req, item).status_code == 404
    assert client.get(reverse("archive:reading_media", args=[req.token, item.pk])).status_code == 404
    assert not ConsultationAccess.objects.filter(item=item).exists()


def test_an_approved_addendum_is_shown_as_the_volume_has_it_watermarked(client, head, archivist, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    case = sealed_case(head, archivist)
    addendum = _approved_addendum(case, head, archivist)
    req = _request(case, archivist, [addendum], relation="third_party", requester_name="李律师")
    req = _approve(req, head, {addendum: Treatment(ItemTreatment.FULL)})
    item = req.items.get()
    assert item.addendum == addendum
    client.force_login(archivist)
    resp = client.get(reverse("archive:reading_item", args=[req.token, item.pk]), REMOTE_ADDR="10.1.2.3")
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    text = _text(resp.content)
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert "李律师" in text and today in text  # the watermark
    assert "送达回证补充" in text and "ADDENDUM-SCAN-PAGE" in text  # its page, then its scan
    assert ConsultationAccess.objects.filter(request=req, item=item, viewer=archivist).count() == 1


def test_anyone_else_gets_404_and_an_expired_link_410(client, case, archivist, head, officer, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    record = _av(case)
    req = _approve(_request(case, archivist, [record]), head, {record: Treatment(ItemTreatment.FULL)})
    item = req.items.get()
    urls = [reverse(name, args=[req.token, item.pk]) for name in ("archive:reading_av", "archive:reading_media")]
    for user in (head, officer, UserFactory(roles=[Role.OFFICER])):
        client.force_login(user)
        assert [client.get(u).status_code for u in urls] == [404, 404]
    client.force_login(archivist)
    wrong = reverse("archive:reading_av", args=[req.token[:-1] + ("B" if req.token.endswith("A") else "A"), item.pk])
    assert client.get(wrong).status_code == 404
    assert not ConsultationAccess.objects.exists()
    ConsultationRequest.objects.filter(pk=req.pk).update(
        valid_from=timezone.now() - dt.timedelta(hours=3), valid_until=timezone.now() - dt.timedelta(hours=1)
    )
    assert [client.get(u).status_code for u in urls] == [410, 410]
    assert not ConsultationAccess.objects.exists()


def test_the_decision_page_offers_no_redacted_upload_for_an_av_item(client, case, archivist, head, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    record = _av(case)
    req = _request(case, archivist, [record])
    item = req.items.get()
    client.force_login(head)
    page = client.get(reverse("archive:consult_decide", args=[req.pk])).content.decode()
    assert f'name="t_{item.pk}"' in page and f'name="f_{item.pk}"' not in page
