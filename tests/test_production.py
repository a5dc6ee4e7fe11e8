"""The production shape, run as the Dockerfile and docker-compose.yml run it, without Docker:
a fresh var dir; `collectstatic` with the default (manifest) storage, as the image build does;
`migrate`; gunicorn with the compose command line (gthread); the Celery workers (`worker`,
and `worker-derive` on the derive queue) and beat as compose starts them; PostgreSQL, Redis and SeaweedFS (originals in an Object Lock bucket);
DEBUG=0, HTTPS=1 behind a TLS proxy (tests/tlsproxy.py sets what nginx would:
X-Forwarded-Proto and X-Forwarded-For; TRUSTED_PROXY_COUNT=1); a real signing key.

Then, as users and a station would: sign in through the login page, fetch a hashed static
file, register a case, upload a small video through tus with a station token and wait until
the worker has processed it, render a document on the worker and download it, /healthz is
200 and `manage.py verify_audit` passes.
"""

import hashlib
import os
import random
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tlsproxy import TLSProxy, free_port

pytestmark = pytest.mark.prod

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "Prod-smoke-2026!"
TIMEOUT = 180


def _db_url(name: str) -> str:
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres:postgres@127.0.0.1:5432/linke"))
    return urllib.parse.urlunsplit(url._replace(path=f"/{name}"))


def _admin_conn() -> Any:
    import psycopg

    url = urllib.parse.urlsplit(_db_url("postgres"))
    return psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own, created empty (migrate builds it), dropped at the end."""
    base = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "postgres:///linke")).path.lstrip("/") or "linke"
    name = f"{base}_prod_{uuid.uuid4().hex[:8]}"
    with _admin_conn() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _admin_conn() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_url() -> str:
    # A Redis database of its own: the worker consumes the default queue, as in compose.
    url = urllib.parse.urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return urllib.parse.urlunsplit(url._replace(path=f"/{random.randint(8, 15)}"))


def _signing_key(path: Path) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], env)


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def output(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.logs / f'{name}.log').read_text(errors='replace')[-3000:]}" for name, _ in self.procs
        )

    def stop(self) -> None:
        for _, proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for _, proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait(what: str, check: Any, procs: Processes, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        for name, proc in procs.procs:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited ({proc.returncode}) while waiting for {what}\n{procs.output()}")
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}: {last!r}\n{procs.output()}")


def _video(path: Path) -> Path:
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=10:duration=1",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-c:v",
            "mpeg4",
            "-c:a",
            "aac",
            "-b:a",
            "32k",
            str(path),
        ],
        check=True,
    )
    return path


def test_production_shape_end_to_end(database, tmp_path):
    import requests
    import urllib3
    from tusclient import client as tus

    from avrecords.tests import seaweedfs as seaweed

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    var, static = tmp_path / "var", tmp_path / "static"
    var.mkdir()

    # The image build (Dockerfile): collectstatic with the default storage and a throwaway key.
    build = _manage(
        "collectstatic",
        "--noinput",
        env={
            **_base_env(),
            "SECRET_KEY": "build-only-not-secret",
            "STATIC_ROOT": str(static),
            "LINKE_VAR_DIR": str(var),
        },
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-4000:]

    weed_dir = tmp_path / "seaweedfs"
    weed_dir.mkdir()
    server = seaweed.start(weed_dir)
    procs = Processes(tmp_path)
    proxy = None
    try:
        s3 = seaweed.s3_client(server.endpoint, server.access_key, server.secret_key)
        s3.create_bucket(Bucket="linke-files")
        web_port = free_port()
        env = {
            **_base_env(),
            **server.env(),
            "AWS_STORAGE_BUCKET_NAME": "linke-files",
            "DATABASE_URL": _db_url(database),
            "REDIS_URL": _redis_url(),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "HTTPS": "1",
            "TRUSTED_PROXY_COUNT": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LINKE_VAR_DIR": str(var),
            "STATIC_ROOT": str(static),
            "AV_STAGING_DIR": str(tmp_path / "av-staging"),
            "AV_DERIVE_QUEUE": "derive",  # as compose sets it: transcoding has its own worker
            "AUDIT_SIGNING_KEY_FILE": str(_signing_key(tmp_path / "audit_signing_key.pem")),
        }
        # web's command: migrate, then gunicorn as compose runs it (bound to loopback).
        migrated = _manage("migrate", "--noinput", env=env)
        assert migrated.returncode == 0, migrated.stderr[-4000:]
        setup = _manage(
            "shell",
            "-c",
            "from accounts.models import User, Role, Department, role_group\n"
            "d = Department.objects.create(code='ZF1', name='执法一科')\n"
            "for i in (1, 2):\n"
            f"    u = User.objects.create_user(username=f'officer{{i}}', password='{PASSWORD}', last_name='张',"
            " first_name=str(i), cert_no=f'3713002019000{i}', department=d)\n"
            "    u.groups.add(role_group(Role.OFFICER))\n"
            "    print('officer', u.pk)\n",
            env=env,
        )
        assert setup.returncode == 0, setup.stderr[-3000:]
        officer_ids = [int(x) for x in re.findall(r"officer (\d+)", setup.stdout)]
        station = _manage("create_station", "一号采集站", "--location", "执法一科值班室", env=env)
        assert station.returncode == 0, station.stderr[-3000:]
        token = station.stdout.strip().splitlines()[-1]

        procs.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "linke.wsgi",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "3",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
            env,
        )
        celery_worker = [str(BIN / "celery"), "-A", "linke", "worker", "-l", "INFO"]
        procs.start("worker", [*celery_worker, "-Q", "celery", "-n", "main@%h", "--concurrency", "2"], env)
        procs.start("worker-derive", [*celery_worker, "-Q", "derive", "-n", "derive@%h", "--concurrency", "1"], env)
        procs.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "linke",
                "beat",
                "-l",
                "INFO",
                "--scheduler",
                "django_celery_beat.schedulers:DatabaseScheduler",
                "--pidfile=",
            ],
            env,
        )
        proxy = TLSProxy(web_port, tmp_path).start()
        base = proxy.url
        http = requests.Session()
        http.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`
        http.verify = str(proxy.cert)

        health = _wait("healthz", lambda: http.get(f"{base}/healthz", timeout=10), procs)
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["database"]["vendor"] == "postgresql" and body["broker"]["mode"] == "redis", body
        # Plain HTTP past the proxy is redirected to HTTPS (HTTPS=1).
        assert requests.get(f"http://127.0.0.1:{web_port}/accounts/login/", allow_redirects=False).status_code == 301

        # Sign in through the login page.
        page = http.get(f"{base}/accounts/login/")
        assert page.status_code == 200 and "登录" in page.text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        resp = http.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": csrf, "username": "officer1", "password": PASSWORD},
            headers={"Referer": f"{base}/accounts/login/"},
            allow_redirects=False,
        )
        assert resp.status_code == 302, resp.text[:2000]
        assert all(c.secure for c in http.cookies if c.name in ("sessionid", "csrftoken"))
        home = http.get(f"{base}/")
        assert home.status_code == 200

        # A hashed static file (manifest storage), served by WhiteNoise with a far-future cache.
        hashed = re.search(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(?:css|js)", home.text)
        assert hashed, home.text[:2000]
        asset = http.get(f"{base}{hashed.group(0)}")
        assert asset.status_code == 200 and "immutable" in asset.headers.get("Cache-Control", "")

        # Register a case (ex officio, 第八条) through its form.
        form = http.get(f"{base}/cases/new/ex_officio/")
        assert form.status_code == 200, form.text[:1000]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        resp = http.post(
            f"{base}/cases/new/ex_officio/",
            data={
                "csrfmiddlewaretoken": csrf,
                "title": "某科技公司涉嫌未按规定报送统计资料",
                "summary": "监督检查中发现。",
                "officers": officer_ids,
                "confidentiality": "",
                "cause": "监督检查中发现当事人涉嫌违法。",
                "source": "inspection",
                "source_detail": "",
                "officer_opinion": "建议立案。",
                "party-kind": "organisation",
                "party-name": "临沂某科技有限公司",
                "party-id_number": "",
                "party-legal_rep": "王某",
                "party-address": "临沂市兰山区",
                "party-phone": "",
                "party-confidentiality": "",
            },
            headers={"Referer": f"{base}/cases/new/ex_officio/"},
            allow_redirects=False,
        )
        assert resp.status_code == 302, re.sub(r"\s+", " ", resp.text)[:3000]
        case_url = urllib.parse.urljoin(base, resp.headers["Location"])
        case_id = int(re.search(r"/cases/(\d+)/", case_url).group(1))
        case_page = http.get(case_url).text
        case_number = re.search(r"临科[^<\s]*?〔\d{4}〕\d+号", case_page).group(0)

        # A station uploads a small video through tus with its token; the worker processes it.
        video = _video(tmp_path / "执法现场录像.mp4")
        digest = hashlib.sha256(video.read_bytes()).hexdigest()
        uploader = tus.TusClient(f"{base}/api/v1/uploads/", headers={"Authorization": f"Token {token}"}).uploader(
            file_path=str(video),
            chunk_size=4096,
            verify_tls_cert=False,
            metadata={
                "filename": video.name,
                "officer": "37130020190001",
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 600)),
                "ended_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() - 300)),
                "sha256": digest,
                "case": case_number,
            },
        )
        uploader.upload()

        import psycopg

        def av_status() -> str:
            with psycopg.connect(_db_url(database).replace("postgres://", "postgresql://")) as conn:
                row = conn.execute("SELECT status FROM avrecords_avrecord WHERE sha256 = %s", [digest]).fetchone()
            return row[0] if row and row[0] in ("ready", "flagged") else ""

        assert _wait("the video to be processed", av_status, procs) == "ready", procs.output()

        # Its proxy was made by the transcoding worker, not the main one (the log line of the
        # task's end may follow the record's new status by a moment).
        def derived() -> bool:
            log = (tmp_path / "worker-derive.log").read_text(errors="replace")
            return bool(re.search(r"record_derive_task\[[^\]]+\] succeeded", log))

        assert _wait("the derive worker's log", derived, procs)
        main_log = (tmp_path / "worker.log").read_text(errors="replace")
        assert "record_derive_task[" not in main_log and "record_ingest_task[" in main_log
        key = f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
        retention = s3.get_object_retention(Bucket=server.bucket, Key=key)
        assert retention["Retention"]["Mode"] == "COMPLIANCE"

        # A document, rendered by the worker (WeasyPrint) into the files bucket, downloaded.
        issued = _manage(
            "shell",
            "-c",
            "from django.db import transaction\n"
            "from accounts.models import User\nfrom cases.models import Case\n"
            "from documents.services import document_issue\n"
            "with transaction.atomic():\n"
            f"    doc = document_issue(case=Case.objects.get(pk={case_id}), doc_type='other_activity',"
            f" by=User.objects.get(pk={officer_ids[0]}), context={{'activity': '调阅记录', 'description': '生产形态冒烟测试'}})\n"
            "print('document', doc.pk)\n",
            env=env,
        )
        assert issued.returncode == 0, issued.stderr[-3000:]
        doc_id = int(re.search(r"document (\d+)", issued.stdout).group(1))
        status = _wait(
            "the document to be rendered",
            lambda: (s := http.get(f"{base}/documents/{doc_id}/status/").json())["status"] in ("final", "failed") and s,
            procs,
        )
        assert status["status"] == "final", status
        pdf = http.get(urllib.parse.urljoin(base, status["download"]))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

        # Beat put the schedule in the database scheduler's tables.
        def beat_synced() -> bool:
            with psycopg.connect(_db_url(database).replace("postgres://", "postgresql://")) as conn:
                rows = conn.execute("SELECT name FROM django_celery_beat_periodictask").fetchall()
            return {"audit-verify", "deadlines-scan", "av-fixity"} <= {r[0] for r in rows}

        _wait("beat's schedule", beat_synced, procs, timeout=60)

        assert http.get(f"{base}/healthz").status_code == 200
        verified = _manage("verify_audit", env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        # The sign-in was recorded with the client's address (behind the proxy), not the proxy's.
        with psycopg.connect(_db_url(database).replace("postgres://", "postgresql://")) as conn:
            payload = conn.execute("SELECT payload FROM audit_entry WHERE action = 'auth.login'").fetchone()[0]
        assert '"ip":"127.0.0.1"' in payload
    finally:
        procs.stop()
        if proxy is not None:
            proxy.stop()
        server.stop()
