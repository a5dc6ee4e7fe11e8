"""Shared fixtures: role users, a real Celery worker, headless Chromium.

Tests run against PostgreSQL and Redis (`make test` sets DATABASE_URL and REDIS_URL).
Tasks run eagerly in-process by default (CELERY_TASK_ALWAYS_EAGER=1 from the Makefile);
a test that wants the real thing asks for `celery_worker`, which switches the app to send
tasks over Redis to a worker process that uses this test database.
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# ORM calls from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


# --- query counts -----------------------------------------------------------------------


@pytest.fixture
def calendar_held(monkeypatch: Any) -> None:
    """The working-day calendar stays cached for the whole test (`deadlines.calendar`).

    A test comparing the queries of two requests asks for this: the per-process cache expires
    after CACHE_SECONDS (60 s), and on a loaded machine it ran out between the two requests, so
    the second one read the calendar again and counted one query more (the clean CI of f0d15ac).
    """
    from deadlines import calendar

    monkeypatch.setattr(calendar, "CACHE_SECONDS", float("inf"))


# --- users ------------------------------------------------------------------------------


@pytest.fixture
def department(db: Any) -> Any:
    return DepartmentFactory(code="FG", name="法规科")


@pytest.fixture
def officer(db: Any, department: Any) -> Any:
    return UserFactory(
        username="officer1", last_name="张", first_name="伟", department=department, roles=[Role.OFFICER]
    )


@pytest.fixture
def section_chief(db: Any, department: Any) -> Any:
    """承办机构负责人 (科长) of the officers' department: signs 承办机构意见 (第八条第一款)."""
    return UserFactory(
        username="chief1", last_name="周", first_name="敏", department=department, roles=[Role.SECTION_CHIEF]
    )


@pytest.fixture
def officer2(db: Any, department: Any) -> Any:
    return UserFactory(
        username="officer2", last_name="李", first_name="娜", department=department, roles=[Role.OFFICER]
    )


@pytest.fixture
def reviewer(db: Any) -> Any:
    return UserFactory(username="reviewer1", roles=[Role.LEGAL_REVIEWER])


@pytest.fixture
def head(db: Any) -> Any:
    return UserFactory(username="head1", roles=[Role.HEAD])


@pytest.fixture
def archivist(db: Any) -> Any:
    return UserFactory(username="archivist1", roles=[Role.ARCHIVIST])


@pytest.fixture
def admin_user(db: Any) -> Any:
    user = cast(User, UserFactory(username="admin1", roles=[Role.ADMIN]))
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- a real Celery worker ---------------------------------------------------------------


class _Worker:
    def __init__(self, queue: str, proc: subprocess.Popen, log: Path) -> None:
        self.queue, self.proc, self.log = queue, proc, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start_worker(
    db_name: str, tmp: Path, *, queue: str = "", extra_env: dict[str, str] | None = None, pool: str = "solo"
) -> _Worker:
    """A worker on `queue` (a new unique one by default); `extra_env` overrides settings;
    `pool` "prefork" runs tasks in one child process."""
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    queue = queue or f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ)
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db_name}"
    )
    env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["ORIGINALS_ROOT"] = str(settings.ORIGINALS_ROOT)
    env.update(extra_env or {})
    log = tmp / f"{queue}-{uuid.uuid4().hex[:6]}.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "linke",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited:\n{log.read_text(errors='replace')}")
        if " ready." in log.read_text(errors="replace"):
            return _Worker(queue, proc, log)
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"celery worker did not start:\n{log.read_text(errors='replace')}")


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[_Worker]:
    from django.db import connection

    worker = _start_worker(connection.settings_dict["NAME"], tmp_path_factory.mktemp("celery"))
    yield worker
    worker.proc.terminate()
    try:
        worker.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.proc.kill()


@pytest.fixture
def celery_worker(transactional_db: Any, _celery_worker_process: _Worker) -> Iterator[_Worker]:
    """Tasks queued in this test go over Redis to a real worker process. Data the test
    creates is committed (transactional_db), so the worker sees it."""
    from celery.result import allow_join_result

    from linke.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = _celery_worker_process.queue
    try:
        # This process is no worker: waiting here for a result is what the test is for. (An
        # eager task run earlier in the same process can leave Celery thinking it is inside one.)
        with allow_join_result():
            yield _celery_worker_process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved


# --- headless Chromium ------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login(page: Any, live_server: Any) -> Any:
    """login(user) signs `user` in through the real login form and returns the page."""

    def _login(user: Any, password: str = PASSWORD) -> Any:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return _login


# --- order ------------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """The production smoke test (-m prod) first: it is the longest, and its start-up (three
    gunicorn workers, a Celery worker, beat, SeaweedFS booting at once) loads a 2-core machine;
    at the end of the run it would overlap the timing-sensitive tus/gunicorn tests on the other
    xdist worker (loadfile hands out files in collection order)."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("prod") else 1)
