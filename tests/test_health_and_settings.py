import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client, settings):
    resp = client.get("/healthz")
    body = resp.json()
    assert resp.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["database"]["vendor"] == "postgresql"
    assert body["broker"] == {"ok": True, "mode": "redis"}
    assert body["storage"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "error" and body["broker"]["ok"] is False and body["database"]["ok"]


@pytest.mark.django_db
def test_healthz_is_503_when_storage_cannot_be_written(client, settings, tmp_path):
    # The default storage follows MEDIA_ROOT (setting_changed resets it). A folder that
    # would have to live under a plain file cannot be created, as on a broken mount (and
    # unlike a read-only folder, that stops root too).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker / "media")
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.json()
    assert body["storage"]["ok"] is False and body["database"]["ok"]
    assert body["storage"]["error"] in ("NotADirectoryError", "FileExistsError")  # no detail for anonymous callers


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "audit.pem").write_bytes(key)
    env = {
        "AUDIT_SIGNING_KEY_FILE": str(tmp_path / "audit.pem"),
        "SECRET_KEY": "x7$Kq2!vP9zL0m#Rt5wB8nC3dF6gH1jY4uE7iO0pA2sD5fG8hJ",
        "DEBUG": "0",
        "HTTPS": "1",
        "ALLOWED_HOSTS": "linke.example.gov.cn",
        "DATABASE_URL": "postgres://linke:pw@127.0.0.1:5432/linke",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "LINKE_VAR_DIR": str(tmp_path),
    }
    proc = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout
    env.pop("AUDIT_SIGNING_KEY_FILE")
    proc = _manage("check", "--deploy", env=env)
    assert "audit.W001" in proc.stdout + proc.stderr


def test_unset_environment_means_the_embedded_default(tmp_path):
    code = (
        "from django.conf import settings as s; import json; print(json.dumps({'db': s.DATABASES['default']['ENGINE'],"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'storage': s.STORAGES['default']['BACKEND'], 'lang': s.LANGUAGE_CODE,"
        "'tz': s.TIME_ZONE, 'use_tz': s.USE_TZ}))"
    )
    proc = _manage("shell", "-c", code, env={"LINKE_VAR_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got == {
        "db": "django.db.backends.sqlite3",
        "eager": True,
        "storage": "django.core.files.storage.FileSystemStorage",
        "lang": "zh-hans",
        "tz": "Asia/Shanghai",
        "use_tz": True,
    }


def test_embedded_default_migrates_and_refuses_audit_updates_in_sqlite(tmp_path):
    env = {"LINKE_VAR_DIR": str(tmp_path)}
    proc = _manage("migrate", "--noinput", env=env)
    assert proc.returncode == 0, proc.stderr
    code = (
        "import audit; from audit.models import Entry; from django.db import DatabaseError\n"
        "audit.record(None, 'admin.other')\n"
        "try:\n    Entry.objects.update(action='x'); print('UPDATED')\n"
        "except DatabaseError as e:\n    print('REFUSED', e)\n"
        "try:\n    Entry.objects.all().delete(); print('DELETED')\n"
        "except DatabaseError as e:\n    print('REFUSED-DELETE', e)\n"
    )
    proc = _manage("shell", "-c", code, env=env)
    assert "REFUSED audit_entry is append-only: UPDATE" in proc.stdout, proc.stdout + proc.stderr
    assert "REFUSED-DELETE audit_entry is append-only: DELETE" in proc.stdout
    proc = _manage("verify_audit", env=env)
    assert proc.returncode == 0 and "已核验 1 条" in proc.stdout


def test_embedded_default_serves_the_chinese_login_page(tmp_path):
    """What `make run` does, on a fresh var dir: migrate, seed, serve on SQLite."""
    import socket
    import time
    import urllib.request

    env = {"LINKE_VAR_DIR": str(tmp_path), "DEBUG": "1"}
    assert _manage("migrate", "--noinput", env=env).returncode == 0
    seeded = _manage("seed_demo", env=env)
    assert seeded.returncode == 0, seeded.stderr
    assert "linke-demo-2026" in seeded.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**base, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        html = ""
        for _ in range(100):
            try:
                html = urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "<title>登录 · 临科行政执法全过程记录</title>" in html
        health = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read())
        assert health["database"]["vendor"] == "sqlite" and health["broker"]["mode"] == "in-process"
    finally:
        server.terminate()
        server.wait(10)
