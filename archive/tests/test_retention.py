"""AV originals' storage retention follows the case file's (issue 16 item 1): on 已结案 / 已归档
each original of the case is locked as long as ARCHIVE_RETENTION says (Y, D30, D10), never
shortened, recorded and audited; on S3 with Object Lock (a real SeaweedFS on loopback, as the
avrecords storage tests), locally in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from audit.models import Entry
from avrecords.models import AVRecord
from avrecords.retention import case_file_retention, case_originals_retain, original_retention_extend
from avrecords.storage import original_put
from avrecords.tests.conftest import _fresh_originals, s3_originals, seaweedfs  # noqa: F401 (fixtures)
from cases.models import Case, CaseKind, CaseState
from cases.signals import case_transitioned
from cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db
S = CaseState


def local(y: int, m: int = 1, d: int = 1) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d))


def concluded_case(kind: str = CaseKind.PENALTY, when: dt.datetime | None = None) -> Case:
    case: Case = CaseFactory.create(kind=kind, state=S.CONCLUDED, concluded_at=when or local(2026, 5, 1))
    return case


def stored_record(case: Case, tmp_path: Path, content: bytes) -> AVRecord:
    path = tmp_path / f"{hashlib.md5(content).hexdigest()}.bin"
    path.write_bytes(content)
    digest = hashlib.sha256(content).hexdigest()
    key, version, _ = original_put(path, digest)
    return AVRecord.objects.create(
        case=case,
        sha256=digest,
        size=len(content),
        original_key=key,
        original_version=version,
        stored_at=timezone.now(),
    )


def test_case_file_retention_per_kind_from_the_year_after_conclusion(settings):
    settings.ARCHIVE_RETENTION = {"penalty": "D30", "licensing": "D10"}
    assert case_file_retention(concluded_case()) == (local(2057), False)
    # Concluded on 31 December (local time): the period starts on the next 1 January.
    late = concluded_case(CaseKind.LICENSING, timezone.make_aware(dt.datetime(2026, 12, 31, 23, 30)))
    assert case_file_retention(late) == (local(2037), False)
    settings.ARCHIVE_RETENTION = {"penalty": "Y", "licensing": "D10"}
    settings.ORIGINALS_PERMANENT_LOCK_YEARS = 100
    assert case_file_retention(concluded_case()) == (local(2127), True)
    settings.ARCHIVE_RETENTION = {"penalty": "D5"}
    with pytest.raises(ImproperlyConfigured):
        case_file_retention(concluded_case())


def test_local_originals_retention_recorded_extended_never_shortened_audited(tmp_path, head):
    case = concluded_case()
    record = stored_record(case, tmp_path, b"local recording")
    no_original = AVRecord.objects.create(case=case)  # nothing stored yet: nothing to lock
    assert case_originals_retain(case_id=case.pk, by=head) == 1
    record.refresh_from_db()
    assert (record.retain_until, record.retain_permanent) == (local(2057), False)
    entry = Entry.objects.get(action="av.retention_extended")
    assert entry.case_id == case.pk and entry.actor_id == head.pk and entry.object_id == str(record.pk)
    assert entry.data["storage"] == "local" and entry.data["retain_until"] == local(2057).isoformat()
    # Again: nothing grows, nothing is written.
    assert case_originals_retain(case_id=case.pk) == 0
    # A shorter period (another case sharing the bytes, a changed setting) never shortens it.
    assert not original_retention_extend(record_id=record.pk, until=local(2040), permanent=False)
    record.refresh_from_db()
    assert record.retain_until == local(2057)
    assert Entry.objects.filter(action="av.retention_extended").count() == 1
    no_original.refresh_from_db()
    assert no_original.retain_until is None


def test_concluding_a_case_extends_its_originals_after_commit(tmp_path, head, django_capture_on_commit_callbacks):
    """Through the real 结案 action (delivery.conclusion.conclude → case_transitioned)."""
    from delivery import conclusion
    from delivery.models import Ending
    from delivery.tests.execution_helpers import WARNING_ONLY, served_case

    case = served_case(head, **WARNING_ONLY)
    record = stored_record(case, tmp_path, b"recorded at the scene")
    with django_capture_on_commit_callbacks(execute=True):
        conclusion.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    case.refresh_from_db()
    record.refresh_from_db()
    assert case.state == S.CONCLUDED
    assert record.retain_until == case_file_retention(case)[0]
    assert Entry.objects.get(action="av.retention_extended").actor_id == head.pk


def test_sealing_transition_extends_too_and_other_transitions_do_not(tmp_path, django_capture_on_commit_callbacks):
    case = concluded_case()
    record = stored_record(case, tmp_path, b"sealed with the file")
    with django_capture_on_commit_callbacks(execute=True):
        case_transitioned.send(sender=Case, case=case, from_state=S.DELIVERED, to_state=S.EXECUTING, by=None)
    record.refresh_from_db()
    assert record.retain_until is None
    with django_capture_on_commit_callbacks(execute=True):
        case_transitioned.send(sender=Case, case=case, from_state=S.CONCLUDED, to_state=S.ARCHIVED, by=None)
    record.refresh_from_db()
    assert record.retain_until == local(2057)


def test_s3_originals_get_compliance_retention_of_the_case_file_never_shortened(s3_originals, seaweedfs, tmp_path):
    bucket = seaweedfs["bucket"]
    case = concluded_case()
    record = stored_record(case, tmp_path, b"S3 recording " + str(timezone.now()).encode())
    before = s3_originals.get_object_retention(
        Bucket=bucket, Key=record.original_key, VersionId=record.original_version
    )
    assert before["Retention"]["RetainUntilDate"] < local(2027, 12, 31)  # the 183 days of storing
    assert case_originals_retain(case_id=case.pk) == 1
    got = s3_originals.get_object_retention(Bucket=bucket, Key=record.original_key, VersionId=record.original_version)
    assert got["Retention"]["Mode"] == "COMPLIANCE" and got["Retention"]["RetainUntilDate"] == local(2057)
    assert Entry.objects.get(action="av.retention_extended").data["storage"] == "s3"
    # The same bytes on a D10 case: the object keeps its longer lock, and so does the record.
    other = concluded_case(CaseKind.LICENSING)
    twin = AVRecord.objects.create(
        case=other,
        sha256=record.sha256,
        size=record.size,
        original_key=record.original_key,
        original_version=record.original_version,
        stored_at=timezone.now(),
    )
    assert case_originals_retain(case_id=other.pk) == 1
    twin.refresh_from_db()
    assert twin.retain_until == local(2037)  # the record notes its case file's need ...
    got = s3_originals.get_object_retention(Bucket=bucket, Key=record.original_key, VersionId=record.original_version)
    assert got["Retention"]["RetainUntilDate"] == local(2057)  # ... the object is not shortened


def test_s3_permanent_files_get_a_legal_hold(s3_originals, seaweedfs, tmp_path, settings):
    settings.ARCHIVE_RETENTION = {"penalty": "Y", "licensing": "D10"}
    case = concluded_case()
    record = stored_record(case, tmp_path, b"permanent " + str(timezone.now()).encode())
    assert case_originals_retain(case_id=case.pk) == 1
    params = {"Bucket": seaweedfs["bucket"], "Key": record.original_key, "VersionId": record.original_version}
    assert s3_originals.get_object_legal_hold(**params)["LegalHold"]["Status"] == "ON"
    until = local(2027 + settings.ORIGINALS_PERMANENT_LOCK_YEARS)
    assert s3_originals.get_object_retention(**params)["Retention"]["RetainUntilDate"] == until
    record.refresh_from_db()
    assert record.retain_permanent and record.retain_until == until
