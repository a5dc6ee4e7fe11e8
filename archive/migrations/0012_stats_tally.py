"""The statistics page's tally (archive.stats_tally): the table, then (PostgreSQL only) the
triggers that keep it and the count of the rows already stored.

The SQL is frozen here as archive.stats_tally generated it when this migration was written (its
rebuild_statements(): install the functions and triggers, count the stored rows from scratch,
compact), so that a later change there never runs against this schema; only settings.TIME_ZONE
(the month the tally buckets by) is filled in, as rebuild() fills it in. A change to
stats_tally's SQL goes into a new migration (archive/tests/test_stats_tally_migration.py
compares these statements with what stats_tally generates now).
"""

from django.conf import settings
from django.db import migrations, models

from linke.migration_sql import vendor_sql

TALLY = "archive_statstally"

# archive_tally_month(t): the local month of a time in TIME_ZONE ({time_zone}, quoted below).
MONTH_FUNCTION = """
        CREATE OR REPLACE FUNCTION archive_tally_month(t timestamptz) RETURNS date
        LANGUAGE sql IMMUTABLE AS $fn$ SELECT date_trunc('month', t AT TIME ZONE '{time_zone}')::date $fn$;
        """

# The trigger functions of cases_case, deadlines_deadline and archive_casescore: each appends
# the signed change of the counts a statement moves (its transition tables).
CASE_FUNCTION = """
    CREATE OR REPLACE FUNCTION archive_tally_case() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT 1 AS sign, * FROM new_rows) 
SELECT 'registered', archive_tally_month(created_at), department_id, state::text, sign, 0, 0 FROM ch
UNION ALL
SELECT 'filed', archive_tally_month(filed_at), department_id, '', sign, 0, 0 FROM ch WHERE filed_at IS NOT NULL
UNION ALL
SELECT 'concluded', archive_tally_month(concluded_at), department_id, '', sign, 0, 0 FROM ch
WHERE concluded_at IS NOT NULL
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSIF TG_OP = 'UPDATE' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.created_at, o.filed_at, o.concluded_at, o.state, o.department_id) IS DISTINCT FROM (n.created_at, n.filed_at, n.concluded_at, n.state, n.department_id) UNION ALL SELECT -1 AS sign, o.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.created_at, o.filed_at, o.concluded_at, o.state, o.department_id) IS DISTINCT FROM (n.created_at, n.filed_at, n.concluded_at, n.state, n.department_id)) 
SELECT 'registered', archive_tally_month(created_at), department_id, state::text, sign, 0, 0 FROM ch
UNION ALL
SELECT 'filed', archive_tally_month(filed_at), department_id, '', sign, 0, 0 FROM ch WHERE filed_at IS NOT NULL
UNION ALL
SELECT 'concluded', archive_tally_month(concluded_at), department_id, '', sign, 0, 0 FROM ch
WHERE concluded_at IS NOT NULL
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT m.sign, m.department_id AS dep, t.* FROM (SELECT 1 AS sign, n.id, n.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.department_id <> o.department_id UNION ALL SELECT -1, o.id, o.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.department_id <> o.department_id) m JOIN deadlines_deadline t ON t.case_id = m.id) 
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT m.sign, m.department_id AS dep, t.* FROM (SELECT 1 AS sign, n.id, n.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.department_id <> o.department_id UNION ALL SELECT -1, o.id, o.department_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.department_id <> o.department_id) m JOIN archive_casescore t ON t.case_id = m.id) 
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSE 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT -1 AS sign, * FROM old_rows) 
SELECT 'registered', archive_tally_month(created_at), department_id, state::text, sign, 0, 0 FROM ch
UNION ALL
SELECT 'filed', archive_tally_month(filed_at), department_id, '', sign, 0, 0 FROM ch WHERE filed_at IS NOT NULL
UNION ALL
SELECT 'concluded', archive_tally_month(concluded_at), department_id, '', sign, 0, 0 FROM ch
WHERE concluded_at IS NOT NULL
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      END IF;
      RETURN NULL;
    END $fn$;
    """

DEADLINE_FUNCTION = """
    CREATE OR REPLACE FUNCTION archive_tally_deadline() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, * FROM new_rows) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSIF TG_OP = 'UPDATE' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.kind, o.due, o.met_at, o.case_id) IS DISTINCT FROM (n.kind, n.due, n.met_at, n.case_id) UNION ALL SELECT -1 AS sign, o.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.kind, o.due, o.met_at, o.case_id) IS DISTINCT FROM (n.kind, n.due, n.met_at, n.case_id)) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSE 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT -1 AS sign, * FROM old_rows) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      END IF;
      RETURN NULL;
    END $fn$;
    """

SCORE_FUNCTION = """
    CREATE OR REPLACE FUNCTION archive_tally_score() RETURNS trigger LANGUAGE plpgsql AS $fn$
    BEGIN
      IF TG_OP = 'INSERT' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, * FROM new_rows) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSIF TG_OP = 'UPDATE' THEN 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, n.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.score, o.vetoed, o.registered_at, o.case_id) IS DISTINCT FROM (n.score, n.vetoed, n.registered_at, n.case_id) UNION ALL SELECT -1 AS sign, o.* FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (o.score, o.vetoed, o.registered_at, o.case_id) IS DISTINCT FROM (n.score, n.vetoed, n.registered_at, n.case_id)) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      ELSE 
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT -1 AS sign, * FROM old_rows) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    
      END IF;
      RETURN NULL;
    END $fn$;
    """

# The statement-level AFTER INSERT / UPDATE / DELETE triggers of the three tables.
TRIGGERS = """
        DROP TRIGGER IF EXISTS cases_case_tally_insert ON cases_case;
        CREATE TRIGGER cases_case_tally_insert AFTER INSERT ON cases_case
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_case();
        
        DROP TRIGGER IF EXISTS cases_case_tally_update ON cases_case;
        CREATE TRIGGER cases_case_tally_update AFTER UPDATE ON cases_case
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_case();
        
        DROP TRIGGER IF EXISTS cases_case_tally_delete ON cases_case;
        CREATE TRIGGER cases_case_tally_delete AFTER DELETE ON cases_case
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_case();
        
        DROP TRIGGER IF EXISTS deadlines_deadline_tally_insert ON deadlines_deadline;
        CREATE TRIGGER deadlines_deadline_tally_insert AFTER INSERT ON deadlines_deadline
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_deadline();
        
        DROP TRIGGER IF EXISTS deadlines_deadline_tally_update ON deadlines_deadline;
        CREATE TRIGGER deadlines_deadline_tally_update AFTER UPDATE ON deadlines_deadline
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_deadline();
        
        DROP TRIGGER IF EXISTS deadlines_deadline_tally_delete ON deadlines_deadline;
        CREATE TRIGGER deadlines_deadline_tally_delete AFTER DELETE ON deadlines_deadline
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_deadline();
        
        DROP TRIGGER IF EXISTS archive_casescore_tally_insert ON archive_casescore;
        CREATE TRIGGER archive_casescore_tally_insert AFTER INSERT ON archive_casescore
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_score();
        
        DROP TRIGGER IF EXISTS archive_casescore_tally_update ON archive_casescore;
        CREATE TRIGGER archive_casescore_tally_update AFTER UPDATE ON archive_casescore
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_score();
        
        DROP TRIGGER IF EXISTS archive_casescore_tally_delete ON archive_casescore;
        CREATE TRIGGER archive_casescore_tally_delete AFTER DELETE ON archive_casescore
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION archive_tally_score();
        """

# The rows already stored, counted from scratch (one statement a table), then compacted.
FROM_SCRATCH = [
    """
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT 1 AS sign, * FROM cases_case) 
SELECT 'registered', archive_tally_month(created_at), department_id, state::text, sign, 0, 0 FROM ch
UNION ALL
SELECT 'filed', archive_tally_month(filed_at), department_id, '', sign, 0, 0 FROM ch WHERE filed_at IS NOT NULL
UNION ALL
SELECT 'concluded', archive_tally_month(concluded_at), department_id, '', sign, 0, 0 FROM ch
WHERE concluded_at IS NOT NULL
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    """,
    """
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, * FROM deadlines_deadline) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'deadline', archive_tally_month(due), dep, kind::text, sign,
       CASE WHEN met_at > due THEN sign ELSE 0 END, CASE WHEN met_at IS NULL THEN sign ELSE 0 END
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    """,
    """
    INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
    SELECT series, month, department_key, key, sum(n), sum(late), sum(open)
    FROM (WITH ch AS (SELECT r.*, coalesce(c.department_id, 0) AS dep FROM (SELECT 1 AS sign, * FROM archive_casescore) r LEFT JOIN cases_case c ON c.id = r.case_id) 
SELECT 'score', archive_tally_month(registered_at), dep,
       score::text || CASE WHEN vetoed THEN 'v' ELSE '' END, sign, 0, 0
FROM ch
) AS d(series, month, department_key, key, n, late, open)
    GROUP BY series, month, department_key, key
    HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0;
    """,
]

COMPACT = """
WITH gone AS (DELETE FROM archive_statstally RETURNING series, month, department_key, key, n, late, open)
INSERT INTO archive_statstally (series, month, department_key, key, n, late, open)
SELECT series, month, department_key, key, sum(n), sum(late), sum(open) FROM gone
GROUP BY series, month, department_key, key
HAVING sum(n) <> 0 OR sum(late) <> 0 OR sum(open) <> 0
"""

UNINSTALL = """
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


def statements(time_zone: str) -> list[str]:
    """The statements this migration runs on PostgreSQL, bucketing by local month in
    `time_zone` (an IANA name)."""
    install = MONTH_FUNCTION.replace("{time_zone}", time_zone.replace("'", "''"))
    install += CASE_FUNCTION + DEADLINE_FUNCTION + SCORE_FUNCTION + TRIGGERS
    return [install, f"LOCK TABLE {TALLY} IN EXCLUSIVE MODE", f"DELETE FROM {TALLY}", *FROM_SCRATCH, COMPACT]


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0011_seal_checked_by'),
        ('cases', '0021_stats_indexes'),
        ('deadlines', '0006_stats_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatsTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('series', models.CharField(max_length=16, verbose_name='统计项')),
                ('month', models.DateField(verbose_name='月份')),
                ('department_key', models.BigIntegerField(verbose_name='承办科室ID')),
                ('key', models.CharField(blank=True, max_length=64, verbose_name='分类')),
                ('n', models.BigIntegerField(verbose_name='数量')),
                ('late', models.BigIntegerField(default=0, verbose_name='逾期完成数')),
                ('open', models.BigIntegerField(default=0, verbose_name='未完成数')),
            ],
            options={
                'verbose_name': '统计计数',
                'verbose_name_plural': '统计计数',
                'indexes': [models.Index(fields=['series', 'month', 'department_key'], include=('key', 'n', 'late', 'open'), name='stats_tally')],
            },
        ),
        vendor_sql(postgresql=statements(settings.TIME_ZONE), postgresql_reverse=[UNINSTALL]),
    ]
