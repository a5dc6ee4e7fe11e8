"""Audit-trail benchmark (run by hand: `make bench`, or with DATABASE_URL set to PostgreSQL).

Prints:
- appends per second with 1 and 8 concurrent writer processes, each append its own
  transaction (as in a service), against a baseline measured in the same run: the same
  row inserted into a plain table with no lock and no hashing. The ratio shows what the
  chain costs over what the database costs anyway.
- verification speed over 1,000,000 entries (BENCH_ENTRIES to change), the target being
  more than 200,000 entries/s, against a baseline of just reading the same rows.

Uses its own database (`<name>_bench`), created and dropped here.
"""

import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")

APPENDS_PER_WRITER = int(os.environ.get("BENCH_APPENDS", "400"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))


def _setup(db_name: str | None = None) -> None:
    import django
    from django.conf import settings

    if db_name:
        settings.DATABASES["default"]["NAME"] = db_name
    django.setup()


def _writer(db_name: str, count: int, plain: bool, start: Any, out: Any) -> None:
    _setup(db_name)
    from django.db import connection, transaction

    import audit

    start.wait(60)
    t0 = time.perf_counter()
    for i in range(count):
        with transaction.atomic():
            if plain:
                with connection.cursor() as cur:
                    cur.execute(
                        "INSERT INTO bench_plain (created_at, actor_name, action, object_type, object_id, payload)"
                        " VALUES (now(), %s, %s, %s, %s, %s)",
                        ["系统", "admin.other", "", str(i), '{"i":%d}' % i],
                    )
            else:
                audit.record(None, "admin.other", i=i)
    out.put(time.perf_counter() - t0)
    connection.close()


def _appends(db_name: str, writers: int, plain: bool) -> float:
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(db_name, APPENDS_PER_WRITER, plain, start, out)) for _ in range(writers)]
    for p in procs:
        p.start()
    time.sleep(2.0)  # let every process finish importing Django before the gun
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    return writers * APPENDS_PER_WRITER / wall


def _fill(count: int) -> None:
    """Write `count` valid chained entries fast (COPY), continuing the current chain."""
    import datetime as dt

    from django.db import connection

    from audit.chain import entry_hash, format_time
    from audit.models import GENESIS_HASH, Entry

    head = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head else (0, GENESIS_HASH)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    raw = connection.connection  # psycopg 3 connection
    with (
        raw.cursor() as cur,
        cur.copy(
            "COPY audit_entry (seq, created_at, actor_id, actor_name, action, case_id, object_type, object_id,"
            " payload, prev_hash, hash) FROM STDIN"
        ) as copy,
    ):
        for _i in range(count):
            seq += 1
            created = base + dt.timedelta(microseconds=seq * 1000)
            payload = '{"n":%d,"note":"现场检查"}' % seq
            h = entry_hash(
                prev,
                seq,
                format_time(created),
                None,
                "系统",
                "bench.fill",
                seq % 500,
                "cases.case",
                str(seq % 500),
                payload,
            )
            copy.write_row(
                (seq, created, None, "系统", "bench.fill", seq % 500, "cases.case", str(seq % 500), payload, prev, h)
            )
            prev = h
    raw.commit()


def main() -> None:
    _setup()
    from benchdb import bench_database

    with bench_database("bench", "bench/audit.py") as bench_db:
        _run(bench_db)


def _run(bench_db: str) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_plain (id bigserial PRIMARY KEY, created_at timestamptz, actor_name text,"
            " action text, object_type text, object_id text, payload text)"
        )
    connection.close()

    pg_version = connection.pg_version  # type: ignore[attr-defined]  # PostgreSQL backend only
    print(f"PostgreSQL {pg_version}, {os.cpu_count()} cores; {APPENDS_PER_WRITER} appends per writer")
    print(f"{'writers':>8} {'chained/s':>12} {'plain insert/s':>15} {'ratio':>7}")
    for writers in (1, 8):
        plain = _appends(bench_db, writers, plain=True)
        chained = _appends(bench_db, writers, plain=False)
        print(f"{writers:>8} {chained:>12.0f} {plain:>15.0f} {chained / plain:>7.2f}")
    # What Python itself spends per append: canonical JSON of the data plus the hash.
    from audit.chain import canonical_json, entry_hash

    t0 = time.perf_counter()
    for i in range(20_000):
        entry_hash(
            "0" * 64,
            i,
            "2026-01-01T00:00:00.000000Z",
            1,
            "系统",
            "admin.other",
            7,
            "cases.case",
            "7",
            canonical_json({"i": i, "reason": "现场检查"}),
        )
    py_us = (time.perf_counter() - t0) / 20_000 * 1e6
    print(
        f"Python work per append: {py_us:.1f} µs, i.e. {py_us / (1e6 / chained) * 100:.2f}% of an append's"
        f" wall time at 8 writers; the rest is the database (lock, insert, commit)"
    )

    from audit.models import Entry
    from audit.services import _COLUMNS, _PG_TIME, verify_chain

    t0 = time.perf_counter()
    _fill(ENTRIES - Entry.objects.count())
    print(f"filled to {Entry.objects.count():,} entries in {time.perf_counter() - t0:.1f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE audit_entry")

    # Baseline: read the same rows through the same server-side cursor, no hashing.
    from django.db import transaction

    t0 = time.perf_counter()
    n = 0
    with transaction.atomic():
        cur = connection.chunked_cursor()
        cur.execute(f"SELECT {_COLUMNS.format(time=_PG_TIME)} FROM audit_entry ORDER BY seq")
        while rows := cur.fetchmany(20_000):
            n += len(rows)
        cur.close()
    read_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    result = verify_chain()
    verify_s = time.perf_counter() - t0
    assert result.ok, result.describe()
    print(f"read only:   {n / read_s:>10,.0f} entries/s ({read_s:.2f} s for {n:,})")
    print(
        f"verify:      {result.verified / verify_s:>10,.0f} entries/s ({verify_s:.2f} s for {result.verified:,});"
        f" {verify_s / read_s:.2f}x the read time; target > 200,000/s"
    )


if __name__ == "__main__":
    main()
