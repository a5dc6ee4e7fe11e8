"""The database itself refuses UPDATE and DELETE on audit entries (DESIGN.md: audit trail).

PostgreSQL: a row trigger raising an exception. SQLite (the embedded default): RAISE(ABORT).
A superuser can still disable triggers; that is what the hash chain and signed
checkpoints are for.
"""

from django.db import migrations

from linke.migration_sql import vendor_sql

PG_UP = """
CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only
    BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry;
DROP FUNCTION IF EXISTS audit_entry_refuse_change();
"""
SQLITE_UP = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only: DELETE refused'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS audit_entry_no_update", "DROP TRIGGER IF EXISTS audit_entry_no_delete"]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [vendor_sql(postgresql=[PG_UP], postgresql_reverse=[PG_DOWN], sqlite=SQLITE_UP,
                             sqlite_reverse=SQLITE_DOWN)]
