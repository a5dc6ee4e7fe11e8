"""Page benchmark of the cases app (run by hand with DATABASE_URL set to PostgreSQL).

Fills a fresh database (`<name>_pagesbench`, created and dropped here; BENCH_KEEP=1 keeps
it) with 100,000 cases (BENCH_CASES), two officers and a party each, and 1,000,000 audit
entries (BENCH_ENTRIES) on their timelines, 10,000 of them on one case. Then renders the
case list, that case's page and the dashboard for an officer and for the head, and prints
the median server-side time of each (target: under 100 ms) and its number of queries, next
to the count for a case with few entries and a later list page: the counts must match
(no N+1). The review queues follow (`_queues`), then every section (tab) of the case page
once that case also has 200 AV records, 200 documents and 500 attachments (`_sections`),
each against a case with one of each and against its own SQL run raw. Last, the statistics
page (`_stats`, issue 16 item 7; target under 200 ms median) once every case has its periods and
a stored quality score, read from the tally (archive.stats_tally) and, for the ratio, counted
from scratch as before; `BENCH_ONLY=stats` fills the cases and measures only that page. The
database is `<DATABASE_URL's name>_pagesbench`: `make bench TEST_DB=<name>` keeps two
checkouts' runs apart.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")

CASES = int(os.environ.get("BENCH_CASES", "100000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "1000000"))
HOT = 10_000  # entries on the measured case
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
OFFICERS = 50  # 10 per department
# BENCH_ONLY=stats: fill the cases, then measure only the statistics page (`_stats`).
ONLY = os.environ.get("BENCH_ONLY", "")

STATES = [
    "registered",
    "pending_filing",
    "investigating",
    "under_review",
    "pending_decision",
    "decided",
    "delivered",
    "executing",
    "concluded",
    "archived",
    "not_filed",
]

FILL_CASES = """
INSERT INTO cases_case (registration_number, number, kind, origin, state, title, summary, department_id, confidentiality,
                        created_by_id, created_at, updated_at, filed_at, concluded_at, archived_at)
SELECT '临科登〔' || (2016 + i %% 10) || '〕' || i || '号', '临科罚立〔' || (2016 + i %% 10) || '〕' || i || '号', 'penalty',
       (ARRAY['ex_officio','complaint'])[1 + i %% 2],
       (%(states)s::text[])[1 + i %% %(nstates)s],
       '某科技企业涉嫌违规案（' || i || '）', '基本案情' || i,
       (%(depts)s::bigint[])[1 + (i %% %(officers)s) / 10], '',
       (%(users)s::bigint[])[1 + i %% %(officers)s],
       now() - i * interval '5 minutes', now() - i * interval '5 minutes', now() - i * interval '4 minutes',
       now() - i * interval '3 minutes', now() - i * interval '2 minutes'
FROM generate_series(1, %(n)s) AS i
"""

FILL_OFFICERS = """
INSERT INTO cases_caseofficer (case_id, officer_id, is_lead, assigned_at, cert_no)
SELECT c.id, (%(users)s::bigint[])[1 + k], k = o, c.created_at, 'BENCH' || lpad(k::text, 4, '0')
FROM (SELECT id, created_at, row_number() OVER (ORDER BY id) AS i FROM cases_case) c,
     LATERAL (SELECT (c.i %% %(officers)s)::int AS o) a,
     LATERAL (VALUES (a.o), ((a.o / 10) * 10 + (a.o + 1) %% 10)) AS v(k)
"""

FILL_PARTIES = """
INSERT INTO cases_party (case_id, kind, name, id_number, legal_rep, address, phone, confidentiality, created_by_id,
                         created_at)
SELECT id, 'organisation', '临沂某某科技有限公司' || id, '91371300MA3C' || lpad(id::text, 6, '0'), '王某',
       '临沂市兰山区', '0539-8000000', '', created_by_id, created_at
FROM cases_case
"""

FILL_ENTRIES = """
INSERT INTO audit_entry (seq, created_at, actor_id, actor_name, action, case_id, object_type, object_id, payload,
                         prev_hash, hash)
SELECT %(base)s + i, now() - (%(n)s - i) * interval '1 second', NULL, '系统', 'bench.entry',
       CASE WHEN i <= %(hot)s THEN %(hot_case)s ELSE %(first)s + (i %% %(cases)s) END,
       'cases.case', '', '{}', md5(i::text) || md5('p' || i::text), md5('h' || i::text) || md5(i::text || 'h')
FROM generate_series(1, %(n)s) AS i
"""


def main() -> None:
    import django

    django.setup()
    from benchdb import bench_database

    with bench_database("pagesbench", "bench/pages.py"):
        _run()


def _run() -> None:
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Department, Role, User
    from cases.models import Case

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    t0 = time.perf_counter()
    depts = [Department.objects.create(code=f"B{d}", name=f"执法{d}科") for d in range(OFFICERS // 10)]
    officer_group = Group.objects.get_or_create(name=Role.OFFICER.label)[0]
    users = []
    for k in range(OFFICERS):
        user = User.objects.create(
            username=f"bench{k}",
            last_name="张",
            first_name=f"执法{k}",
            cert_no=f"3713{k:08d}",
            department=depts[k // 10],
        )
        user.groups.add(officer_group)
        users.append(user)
    head = User.objects.create(username="benchhead", last_name="刘", first_name="局长")
    head.groups.add(Group.objects.get_or_create(name=Role.HEAD.label)[0])
    params: dict[str, Any] = {
        "states": STATES,
        "nstates": len(STATES),
        "depts": [d.pk for d in depts],
        "officers": OFFICERS,
        "users": [u.pk for u in users],
        "n": CASES,
    }
    with connection.cursor() as cur:
        cur.execute(FILL_CASES, params)
        cur.execute(FILL_OFFICERS, params)
        cur.execute(FILL_PARTIES)
        cur.execute("SELECT min(id), max(id) FROM cases_case")
        first, last = cur.fetchone()
        cur.execute("SELECT coalesce(max(seq), 0) FROM audit_entry")
        (seq_base,) = cur.fetchone()
        hot_case = first + 7  # an officer-0-department case
        cur.execute(
            FILL_ENTRIES,
            {
                "base": seq_base,
                "n": ENTRIES,
                "hot": HOT,
                "hot_case": hot_case,
                "first": first,
                "cases": last - first + 1,
            },
        )
    # What autovacuum does in production: statistics and the visibility map (index-only scans).
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"filled {Case.objects.count():,} cases, {ENTRIES:,} audit entries in {time.perf_counter() - t0:.1f} s")

    hot_state = Case.objects.get(pk=hot_case).state  # compare like with like: same stage, same forms
    quiet_case = Case.objects.filter(department=depts[0], state=hot_state).exclude(pk=hot_case).order_by("pk").first()
    assert quiet_case is not None, "the fill made one department's cases all differ in state"
    officer = User.objects.get(pk=Case.objects.get(pk=hot_case).created_by_id)
    pages = [
        ("case list", reverse("cases:list"), reverse("cases:list") + "?page=40"),
        (
            "case page (10,000 entries)",
            reverse("cases:detail", args=[hot_case]),
            reverse("cases:detail", args=[quiet_case.pk]),
        ),
        ("dashboard", reverse("cases:dashboard"), None),
    ]
    print(f"{'user':<8} {'page':<28} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'queries (other)':>16}")
    failed = False
    for who, user in () if ONLY == "stats" else (("officer", officer), ("head", head)):
        client = Client()
        client.force_login(user)
        for label, url, other in pages:
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            with CaptureQueriesContext(connection) as q:
                client.get(url)
            n_other = ""
            if other:
                client.get(other)
                with CaptureQueriesContext(connection) as q2:
                    client.get(other)
                n_other = str(len(q2.captured_queries))
                failed |= len(q2.captured_queries) != len(q.captured_queries)
            median = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            failed |= median >= 100
            print(f"{who:<8} {label:<28} {median:>10.1f} {p90:>8.1f} {len(q.captured_queries):>8} {n_other:>16}")
    if ONLY == "stats":
        failed = _stats(head)
        print("FAIL" if failed else "OK: the statistics page under 200 ms median")
        return
    failed |= _queues(head, users)
    failed |= _sections(officer, head, hot_case, quiet_case.pk)
    failed |= _stats(head)
    print("FAIL" if failed else "OK: every page under its target median, query counts independent of the data")


# 第十三条、第十六条: the review queues over the cases the fill put in 审查中 and 待决定 (one in
# eleven each, about 9,100 each): every such case has its decision period (《行政处罚法》第六十条)
# and its review round (the queue row, with the case's kind and the period's due time); half of
# those in review have 审理 signed (by another reviewer), a fifth are taken by the measured reviewer.
FILL_QUEUES = """
INSERT INTO deadlines_deadline (case_id, kind, article, label, start, days, due, provisional, created_at)
SELECT id, 'penalty.decision', '《行政处罚法》第六十条', '行政处罚决定', filed_at, 90,
       filed_at + (90 - id %% 120) * interval '1 day', false, filed_at
FROM cases_case WHERE state IN ('under_review', 'pending_decision');
INSERT INTO cases_signoff (case_id, step, round, level, actor_id, outcome, opinion, signed_at)
SELECT id, 'examination', 1, 'legal', %(other)s, 'agree', '同意。', updated_at
FROM cases_case WHERE state = 'pending_decision' OR (state = 'under_review' AND id %% 2 = 0);
INSERT INTO cases_signoff (case_id, step, round, level, actor_id, outcome, opinion, signed_at)
SELECT id, 'review', 1, 'legal', %(reviewer)s, 'agree', '同意。', updated_at
FROM cases_case WHERE state = 'pending_decision';
INSERT INTO review_reviewclaim (case_id, task, claimed_by_id, claimed_at, reason, "end")
SELECT id, CASE WHEN id %% 2 = 0 THEN 'check' ELSE 'examine' END, %(reviewer)s, updated_at, '', ''
FROM cases_case WHERE state = 'under_review' AND id %% 5 = 0;
INSERT INTO review_reviewround (case_id, round, submitted_by_id, submitted_at, completed_by_id, completed_at,
                                task, examined_by_id, claimed_by_id, kind, due)
SELECT id, 1, created_by_id, updated_at,
       CASE WHEN state = 'pending_decision' THEN %(other)s END,
       CASE WHEN state = 'pending_decision' THEN updated_at END,
       CASE WHEN state = 'pending_decision' THEN 'approve' WHEN id %% 2 = 0 THEN 'check' ELSE 'examine' END,
       CASE WHEN state = 'pending_decision' OR id %% 2 = 0 THEN %(other)s END,
       CASE WHEN state = 'under_review' AND id %% 5 = 0 THEN %(reviewer)s END,
       kind, filed_at + (90 - id %% 120) * interval '1 day'
FROM cases_case WHERE state IN ('under_review', 'pending_decision');
"""


def _queues(head: Any, users: list[Any]) -> bool:
    """The review queues of 法规科 and the head: median time, queries (first page and a later
    one must match), and the ratio of the page's time to running the same SQL raw."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Role, User

    group = Group.objects.get_or_create(name=Role.LEGAL_REVIEWER.label)[0]
    reviewer = User.objects.create(username="benchreviewer", last_name="王", first_name="审理")
    other = User.objects.create(username="benchreviewer2", last_name="赵", first_name="审核")
    for u in (reviewer, other):
        u.groups.add(group)
    with connection.cursor() as cur:
        cur.execute(FILL_QUEUES, {"reviewer": reviewer.pk, "other": other.pk})
        cur.execute("VACUUM ANALYZE")
    failed = False
    print(f"{'user':<8} {'queue':<28} {'median ms':>10} {'queries':>8} {'page 3':>7} {'raw SQL ms':>11} {'ratio':>6}")
    for who, user in (("reviewer", reviewer), ("head", head)):
        client = Client()
        client.force_login(user)
        for label, query in (("all", ""), ("unclaimed, penalty", "?claim=unclaimed&kind=penalty")):
            url = reverse("review:queue") + query
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            with CaptureQueriesContext(connection) as q:
                client.get(url)
            with CaptureQueriesContext(connection) as q3:
                client.get(url + ("&" if query else "?") + "page=3")
            raw = []
            sqls = [x["sql"] for x in q.captured_queries]
            for _ in range(RUNS):
                t = time.perf_counter()
                with connection.cursor() as cur:
                    for sql in sqls:
                        cur.execute(sql)
                        if cur.description:
                            cur.fetchall()
                raw.append((time.perf_counter() - t) * 1000)
            median, raw_median = statistics.median(times), statistics.median(raw)
            failed |= median >= 100 or len(q.captured_queries) != len(q3.captured_queries)
            print(
                f"{who:<8} {label:<28} {median:>10.1f} {len(q.captured_queries):>8} {len(q3.captured_queries):>7}"
                f" {raw_median:>11.1f} {median / raw_median:>6.2f}"
            )
    return failed


# Issue 17: the case page's sections on a big case — 200 AV records, 200 documents, 500
# attachments on the case that already has 10,000 audit entries (HOT) — against a case of the
# same department and stage with one of each.
FILL_SECTIONS = """
INSERT INTO avrecords_avrecord (uuid, case_id, uploaded_by_id, recorder_serial, filename, important, metadata,
                                declared_sha256, sha256, size, original_key, original_version, stored_at, late,
                                late_reason, status, problems, kind, probe, duration, width, height, video_codec,
                                audio_codecs, audio_tracks, poster, proxy, proxy_method, proxy_reason, waveform,
                                thumbnail, processed_at, method, made_at, maker_id, proves, transcript, content_points,
                                content_other, confidentiality, created_at, updated_at)
SELECT md5(%(case)s || '-' || i)::uuid, %(case)s, %(user)s, '', 'DSJ_' || i || '.mp4', false, '{}', '',
       md5('av' || %(case)s || i) || md5(i::text), 64 << 20, 'originals/' || md5('av' || i), '', now(), false, '',
       'ready', '[]', 'video', '{}', 300, 1280, 720, 'h264', 'aac', 1, 'poster/' || i || '.jpg',
       'proxy/' || i || '.mp4', 'remux', '', '', 'thumb/' || i || '.jpg', now(), '执法记录仪', now(), %(user)s,
       '现场检查情况', '', '[]', '', '', now() - i * interval '1 minute', now()
FROM generate_series(1, %(av)s) AS i;
INSERT INTO documents_document (case_id, doc_type, year, seq, number, title, context, source_type, source_id, status,
                                progress, error, pdf, sha256, size, pages, masked_pdf, masked_sha256, masked_size,
                                issued_by_id, issued_at, rendered_at)
SELECT %(case)s, 'bench', 2026, %(case)s * 1000 + i, '临科文〔2026〕' || (%(case)s * 1000 + i) || '号', '询问笔录', '{}',
       '', '', 'final', 100, '', 'documents/' || i || '.pdf', md5('d' || i) || md5(i::text), 100000, 2, '', '', 0,
       %(user)s, now() - i * interval '1 minute', now() - i * interval '1 minute'
FROM generate_series(1, %(docs)s) AS i;
INSERT INTO cases_attachment (case_id, file, sha256, size, original_name, mime_type, description, confidentiality,
                              uploaded_by_id, uploaded_at)
SELECT %(case)s, 'attachments/' || i || '.jpg', md5('a' || i) || md5(i::text), 200000, '现场照片' || i || '.jpg',
       'image/jpeg', '现场照片', '', %(user)s, now() - i * interval '1 minute'
FROM generate_series(1, %(atts)s) AS i;
"""


_DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (?:WITH(?:OUT)? HOLD )?FOR ')


def _sections(officer: Any, head: Any, big: int, small: int) -> bool:
    """Every section of the case page for the big case and the small one: median and p90 ms,
    queries of each (must be equal), and the ratio of the page's time to the same SQL run raw."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cases.panels import SECTIONS, section_url

    with connection.cursor() as cur:
        cur.execute(FILL_SECTIONS, {"case": big, "user": officer.pk, "av": 200, "docs": 200, "atts": 500})
        cur.execute(FILL_SECTIONS, {"case": small, "user": officer.pk, "av": 1, "docs": 1, "atts": 1})
        cur.execute("VACUUM ANALYZE")
    print("case page sections: 200 AV records, 200 documents, 500 attachments, 10,000 audit entries")
    print(
        f"{'user':<8} {'section':<12} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'small case':>10}"
        f" {'raw SQL ms':>11} {'ratio':>6}"
    )
    failed = False
    for who, user in (("officer", officer), ("head", head)):
        client = Client()
        client.force_login(user)
        for key in SECTIONS:
            url = section_url(big, key)
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            with CaptureQueriesContext(connection) as q:
                client.get(url)
            client.get(section_url(small, key))
            with CaptureQueriesContext(connection) as q2:
                client.get(section_url(small, key))
            raw = []
            # A server-side cursor's DECLARE (QuerySet.iterator()) is run as its SELECT.
            sqls = [_DECLARE.sub("", x["sql"]) for x in q.captured_queries]
            for _ in range(RUNS):
                t = time.perf_counter()
                with connection.cursor() as cur:
                    for sql in sqls:
                        cur.execute(sql)
                        if cur.description:
                            cur.fetchall()
                raw.append((time.perf_counter() - t) * 1000)
            median, raw_median = statistics.median(times), statistics.median(raw)
            p90 = statistics.quantiles(times, n=10)[-1]
            failed |= median >= 100 or len(q.captured_queries) != len(q2.captured_queries)
            print(
                f"{who:<8} {key:<12} {median:>10.1f} {p90:>8.1f} {len(q.captured_queries):>8}"
                f" {len(q2.captured_queries):>10} {raw_median:>11.1f} {median / raw_median:>6.2f}"
            )
    return failed


# Issue 16 item 7: the statistics page at 100,000 cases. Every case gets its periods: the decision
# period (《行政处罚法》第六十条; those in review have theirs from FILL_QUEUES), two AV storage periods
# (第二十七条), publication from 已决定 on, archiving (第二十八条) from 已结案 on — met on time, met
# late or still open by the case's id — and a stored quality score from 已决定 on.
FILL_STATS = """
INSERT INTO deadlines_deadline (case_id, kind, article, label, start, days, due, met_at, provisional, created_at)
SELECT id, 'penalty.decision', '《行政处罚法》第六十条', '行政处罚决定', filed_at, 90, filed_at + interval '90 days',
       CASE WHEN id %% 13 = 0 THEN filed_at + interval '95 days' ELSE filed_at + interval '30 days' END, false, filed_at
FROM cases_case WHERE state NOT IN ('under_review', 'pending_decision');
INSERT INTO deadlines_deadline (case_id, content_type_id, object_id, kind, article, label, start, working_days, due,
                                met_at, provisional, created_at)
SELECT id, %(ct)s, id * 2 + k, 'av.store', '第二十七条', '音像记录存储', created_at, 2, created_at + interval '2 days',
       CASE WHEN (id + k) %% 17 = 0 THEN NULL WHEN (id + k) %% 11 = 0 THEN created_at + interval '3 days'
            ELSE created_at + interval '1 day' END, false, created_at
FROM cases_case, generate_series(0, 1) AS k;
INSERT INTO deadlines_deadline (case_id, kind, article, label, start, working_days, due, met_at, provisional, created_at)
SELECT id, 'review.publication', '国办发〔2018〕118号', '行政执法决定公示', filed_at, 7, filed_at + interval '9 days',
       CASE WHEN id %% 9 = 0 THEN NULL ELSE filed_at + interval '5 days' END, false, filed_at
FROM cases_case WHERE state IN ('decided', 'delivered', 'executing', 'concluded', 'archived');
INSERT INTO deadlines_deadline (case_id, kind, article, label, start, days, due, met_at, provisional, created_at)
SELECT id, 'archive.file', '第二十八条', '案卷归档', concluded_at, 30, concluded_at + interval '30 days',
       CASE WHEN state = 'archived' THEN concluded_at + (id %% 40) * interval '1 day' END, false, concluded_at
FROM cases_case WHERE state IN ('concluded', 'archived');
INSERT INTO archive_casescore (case_id, score, vetoed, failing, computed_at, registered_at)
SELECT id, CASE WHEN id %% 23 = 0 THEN 0 ELSE 100 - (id %% 9) * 5 END, id %% 23 = 0,
       CASE WHEN id %% 23 = 0 THEN '["officers.two"]'::jsonb ELSE '[]'::jsonb END, now(), created_at
FROM cases_case WHERE state IN ('decided', 'delivered', 'executing', 'concluded', 'archived');
"""


def _stats(head: Any) -> bool:
    """The statistics page for the head, this year and this year for one department: median
    and p90 ms (target under 200 ms), queries (the first page of the overdue list and the third
    must match), the ratio of the page's time to running its SQL raw, and the same page counted
    from scratch (the previous approach: archive.stats.counted_*, as without the tally) with the
    ratio of the two."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Department
    from archive import stats_tally
    from avrecords.models import AVRecord

    with connection.cursor() as cur:
        cur.execute(FILL_STATS, {"ct": ContentType.objects.get_for_model(AVRecord).pk})
        cur.execute("SELECT count(*) FROM deadlines_deadline")
        (n_deadlines,) = cur.fetchone()
    # What the periodic task (archive.stats.stats_tally_compact_task) does every 10 minutes.
    t = time.perf_counter()
    tally_rows = stats_tally.compact()
    compact_ms = (time.perf_counter() - t) * 1000
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(
        f"statistics page: {n_deadlines:,} deadlines, stored scores on the cases from 已决定 on;"
        f" {tally_rows:,} tally rows (compacted in {compact_ms:.0f} ms); load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'user':<8} {'filter':<28} {'median ms':>10} {'p90 ms':>8} {'queries':>8} {'page 3':>7}"
        f" {'raw SQL ms':>11} {'ratio':>6} {'counted ms':>11} {'counted p90':>12} {'speed-up':>9}"
    )
    year = timezone.localdate().year
    dept = Department.objects.order_by("pk").first()
    assert dept is not None
    client = Client()
    client.force_login(head)
    failed = False
    for label, query in ((f"{year}", f"?year={year}"), (f"{year}, {dept.name}", f"?year={year}&department={dept.pk}")):
        url = reverse("archive:stats") + query
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        with CaptureQueriesContext(connection) as q3:
            client.get(url + "&page=3")
        raw = []
        # The department choices are read with a server-side cursor: run its SELECT.
        sqls = [_DECLARE.sub("", x["sql"]) for x in q.captured_queries]
        for _ in range(RUNS):
            t = time.perf_counter()
            with connection.cursor() as cur:
                for sql in sqls:
                    cur.execute(sql)
                    if cur.description:
                        cur.fetchall()
            raw.append((time.perf_counter() - t) * 1000)
        n_queries, n_queries_3 = len(q.captured_queries), len(q3.captured_queries)  # before more requests
        # The previous approach in the same run: the page counted from scratch.
        counted = []
        enabled = stats_tally.enabled
        stats_tally.enabled = lambda: False
        try:
            assert client.get(url).status_code == 200, url
            for _ in range(RUNS):
                t = time.perf_counter()
                client.get(url)
                counted.append((time.perf_counter() - t) * 1000)
        finally:
            stats_tally.enabled = enabled
        median, raw_median = statistics.median(times), statistics.median(raw)
        p90 = statistics.quantiles(times, n=10)[-1]
        counted_median, counted_p90 = statistics.median(counted), statistics.quantiles(counted, n=10)[-1]
        failed |= median >= 200 or n_queries != n_queries_3
        print(
            f"{'head':<8} {label:<28} {median:>10.1f} {p90:>8.1f} {n_queries:>8}"
            f" {n_queries_3:>7} {raw_median:>11.1f} {median / raw_median:>6.2f}"
            f" {counted_median:>11.1f} {counted_p90:>12.1f} {counted_median / median:>8.1f}x"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return failed


if __name__ == "__main__":
    main()
