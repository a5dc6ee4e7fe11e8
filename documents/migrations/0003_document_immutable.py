"""The database refuses to change a finalised document and to delete any document (its
文号 was taken: deleting it would leave a gap). PostgreSQL: row trigger; SQLite: RAISE(ABORT).
The model's save()/delete() refuse the same earlier, with a friendlier message."""

from django.db import migrations

from linke.migration_sql import vendor_sql

PG_UP = """
CREATE OR REPLACE FUNCTION documents_document_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'documents_document: DELETE refused (numbers are never given back)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status = 'final' THEN
        RAISE EXCEPTION 'documents_document %: a finalised document is immutable', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_document_immutable
    BEFORE UPDATE OR DELETE ON documents_document
    FOR EACH ROW EXECUTE FUNCTION documents_document_guard();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS documents_document_immutable ON documents_document;
DROP FUNCTION IF EXISTS documents_document_guard();
"""
SQLITE_UP = [
    """CREATE TRIGGER documents_document_no_update BEFORE UPDATE ON documents_document
       WHEN OLD.status = 'final'
       BEGIN SELECT RAISE(ABORT, 'a finalised document is immutable'); END""",
    """CREATE TRIGGER documents_document_no_delete BEFORE DELETE ON documents_document
       BEGIN SELECT RAISE(ABORT, 'documents_document: DELETE refused'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS documents_document_no_update",
               "DROP TRIGGER IF EXISTS documents_document_no_delete"]


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_document")]
    operations = [vendor_sql(postgresql=[PG_UP], postgresql_reverse=[PG_DOWN], sqlite=SQLITE_UP,
                             sqlite_reverse=SQLITE_DOWN)]
