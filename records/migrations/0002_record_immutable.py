"""The database refuses to change a finalised record (第十条 records are immutable once
final; a correction is a new record). For every table holding part of a record — the base
row, the kind's row, its list items and its officers — a row trigger looks up the record's
status and refuses UPDATE/DELETE (and INSERT for items and officers) when it is 'final'.
PostgreSQL only (the embedded SQLite default relies on the model guard)."""

from django.db import migrations

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION records_guard_final() RETURNS trigger AS $$
DECLARE
    rid bigint;
    st text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO rid USING NEW;
    ELSE
        EXECUTE format('SELECT ($1).%I', TG_ARGV[0]) INTO rid USING OLD;
    END IF;
    SELECT status INTO st FROM records_record WHERE id = rid;
    IF st = 'final' THEN
        RAISE EXCEPTION '%: record % is final and immutable (% refused)', TG_TABLE_NAME, rid, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""
# table, column holding the record id, operations guarded
TABLES = [
    ("records_record", "id", "UPDATE OR DELETE"),
    ("records_inquiry", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_evidencecollection", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_inspection", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_sampling", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_preservation", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_commission", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_otheractivity", "record_ptr_id", "UPDATE OR DELETE"),
    ("records_recorditem", "record_id", "INSERT OR UPDATE OR DELETE"),
    ("records_record_officers", "record_id", "INSERT OR UPDATE OR DELETE"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_FUNCTION, params=None)
    for table, column, ops in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_final_guard BEFORE {ops} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION records_guard_final('{column}')", params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, _column, _ops in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_final_guard ON {table}", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS records_guard_final()", params=None)


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
