"""In the browser: an officer uploads a video on the case page (vendored tus-js-client),
sees it processed, plays and seeks it (HTTP Range), and fills in 第二十六条."""

import datetime as dt

import pytest

from avrecords.models import AVRecord, AVRecordStatus
from cases.panels import section_url
from cases.tests.factories import CaseFactory

from .conftest import recent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_uploads_plays_and_describes_a_video(login, officer, live_server, media):
    case = CaseFactory(officers=[officer])
    page = login(officer)
    page.goto(f"{live_server.url}{section_url(case.pk, 'av')}")  # the case page's 音像记录 section
    page.set_input_files("#av-file", str(media["video"]))
    # An hour ago, Beijing time as the officer types it: on time for 第二十七条 on any day.
    ended = dt.datetime.fromisoformat(recent())
    page.fill("#av-ended", ended.strftime("%Y-%m-%dT%H:%M:%S"))
    page.click("#av-start")
    # Upload, ingest (eager here), reload: the record shows up, ready to play.
    page.wait_for_selector(".av-record [data-status=ready]", timeout=60_000)
    record = AVRecord.objects.get()
    assert record.case == case and record.uploaded_by == officer and record.status == AVRecordStatus.READY
    assert record.ended_at == ended
    assert record.sha256 in page.content()

    # The player loads when opened: a poster and a play button until clicked (issue 17).
    assert page.locator("video").count() == 0
    page.click(f".av-record[data-record='{record.pk}'] .av-play")
    page.wait_for_selector("video.av-player")
    # Play and seek: the browser fetches the proxy in ranges.
    seeked = page.evaluate("""() => new Promise((resolve, reject) => {
        const v = document.querySelector('video.av-player');
        v.muted = true;
        v.addEventListener('error', () => reject(new Error('media error ' + (v.error && v.error.code))));
        v.addEventListener('seeked', () => resolve(v.currentTime), {once: true});
        const go = () => { v.currentTime = 0.6; };
        if (v.readyState >= 1) { go(); } else { v.addEventListener('loadedmetadata', go, {once: true}); v.load(); }
    })""")
    assert seeked == pytest.approx(0.6, abs=0.15)

    page.click(f"a[href='/av/{record.pk}/']")
    page.fill("#id_method", "执法记录仪现场录制")
    page.fill("#id_proves", "证明执法人员依法出示证件并告知检查事项")
    page.check("input[name=content_points][value=scene]")
    page.check("input[name=content_points][value=delivery]")
    page.click("#av-describe button[type=submit]")
    page.click("#av-finalise")
    page.wait_for_selector("text=音像记录已定稿")
    record.refresh_from_db()
    assert record.finalised_at and record.finalised_by == officer
    assert record.content_points == ["scene", "delivery"]


def test_a_reviewer_who_opens_the_case_has_played_nothing_until_playback_starts(login, officer, live_server, media):
    """Issue 11 (8): opening the page logs no play (issue 17: the player is not even created
    until its play button is clicked); starting playback logs one play; pausing and resuming
    in the same viewing logs nothing more."""
    from audit.models import Entry
    from avrecords.audit_actions import AuditAction

    from .conftest import receive

    case = CaseFactory(officers=[officer])
    record = receive(media["video"], user=officer, case=case.number, ended_at=recent())
    plays = Entry.objects.filter(action=AuditAction.PLAYED, object_id=str(record.pk))
    page = login(officer)
    page.goto(f"{live_server.url}{section_url(case.pk, 'av')}")
    # Opening the section shows a poster and a play button: no player, no media fetched, no play.
    page.wait_for_load_state("networkidle")
    assert page.locator("video").count() == 0 and page.locator(".av-lazy .av-poster").count() == 1
    assert plays.count() == 0

    # Opening the player starts playback: one play logged.
    page.click(".av-lazy .av-play")
    page.wait_for_selector("video.av-player[data-played=logged]")
    assert plays.count() == 1 and plays.get().actor == officer
    page.evaluate("""async () => {
        const v = document.querySelector('video.av-player');
        v.pause(); v.currentTime = 0; await v.play();
    }""")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert plays.count() == 1
