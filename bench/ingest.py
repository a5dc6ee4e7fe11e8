"""Ingest benchmark: a big file through the whole path, against the physical floor.

    tuspy -> gunicorn (tus PATCH, streamed to staging) -> Celery worker (SHA-256, store the
    original, ffprobe)

is timed against `openssl dgst -sha256` reading the same file in the same run (one read,
one hash). Prints the ratio (target: within 3x) and the peak resident memory (VmHWM) of the
web worker and the Celery worker, each started fresh per size (target: under 200 MB and
flat from 256 MiB to 2 GiB) and warmed by one 1 MiB upload first, as a server that has been
running is (a fresh process's first request and first task pay ~0.25 s of lazy imports).
Derived files (the proxy transcode) go to a queue nobody consumes here: they are not part
of ingest.

tuspy sends the file in PATCHes of --chunk bytes (default 256 MiB; each PATCH costs a
request's fixed overhead and an fsync). tuspy would read each chunk into memory as bytes:
the bench hands it a file whose read() returns a window that requests sends 1 MiB at a
time (WindowedFile), so the client's memory does not grow with the chunk either.

    .venv/bin/python bench/ingest.py [--sizes 256M,2G] [--chunk 256M] [--storage local|s3] [--keep]

With --storage s3 the originals go to a bucket with Object Lock on a SeaweedFS started for
the run (loopback), as in production; the default is the embedded default's local folder.

End to end (--e2e, issue 17): a browser-playable H.264/AAC MP4 (1280x720, about 20 Mbit/s,
as body-worn recorders write) of each --sizes, from the first tus request until its record is
READY (hashed, stored, probed, poster made, and the player's source settled), against
`openssl dgst -sha256` of the same file (target <= 2x) and against `dd conv=fdatasync` of the
same bytes (the disk's pace: the upload must make every byte durable before acknowledging it,
which openssl does not). --moov front (default): the file's index is in front, so the player
plays the original itself and no copy is written; --moov end: the index is at the end, as a
recorder writing live leaves it, and the file is remuxed (one more write of the whole file).
Where the time went comes from the servers' own INFO lines: each PATCH's body (received,
written, hashed, durable) and offset-saving seconds, each pipeline step's seconds (hash,
store, probe, poster, index check, proxy ...), and the custody trail's timestamps. Then a file
that needs transcoding (HEVC 1280x720, --transcode-seconds long): the CPU-seconds the
transcoding worker (ffmpeg included) spends per second of video. Two workers, as in
production: one for the ingest queue, one for the derive queue.

    .venv/bin/python bench/ingest.py --e2e [--sizes 64M] [--moov front|end] [--transcode-seconds 20]

Measured 2026-11-30, 2 GiB, on this 2-core machine while other jobs kept its load at 5-9
(wall-clock ratios are inflated by that load; openssl itself needed 2.4-3.4 s of wall clock
for 1.4 s of CPU):

    before (every compatible file remuxed, +faststart): ready 38.7 s = 11.4x openssl, 2.9x dd;
        upload 11.8 s, hash/store/probe 0.3 s, poster 0.9 s, remux 25.6 s
    index in front (played as the original):            ready  8.0 s =  2.7x openssl, 0.7x dd;
        upload 7.1 s, hash/store/probe 0.3 s, poster 0.5 s, no copy
    index at the end (remuxed, index written in front): ready 23.4 s =  9.6x openssl, 2.1x dd;
        upload 6.8 s, hash/store/probe 0.4 s, poster 0.4 s, remux 15.8 s

What is left is the upload, and it is the disk's: one durable write of the file (the staging
file, which becomes the original by a hard link) runs at the disk's pace (dd: 2 GiB in 10.9 s
in the same run) while the SHA-256 is computed beside it; hash, store (a link) and probe take
0.3 s, the poster 0.5 s. So the floor of the remaining steps is one durable write of the file
plus about 0.8 s: 2x openssl is out of reach on any disk slower than about twice the hash
(here ~1.5 GB/s; this disk wrote 0.2-0.9 GB/s depending on its other users).

Needs PostgreSQL and Redis as `make test` has them (DATABASE_URL / REDIS_URL override).
Scratch data lives under var/bench-ingest and is removed afterwards (unless --keep).
"""

import argparse
import io
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tusclient.client import TusClient

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
VAR = ROOT / "var" / "bench-ingest"
# Overridable, so runs from several checkouts on one machine keep apart (with REDIS_URL).
DB_NAME = os.environ.get("BENCH_INGEST_DB", "linke_bench_ingest")
BASE_DB = os.environ.get("BENCH_PG", "postgres://postgres:postgres@127.0.0.1:5432")
ENV = {
    **os.environ,
    "DATABASE_URL": f"{BASE_DB}/{DB_NAME}",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "CELERY_TASK_ALWAYS_EAGER": "0",
    "LINKE_VAR_DIR": str(VAR),
    "STATIC_MANIFEST": "0",
    "AV_DERIVE_QUEUE": f"bench-derive-{uuid.uuid4().hex[:6]}",
    "DJANGO_SETTINGS_MODULE": "linke.settings",
}
QUEUE = "celery"  # where the web process sends record_ingest_task
MB = 1024 * 1024


def parse_size(text: str) -> int:
    units = {"K": 1024, "M": MB, "G": 1024 * MB}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_media(path: Path, size: int) -> None:
    """A real MPEG-TS stream (ffprobe reads it) repeated up to `size` bytes."""
    seg = VAR / "segment.ts"
    if not seg.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=640x360:rate=25:duration=4",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=4",
                "-c:v",
                "mpeg2video",
                "-q:v",
                "2",
                "-c:a",
                "mp2",
                "-f",
                "mpegts",
                str(seg),
            ],
            check=True,
        )
    block = seg.read_bytes()
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            piece = block[:left]
            fh.write(piece)
            left -= len(piece)
        # On the disk before anything is timed: its dirty pages written back during the run
        # would slow the staging writes (the kernel throttles writers to the disk's pace).
        fh.flush()
        os.fsync(fh.fileno())


def _segment(name: str, *encode: str) -> Path:
    """4 s of 1280x720 picture (test pattern with moving noise, so the encoder has real work)
    and sound, encoded once per run as `encode` says."""
    seg = VAR / name
    if not seg.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc=size=1280x720:rate=25:duration=4,noise=alls=12:allf=t",
                "-f",
                "lavfi",
                "-i",
                "sine=duration=4",
                *encode,
                "-c:a",
                "aac",
                "-b:a",
                "128k",
                str(seg),
            ],
            check=True,
        )
    return seg


def _repeat(seg: Path, path: Path, count: int, *, faststart: bool = True) -> None:
    """`seg` `count` times over, as one MP4 (ffmpeg's concat demuxer, streams copied), its
    index in front (`faststart`) or at the end."""
    listing = VAR / f"{path.name}.txt"
    listing.write_text(f"file '{seg}'\n" * count)
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c",
            "copy",
            *(("-movflags", "+faststart") if faststart else ()),
            str(path),
        ],
        check=True,
    )
    listing.unlink()
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def make_h264(path: Path, size: int, *, faststart: bool = True) -> None:
    """A browser-playable H.264 (High, yuv420p) / AAC MP4 of about `size` bytes (at least 4 s),
    ~20 Mbit/s like the body-worn recorders of issue 17; its index (moov) in front of the
    media data when `faststart`, else at the end (as a recorder writing live leaves it)."""
    seg = _segment(
        "segment-h264.mp4",
        *("-c:v", "libx264", "-preset", "ultrafast", "-profile:v", "high", "-pix_fmt", "yuv420p"),
        *("-b:v", "20M", "-maxrate", "20M", "-bufsize", "20M"),
    )
    _repeat(seg, path, max(1, round(size / seg.stat().st_size)), faststart=faststart)


def make_hevc(path: Path, seconds: float) -> None:
    """An HEVC/AAC MP4 of 1280x720, `seconds` long (rounded to 4 s): transcoded by the pipeline."""
    seg = _segment(
        "segment-hevc.mp4",
        *("-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1"),
    )
    _repeat(seg, path, max(1, round(seconds / 4)))


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (a figure the machine's load does not skew)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds_with_children(pid: int) -> float:
    """cpu_seconds plus the CPU of its finished children (ffmpeg, run and waited for by the worker)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids = (task / "children").read_text().split()
        out += [int(k) for k in kids]
    return out


class _Window:
    """`length` bytes of a file from `start`, handed to requests 1 MiB at a time."""

    def __init__(self, fd: int, start: int, length: int) -> None:
        self.fd, self.start, self.length = fd, start, length

    def __len__(self) -> int:  # requests sends it as Content-Length
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(bytearray(MB))
        pos, end = self.start, self.start + self.length
        while pos < end:
            n = os.preadv(self.fd, [view[: min(MB, end - pos)]], pos)
            if not n:
                raise OSError(f"file shorter than expected at {pos}")
            yield view[:n]  # sent (sendall) before the next piece overwrites the buffer
            pos += n


class WindowedFile(io.FileIO):
    """The file as tuspy sees it, except that `read(n)` returns a window over the next n
    bytes instead of n bytes in memory: a PATCH body of any size costs the client 1 MiB.
    tuspy still does all of the protocol (creation, offsets, one PATCH per chunk)."""

    def read(self, size: int | None = -1) -> _Window:  # type: ignore[override]
        start, total = self.tell(), os.fstat(self.fileno()).st_size
        end = total if size is None or size < 0 else min(start + size, total)
        self.seek(end)
        return _Window(self.fileno(), start, end - start)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


def manage(*args: str) -> str:
    return subprocess.run(
        [str(VENV / "python"), "manage.py", *args], cwd=ROOT, env=ENV, check=True, capture_output=True, text=True
    ).stdout


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_DB}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "--noinput")


def file_sha256(path: Path) -> str:
    return subprocess.run(
        ["openssl", "dgst", "-sha256", "-r", str(path)], check=True, capture_output=True, text=True
    ).stdout.split()[0]


def ingest(
    conn: Any, tus: "TusClient", path: Path, digest: str, chunk: int, *, ready: bool = False
) -> tuple[float, tuple]:
    """Upload `path` with tuspy and wait until its record is stored and probed (`ready`: until
    it is processed, its derived files made). Returns the moment (perf_counter) the upload
    ended and the record's (sha256, kind, status, proxy_method, duration, id)."""
    from tusclient.uploader import Uploader

    uploader = Uploader(
        file_stream=WindowedFile(path),
        client=tus,
        chunk_size=chunk,
        metadata={"filename": path.name, "sha256": digest, "ended_at": "2026-11-27T09:00:00+08:00"},
    )
    uploader.upload()
    uploaded = time.perf_counter()
    assert uploader.url, "tus server gave no upload URL"
    upload_id = uploader.url.rstrip("/").rsplit("/", 1)[1]
    done = "processed_at" if ready else "probed_at"
    sql = (
        "SELECT r.sha256, r.kind, r.status, r.proxy_method, r.duration, r.id FROM avrecords_avrecord r"
        f" WHERE r.upload_id = %s AND r.{done} IS NOT NULL"
    )
    row = wait_for(lambda: conn.execute(sql, [upload_id]).fetchone(), 1800, "ingest")
    if row[0] != digest:
        raise SystemExit(f"hash mismatch: {row[0]} != {digest}")
    return uploaded, row


def s3_put_seconds(path: Path, storage_env: dict[str, str]) -> float:
    from avrecords.tests.seaweedfs import s3_client

    client = s3_client(
        storage_env["AWS_S3_ENDPOINT_URL"], storage_env["AWS_ACCESS_KEY_ID"], storage_env["AWS_SECRET_ACCESS_KEY"]
    )
    t = time.perf_counter()
    client.upload_file(str(path), storage_env["AWS_ORIGINALS_BUCKET_NAME"], f"bench-baseline/{uuid.uuid4().hex}")
    return time.perf_counter() - t


def run_one(size: int, token: str, chunk: int, storage_env: dict[str, str]) -> dict[str, float]:
    import psycopg

    path = VAR / f"bench-{size}.ts"
    make_media(path, size)

    # The floor: one read, one hash (the page cache is warm for both, as it is for ingest).
    subprocess.run(["openssl", "dgst", "-sha256", str(path)], check=True, capture_output=True)
    t, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    digest = file_sha256(path)
    floor = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    floor_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime

    # A second baseline: writing the same bytes to disk once, durably (the upload must put
    # them in staging and fsync before acknowledging; openssl's floor writes nothing).
    copy = VAR / f"copy-{size}"
    t = time.perf_counter()
    subprocess.run(["dd", f"if={path}", f"of={copy}", "bs=1M", "conv=fdatasync"], check=True, capture_output=True)
    disk = time.perf_counter() - t
    copy.unlink()

    # With S3 originals, a third: the same file put into the bucket by boto3 alone (the pace
    # of the storage server itself, which the ingest cannot beat).
    put = s3_put_seconds(path, storage_env) if storage_env else float("nan")

    with servers({**ENV, **storage_env}, token) as (tus, web_pid, worker_pid, _):
        with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as conn:
            web_cpu, me = cpu_seconds(web_pid), resource.getrusage(resource.RUSAGE_SELF)
            t = time.perf_counter()
            uploaded, row = ingest(conn, tus, path, digest, chunk)
            total = time.perf_counter() - t
        uploaded -= t
        web_cpu = cpu_seconds(web_pid) - web_cpu  # the web process is idle once the upload ended
        done = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = done.ru_utime + done.ru_stime - me.ru_utime - me.ru_stime
        result = {
            "size": size,
            "floor": floor,
            "disk": disk,
            "put": put,
            "upload": uploaded,
            "total": total,
            "kind": row[1],
            "floor_cpu": floor_cpu,
            "web_cpu": web_cpu,
            "client_cpu": client_cpu,
            "web_mb": peak_rss_mb(web_pid),
            "worker_mb": peak_rss_mb(worker_pid),
        }
    path.unlink(missing_ok=True)
    return result


def _worker(env: dict[str, str], queue: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(VENV / "celery"),
            "-A",
            "linke",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"bench-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",  # the pipeline's step timings (ingest.timed) are INFO lines
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@contextmanager
def servers(env: dict[str, str], token: str, *, derive: bool = False) -> Iterator[tuple[Any, int, int, int | None]]:
    """gunicorn (one worker) and a Celery worker on the ingest queue (and, with `derive`, one
    on the derive queue, as in production), fresh, warmed by one 1 MiB upload (the first
    request and task of a fresh process pay Django's and Celery's lazy imports, ~0.25 s).
    Yields (tus client, web worker pid, ingest worker pid, derive worker pid or None)."""
    import psycopg
    from tusclient import client as tus_client

    port = free_port()
    logs = VAR / "logs"
    logs.mkdir(exist_ok=True)
    web = subprocess.Popen(
        [str(VENV / "gunicorn"), "linke.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "900"],
        cwd=ROOT,
        env=env,
        stdout=(logs / "web.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    procs = [web, _worker(env, QUEUE, logs / "worker.log")]
    if derive:
        procs.append(_worker(env, env["AV_DERIVE_QUEUE"], logs / "worker-derive.log"))
    try:
        wait_for(lambda: _port_open(port), 60, "gunicorn")
        web_pid = wait_for(lambda: children(web.pid), 30, "gunicorn worker")[0]
        time.sleep(2)  # let the Celery workers connect
        endpoint = f"http://127.0.0.1:{port}/api/v1/uploads/"
        tus = tus_client.TusClient(endpoint, headers={"Authorization": f"Token {token}"})
        with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as conn:
            warm = VAR / "warm-up.ts"
            make_media(warm, MB)
            ingest(conn, tus, warm, file_sha256(warm), MB, ready=derive)
            warm.unlink()
        yield tus, web_pid, procs[1].pid, procs[2].pid if derive else None
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def _step_times(logs: Path, record_id: int, upload_id: str) -> dict[str, Any]:
    """The pipeline's own timings of one record from the servers' logs: each PATCH's body
    (received, written, hashed, durable) and offset-saving seconds (avrecords.tus), and each
    worker step's seconds (avrecords.ingest.timed: hash, store, probe, poster, proxy, ...)."""
    patch = re.compile(rf"upload {upload_id}: PATCH (\d+) bytes at \d+: body ([\d.]+) s, saved ([\d.]+) s")
    step = re.compile(rf"record {record_id}: (.+?) ([\d.]+) s$")
    body = saved = 0.0
    patches = 0
    steps: dict[str, float] = {}
    for log in logs.glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if m := patch.search(line):
                patches += 1
                body += float(m[2])
                saved += float(m[3])
            elif m := step.search(line.rstrip()):
                steps[m[1]] = steps.get(m[1], 0.0) + float(m[2])
    return {"patches": patches, "body": body, "saved": saved, "steps": steps}


def _upload_id(conn: Any, record_id: int) -> str:
    return str(conn.execute("SELECT upload_id FROM avrecords_avrecord WHERE id = %s", [record_id]).fetchone()[0])


def run_e2e(size: int, token: str, chunk: int, transcode_seconds: float, *, faststart: bool) -> dict[str, Any]:
    """A browser-playable H.264 file of about `size` bytes (index in front when `faststart`,
    else at the end), upload start -> READY, against openssl and against writing the same
    bytes durably once (dd); then an HEVC file: the derive worker's CPU-seconds per second of
    video."""
    import psycopg

    path = VAR / f"bench-{size}.mp4"
    make_h264(path, size, faststart=faststart)
    size = path.stat().st_size
    subprocess.run(["openssl", "dgst", "-sha256", str(path)], check=True, capture_output=True)  # warm cache
    t, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    digest = file_sha256(path)
    floor = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    floor_cpu = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    # The disk's own pace: the upload must put every byte in staging durably (fsync) before
    # it acknowledges it, which openssl's floor does not.
    copy = VAR / f"copy-{size}"
    t = time.perf_counter()
    subprocess.run(["dd", f"if={path}", f"of={copy}", "bs=1M", "conv=fdatasync"], check=True, capture_output=True)
    disk = time.perf_counter() - t
    copy.unlink()
    hevc = VAR / "bench-hevc.mp4"
    make_hevc(hevc, transcode_seconds)
    with servers(ENV, token, derive=True) as (tus, web_pid, worker_pid, derive_pid):
        assert derive_pid is not None
        pids = (web_pid, worker_pid, derive_pid)
        with psycopg.connect(ENV["DATABASE_URL"], autocommit=True) as conn:
            before = [cpu_seconds_with_children(pid) for pid in pids]
            me = resource.getrusage(resource.RUSAGE_SELF)
            t = time.perf_counter()
            uploaded, row = ingest(conn, tus, path, digest, chunk, ready=True)
            total = time.perf_counter() - t
            web_cpu, ingest_cpu, derive_cpu = (
                cpu_seconds_with_children(p) - b for p, b in zip(pids, before, strict=True)
            )
            done = resource.getrusage(resource.RUSAGE_SELF)
            client_cpu = done.ru_utime + done.ru_stime - me.ru_utime - me.ru_stime
            # Where the time went, from the record's custody trail (server clock).
            trail: dict[str, Any] = dict(
                conn.execute(
                    "SELECT e.action, EXTRACT(EPOCH FROM e.created_at) FROM audit_entry e"
                    " JOIN avrecords_avrecord r ON e.object_id = r.id::text AND e.object_type = 'avrecords.avrecord'"
                    " WHERE r.id = %s AND e.action IN ('av.received', 'av.probed', 'av.processed')",
                    [row[5]],
                ).fetchall()
            )
            upload_id = _upload_id(conn, row[5])

            transcode_before = cpu_seconds_with_children(derive_pid)
            _, hrow = ingest(conn, tus, hevc, file_sha256(hevc), chunk, ready=True)
            transcode_cpu = cpu_seconds_with_children(derive_pid) - transcode_before
    path.unlink(missing_ok=True)
    hevc.unlink(missing_ok=True)
    expected = "original" if faststart else "remux"
    if (row[2], row[3], hrow[2], hrow[3]) != ("ready", expected, "ready", "transcode"):
        raise SystemExit(f"unexpected outcome: H.264 {row[2:4]}, HEVC {hrow[2:4]} (see var/bench-ingest/logs)")
    return {
        "size": size,
        "moov": "front" if faststart else "end",
        "method": row[3],
        "floor": floor,
        "disk": disk,
        "upload": uploaded - t,
        "total": total,
        "duration": row[4],
        "derive_cpu": derive_cpu,
        "ingest_wall": float(trail["av.probed"] - trail["av.received"]),
        "derive_wall": float(trail["av.processed"] - trail["av.probed"]),
        "floor_cpu": floor_cpu,
        "server_cpu": web_cpu + ingest_cpu + derive_cpu,
        "client_cpu": client_cpu,
        "hevc_duration": hrow[4],
        "transcode_cpu": transcode_cpu,
        **_step_times(VAR / "logs", row[5], upload_id),
    }


def print_e2e(results: list[dict[str, Any]]) -> None:
    print("End to end, browser-playable H.264/AAC MP4 (1280x720, ~20 Mbit/s): tuspy upload start -> record READY")
    print(
        f"{'size':>9} {'moov':>5} {'player':>8} {'video':>7} {'openssl':>8} {'dd':>7} {'upload':>7} {'ready':>7}"
        f" {'ratio':>6} {'vs dd':>6}   CPU: {'openssl':>7} {'server':>7} {'derive':>7} {'client':>7}"
    )
    for r in results:
        print(
            f"{r['size'] / MB:>7.0f}MB {r['moov']:>5} {r['method']:>8} {r['duration']:>6.0f}s {r['floor']:>7.2f}s"
            f" {r['disk']:>6.2f}s {r['upload']:>6.2f}s {r['total']:>6.2f}s {r['total'] / r['floor']:>5.1f}x"
            f" {r['total'] / r['disk']:>5.1f}x        {r['floor_cpu']:>6.2f}s {r['server_cpu']:>6.2f}s"
            f" {r['derive_cpu']:>6.2f}s {r['client_cpu']:>6.2f}s"
        )
    for r in results:
        steps = ", ".join(f"{name} {secs:.2f}s" for name, secs in r["steps"].items())
        print(
            f"  {r['size'] / MB:.0f}MB, moov at the {r['moov']}: upload {r['upload']:.2f}s ({r['patches']} PATCHes:"
            f" bodies received, written, hashed and made durable {r['body']:.2f}s, offsets saved {r['saved']:.2f}s);"
            f" then hash/store/probe {r['ingest_wall']:.2f}s and derive {r['derive_wall']:.2f}s (custody trail);"
            f" steps: {steps}"
        )
    print("Transcoded (HEVC 1280x720 -> H.264 proxy, libx264 veryfast, capped at AV_PROXY_MAX_SIDE):")
    for r in results:
        print(
            f"  {r['hevc_duration']:.0f}s of video: {r['transcode_cpu']:.1f} CPU-s on the derive worker,"
            f" {r['transcode_cpu'] / r['hevc_duration']:.2f} CPU-s per second of video"
        )
    print(
        "player = what the record plays: the original itself (index in front, browser-playable) or a"
        " remuxed copy (index at the end). ratio = ready / openssl dgst -sha256 of the same file"
        " (target <= 2x; wall clock, so a busy machine inflates it); vs dd = ready / dd conv=fdatasync of"
        " the same bytes (the upload must make each byte durable before acknowledging it). CPU"
        " (load-independent): openssl's; server = web worker + ingest worker + derive worker,"
        " ffmpeg/ffprobe included; derive = the derive worker's alone; client = the tuspy process."
        " steps: the pipeline's own timings (INFO lines of avrecords.ingest)."
    )


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=None, help="default 256M,2G; with --e2e 64M")
    parser.add_argument(
        "--e2e",
        action="store_true",
        help="upload start -> record READY for a browser-playable H.264 MP4 (remuxed), and the"
        " CPU-seconds per second of video of a file that is transcoded (HEVC)",
    )
    parser.add_argument(
        "--moov",
        choices=("front", "end"),
        default="front",
        help="--e2e: the H.264 file's index in front (plays as it is) or at the end (remuxed)",
    )
    parser.add_argument("--transcode-seconds", type=float, default=20, help="length of the HEVC file (--e2e)")
    parser.add_argument("--chunk", default="256M", help="tus chunk_size: the body of one PATCH")
    parser.add_argument(
        "--storage",
        choices=("local", "s3"),
        default="local",
        help="where originals go: the embedded default's read-only folder (a hard link of the"
        " staging file), or an S3 bucket with Object Lock on a SeaweedFS started here",
    )
    parser.add_argument("--keep", action="store_true", help="keep var/bench-ingest")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    VAR.mkdir(parents=True, exist_ok=True)
    ensure_database()
    token = manage("create_station", f"bench-{uuid.uuid4().hex[:8]}").strip()
    if args.e2e:
        e2e_sizes = [parse_size(x) for x in (args.sizes or "64M").split(",")]
        e2e = [
            run_e2e(size, token, parse_size(args.chunk), args.transcode_seconds, faststart=args.moov == "front")
            for size in e2e_sizes
        ]
        print_e2e(e2e)
        if not args.keep:
            shutil.rmtree(VAR, ignore_errors=True)
        return
    server = None
    if args.storage == "s3":
        from avrecords.tests import seaweedfs

        (VAR / "seaweedfs").mkdir(exist_ok=True)
        server = seaweedfs.start(VAR / "seaweedfs")
    try:
        storage_env = server.env() if server else {}
        sizes = (args.sizes or "256M,2G").split(",")
        results = [run_one(parse_size(s), token, parse_size(args.chunk), storage_env) for s in sizes]
    finally:
        if server:
            server.stop()
    print(f"originals: {args.storage}; tus chunk {args.chunk}")
    print(
        f"{'size':>9} {'openssl':>9} {'upload':>8} {'ingest':>8} {'ratio':>6} {'web peak':>9} {'worker peak':>12}"
        f"   CPU: {'openssl':>8} {'web':>6} {'client':>7}   {'disk write':>10} {'vs write+hash':>13}"
    )
    for r in results:
        print(
            f"{r['size'] / MB:>7.0f}MB {r['floor']:>8.2f}s {r['upload']:>7.2f}s {r['total']:>7.2f}s "
            f"{r['total'] / r['floor']:>5.1f}x {r['web_mb']:>7.0f}MB {r['worker_mb']:>10.0f}MB"
            f"        {r['floor_cpu']:>7.2f}s {r['web_cpu']:>5.2f}s {r['client_cpu']:>6.2f}s"
            f"   {r['disk']:>9.2f}s {r['total'] / (r['disk'] + r['floor']):>12.1f}x"
        )
    if args.storage == "s3":
        for r in results:
            print(
                f"{r['size'] / MB:>7.0f}MB: boto3 alone puts the file into the bucket in {r['put']:.2f}s; ingest"
                f" {r['total']:.2f}s = {r['total'] / r['put']:.1f}x that put, {r['total'] / r['floor']:.1f}x openssl"
            )
    print(
        "ingest = tuspy upload start -> original stored and probed (hash, store, ffprobe);"
        " targets: ratio <= 3x, peaks < 200 MB and flat across sizes. CPU: seconds of CPU spent by openssl,"
        " the web worker and the bench process (the tuspy client) during the ingest (steady when the machine is busy)."
        " disk write: dd with fdatasync of the same bytes; vs write+hash: ingest against writing once"
        " durably plus hashing once."
    )
    if not args.keep:
        shutil.rmtree(VAR, ignore_errors=True)


if __name__ == "__main__":
    main()
