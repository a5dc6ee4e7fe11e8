"""Pages: inbox, record, Range-served proxy, 第二十六条 form and finalising, integrity
check, custody report; who may see what; the station command; the case checklist."""

import datetime as dt
import hashlib
import io
import os
import re
import stat
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from audit.models import Entry
from avrecords.audit_actions import AuditAction
from avrecords.models import AVRecord, CollectionStation, FixityCheck
from avrecords.services import record_assign, token_digest
from avrecords.storage import originals
from avrecords.tasks import fixity_scan_task
from cases.models import CaseState
from cases.requirements import checklist, missing
from cases.tests.factories import CaseFactory
from cases.tests.pages import section_html

from .conftest import receive, recent

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(officer, media):
    case = CaseFactory(officers=[officer])
    record = receive(media["video"], user=officer, case=case.number, started_at=recent(1.01), ended_at=recent())
    record.refresh_from_db()
    return record


def test_inbox_lists_the_officers_unassigned_records(client, officer, officer2, media):
    record = receive(media["audio"], user=officer, ended_at=recent())
    client.force_login(officer)
    resp = client.get(reverse("avrecords:inbox"))
    assert resp.status_code == 200 and record.filename in resp.content.decode()
    client.force_login(officer2)
    assert record.filename not in client.get(reverse("avrecords:inbox")).content.decode()
    assert client.get(reverse("avrecords:detail", args=[record.pk])).status_code == 404


def test_detail_shows_hash_and_player_and_is_audited(client, officer, video):
    client.force_login(officer)
    html = client.get(reverse("avrecords:detail", args=[video.pk])).content.decode()
    assert video.sha256 in html and "<video" in html and reverse("avrecords:media", args=[video.pk, "proxy"]) in html
    assert Entry.objects.filter(action="av.viewed", object_id=str(video.pk), actor=officer).count() == 1


def test_proxy_is_served_with_byte_ranges(client, officer, video):
    client.force_login(officer)
    url = reverse("avrecords:media", args=[video.pk, "proxy"])
    whole = b"".join(client.get(url).streaming_content)
    resp = client.get(url, HTTP_RANGE="bytes=100-199")
    assert resp.status_code == 206
    assert resp["Content-Range"] == f"bytes 100-199/{len(whole)}" and resp["Accept-Ranges"] == "bytes"
    assert b"".join(resp.streaming_content) == whole[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == whole[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416


def test_opening_pages_that_embed_a_player_logs_no_play(client, officer, video):
    """A reviewer who only opens the case (the player preloads the metadata in ranges) has
    played nothing (issue 11, 8)."""
    client.force_login(officer)
    case_page = section_html(client, video.case, "av")
    # The player loads when opened (issue 17): a poster and a play button carry its data.
    assert 'class="av-lazy"' in case_page and reverse("avrecords:played", args=[video.pk]) in case_page
    assert "<video" not in case_page
    client.get(reverse("avrecords:detail", args=[video.pk]))
    url = reverse("avrecords:media", args=[video.pk, "proxy"])
    for rng in ("bytes=0-", "bytes=0-1", "bytes=100-199"):
        assert client.get(url, HTTP_RANGE=rng).status_code == 206
    assert not Entry.objects.filter(action=AuditAction.PLAYED, object_id=str(video.pk)).exists()
    assert not Entry.objects.filter(action=AuditAction.DOWNLOADED, object_id=str(video.pk)).exists()


def test_a_play_event_logs_one_play_per_viewing(client, officer, video):
    client.force_login(officer)
    url = reverse("avrecords:played", args=[video.pk])
    viewing = "ab" * 16
    first = client.post(url, {"viewing": viewing})
    assert first.status_code == 200 and first.json() == {"logged": True}
    # Pause and resume, replay: the same viewing, nothing more.
    assert client.post(url, {"viewing": viewing}).json() == {"logged": False}
    plays = Entry.objects.filter(action=AuditAction.PLAYED, object_id=str(video.pk))
    assert plays.count() == 1 and plays.get().actor == officer and plays.get().data["viewing"] == viewing
    # Another page view is another play.
    assert client.post(url, {"viewing": "cd" * 16}).json() == {"logged": True}
    assert plays.count() == 2
    bad = client.post(url, {"viewing": "{}"})
    assert bad.status_code == 400 and "播放标识无效" in bad.json()["error"]
    assert client.get(url).status_code == 405
    assert plays.count() == 2


def test_the_play_endpoint_is_csrf_protected_and_hidden_from_outsiders(video, officer, department):
    from django.test import Client

    from accounts.models import Role
    from accounts.tests.factories import DepartmentFactory, UserFactory

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    url = reverse("avrecords:played", args=[video.pk])
    assert strict.post(url, {"viewing": "ab" * 16}).status_code == 403
    outsider = UserFactory(roles=[Role.OFFICER], department=DepartmentFactory(code="OTHER"))
    strict.force_login(outsider)
    assert Client().post(url, {"viewing": "ab" * 16}).status_code == 302  # not signed in
    loose = Client()
    loose.force_login(outsider)
    assert loose.post(url, {"viewing": "ab" * 16}).status_code == 404
    assert not Entry.objects.filter(action=AuditAction.PLAYED).exists()


def test_the_whole_proxy_fetched_without_range_is_a_logged_download(client, officer, video):
    client.force_login(officer)
    b"".join(client.get(reverse("avrecords:media", args=[video.pk, "proxy"])).streaming_content)
    entry = Entry.objects.get(action=AuditAction.DOWNLOADED, object_id=str(video.pk))
    assert entry.actor == officer and entry.data["copy"] == "proxy"
    assert not Entry.objects.filter(action=AuditAction.PLAYED).exists()


def test_outsider_gets_404_for_record_media_and_original(client, video, department):
    from accounts.models import Role
    from accounts.tests.factories import DepartmentFactory, UserFactory

    outsider = UserFactory(roles=[Role.OFFICER], department=DepartmentFactory(code="OTHER"))
    client.force_login(outsider)
    for name, args in [
        ("detail", [video.pk]),
        ("media", [video.pk, "proxy"]),
        ("original", [video.pk]),
        ("custody", [video.pk]),
    ]:
        assert client.get(reverse(f"avrecords:{name}", args=args)).status_code == 404


def test_original_download_streams_the_stored_bytes_and_is_audited(client, officer, video, media):
    client.force_login(officer)
    resp = client.get(reverse("avrecords:original", args=[video.pk]))
    assert b"".join(resp.streaming_content) == media["video"].read_bytes()
    assert "filename*=UTF-8''" in resp["Content-Disposition"]
    assert Entry.objects.filter(action="av.downloaded", object_id=str(video.pk)).exists()


def test_every_file_response_is_sandboxed(client, officer, video):
    client.force_login(officer)
    urls = [
        reverse("avrecords:original", args=[video.pk]),
        reverse("avrecords:media", args=[video.pk, "proxy"]),
        reverse("avrecords:media", args=[video.pk, "poster"]),
        reverse("avrecords:custody", args=[video.pk]),
    ]
    for url in urls:
        for headers in ({}, {"HTTP_RANGE": "bytes=0-9"}):
            resp = client.get(url, **headers)
            assert resp.status_code in (200, 206), url
            assert resp["Content-Security-Policy"] == "sandbox; default-src 'none'", url
            assert resp["X-Content-Type-Options"] == "nosniff", url


def test_finalise_needs_the_article_26_fields(client, officer, video):
    client.force_login(officer)
    url = reverse("avrecords:finalise", args=[video.pk])
    client.post(url)
    video.refresh_from_db()
    assert video.finalised_at is None  # no method, what it proves, content points yet
    resp = client.post(
        reverse("avrecords:describe", args=[video.pk]),
        {
            "method": "执法记录仪现场录制",
            "made_at": "2026-11-27T09:00",
            "maker": officer.pk,
            "proves": "证明当事人在现场拒绝提供申报材料原件",
            "content_points": ["scene", "persons", "evidence"],
            "confidentiality": "",
        },
    )
    assert resp.status_code == 302
    entry = Entry.objects.filter(action="av.described", object_id=str(video.pk)).get()
    assert entry.data["changes"]["proves"]["new"].startswith("证明当事人")
    client.post(url)
    video.refresh_from_db()
    assert video.finalised_at is not None and video.content_points == ["scene", "persons", "evidence"]
    # A finalised record is not edited any more.
    client.post(reverse("avrecords:describe", args=[video.pk]), {"proves": "改动", "content_points": ["scene"]})
    video.refresh_from_db()
    assert video.proves.startswith("证明当事人")


def test_audio_cannot_be_finalised_without_a_transcript(client, officer, media):
    from avrecords.services import AVError, record_describe, record_finalise

    case = CaseFactory(officers=[officer])
    record = receive(media["audio"], user=officer, case=case.number, ended_at=recent())
    record_describe(record_id=record.pk, by=officer, method="录音笔", proves="询问内容", content_points=["persons"])
    with pytest.raises(AVError, match="声音资料的文字记录"):
        record_finalise(record_id=record.pk, by=officer)
    record_describe(record_id=record.pk, by=officer, transcript="问：你是否为该公司法定代表人？答：是。")
    assert record_finalise(record_id=record.pk, by=officer).finalised_at


def test_verify_integrity_recomputes_from_storage_and_alerts_on_tampering(client, officer, video, settings):
    settings.ADMINS = [("admin", "admin@example.org")]
    client.force_login(officer)
    client.post(reverse("avrecords:verify", args=[video.pk]))
    check = FixityCheck.objects.get()
    assert check.ok and check.computed == video.sha256 and check.by == officer

    # Someone with shell access alters the read-only file behind the app's back.
    path = originals().path(video.original_key)
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"X")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("avrecords:verify", args=[video.pk]))
    bad = FixityCheck.objects.order_by("-pk").first()
    assert not bad.ok and bad.computed != video.sha256
    video.refresh_from_db()
    assert video.fixity_ok is False
    assert mail.outbox and "完整性" in mail.outbox[0].subject
    html = client.get(reverse("avrecords:detail", args=[video.pk])).content.decode()
    assert "不一致" in html


def test_the_fixity_check_records_the_originals_sm3_from_the_same_read_once(officer, video):
    """The archive export writes the SM3 recorded here instead of reading the original for it."""
    from avrecords.services import record_sm3, record_verify

    data = open(originals().path(video.original_key), "rb").read()  # noqa: SIM115
    assert video.sm3 == ""
    assert record_verify(record_id=video.pk).ok
    video.refresh_from_db()
    assert video.sm3 == hashlib.new("sm3", data).hexdigest()
    entry = Entry.objects.get(action=AuditAction.SM3_RECORDED, object_id=str(video.pk))
    assert entry.data["sm3"] == video.sm3 and entry.data["sha256"] == video.sha256
    # Recorded once: another value offered for the same SHA-256 is not taken.
    assert not record_sm3(record_id=video.pk, sha256=video.sha256, sm3="0" * 64)
    video.refresh_from_db()
    assert video.sm3 == hashlib.new("sm3", data).hexdigest()


def test_no_sm3_is_recorded_for_bytes_that_are_not_the_recorded_ones(officer, video):
    from avrecords.services import record_sm3, record_verify

    path = originals().path(video.original_key)
    os.chmod(path, stat.S_IWUSR | stat.S_IRUSR)
    with open(path, "r+b") as fh:
        fh.seek(100)
        fh.write(b"X")
    data = open(path, "rb").read()  # noqa: SIM115
    assert not record_verify(record_id=video.pk).ok
    sha, sm3 = hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest()
    assert not record_sm3(record_id=video.pk, sha256=sha, sm3=sm3)
    video.refresh_from_db()
    assert video.sm3 == "" and not Entry.objects.filter(action=AuditAction.SM3_RECORDED).exists()
    with pytest.raises(ValueError):
        record_sm3(record_id=video.pk, sha256=video.sha256, sm3="not hex")


def test_fixity_scan_checks_the_longest_unchecked_first_in_batches(officer, media):
    a = receive(media["audio"], user=officer, ended_at=recent())
    b = receive(media["photo"], user=officer, ended_at=recent())
    c = receive(media["video"], user=officer, ended_at=recent())
    assert fixity_scan_task(batch=2) == 0
    checked = set(FixityCheck.objects.values_list("record_id", flat=True))
    assert checked == {a.pk, b.pk}
    fixity_scan_task(batch=2)
    # c had never been checked: it goes first, then the oldest of a and b.
    order = list(FixityCheck.objects.order_by("pk").values_list("record_id", flat=True))
    assert order[2] == c.pk and order[3] == a.pk


def test_custody_report_lists_the_records_history(client, officer, video):
    client.force_login(officer)
    client.get(reverse("avrecords:detail", args=[video.pk]))
    resp = client.get(reverse("avrecords:custody", args=[video.pk]))
    assert resp["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.content)).pages)
    for words in (
        "保管链报告",
        AuditAction.RECEIVED.label,
        AuditAction.STORED.label,
        AuditAction.VIEWED.label,
        video.sha256[:16],
    ):
        assert words in text.replace("\n", "")


def test_custody_report_is_a_chinese_table_in_local_time_naming_people_by_certificate(client, officer, video):
    """Issue 11 (8): no stored JSON, no English keys, no UTC times; the actor by name and 执法证号."""
    from avrecords.reports import custody_entries
    from avrecords.services import record_describe

    client.force_login(officer)
    client.post(reverse("avrecords:played", args=[video.pk]), {"viewing": "ef" * 16})
    record_describe(record_id=video.pk, by=officer, method="执法记录仪现场录制", maker=officer, proves="证明现场情况")
    resp = client.get(reverse("avrecords:custody", args=[video.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.content)).pages)
    flat = text.replace("\n", "")
    assert "{" not in text and "}" not in text and '":' not in text
    # No English key labels a value ("sha256:", "new_object：" …); values such as the storage key may be ASCII.
    assert not re.search(r"[a-z_]{3,}\s*[：:]", flat), re.search(r".{40}[a-z_]{3,}\s*[：:].{20}", flat)
    for key in ("declared_sha256", "matches_declared", "new_object", "viewing", "changes", "content_points"):
        assert key not in flat, key
    entries = custody_entries(video)
    played = next(e for e in entries if e.action == AuditAction.PLAYED)
    local = timezone.localtime(played.created_at, ZoneInfo("Asia/Shanghai"))
    bare = re.sub(r"\s", "", text)  # a cell may wrap between date and time
    assert local.strftime("%Y-%m-%d%H:%M:%S") in bare
    utc = played.created_at.astimezone(dt.UTC)
    if utc.hour != local.hour:  # always: Shanghai is UTC+8
        assert utc.strftime("%Y-%m-%d%H:%M:%S") not in bare
    assert f"张伟（执法证号 {officer.cert_no}）" in flat and "officer1" not in flat
    for words in (
        "播放音像记录",
        "填写音像记录说明",
        "制作方法：",
        "证明对象：",
        "原件 SHA-256：",
        "第 1 页",
        "北京时间",
    ):
        assert words in flat, words


def test_assign_from_inbox_to_a_case_is_audited_and_checked(client, officer, officer2, media):
    record = receive(media["audio"], user=officer, ended_at=recent())
    case = CaseFactory(officers=[officer])
    client.force_login(officer)
    client.post(reverse("avrecords:assign", args=[record.pk]), {"case": case.pk})
    record.refresh_from_db()
    assert record.case == case
    assert Entry.objects.filter(action="av.assigned", case_id=case.pk).exists()


def test_create_station_prints_the_token_once_and_stores_its_hash():
    out = StringIO()
    call_command("create_station", "三号采集站", "--location", "执法一科值班室", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    station = CollectionStation.objects.get()
    assert len(token) >= 40 and station.token_hash == token_digest(token) and token not in station.token_hash
    assert station.token_prefix == token[:8]


def test_case_checklist_requires_article_26_and_27(officer, media):
    case = CaseFactory(officers=[officer])
    codes = {i.requirement.code: i.status for i in checklist(case)}
    assert codes["av.described"] == "na" and codes["av.stored"] == "na"
    record = receive(media["audio"], user=officer, ended_at=recent())
    record_assign(record_id=record.pk, case=case, by=officer)
    labels = {r.code for r in missing(case, CaseState.INVESTIGATING)}
    assert {"av.described", "av.transcript"} <= labels and "av.stored" not in labels
    AVRecord.objects.filter(pk=record.pk).update(late=True)
    assert "av.stored" in {r.code for r in missing(case, CaseState.INVESTIGATING)}


def test_case_page_panel_offers_the_upload_to_the_officer(client, officer, video):
    client.force_login(officer)
    html = client.get(reverse("avrecords:case", args=[video.case_id])).content.decode()
    assert "tus-js-client-4.3.1.min.js" in html and 'data-endpoint="/api/v1/uploads/"' in html
    assert video.sha256 in html


def test_unknown_recorder_shows_in_the_admin_inbox_and_admin_hands_it_over(client, admin_user, officer, media):
    from avrecords.services import station_create

    station, _ = station_create(name="四号采集站")
    known = receive(media["audio"], station=station, recorder="LOST-7", officer=officer.cert_no, ended_at=recent())
    nobody = receive(media["photo"], station=station, recorder="LOST-8", ended_at=recent())
    client.force_login(admin_user)
    html = client.get(reverse("avrecords:inbox")).content.decode()
    assert "待分派" in html and known.filename in html and nobody.filename in html
    client.post(reverse("avrecords:set_owner", args=[nobody.pk]), {"owner": officer.pk})
    nobody.refresh_from_db()
    assert nobody.owner == officer
    assert Entry.objects.filter(action="av.owner_set", object_id=str(nobody.pk)).exists()
    client.force_login(officer)
    assert nobody.filename in client.get(reverse("avrecords:inbox")).content.decode()


def test_admin_adds_a_station_and_sees_its_token_once(client, admin_user):
    client.force_login(admin_user)
    resp = client.post(
        "/admin/avrecords/collectionstation/add/",
        {"name": "六号采集站", "location": "二楼", "active": "on"},
        follow=True,
    )
    assert resp.status_code == 200
    station = CollectionStation.objects.get(name="六号采集站")
    shown = [str(m) for m in resp.context["messages"] if "令牌" in str(m)]
    token = shown[0].rsplit("：", 1)[1]
    assert station.token_hash == token_digest(token)
    assert token not in client.get(f"/admin/avrecords/collectionstation/{station.pk}/change/").content.decode()


def test_case_page_panel_is_registered(rf, officer, video):
    from cases.panels import panels_for

    request = rf.get("/")
    request.user = officer
    panel = next(p for p in panels_for(video.case, officer, request) if p["key"] == "avrecords")
    assert panel["context"]["av_records"] == [video] and panel["context"]["av_can_upload"]
    from django.template.loader import render_to_string

    html = render_to_string(panel["template"], panel["context"], request=request)
    # No <video> until opened: the proxy's URL waits in the play box's data.
    assert "<video" not in html and video.sha256 in html
    assert f'data-src="{reverse("avrecords:media", args=[video.pk, "proxy"])}"' in html


def test_big_original_is_verified_by_a_task(client, officer, video, monkeypatch):
    from avrecords import views

    monkeypatch.setattr(views, "VERIFY_INLINE_MAX", 1024)  # the 25 KB video counts as big here
    client.force_login(officer)
    resp = client.post(reverse("avrecords:verify", args=[video.pk]), follow=True)
    assert "已提交后台核验" in resp.content.decode()
    check = FixityCheck.objects.get()  # eager here: the task has run
    assert check.ok and check.by == officer


def test_a_bad_article_26_form_comes_back_as_typed_with_the_error_in_place(client, officer, video):
    """Issue 11, defect 6: bad input renders the record page again (400), nothing typed lost."""
    import re
    from datetime import timedelta

    from django.utils import timezone

    client.force_login(officer)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    resp = client.post(
        reverse("avrecords:describe", args=[video.pk]),
        {"method": "执法记录仪现场录制", "made_at": later, "maker": officer.pk, "proves": "证明当事人拒绝检查"},
    )
    assert resp.status_code == 400
    form = re.search(r'<form[^>]*id="av-describe".*?</form>', resp.content.decode(), re.S)
    assert form
    assert 'value="执法记录仪现场录制"' in form.group(0) and "证明当事人拒绝检查</textarea>" in form.group(0)
    assert "errorlist" in form.group(0) and "不能晚于当前时间" in form.group(0)
    video.refresh_from_db()
    assert video.proves == ""
