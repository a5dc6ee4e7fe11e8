"""The tus endpoint behind a real gunicorn, where a PATCH body is received straight from
the socket (avrecords.tusbody): exact bytes and offsets with tuspy, a PATCH cut off half-way
and resumed, and a connection kept alive (pipelined requests) after a body read that way."""

import base64
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from tusclient.uploader import Uploader

from audit.models import Entry
from avrecords.models import AVRecord, Upload, UploadState
from avrecords.storage import staging_path
from avrecords.tests.test_tus import Sha256Uploader, _client, station  # noqa: F401 - station is a fixture

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
TUS = {"Tus-Resumable": "1.0.0"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(settings, tmp_path):
    """start(worker_class) -> the uploads endpoint of a gunicorn serving the test database;
    the ingest runs eagerly in it (its originals in a folder of its own)."""
    from django.db import connection

    procs = []

    def start(worker_class: str = "sync", timeout: int = 120, **extra_env: str) -> str:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "AV_STAGING_DIR": str(settings.AV_STAGING_DIR),
            "ORIGINALS_ROOT": str(tmp_path / "web-originals"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "DEBUG": "0",
            **extra_env,
        }
        port = _free_port()
        log = tmp_path / f"gunicorn-{worker_class}.log"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "linke.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "1",
                "-k",
                worker_class,
                *(["--threads", "2", "--keep-alive", "5"] if worker_class == "gthread" else []),
                "--timeout",
                str(timeout),
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        procs.append(proc)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log.read_text(errors='replace')}")
            try:
                if requests.options(f"http://127.0.0.1:{port}/api/v1/uploads/", timeout=5).status_code == 204:
                    return f"http://127.0.0.1:{port}/api/v1/uploads/"
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or slow to load on a busy machine
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not start:\n{log.read_text(errors='replace')}")

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def payload(tmp_path):
    """A few MiB (more than one 1 MiB receive buffer, not a multiple of it)."""
    path = tmp_path / "现场录像.bin"
    path.write_bytes(os.urandom(3 * MB + 12345))
    return path


def _meta(path: Path) -> dict[str, str]:
    return {
        "filename": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "ended_at": "2026-11-27T09:00:00+08:00",
    }


def _head_offset(url, token) -> int:
    resp = requests.head(url, headers={**TUS, "Authorization": f"Token {token}"})
    assert resp.status_code == 200
    return int(resp.headers["Upload-Offset"])


def _patch_head(url: str, token: str, offset: int, length: int, **headers: str) -> bytes:
    target = urlsplit(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"PATCH {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Token {token}\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Upload-Offset: {offset}\r\nContent-Length: {length}\r\n{extra}\r\n"
    ).encode()


def test_tuspy_through_gunicorn_exact_bytes_and_offsets(gunicorn, station, payload):
    endpoint = gunicorn("sync")
    data = payload.read_bytes()
    chunk = 1536 * 1024 + 7  # PATCH bodies that straddle the server's 1 MiB buffer
    uploader = Sha256Uploader(
        file_path=str(payload),
        client=_client(endpoint, station.token),
        chunk_size=chunk,
        metadata=_meta(payload),
        upload_checksum=True,
    )
    uploader.upload_chunk()
    uploader.upload_chunk()
    upload = Upload.objects.get()
    assert uploader.offset == upload.offset == 2 * chunk == _head_offset(uploader.url, station.token)
    assert staging_path(upload.pk).read_bytes() == data[: 2 * chunk]

    uploader.upload()
    upload.refresh_from_db()
    assert upload.state == UploadState.COMPLETE and upload.offset == len(data)
    record = AVRecord.objects.get(upload=upload)
    assert record.sha256 == hashlib.sha256(data).hexdigest() == record.declared_sha256
    assert record.size == len(data)
    # Hashed by the web process as it wrote, PATCH after PATCH (avrecords.hashstate).
    assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"


def test_patch_cut_off_half_way_through_gunicorn_resumes(gunicorn, station, payload):
    endpoint = gunicorn("sync")
    data = payload.read_bytes()
    uploader = Uploader(file_path=str(payload), client=_client(endpoint, station.token), metadata=_meta(payload))
    uploader.set_url(uploader.create_url())
    target = urlsplit(uploader.url)

    # With a checksum, an incomplete body is dropped whole.
    digest = hashlib.sha256(data).digest()
    checksum = f"sha256 {base64.b64encode(digest).decode()}"
    with socket.create_connection((target.hostname, target.port)) as sock:
        sock.sendall(
            _patch_head(uploader.url, station.token, 0, len(data), **{"Upload-Checksum": checksum}) + data[: 2 * MB]
        )
        sock.shutdown(socket.SHUT_WR)
        assert b" 400 " in sock.recv(1024).split(b"\r\n")[0]
    assert _head_offset(uploader.url, station.token) == 0

    # Without one, what arrived is kept (headers and the first bytes in one segment, the rest
    # straight from the socket), and tuspy goes on from there.
    sent = 2 * MB + 999
    with socket.create_connection((target.hostname, target.port)) as sock:
        sock.sendall(_patch_head(uploader.url, station.token, 0, len(data)) + data[:sent])
        sock.shutdown(socket.SHUT_WR)  # the cable is pulled
        assert b" 204 " in sock.recv(1024).split(b"\r\n")[0]
    assert _head_offset(uploader.url, station.token) == sent
    upload = Upload.objects.get()
    assert staging_path(upload.pk).read_bytes() == data[:sent]

    resumed = Uploader(file_path=str(payload), url=uploader.url, client=_client(endpoint, station.token), chunk_size=MB)
    assert resumed.offset == sent
    resumed.upload()
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"


def _responses(sock: socket.socket, count: int) -> list[bytes]:
    """The status lines of `count` responses (this endpoint's bodies all have a Content-Length;
    a HEAD's is 0)."""
    buf, out = b"", list[bytes]()
    sock.settimeout(30)
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            more = sock.recv(65536)
            assert more, f"connection closed after {out}"
            buf += more
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
        )
        while len(buf) < length:
            buf += sock.recv(65536)
        buf = buf[length:]
        out.append(head.split(b"\r\n")[0])
    return out


def test_keep_alive_after_a_body_read_from_the_socket(gunicorn, station, payload):
    """Pipelined on one connection: a small PATCH whose next request arrives with it (gunicorn
    holds both), a big PATCH, then a HEAD: each answered in turn on the same connection."""
    endpoint = gunicorn("gthread")
    data = payload.read_bytes()
    uploader = Uploader(file_path=str(payload), client=_client(endpoint, station.token), metadata=_meta(payload))
    uploader.set_url(uploader.create_url())
    target = urlsplit(uploader.url)
    small = 1000
    head = (
        f"HEAD {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Token {station.token}\r\n\r\n"
    ).encode()
    with socket.create_connection((target.hostname, target.port)) as sock:
        sock.sendall(
            _patch_head(uploader.url, station.token, 0, small)
            + data[:small]
            + _patch_head(uploader.url, station.token, small, 2 * MB)
            + data[small : small + 2 * MB]
            + head
        )
        statuses = _responses(sock, 3)
    assert [s.split(b" ")[1] for s in statuses] == [b"204", b"204", b"200"]
    upload = Upload.objects.get()
    assert upload.offset == small + 2 * MB
    assert staging_path(upload.pk).read_bytes() == data[: small + 2 * MB]


def test_concurrent_uploads_on_threads_of_one_worker_each_hash_their_own_bytes(gunicorn, station, tmp_path):
    """Two stations' uploads at once on the threads of one gthread worker, which share its
    pool of receive buffers: full buffers then short final pieces, each record's hash is its
    own file's (a buffer handed on while still hashed, or stale bytes, would break one)."""
    from concurrent.futures import ThreadPoolExecutor

    endpoint = gunicorn("gthread")
    files = []
    for n in range(2):
        path = tmp_path / f"录像{n}.bin"
        path.write_bytes(os.urandom(5 * MB + 777 * (n + 1)))
        files.append(path)

    def send(path: Path) -> None:
        Uploader(
            file_path=str(path), client=_client(endpoint, station.token), chunk_size=2 * MB + 3, metadata=_meta(path)
        ).upload()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(send, files))
    for path in files:
        record = AVRecord.objects.get(filename=path.name)
        assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == record.declared_sha256
        assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"


def test_a_web_process_killed_mid_patch_has_kept_its_checkpoints(gunicorn, station, payload):
    """A sync worker is killed by gunicorn's timeout while a slow client is still sending one
    big PATCH (as a restart would kill it): the bytes up to the last checkpoint are durable
    and recorded with their running hash, HEAD says so, and tuspy finishes from there."""
    endpoint = gunicorn("sync", timeout=2, AV_UPLOAD_CHECKPOINT=str(MB))
    data = payload.read_bytes()
    uploader = Uploader(file_path=str(payload), client=_client(endpoint, station.token), metadata=_meta(payload))
    uploader.set_url(uploader.create_url())
    target = urlsplit(uploader.url)
    with socket.create_connection((target.hostname, target.port)) as sock:
        sock.sendall(_patch_head(uploader.url, station.token, 0, len(data)) + data[: 2 * MB + 500_000])
        sock.settimeout(30)
        try:
            while sock.recv(65536):  # the rest never comes; gunicorn kills the worker
                pass
        except ConnectionResetError:
            pass
    assert _head_offset(uploader.url, station.token) == 2 * MB
    upload = Upload.objects.get()
    assert upload.state == UploadState.RECEIVING and staging_path(upload.pk).stat().st_size >= 2 * MB

    resumed = Uploader(file_path=str(payload), url=uploader.url, client=_client(endpoint, station.token), chunk_size=MB)
    assert resumed.offset == 2 * MB
    resumed.upload()
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"


def test_a_silent_link_ends_its_patch_keeps_what_arrived_and_frees_the_upload(gunicorn, station, tmp_path):
    """A dropped 4G/NAT link: 1 MiB of an 8 MiB PATCH arrives, then nothing, the socket stays
    open. A retry meanwhile gets 423; once AV_UPLOAD_IDLE_TIMEOUT passes the PATCH ends with
    what it received (durable, recorded: HEAD says 1 MiB, far from any 64 MiB checkpoint) and
    the station's retry goes on from there."""
    endpoint = gunicorn("gthread", AV_UPLOAD_IDLE_TIMEOUT="2")
    path = tmp_path / "现场录像.bin"
    path.write_bytes(os.urandom(8 * MB))
    data = path.read_bytes()
    uploader = Uploader(file_path=str(path), client=_client(endpoint, station.token), metadata=_meta(path))
    uploader.set_url(uploader.create_url())
    target = urlsplit(uploader.url)
    auth = {**TUS, "Authorization": f"Token {station.token}", "Content-Type": "application/offset+octet-stream"}
    with socket.create_connection((target.hostname, target.port)) as silent:
        silent.sendall(_patch_head(uploader.url, station.token, 0, len(data)) + data[:MB])
        time.sleep(0.5)
        # The station's retry while the silent PATCH still holds the upload.
        assert requests.patch(uploader.url, data=b"", headers={**auth, "Upload-Offset": "0"}).status_code == 423
        started = time.monotonic()
        silent.settimeout(20)
        status = silent.recv(1024).split(b"\r\n")[0]  # the socket is still open on our side
        waited = time.monotonic() - started
    assert b" 204 " in status and waited < 10
    assert _head_offset(uploader.url, station.token) == MB
    upload = Upload.objects.get()
    assert upload.state == UploadState.RECEIVING and upload.offset == MB
    assert staging_path(upload.pk).read_bytes() == data[:MB]

    resumed = Uploader(file_path=str(path), url=uploader.url, client=_client(endpoint, station.token), chunk_size=MB)
    assert resumed.offset == MB
    resumed.upload()
    record = AVRecord.objects.get()
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert Entry.objects.get(action="av.hashed", object_id=str(record.pk)).data["method"] == "received"
