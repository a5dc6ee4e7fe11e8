"""The tus 1.0.0 endpoint against a live server, with the real client (tuspy) where it can
and raw HTTP where the point is a misbehaving client."""

import base64
import hashlib
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader import Uploader

from audit.models import Entry
from avrecords.models import AVRecord, AVRecordStatus, Upload, UploadState
from avrecords.services import station_create
from avrecords.storage import original_hash, staging_path

pytestmark = pytest.mark.django_db(transaction=True)

TUS = {"Tus-Resumable": "1.0.0"}


class Sha256Uploader(Uploader):
    """tuspy checksums with sha1 by default; stations use sha256 (docs/stations.md)."""

    CHECKSUM_ALGORITHM_PAIR = ("sha256", hashlib.sha256)


@pytest.fixture
def station(db):
    station, token = station_create(name="测试采集站")
    station.token = token
    return station


@pytest.fixture
def endpoint(live_server):
    return f"{live_server.url}/api/v1/uploads/"


def _client(endpoint, token):
    return tus_client.TusClient(endpoint, headers={"Authorization": f"Token {token}"})


def _meta(path: Path, **extra: str) -> dict[str, str]:
    return {
        "filename": path.name,
        "recorder": "DSJ-9",
        "officer": "",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "started_at": "2026-11-27T09:00:00+08:00",
        "ended_at": "2026-11-27T09:00:01+08:00",
        **extra,
    }


def test_options_advertises_the_protocol(endpoint):
    resp = requests.options(endpoint)
    assert resp.status_code == 204
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert set(resp.headers["Tus-Extension"].split(",")) == {"creation", "termination", "checksum", "concatenation"}
    assert resp.headers["Tus-Checksum-Algorithm"] == "sha256"
    assert int(resp.headers["Tus-Max-Size"]) > 0


def test_station_uploads_a_video_with_checksums_and_it_is_ingested(endpoint, station, media):
    path = media["video"]
    uploader = Sha256Uploader(
        file_path=str(path),
        client=_client(endpoint, station.token),
        chunk_size=4096,
        metadata=_meta(path),
        upload_checksum=True,
    )
    uploader.upload()

    upload = Upload.objects.get()
    assert upload.state == UploadState.COMPLETE and upload.station == station
    record = AVRecord.objects.get(upload=upload)
    assert record.status == AVRecordStatus.READY, record.problems
    assert record.filename == path.name and record.recorder_serial == "DSJ-9"
    assert original_hash(record.original_key)[0] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_interrupted_upload_resumes_from_its_offset(endpoint, station, media):
    path = media["video"]
    first = Sha256Uploader(
        file_path=str(path),
        client=_client(endpoint, station.token),
        chunk_size=4096,
        metadata=_meta(path),
        upload_checksum=True,
    )
    first.upload_chunk()
    first.upload_chunk()
    url = first.url
    del first  # the station goes away (power cut) after two chunks

    # Later, a new client asks the server where to go on (HEAD) and sends the rest.
    second = Sha256Uploader(
        file_path=str(path), url=url, client=_client(endpoint, station.token), chunk_size=4096, upload_checksum=True
    )
    assert second.offset == 8192
    second.upload()
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.status == AVRecordStatus.READY, record.problems


def test_connection_dropped_mid_body_keeps_what_arrived(endpoint, station, media, live_server):
    """A PATCH whose connection dies half-way (no checksum): the server keeps the bytes
    that arrived, HEAD reports them, and tuspy finishes from there."""
    path = media["video"]
    data = path.read_bytes()
    uploader = Uploader(file_path=str(path), client=_client(endpoint, station.token), metadata=_meta(path))
    uploader.set_url(uploader.create_url())
    target = urlsplit(uploader.url)
    sent = 5000
    with socket.create_connection((target.hostname, target.port)) as sock:
        head = (
            f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: Token {station.token}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: 0\r\nContent-Length: {len(data)}\r\n\r\n"
        )
        sock.sendall(head.encode() + data[:sent])
        sock.shutdown(socket.SHUT_WR)  # the cable is pulled
        sock.recv(1024)
    offset = int(
        requests.head(uploader.url, headers={**TUS, "Authorization": f"Token {station.token}"}).headers["Upload-Offset"]
    )
    assert offset == sent
    resumed = Uploader(file_path=str(path), url=uploader.url, client=_client(endpoint, station.token))
    assert resumed.offset == sent
    resumed.upload()
    assert AVRecord.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def _create(endpoint, token, length, **meta):
    encoded = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items())
    resp = requests.post(
        endpoint,
        headers={**TUS, "Authorization": f"Token {token}", "Upload-Length": str(length), "Upload-Metadata": encoded},
    )
    assert resp.status_code == 201, resp.text
    return resp.headers["Location"]


def _patch(url, token, body, offset, **headers):
    return requests.patch(
        url,
        data=body,
        headers={
            **TUS,
            "Authorization": f"Token {token}",
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(offset),
            **headers,
        },
    )


def test_checksum_mismatch_is_460_and_the_chunk_dropped(endpoint, station):
    url = _create(endpoint, station.token, 10, filename="a.bin")
    wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
    resp = _patch(url, station.token, b"0123456789", 0, **{"Upload-Checksum": f"sha256 {wrong}"})
    assert resp.status_code == 460
    assert Upload.objects.get().offset == 0
    upload = Upload.objects.get()
    assert staging_path(upload.pk).stat().st_size == 0
    right = base64.b64encode(hashlib.sha256(b"01234").digest()).decode()
    resp = _patch(url, station.token, b"01234", 0, **{"Upload-Checksum": f"sha256 {right}"})
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == "5"
    # An algorithm the server does not offer is a bad request.
    resp = _patch(url, station.token, b"56789", 5, **{"Upload-Checksum": "md5 AAAA"})
    assert resp.status_code == 400


def test_wrong_offset_is_409(endpoint, station):
    url = _create(endpoint, station.token, 10, filename="a.bin")
    assert _patch(url, station.token, b"01234", 0).status_code == 204
    resp = _patch(url, station.token, b"01234", 0)
    assert resp.status_code == 409 and resp.headers["Upload-Offset"] == "5"
    assert _patch(url, station.token, b"56789", 7).status_code == 409
    assert Upload.objects.get().offset == 5


def test_size_over_the_limit_is_413(endpoint, station, settings, media):
    settings.AV_UPLOAD_MAX_SIZE = 1000
    uploader = Uploader(file_path=str(media["video"]), client=_client(endpoint, station.token))
    with pytest.raises(TusCommunicationError) as exc:
        uploader.upload()
    assert exc.value.status_code == 413
    assert not Upload.objects.exists()
    # And a PATCH may not run past the declared length either.
    url = _create(endpoint, station.token, 4, filename="a.bin")
    assert _patch(url, station.token, b"012345", 0).status_code == 413


def test_bad_token_is_401(endpoint, station, media):
    uploader = Uploader(file_path=str(media["audio"]), client=_client(endpoint, "not-a-token"))
    with pytest.raises(TusCommunicationError) as exc:
        uploader.upload()
    assert exc.value.status_code == 401
    station.active = False
    station.save()
    resp = requests.post(endpoint, headers={**TUS, "Authorization": f"Token {station.token}", "Upload-Length": "1"})
    assert resp.status_code == 401
    assert requests.post(endpoint, headers={**TUS, "Upload-Length": "1"}).status_code == 401  # no credentials


def test_another_station_cannot_touch_an_upload(endpoint, station):
    url = _create(endpoint, station.token, 10, filename="a.bin")
    _, other = station_create(name="另一个采集站")
    assert requests.head(url, headers={**TUS, "Authorization": f"Token {other}"}).status_code == 404
    assert _patch(url, other, b"01234", 0).status_code == 404


def test_termination_removes_an_unfinished_upload_but_not_a_record(endpoint, station, media):
    uploader = Uploader(file_path=str(media["video"]), client=_client(endpoint, station.token), chunk_size=4096)
    uploader.upload_chunk()
    auth = {**TUS, "Authorization": f"Token {station.token}"}
    upload = Upload.objects.get()
    assert requests.delete(uploader.url, headers=auth).status_code == 204
    assert Upload.objects.get().state == UploadState.TERMINATED
    assert not staging_path(upload.pk).exists()
    assert requests.head(uploader.url, headers=auth).status_code == 410
    with pytest.raises(TusUploadFailed):
        uploader.upload_chunk()
    assert Entry.objects.filter(action="av.upload_terminated").count() == 1

    done = Uploader(file_path=str(media["audio"]), client=_client(endpoint, station.token))
    done.upload()
    assert requests.delete(done.url, headers=auth).status_code == 403  # a record is never withdrawn
    assert AVRecord.objects.count() == 1


def test_small_django_memory_limits_do_not_interfere_with_large_chunks(endpoint, station, settings, media):
    """Bodies are streamed, not read into request.body: a chunk far over
    DATA_UPLOAD_MAX_MEMORY_SIZE and FILE_UPLOAD_MAX_MEMORY_SIZE goes through."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    path = media["video"]
    assert path.stat().st_size > 8 * 1024
    Uploader(file_path=str(path), client=_client(endpoint, station.token), metadata=_meta(path)).upload()
    assert AVRecord.objects.get().status == AVRecordStatus.READY


def test_empty_file_is_complete_on_creation_and_kept(endpoint, station, media):
    Uploader(
        file_path=str(media["empty"]), client=_client(endpoint, station.token), metadata={"filename": "empty.mp4"}
    ).upload()
    record = AVRecord.objects.get()
    assert record.status == AVRecordStatus.FLAGGED and record.size == 0 and record.stored_at


def test_officer_session_needs_csrf(client, officer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(officer)
    headers = {"HTTP_TUS_RESUMABLE": "1.0.0", "HTTP_UPLOAD_LENGTH": "3"}
    assert strict.post("/api/v1/uploads/", **headers).status_code == 403
    strict.get("/av/")  # sets the csrftoken cookie
    token = strict.cookies["csrftoken"].value
    resp = strict.post("/api/v1/uploads/", HTTP_X_CSRFTOKEN=token, **headers)
    assert resp.status_code == 201
    assert Upload.objects.get().uploaded_by == officer


def test_lost_staging_bytes_are_never_padded(endpoint, station):
    url = _create(endpoint, station.token, 10, filename="a.bin")
    assert _patch(url, station.token, b"01234", 0).status_code == 204
    upload = Upload.objects.get()
    with open(staging_path(upload.pk), "r+b") as fh:  # the disk lost the last 3 bytes
        fh.truncate(2)
    resp = _patch(url, station.token, b"56789", 5)
    assert resp.status_code == 409 and resp.headers["Upload-Offset"] == "2"
    assert _patch(url, station.token, b"23456789", 2).status_code == 204
    assert AVRecord.objects.get().size == 10
