"""One migration operation for SQL that differs by database: the triggers that make the
audit trail append-only and final documents immutable exist on PostgreSQL (production,
tests) and SQLite (the embedded default)."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import migrations


def vendor_sql(
    *,
    postgresql: Sequence[str] = (),
    postgresql_reverse: Sequence[str] = (),
    sqlite: Sequence[str] = (),
    sqlite_reverse: Sequence[str] = (),
) -> migrations.RunPython:
    """A RunPython that executes the statements for the database in use (none for others).
    Statements run without parameters, so `%` in PL/pgSQL needs no escaping."""

    def run(statements: dict[str, Sequence[str]]) -> Callable[[Any, Any], None]:
        def apply(apps: Any, schema_editor: Any) -> None:
            for sql in statements.get(schema_editor.connection.vendor, ()):
                schema_editor.execute(sql, params=None)

        return apply

    return migrations.RunPython(
        run({"postgresql": postgresql, "sqlite": sqlite}),
        run({"postgresql": postgresql_reverse, "sqlite": sqlite_reverse}),
    )
