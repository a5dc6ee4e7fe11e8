"""What stations send that the tus spec allows, or that is simply odd (issue 13, items 2, 3,
5, 6): metadata of arbitrary bytes, long values, numbers, archived cases, recording times.
Nothing is refused for its metadata, nothing answers 500, every value reaches the record."""

import base64
import datetime as dt
import hashlib

import pytest
import requests
from django.test import Client
from django.utils import timezone

from audit.models import Entry
from avrecords.models import AVRecord, Upload, UploadState
from avrecords.services import AVError, record_assign, upload_create
from avrecords.storage import staging_path
from avrecords.tests.test_tus import TUS, _patch, station  # noqa: F401 - station is a fixture
from avrecords.tusmeta import RAW_KEY
from cases.models import CaseState
from cases.tests.factories import CaseFactory
from deadlines.models import Deadline

from .conftest import receive


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _post(endpoint: str, token: str, length: int, metadata: str) -> requests.Response:
    return requests.post(
        endpoint,
        headers={**TUS, "Authorization": f"Token {token}", "Upload-Length": str(length), "Upload-Metadata": metadata},
    )


@pytest.mark.django_db(transaction=True)
def test_binary_gbk_and_unpadded_metadata_reach_the_record_escaped_and_exact(live_server, station):
    endpoint = f"{live_server.url}/api/v1/uploads/"
    gbk = "执法现场录像.mp4".encode("gbk")
    digest = hashlib.sha256(b"x").digest()  # a station sending the raw digest, not hex
    metadata = ",".join(
        [
            f"filename {_b64(gbk)}",
            f"sha256 {_b64(digest)}",
            f"recorder {_b64(b'DSJ-9').rstrip('=')}",  # unpadded base64
            "officer " + _b64(b"3713\x00002019"),  # a NUL byte
            "note not base64!",  # not base64 at all
        ]
    )
    resp = _post(endpoint, station.token, 10, metadata)
    assert resp.status_code == 201, resp.text
    url = resp.headers["Location"]
    # HEAD gives back every value as it was sent.
    head = requests.head(url, headers={**TUS, "Authorization": f"Token {station.token}"})
    sent = dict(pair.split(" ", 1) for pair in metadata.split(","))
    returned = dict(pair.split(" ", 1) for pair in head.headers["Upload-Metadata"].split(","))
    assert returned["filename"] == sent["filename"] and returned["sha256"] == sent["sha256"]
    assert base64.b64decode(returned["recorder"]) == b"DSJ-9"

    assert _patch(url, station.token, b"0123456789", 0).status_code == 204
    record = AVRecord.objects.get()
    # Shown escaped, kept exactly (the raw base64 in the record's metadata).
    assert record.filename == "".join(f"\\x{b:02x}" for b in gbk[:-4]) + ".mp4"
    assert base64.b64decode(record.metadata[RAW_KEY]["filename"]) == gbk
    assert base64.b64decode(record.metadata[RAW_KEY]["sha256"]) == digest
    assert record.recorder_serial == "DSJ-9"
    assert record.metadata["officer"] == "3713\\x00002019"
    assert record.metadata["note"] == "not base64!"
    codes = {p["code"]: p["reason"] for p in record.problems}
    assert "执法现场录像.mp4" in codes["filename_encoding"]  # how GBK reads, for the officer
    assert "bad_sha256" in codes and "unknown_officer" in codes


@pytest.mark.django_db(transaction=True)
def test_long_metadata_is_cut_to_each_column_and_kept_whole(live_server, station):
    """A 300-character file name once crashed the 200-character deadline label: the PATCH
    answered 500 on every retry and the upload hung in "receiving"."""
    endpoint = f"{live_server.url}/api/v1/uploads/"
    name = "现场" * 150 + ".mp4"
    long = {
        "filename": name,
        "recorder": "R" * 300,
        "officer": "9" * 300,
        "case": "案" * 300,
        "sha256": "f" * 300,
        "started_at": "2" * 300,
        "ended_at": "2026-11-27T09:00:01+08:00",
    }
    metadata = ",".join(f"{k} {_b64(v.encode())}" for k, v in long.items())
    url = _post(endpoint, station.token, 4, metadata).headers["Location"]
    assert _patch(url, station.token, b"0123", 0).status_code == 204
    upload = Upload.objects.get()
    assert upload.state == UploadState.COMPLETE
    record = AVRecord.objects.get()
    assert record.filename == name[:255] and record.recorder_serial == "R" * 64
    assert {k: record.metadata[k] for k in long} == long  # the full values
    assert any(p["code"] == "filename_long" for p in record.problems)
    deadline = Deadline.objects.get(kind="av.store")
    assert len(deadline.label) <= 200 and deadline.label.endswith("（自申报的录制结束时间起算）")
    received = Entry.objects.get(action="av.received")
    assert received.data["filename"] == name[:255]


NUL, NUL_NAME = b"\x00", b"a\x00b.mp4"


@pytest.mark.django_db
def test_a_nul_byte_in_any_value_is_kept_escaped(client: Client, station):
    resp = client.post(
        "/api/v1/uploads/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_AUTHORIZATION=f"Token {station.token}",
        HTTP_UPLOAD_LENGTH="3",
        HTTP_UPLOAD_METADATA=f"filename {_b64(NUL_NAME)},case {_b64(NUL)},k\x00ey {_b64(b'v')}",
    )
    assert resp.status_code == 201
    assert Upload.objects.get().metadata == {
        "filename": "a\\x00b.mp4",
        "case": "\\x00",
        "k\\x00ey": "v",
        RAW_KEY: {"filename": _b64(NUL_NAME), "case": _b64(NUL)},
    }


NOT_NUMBERS = ["5_0", "1_0_0", "+5", "\t5", " 5", "5 ", "-1", "５", "0x10", "5.0", "5e1", "", "١"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_upload_length_and_offset_are_plain_decimal_digits(client, station, value):
    auth = {"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_AUTHORIZATION": f"Token {station.token}"}
    resp = client.post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH=value, **auth)
    assert resp.status_code == 400
    assert not Upload.objects.exists()
    url = client.post("/api/v1/uploads/", HTTP_UPLOAD_LENGTH="50", **auth)["Location"]
    resp = client.patch(
        url, data=b"0", content_type="application/offset+octet-stream", HTTP_UPLOAD_OFFSET=value, **auth
    )
    assert resp.status_code == 400
    assert Upload.objects.get().length == 50


@pytest.mark.django_db(transaction=True)
def test_an_upload_naming_an_archived_case_goes_to_the_inbox(live_server, station, officer, media):
    case = CaseFactory(
        officers=[officer], state=CaseState.ARCHIVED, concluded_at=timezone.now(), archived_at=timezone.now()
    )
    record = receive(media["audio"], station=station, case=case.number, officer=officer.cert_no)
    assert record.case is None and record.owner == officer
    assert any(p["code"] == "case_archived" and case.number in p["reason"] for p in record.problems)
    # The officer's upload from the browser: the same.
    record = receive(media["audio"], user=officer, case=case.number)
    assert record.case is None and any(p["code"] == "case_archived" for p in record.problems)
    # Nor can a record be put on it by hand, and the case page offers no upload.
    with pytest.raises(AVError, match="已归档"):
        record_assign(record_id=record.pk, case=case, by=officer)
    browser = Client()
    browser.force_login(officer)
    page = browser.get(case.get_absolute_url()).content.decode()
    assert 'id="av-file"' not in page and "已归档" in page


@pytest.mark.django_db(transaction=True)
def test_recording_times_that_cannot_be_the_end_are_flagged_and_say_where_the_deadline_runs_from(station, media):
    reversed_ = receive(
        media["audio"],
        station=station,
        started_at="2026-11-27T10:00:00+08:00",
        ended_at="2026-11-27T09:00:00+08:00",
    )
    reasons = {p["code"]: p["reason"] for p in reversed_.problems}
    assert "早于开始时间" in reasons["times_reversed"]
    deadline = Deadline.objects.get(object_id=reversed_.pk, kind="av.store")
    assert deadline.start == dt.datetime.fromisoformat("2026-11-27T09:00:00+08:00")
    assert "早于开始时间，待核实" in deadline.label

    modified = "2026-11-26T18:30:00+08:00"
    from_mtime = receive(media["audio"], station=station, file_modified_at=modified)
    assert from_mtime.ended_at is None  # the modification time is not taken for the end
    deadline = Deadline.objects.get(object_id=from_mtime.pk, kind="av.store")
    assert deadline.start == dt.datetime.fromisoformat(modified) and "文件修改时间" in deadline.label
    assert "文件修改时间" in {p["code"]: p["reason"] for p in from_mtime.problems}["no_end_time"]
    entry = Entry.objects.get(action="av.received", object_id=str(from_mtime.pk))
    assert "文件修改时间" in entry.data["store_deadline_from"]

    nothing = receive(media["audio"], station=station)
    deadline = Deadline.objects.get(object_id=nothing.pk, kind="av.store")
    assert deadline.start == nothing.created_at and "接收时间" in deadline.label


@pytest.mark.django_db(transaction=True)
def test_a_fully_received_upload_is_never_deleted_and_its_record_is_made_on_the_next_request(live_server, station):
    """The PATCH that completed it saved its offset and then failed: DELETE keeps the bytes,
    HEAD makes the record."""
    endpoint = f"{live_server.url}/api/v1/uploads/"
    upload = upload_create(length=4, metadata={"filename": "a.bin"}, station=station)
    staging_path(upload.pk).write_bytes(b"0123")
    Upload.objects.filter(pk=upload.pk).update(offset=4)
    url = f"{endpoint}{upload.pk}"
    auth = {**TUS, "Authorization": f"Token {station.token}"}
    assert requests.delete(url, headers=auth).status_code == 403
    assert AVRecord.objects.get().upload_id == upload.pk
    assert Upload.objects.get().state == UploadState.COMPLETE
    assert requests.head(url, headers=auth).headers["Upload-Offset"] == "4"
