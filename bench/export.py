"""Benchmark of the case-file export (run by hand, not in the suite):

    .venv/bin/python bench/export.py [--documents 200] [--media-gib 0.5 4] [--work DIR] [--render] [--no-sm3]
    [--profile]

Makes a sealed case with `--documents` final documents (one rendered for real, its PDF reused
by the others) and, for each `--media-gib` size, that much media: one real short video
(ffmpeg) and files of random bytes stored as AV originals (up to 1 GiB each). Then exports
the case (archive.export.build_bag, as the Celery task runs it) in a fresh child process and
prints its wall time against `cp -r` of the bag it wrote (the same bytes, in the same run),
the ratio (target ≤ 2×), and the child's peak memory (VmHWM; target < 300 MB, flat in
media size: compare the sizes). The random files are not media, so the bag's 可用性/安全性
properties fail by design; the digests, manifests and signature are made as for any bag.
Before each export the sealed volume is stored (archive.sealed_volume.volume_store, what the
task does after sealing; timed apart) for the media the case has then, as sealing would have
stored it, so the exports copy it (and its AV items' 说明 pages); `--render` skips that and
each export renders the volume, as before. The child also reports its RSS increment over its
size at start, the export step running when RSS peaked, the seconds of each step as
archive.export logs them (assemble, volume, originals per kind of item, metadata and audit,
manifests, four properties, its report PDF, tag manifests; "originals/av" sums each AV file's own
seconds, which overlap: export.MEDIA_WORKERS copy at once — the sizes are cumulative in 1 GiB
files, so 0.5 GiB is one big file, 1 GiB two, 4 GiB five), the heavy modules it imported, and
the machine's load average (other work on the machine slows both the export and `cp -r`: the
ratio is the figure to compare).

With DATABASE_URL (PostgreSQL; `make bench BENCH=export` sets it) it works in a database of
its own (bench/benchdb.py); without, the embedded default (SQLite). Media, originals and
bags go under --work (default: a temporary directory under /work or /tmp), removed at the end.

The media's SM3 is recorded with its SHA-256, as the fixity check records it after ingest
(avrecords), so the export copies them with SHA-256 only; `--no-sm3` stores them without
(records older than that), and the first export computes each SM3 in its copy and records it
(the next export of the same media reads it).
"""

import argparse
import hashlib
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024**3
CHUNK = 8 * 1024 * 1024


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")
    import django

    django.setup()
    if os.environ.get("BENCH_DB_NAME"):  # a child process: the run's own database
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DB_NAME"]


def _status_mb(field: str) -> float:
    """VmHWM (peak) or VmRSS (now) of this process, MiB. Not ru_maxrss: Linux carries it over
    fork and exec, so a spawned child reports its parent's peak (here the parent that made the
    case: ~283 MiB "at start" in earlier runs, while the child itself was ~90 MiB)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def _peak_mb() -> float:
    return _status_mb("VmHWM")


class _Sampler:
    """RSS every 50 ms in a thread, and the export's step names as archive.export logs them:
    which step was running when the RSS peaked."""

    def __init__(self) -> None:
        import logging
        import threading

        self.samples: list[tuple[float, float]] = []
        self.steps: list[tuple[float, str]] = []  # (end time, "volume 1.234 s")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        sampler = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                sampler.steps.append((time.perf_counter(), record.getMessage().split(": ", 1)[-1]))

        logging.getLogger("archive.export").addHandler(Handler())

    def _run(self) -> None:
        while not self.stop.wait(0.05):
            self.samples.append((time.perf_counter(), _status_mb("VmRSS")))

    def __enter__(self) -> "_Sampler":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join()

    def peak_step(self) -> str:
        if not self.samples:
            return "?"
        at, _ = max(self.samples, key=lambda s: s[1])
        return next((name.split(" ")[0] for end, name in self.steps if end >= at), "after the steps")


def _child_export(case_id: int, out: str, queue: "mp.Queue", profile: bool = False) -> None:
    _setup()
    import logging

    from archive.export import build_bag
    from cases.models import Case

    logging.basicConfig(format="  %(message)s")
    logging.getLogger("archive.export").setLevel(logging.INFO)
    case = Case.objects.get(pk=case_id)
    base = _status_mb("VmRSS")
    t0 = time.perf_counter()
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with _Sampler() as sampler:
        bag = build_bag(case, Path(out), progress=lambda done, total: None)
    seconds = time.perf_counter() - t0
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        print(text.getvalue())
    mods = [m for m in ("weasyprint", "pypdf", "fontTools", "PIL", "bagit") if m in sys.modules]
    queue.put(
        {
            "seconds": seconds,
            "bag": str(bag),
            "peak_mb": _peak_mb(),
            "base_mb": base,
            "peak_step": sampler.peak_step(),
            "steps": [name for _, name in sampler.steps],
            "modules": mods,
        }
    )


def _in_child(case_id: int, out: Path, profile: bool = False) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child_export, args=(case_id, str(out), queue, profile))
    proc.start()
    result = queue.get(timeout=7200)
    proc.join()
    return result


def _case(documents: int) -> Any:
    """A sealed penalty case with `documents` final documents."""
    from django.utils import timezone

    from accounts.models import Department, User
    from cases.models import Case, CaseKind, CaseOrigin, CaseState
    from documents.models import Document, DocumentStatus
    from documents.registry import DocTypeCode
    from documents.services import document_issue, document_render

    dept, _ = Department.objects.get_or_create(code="BENCH", defaults={"name": "基准测试科"})
    user, _ = User.objects.get_or_create(
        username="bench-officer",
        defaults={"last_name": "张", "first_name": "伟", "department": dept, "cert_no": "BENCH0001"},
    )
    case = Case.objects.create(
        number="临科罚立〔2026〕9998号",
        registration_number="BENCH-EXPORT-1",
        kind=CaseKind.PENALTY,
        origin=CaseOrigin.EX_OFFICIO,
        state=CaseState.INVESTIGATING,
        title="某科技公司涉嫌提供虚假申报材料案",
        department=dept,
        created_by=user,
    )
    docs = [
        document_issue(
            case=case,
            doc_type=DocTypeCode.OTHER_ACTIVITY,
            by=user,
            render=False,
            context={"activity": f"调阅材料（第{i + 1}次）", "description": "调阅项目申报材料原件。"},
        )
        for i in range(documents)
    ]
    first = document_render(document_id=docs[0].pk)
    Document.objects.filter(pk__in=[d.pk for d in docs[1:]]).update(
        status=DocumentStatus.FINAL,
        pdf=first.pdf.name,
        sha256=first.sha256,
        size=first.size,
        pages=first.pages,
        rendered_at=timezone.now(),
        progress=100,
    )
    Case.objects.filter(pk=case.pk).update(state=CaseState.ARCHIVED, concluded_at=timezone.now())
    case.refresh_from_db()
    return case


def _store(case: Any, path: Path, name: str, kind: str = "video", *, sm3: bool = True) -> int:
    """Store the file at `path` as an AV original of `case`; returns its size. With `sm3`, its
    SM3 is recorded as the fixity check records it (avrecords.services.record_verify); without,
    it is a record from before SM3 was recorded, and the export computes it."""
    from django.utils import timezone

    from avrecords.models import AVRecord, AVRecordStatus
    from avrecords.storage import hash_stream_sm3, original_put

    with open(path, "rb") as fh:
        sha256, sm3_hex, size = hash_stream_sm3(fh)
    key, version, _ = original_put(path, sha256)
    AVRecord.objects.create(
        case=case,
        filename=name,
        sha256=sha256,
        sm3=sm3_hex if sm3 else "",
        size=size,
        original_key=key,
        original_version=version,
        stored_at=timezone.now(),
        status=AVRecordStatus.READY,
        kind=kind,
    )
    path.unlink()
    return size


def _random_file(path: Path, size: int) -> None:
    block = os.urandom(CHUNK)
    with open(path, "wb") as fh:
        left = size
        while left > 0:
            n = min(left, CHUNK)
            # Vary each block cheaply so no two blocks (and no two files) are equal.
            fh.write(hashlib.sha256(f"{path}{left}".encode()).digest() + block[32:n])
            left -= n


def _state(case: Any, state: str) -> None:
    """Set the bench case's state by a queryset update (no signals: the bench's shortcut)."""
    type(case).objects.filter(pk=case.pk).update(state=state)


def _add_media(case: Any, gib: float, work: Path, serial: list[int], sm3: bool) -> None:
    """Bring the case's stored media up to `gib` GiB: a real 2 s video, then random files."""
    from avrecords.models import AVRecord
    from cases.models import CaseState

    have = sum(s or 0 for s in AVRecord.objects.filter(case=case).values_list("size", flat=True))
    _state(case, CaseState.CONCLUDED)  # the bench adds media to its sealed case (archive.guard refuses it)
    if not have:
        video = work / "clip.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=2",
             "-c:v", "mpeg4", str(video)],
            check=True,
        )  # fmt: skip
        have += _store(case, video, "执法现场录像.mp4", sm3=sm3)
    target = int(gib * GIB)
    while have < target:
        serial[0] += 1
        size = min(GIB, target - have)
        path = work / f"filler-{serial[0]}.dat"
        _random_file(path, size)
        have += _store(case, path, f"filler-{serial[0]}.dat", kind="", sm3=sm3)
    _state(case, CaseState.ARCHIVED)


def _cp_seconds(src: Path, dst: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    return time.perf_counter() - t0


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--media-gib", type=float, nargs="+", default=[0.5, 4.0])
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--render", action="store_true", help="store no sealed volume: each export renders it")
    parser.add_argument("--profile", action="store_true", help="print the export's cProfile (top 40, cumulative)")
    parser.add_argument(
        "--no-sm3", action="store_true", help="media without a recorded SM3 (older rows): the export computes it"
    )
    args = parser.parse_args()
    work = Path(
        tempfile.mkdtemp(
            prefix="linke-bench-export-", dir=args.work or ("/work" if os.access("/work", os.W_OK) else None)
        )
    )
    os.environ["ORIGINALS_ROOT"] = str(work / "originals")
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ["ARCHIVE_EXPORT_DIR"] = str(work / "exports")
    if "LINKE_VAR_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["LINKE_VAR_DIR"] = str(work / "var")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    _setup()
    from django.db import connection

    try:
        if connection.vendor == "postgresql":
            sys.path.insert(0, str(ROOT / "bench"))
            from benchdb import bench_database

            with bench_database("bench_export", "bench/export.py") as name:
                os.environ["BENCH_DB_NAME"] = name  # the spawned export process uses it too
                _run(args, work)
        else:
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> None:
    from django.db import transaction

    from archive.models_volume import SealedVolume
    from archive.sealed_volume import volume_store

    with transaction.atomic():
        case = _case(args.documents)
    print(f"case {case.pk}: {args.documents} documents; work directory {work}")
    print(
        f"{'media GiB':>9} {'bag GiB':>8} {'export s':>9} {'cp -r s':>8} {'ratio':>6} "
        f"{'peak RSS MiB':>13} {'(at start)':>11} {'increment':>10}  peak during"
    )
    serial = [0]
    for gib in sorted(args.media_gib):
        _add_media(case, gib, work, serial, not args.no_sm3)
        if not args.render:
            # What the task does once after sealing (archive.sealed_volume), for the file as it is
            # now: a sealed case's AV items (and their 音像记录说明 pages) are all in the volume
            # stored at sealing, so the export copies their pages rather than rendering them.
            SealedVolume.objects.filter(case_id=case.pk).delete()  # the bench's media came after
            t0 = time.perf_counter()
            row = volume_store(case.pk)
            print(f"sealed volume stored: {time.perf_counter() - t0:.2f} s, {row.size if row else 0} bytes")
        out = work / f"out-{gib}"
        subprocess.run(["sync"], check=True)
        r = _in_child(case.pk, out, args.profile)
        subprocess.run(["sync"], check=True)
        bag = Path(r["bag"])
        cp = _cp_seconds(bag, work / f"copy-{gib}")
        size = _du(bag)
        print(
            f"{gib:>9.2f} {size / GIB:>8.2f} {r['seconds']:>9.2f} {cp:>8.2f} {r['seconds'] / cp:>6.2f} "
            f"{r['peak_mb']:>13.0f} {r['base_mb']:>11.0f} {r['peak_mb'] - r['base_mb']:>10.0f}  {r['peak_step']}"
        )
        print(f"{'':>9} steps: {'; '.join(r['steps'])}")
        print(f"{'':>9} modules loaded by the export: {', '.join(r['modules'])}")
        print(f"{'':>9} load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        shutil.rmtree(out)
        shutil.rmtree(work / f"copy-{gib}")


if __name__ == "__main__":
    main()
