"""Deadline-scan benchmark (run by hand with DATABASE_URL set to PostgreSQL).

Fills a fresh database (`<name>_dlbench`, created and dropped here) with 1,000,000 deadlines
(BENCH_DEADLINES to change) shaped like years of use: 90 % met, the open ones spread over
two years around now, those already past due escalated by earlier scans except a few
hundred new ones. Then runs one scan (`deadlines.services.deadlines_scan`, one batch)
and prints its time (target: under 2 s) and the query plans of the two claim queries,
which must use the partial indexes deadline_to_remind / deadline_to_escalate.
"""

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")

COUNT = int(os.environ.get("BENCH_DEADLINES", "1000000"))

FILL = """
INSERT INTO deadlines_deadline
  (kind, article, label, start, days, due, provisional, met_at, reminded_at, escalated_at, created_at)
SELECT 'bench.kind', '第二十八条', '案卷归档', d - interval '30 days', 30, d, false,
       CASE WHEN i %% 10 <> 0 THEN d - interval '1 day' END,
       CASE WHEN i %% 10 = 0 AND d < now() + interval '1 day' AND i %% 5000 <> 0 THEN d - interval '1 day' END,
       CASE WHEN i %% 10 = 0 AND d < now() AND i %% 5000 <> 0 THEN d END,
       d - interval '30 days'
FROM (SELECT i, now() - interval '365 days' + (i * interval '730 days' / %(n)s) AS d
      FROM generate_series(1, %(n)s) AS i) s
"""


def main() -> None:
    import django

    django.setup()
    from benchdb import bench_database
    from django.db import connection, transaction

    with bench_database("dlbench", "bench/deadlines.py"):
        from accounts.models import Role
        from accounts.tests.factories import UserFactory
        from deadlines.models import Deadline, Notification
        from deadlines.services import claimable, deadlines_scan, scan_filters

        officer: Any = UserFactory(username="bench-officer", roles=[Role.OFFICER])
        UserFactory(username="bench-head", roles=[Role.HEAD])
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(FILL, {"n": COUNT})
            cur.execute(
                "INSERT INTO deadlines_deadline_responsible (deadline_id, user_id)"
                " SELECT id, %s FROM deadlines_deadline WHERE met_at IS NULL",
                [officer.pk],
            )
            cur.execute("VACUUM ANALYZE deadlines_deadline")
            cur.execute("VACUUM ANALYZE deadlines_deadline_responsible")
        pg_version = connection.pg_version  # type: ignore[attr-defined]  # PostgreSQL backend only
        print(f"PostgreSQL {pg_version}, {os.cpu_count()} cores")
        print(
            f"filled {Deadline.objects.count():,} deadlines"
            f" ({Deadline.objects.filter(met_at__isnull=True).count():,} open)"
            f" in {time.perf_counter() - t0:.1f} s"
        )

        from django.utils import timezone

        now = timezone.now()
        for field, where in scan_filters(now).items():
            with transaction.atomic():
                plan = claimable(field, where, 500).explain(analyze=True)
            print(f"\nplan of the {field} claim:\n{plan}")
            assert "deadline_to_" in plan, f"the {field} claim does not use its partial index"

        t0 = time.perf_counter()
        result = deadlines_scan(now=now)
        took = time.perf_counter() - t0
        print(
            f"\none scan: {took:.3f} s ({result}); {Notification.objects.count():,} notifications;"
            f" target < 2 s: {'ok' if took < 2 else 'MISSED'}"
        )
        t0 = time.perf_counter()
        again = deadlines_scan(now=now)
        print(f"a second scan right after: {time.perf_counter() - t0:.3f} s ({again})")


if __name__ == "__main__":
    main()
