"""The statistics page's tally (issue 16 item 7): the counts archive.stats shows, kept by
PostgreSQL triggers on the rows they count, so that the page reads a few hundred tally rows
instead of every case, period and score of the year (bench/pages.py: 100,000 cases).

Each write to cases_case, deadlines_deadline or archive_casescore — by the ORM, a queryset
.update(), a bulk insert or raw SQL alike — appends, in the same statement, the signed change
of the counts it moves (a statement-level AFTER trigger over its transition tables). Rows are
only ever inserted by the triggers (no counter row is updated, so concurrent writers never wait
for each other on the tally); a reader sums them by key (archive.stats). `compact()`, run by
the periodic `stats_tally_compact_task` and by `manage.py rebuild_stats_tally`, folds them into
one row per key. `rebuild()` recounts everything from scratch.

The series (StatsTally.series), each by local month (settings.TIME_ZONE, fixed when the
functions are installed: after changing TIME_ZONE run `manage.py rebuild_stats_tally`) and by
the case's department (0 for a period without a case):

- registered: cases by the month of created_at, key = the current state;
- filed / concluded: cases by the month of filed_at / concluded_at;
- deadline: periods by the month of due, key = kind; `late` those met after due, `open` those
  not met (the page splits open ones into overdue and pending by the request's time);
- score: stored quality scores by the month of the case's registration, key = the score, with
  a trailing "v" when vetoed.

A case moving to another department (an admin's change; no service moves a case) moves its
periods' and scores' counts with it. The triggers take no lock on the case: a period or score
written in a transaction running at the same moment as its case's move may stay counted in the
old department — `manage.py rebuild_stats_tally --check` finds that, a rebuild mends it. Locking
the case row from every period's write (FOR SHARE) would close that window but put a case lock
after a period's row lock on the everyday paths (an ingest meeting its period while the case
is advanced), the reverse of the transitions' order: a deadlock risk for a rare admin action.

Migration archive/0012_stats_tally installs the tally with a frozen copy of the statements
`rebuild_statements()` gives (the SQL as this module generated it then; only TIME_ZONE is filled
in when it runs), so that a later change here never runs new SQL against the schema of 0012.
archive/tests/test_stats_tally_migration.py compares that copy with what this module generates
now: a change to the functions, the triggers or the counts fails it, and goes into a new
migration that installs the new SQL (its own frozen copy) — 0012 stays as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

TALLY = "archive_statstally"
COLUMNS = "series, month, department_key, key, n, late, open"

# The signed changes of each series, over a relation `ch` of the changed rows with a `sign`
# column (+1 new, -1 old). The same SQL counts from scratch (every row, sign 1): rebuild().
_CASE_DELTAS = """
SELECT 'registered', archive_tally_month(created_at), department_id, state::text, sign, 0, 0 FROM ch
UNION ALL
SELECT 'filed', archive_tally_month(filed_at), department_id, '', sign, 0, 0 FROM ch WHERE filed_at IS NOT NULL
UNION ALL
SELECT 'concluded', archive_tally_month(concluded_at), department_id, '', sign, 0, 0 FROM ch
WHERE concluded_at IS NOT NULL
"""
_DEADLINE_DELTAS = """
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
"""
_SCORE_DELTAS = """
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
"""


def _append(changes: str, deltas: str) -> str:
    """INSERT the summed deltas of the change set `changes` (a SELECT with `sign`)."""
    return f"""
    INSERT INTO {TALLY} ({COLUMNS})
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS ({changes}) {deltas}) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    """


def _changed(columns: str, new: str = "new_rows", old: str = "old_rows", select: str = "*") -> str:
    """The UPDATE's rows whose counted `columns` changed: the new versions +1, the old -1."""
    differ = f"(o.{columns.replace(', ', ', o.')}) IS DISTINCT FROM (n.{columns.replace(', ', ', n.')})"
    return (
        f"SELECT 1 AS sign, n.{select} FROM {new} n JOIN {old} o ON o.id = n.id WHERE {differ}"
        f" UNION ALL SELECT -1 AS sign, o.{select} FROM {new} n JOIN {old} o ON o.id = n.id WHERE {differ}"
    )


def _with_department(rows: str) -> str:
    """`rows` (a SELECT with sign and case_id) with `dep`, its case's department (0 for none)."""
    return f"SELECT r.*, coalesce(c.department_id, 0) AS dep FROM ({rows}) r LEFT JOIN cases_case c ON c.id = r.case_id"


def _moved(table: str, deltas: str) -> str:
    """On a case's move to another department, its rows of `table` leave the old department
    (-1) and join the new one (+1)."""
    moved = (
        "SELECT 1 AS sign, n.id, n.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE n.department_id <> o.department_id UNION ALL"
        " SELECT -1, o.id, o.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id"
        " WHERE n.department_id <> o.department_id"
    )
    return _append(
        f"SELECT m.sign, m.department_id AS dep, t.* FROM ({moved}) m JOIN {table} t ON t.case_id = m.id", deltas
    )


_DEADLINE_COLUMNS = "kind, due, met_at, case_id"
_SCORE_COLUMNS = "score, vetoed, registered_at, case_id"


def _function(name: str, insert: str, update: str, delete: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN {insert}
      ELSIF TG_OP = 'UPDATE' THEN {update}
      ELSE {delete}
      END IF;
      RETURN NULL;
    END $fn$;
    """


def _dependent(name: str, columns: str, deltas: str) -> str:
    """The trigger function of a table of rows belonging to a case (periods, scores)."""
    return _function(
        name,
        insert=_append(_with_department("SELECT 1 AS sign, * FROM new_rows"), deltas),
        update=_append(_with_department(_changed(columns)), deltas),
        delete=_append(_with_department("SELECT -1 AS sign, * FROM old_rows"), deltas),
    )


def _triggers(table: str, function: str) -> str:
    return "".join(
        f"""
        DROP TRIGGER IF EXISTS {table}_tally_{op} ON {table};
        CREATE TRIGGER {table}_tally_{op} AFTER {op.upper()} ON {table}
        REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {function}();
        """
        for op, refs in (
            ("insert", "NEW TABLE AS new_rows"),
            ("update", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("delete", "OLD TABLE AS old_rows"),
        )
    )


def install_sql(time_zone: str) -> str:
    """The functions and triggers, bucketing by local month in `time_zone` (an IANA name)."""
    tz = time_zone.replace("'", "''")
    return (
        f"""
        CREATE OR REPLACE FUNCTION archive_tally_month(t timestamptz) RETURNS date
        LANGUAGE sql IMMUTABLE AS $fn$ SELECT date_trunc('month', t AT TIME ZONE '{tz}')::date $fn$;
        """
        + _function(
            "archive_tally_case",
            insert=_append("SELECT 1 AS sign, * FROM new_rows", _CASE_DELTAS),
            update=_append(_changed("created_at, filed_at, concluded_at, state, department_id"), _CASE_DELTAS)
            + _moved("deadlines_deadline", _DEADLINE_DELTAS)
            + _moved("archive_casescore", _SCORE_DELTAS),
            delete=_append("SELECT -1 AS sign, * FROM old_rows", _CASE_DELTAS),
        )
        + _dependent("archive_tally_deadline", _DEADLINE_COLUMNS, _DEADLINE_DELTAS)
        + _dependent("archive_tally_score", _SCORE_COLUMNS, _SCORE_DELTAS)
        + _triggers("cases_case", "archive_tally_case")
        + _triggers("deadlines_deadline", "archive_tally_deadline")
        + _triggers("archive_casescore", "archive_tally_score")
    )


UNINSTALL_SQL = """
DROP TRIGGER IF EXISTS cases_case_tally_insert ON cases_case;
DROP TRIGGER IF EXISTS cases_case_tally_update ON cases_case;
DROP TRIGGER IF EXISTS cases_case_tally_delete ON cases_case;
DROP TRIGGER IF EXISTS deadlines_deadline_tally_insert ON deadlines_deadline;
DROP TRIGGER IF EXISTS deadlines_deadline_tally_update ON deadlines_deadline;
DROP TRIGGER IF EXISTS deadlines_deadline_tally_delete ON deadlines_deadline;
DROP TRIGGER IF EXISTS archive_casescore_tally_insert ON archive_casescore;
DROP TRIGGER IF EXISTS archive_casescore_tally_update ON archive_casescore;
DROP TRIGGER IF EXISTS archive_casescore_tally_delete ON archive_casescore;
DROP FUNCTION IF EXISTS archive_tally_case();
DROP FUNCTION IF EXISTS archive_tally_deadline();
DROP FUNCTION IF EXISTS archive_tally_score();
DROP FUNCTION IF EXISTS archive_tally_month(timestamptz);
"""

_FROM_SCRATCH = [
    _append("SELECT 1 AS sign, * FROM cases_case", _CASE_DELTAS),
    _append(_with_department("SELECT 1 AS sign, * FROM deadlines_deadline"), _DEADLINE_DELTAS),
    _append(_with_department("SELECT 1 AS sign, * FROM archive_casescore"), _SCORE_DELTAS),
]

_COMPACT = f"""
WITH gone AS (DELETE FROM {TALLY} RETURNING {COLUMNS})
INSERT INTO {TALLY} ({COLUMNS})
SELECT series, month, department_key, key, sum(n), sum(late), sum(open) FROM gone
GROUP BY series, month, department_key, key
HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0
"""


def enabled() -> bool:
    """Whether the database keeps the tally: PostgreSQL (statement triggers with transition
    tables). The embedded SQLite default has none; archive.stats then counts from scratch."""
    return connection.vendor == "postgresql"


def compact() -> int:
    """Fold the appended rows into one row per key (rows appended meanwhile stay, and count);
    returns the number of rows left."""
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(_COMPACT)
        return cur.rowcount


def rebuild_statements(time_zone: str) -> list[str]:
    """The statements of rebuild(), in order, bucketing by local month in `time_zone` (an IANA
    name): install the functions and triggers, lock and empty the tally, count each table from
    scratch, compact. Migration 0012 runs a frozen copy of them (module docstring)."""
    return [
        install_sql(time_zone),
        f"LOCK TABLE {TALLY} IN EXCLUSIVE MODE",
        f"DELETE FROM {TALLY}",
        *_FROM_SCRATCH,
        _COMPACT,
    ]


def rebuild() -> int:
    """Reinstall the triggers and recount every series from scratch, the tally locked against
    writers meanwhile (their triggers wait, then append to the new count); returns the rows."""
    with transaction.atomic(), connection.cursor() as cur:
        for sql in rebuild_statements(settings.TIME_ZONE):
            cur.execute(sql)
        return cur.rowcount  # the compaction's: the rows left
