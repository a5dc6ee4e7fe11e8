"""Browsing under upload load (issue 17): 8 officers browse while 16 collection stations
upload 64 MiB body-camera videos (1280x720 H.264/AAC MP4, ~20 Mbit/s), against the same
browsing without uploads. Loopback only, bounded in time.

The production shape on this machine: gunicorn as the Dockerfile runs it (3 gthread workers
of 4 threads), a Celery worker on the ingest queue and one on the derive queue. Each browsing
user loops over the dashboard, the case list and the sections of one case (overview, AV
records, documents, timeline) with its own session. Phase 1 browses for --seconds without
uploads; phase 2 starts the uploads (each station its own token and its own file) and browses
until the last record is READY (proxy made) or --timeout. Prints each phase's median and p90
latency and requests per second, and when the uploads were stored and ready.

    .venv/bin/python bench/load.py [--users 8] [--uploads 16] [--size 64M] [--seconds 30]

Needs PostgreSQL and Redis as `make test` has them (`make bench BENCH=load`). Uses the
database BENCH_INGEST_DB (default linke_bench_ingest) and var/bench-ingest like
bench/ingest.py, whose helpers it shares; scratch files are removed afterwards.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import (  # type: ignore[import-not-found]  # bench/ is not a package: a sibling script
    ENV,
    MB,
    QUEUE,
    ROOT,
    VAR,
    VENV,
    _port_open,
    _segment,
    _worker,
    ensure_database,
    file_sha256,
    free_port,
    ingest,
    parse_size,
    wait_for,
)


def make_videos(count: int, size: int, tag: str) -> list[Path]:
    """`count` distinct H.264/AAC MP4 files of about `size` bytes: the same 4 s segment
    repeated, each with its own station's and run's `tag` in its metadata (distinct hashes, so
    no two share a stored object), streams copied."""
    seg = _segment(
        "segment-h264.mp4",
        *("-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high", "-pix_fmt", "yuv420p"),
        *("-b:v", "20M", "-maxrate", "20M", "-bufsize", "20M"),
    )
    repeat = max(1, round(size / seg.stat().st_size))
    listing = VAR / "load-concat.txt"
    listing.write_text(f"file '{seg}'\n" * repeat)
    paths = []
    for i in range(count):
        path = VAR / f"station-{i}.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing), "-c", "copy"]
            + ["-metadata", f"comment=bench {tag} station {i}", "-movflags", "+faststart", str(path)],
            check=True,
        )
        paths.append(path)
    listing.unlink()
    return paths


def setup_data(users: int, stations: int) -> tuple[list[str], list[str], list[str]]:
    """Officers with a session each, one case of theirs with a few records, station tokens.
    Returns (session cookies, station tokens, URLs to browse)."""
    os.environ["DATABASE_URL"] = ENV["DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import Role
    from accounts.tests.factories import UserFactory
    from avrecords.services import station_create
    from cases.panels import section_url
    from cases.tests.factories import CaseFactory, PartyFactory

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    tag = uuid.uuid4().hex[:6]
    first: Any = UserFactory(username=f"load-{tag}-0", roles=[Role.OFFICER])
    second: Any = UserFactory(username=f"load-{tag}-1", roles=[Role.OFFICER], department=first.department)
    # The database persists between runs: numbers of this run's own (the factory's sequence restarts).
    n = int(tag, 16)
    case: Any = CaseFactory(
        officers=[first, second],
        department=first.department,
        created_by=first,
        registration_number=f"临科登〔2026〕{n}号",
        number=f"临科罚立〔2026〕{n}号",
    )
    PartyFactory(case=case)
    cookies = []
    for k in range(users):
        user = first if k % 2 == 0 else second
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    tokens = [station_create(name=f"load-{tag}-{i}", location="")[1] for i in range(stations)]
    urls = [
        "/cases/",
        "/cases/list/",
        section_url(case.pk, "overview"),
        section_url(case.pk, "av"),
        section_url(case.pk, "documents"),
        section_url(case.pk, "timeline"),
    ]
    return cookies, tokens, urls


class Browsers:
    """`len(cookies)` threads, each a user looping over `urls` until stopped; latencies in ms."""

    def __init__(self, base: str, cookies: list[str], urls: list[str], cookie_name: str) -> None:
        import requests

        self.stop = threading.Event()
        self.times: list[float] = []
        self.errors = 0
        self._lock = threading.Lock()
        self._threads = []
        for k, cookie in enumerate(cookies):
            session = requests.Session()
            session.cookies.set(cookie_name, cookie)
            self._threads.append(threading.Thread(target=self._run, args=(session, base, urls, k), daemon=True))

    def _run(self, session: Any, base: str, urls: list[str], k: int) -> None:
        i = k
        while not self.stop.is_set():
            url = base + urls[i % len(urls)]
            i += 1
            t = time.perf_counter()
            resp = session.get(url, allow_redirects=False, timeout=120)
            ms = (time.perf_counter() - t) * 1000
            with self._lock:
                if resp.status_code == 200:
                    self.times.append(ms)
                else:
                    self.errors += 1

    def start(self) -> float:
        for th in self._threads:
            th.start()
        return time.perf_counter()

    def finish(self) -> None:
        self.stop.set()
        for th in self._threads:
            th.join(timeout=130)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--uploads", type=int, default=16)
    parser.add_argument("--size", default="64M")
    parser.add_argument("--seconds", type=float, default=30, help="phase 1 (no uploads) duration")
    parser.add_argument("--timeout", type=float, default=900, help="phase 2 bound: uploads until READY")
    parser.add_argument("--keep", action="store_true", help="keep var/bench-ingest (the servers' logs)")
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_database()
    cookies, tokens, urls = setup_data(args.users, args.uploads)
    from django.conf import settings

    videos = make_videos(args.uploads, parse_size(args.size), uuid.uuid4().hex[:8])
    digests = [file_sha256(p) for p in videos]
    env = {**ENV, "CELERY_TASK_ALWAYS_EAGER": "0"}
    port = free_port()
    logs = VAR / "logs"
    logs.mkdir(exist_ok=True)
    web = subprocess.Popen(
        [str(VENV / "gunicorn"), "linke.wsgi", "-b", f"127.0.0.1:{port}"]
        + ["--workers", "3", "--worker-class", "gthread", "--threads", "4", "--timeout", "900"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "web.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    procs = [web, _worker(env, QUEUE, logs / "worker.log"), _worker(env, env["AV_DERIVE_QUEUE"], logs / "derive.log")]
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _port_open(port), 60, "gunicorn")
        time.sleep(2)  # the Celery workers connect
        results = {}
        for phase in ("browsing only", f"with {args.uploads} uploads"):
            browsers = Browsers(base, cookies, urls, settings.SESSION_COOKIE_NAME)
            if phase == "browsing only":
                # Warm every gunicorn worker thread's first requests (lazy imports) out of the figures.
                warm = Browsers(base, cookies, urls, settings.SESSION_COOKIE_NAME)
                warm.start()
                time.sleep(5)
                warm.finish()
                started = browsers.start()
                time.sleep(args.seconds)
                uploads: dict[str, Any] = {}
            else:
                started = browsers.start()
                uploads = _upload_all(base, tokens, videos, digests, started, args.timeout)
            browsers.finish()
            elapsed = time.perf_counter() - started
            results[phase] = (browsers.times, browsers.errors, elapsed, uploads)
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"{args.users} browsing users over {len(urls)} pages (dashboard, case list, 4 case-page sections);")
    print(f"{args.uploads} stations uploading {args.size} H.264/AAC MP4 each; gunicorn 3x4 gthread, 2 Celery workers")
    print(f"{'phase':<20} {'requests':>9} {'req/s':>7} {'p50 ms':>8} {'p90 ms':>8} {'errors':>7} {'seconds':>8}")
    base_p50 = None
    for phase, (times, errors, elapsed, uploads) in results.items():
        p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
        base_p50 = base_p50 or p50
        print(
            f"{phase:<20} {len(times):>9} {len(times) / elapsed:>7.1f} {p50:>8.0f} {p90:>8.0f} {errors:>7}"
            f" {elapsed:>8.1f}   p50 x{p50 / base_p50:.2f}"
        )
        if uploads:
            print(
                f"uploads: all sent {uploads['sent']:.1f} s after start; last record READY at {uploads['ready']:.1f} s"
                f" ({uploads['done']}/{args.uploads} ready)"
            )
    if not args.keep:
        shutil.rmtree(VAR, ignore_errors=True)


def _upload_all(
    base: str, tokens: list[str], videos: list[Path], digests: list[str], started: float, timeout: float
) -> dict[str, Any]:
    """Each station uploads its file (tuspy) and waits until its record is READY."""
    import psycopg
    from tusclient import client as tus_client

    sent: list[float] = []
    ready: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        tus = tus_client.TusClient(f"{base}/api/v1/uploads/", headers={"Authorization": f"Token {tokens[i]}"})
        with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as conn:
            uploaded, _ = ingest(conn, tus, videos[i], digests[i], 16 * MB, ready=True)
            done = time.perf_counter()
        with lock:
            sent.append(uploaded - started)
            ready.append(done - started)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(len(tokens))]
    for th in threads:
        th.start()
    deadline = time.perf_counter() + timeout
    for th in threads:
        th.join(timeout=max(1.0, deadline - time.perf_counter()))
    return {"sent": max(sent, default=0.0), "ready": max(ready, default=0.0), "done": len(ready)}


if __name__ == "__main__":
    main()
