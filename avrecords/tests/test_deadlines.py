"""第二十七条: 2 working days from the end of a recording to dedicated storage, through the
deadlines engine, around the 2026 National Day holiday (1–7 Oct; 8 and 9 Oct are working
days)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audit.models import Entry
from avrecords.models import ExpectedRecord
from avrecords.selectors import expected_overdue
from avrecords.services import (
    AVError,
    expected_record_fulfil,
    expected_record_sync,
    finalise_missing,
    record_assign,
    record_describe,
    record_explain_late,
    record_finalise,
)
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline, DeadlineKind, Notification
from deadlines.services import deadlines_scan

from .conftest import receive

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _describe_fully(record, officer):
    record_describe(
        record_id=record.pk,
        by=officer,
        method="执法记录仪现场录音",
        proves="证明当事人拒绝检查",
        content_points=["scene", "persons"],
    )


def test_due_skips_the_national_day_holiday(officer, media):
    # Recorded on the last working day before the holiday: day 1 is 8 Oct, day 2 is 9 Oct.
    record = receive(media["audio"], user=officer, ended_at="2026-09-30T18:00:00+08:00")
    record.refresh_from_db()
    deadline = Deadline.objects.get(kind=DeadlineKind.AV_STORAGE, object_id=record.pk)
    assert deadline.article == "第二十七条" and deadline.working_days == 2
    assert record.store_due_at == deadline.due == dt.datetime(2026, 10, 9, 23, 59, 59, 999999, tzinfo=SH)
    assert deadline.met_at == record.stored_at  # met when the original was stored
    assert list(deadline.responsible.all()) == [officer]


def test_late_record_is_flagged_and_needs_a_written_reason(officer, media):
    case = CaseFactory(officers=[officer])
    record = receive(media["audio"], user=officer, case=case.number, ended_at="2026-09-30T18:00:00+08:00")
    record.refresh_from_db()
    assert record.late  # stored today, weeks after 9 Oct
    assert Entry.objects.get(action="av.stored", object_id=str(record.pk)).data["late"] is True
    _describe_fully(record, officer)
    record.refresh_from_db()
    record_describe(record_id=record.pk, by=officer, transcript="执法人员：请出示营业执照。")
    record.refresh_from_db()
    assert finalise_missing(record) == ["第二十七条：逾期存储，须书面说明原因"]
    with pytest.raises(AVError, match="逾期存储"):
        record_finalise(record_id=record.pk, by=officer)

    record_explain_late(record_id=record.pk, by=officer, reason="国庆假期后采集站故障，10月12日修复后上传。")
    record_finalise(record_id=record.pk, by=officer)
    record.refresh_from_db()
    assert record.finalised_at and record.late_reason.startswith("国庆")


def test_record_stored_within_two_working_days_is_on_time(officer, media):
    from django.utils import timezone

    record = receive(media["audio"], user=officer, ended_at=(timezone.now() - dt.timedelta(hours=1)).isoformat())
    record.refresh_from_db()
    assert not record.late and record.stored_at <= record.store_due_at
    with pytest.raises(AVError, match="未逾期"):
        record_explain_late(record_id=record.pk, by=officer, reason="无")


def test_expected_record_has_its_own_deadline_and_the_scan_escalates_it(officer, head):
    case = CaseFactory(officers=[officer])
    # records/ says: an on-site inspection "with audio-video recording" ended at 16:00 on 30 Sep.
    source = case  # any model instance stands for the written record here
    expected = expected_record_sync(
        source=source,
        case=case,
        made=True,
        officer=officer,
        label="现场检查同步录像",
        ended_at=dt.datetime(2026, 9, 30, 16, 0, tzinfo=SH),
    )
    assert expected_record_sync(source=source, case=case, made=True, ended_at=expected.ended_at) == expected
    deadline = Deadline.objects.get(kind=DeadlineKind.AV_EXPECTED, object_id=expected.pk)
    assert deadline.due == dt.datetime(2026, 10, 9, 23, 59, 59, 999999, tzinfo=SH)

    assert list(expected_overdue(dt.datetime(2026, 10, 9, 12, 0, tzinfo=SH))) == []
    assert list(expected_overdue(dt.datetime(2026, 10, 10, 9, 0, tzinfo=SH))) == [expected]
    result = deadlines_scan(now=dt.datetime(2026, 10, 10, 9, 0, tzinfo=SH))
    assert result["escalated"] >= 1
    texts = dict(Notification.objects.filter(deadline=deadline).values_list("user__username", "text"))
    assert texts[officer.username].startswith("【已逾期】") and texts[head.username].startswith("【逾期督办】")
    assert all("应到音像记录：现场检查同步录像" in t for t in texts.values())


def test_expected_record_is_met_when_a_covering_recording_is_assigned(officer, media):
    case = CaseFactory(officers=[officer])
    expected = expected_record_sync(
        source=case,
        case=case,
        made=True,
        officer=officer,
        label="现场检查同步录像",
        ended_at=dt.datetime(2026, 11, 20, 16, 30, tzinfo=SH),
    )
    record = receive(
        media["video"], user=officer, started_at="2026-11-20T16:00:00+08:00", ended_at="2026-11-20T16:31:00+08:00"
    )
    record_assign(record_id=record.pk, case=case, by=officer)
    expected.refresh_from_db()
    assert expected.record == record and expected.fulfilled_at is not None
    assert Deadline.objects.get(kind=DeadlineKind.AV_EXPECTED, object_id=expected.pk).met_at is not None
    with pytest.raises(AVError):
        expected_record_fulfil(expected_id=expected.pk, record_id=record.pk, by=officer)


def test_withdrawn_expectation_closes_its_deadline(officer):
    case = CaseFactory(officers=[officer])
    expected = expected_record_sync(source=case, case=case, made=True, ended_at=dt.datetime(2026, 11, 20, tzinfo=SH))
    expected_record_sync(source=case, case=case, made=False)
    expected.refresh_from_db()
    assert expected.withdrawn_at is not None
    assert Deadline.objects.get(kind=DeadlineKind.AV_EXPECTED, object_id=expected.pk).met_at is not None
    assert ExpectedRecord.objects.count() == 1


def test_finalised_inspection_with_av_expects_the_recording(officer, officer2):
    from records.models import RecordKind
    from records.tests.factories import make_record

    case = CaseFactory(officers=[officer, officer2])
    draft = make_record(RecordKind.INSPECTION, case=case)
    assert not ExpectedRecord.objects.exists()  # a draft may still change
    final = make_record(RecordKind.INSPECTION, case=case, finalise=True)
    expected = ExpectedRecord.objects.get()
    assert expected.case == case and expected.source_id == str(final.pk) and expected.ended_at == final.ended_at
    assert Deadline.objects.filter(kind=DeadlineKind.AV_EXPECTED, object_id=expected.pk, met_at__isnull=True).exists()
    assert draft.pk != final.pk


def test_recording_sent_with_its_case_number_meets_the_expectation(officer):
    from avrecords.models import Recorder
    from avrecords.services import station_create

    case = CaseFactory(officers=[officer])
    expected = expected_record_sync(
        source=case, case=case, made=True, officer=officer, ended_at=dt.datetime(2026, 11, 20, 16, 30, tzinfo=SH)
    )
    Recorder.objects.create(serial="DSJ-7", officer=officer)
    station, _ = station_create(name="五号采集站")
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.bin"
        path.write_bytes(b"\x00" * 100)
        record = receive(
            path,
            station=station,
            recorder="DSJ-7",
            case=case.number,
            started_at="2026-11-20T16:00:00+08:00",
            ended_at="2026-11-20T16:30:05+08:00",
        )
    expected.refresh_from_db()
    assert expected.record == record and not expected.is_open
