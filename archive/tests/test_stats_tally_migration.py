"""Migration 0012 installs the statistics tally (archive.stats_tally) with SQL of its own, frozen
when it was written: it runs without archive.stats_tally, its statements are the ones
stats_tally generates today (a change there fails this and goes into a new migration), and it
leaves the database with the very functions and triggers a rebuild installs."""

import ast
import inspect
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection

from archive import stats_tally

pytestmark = pytest.mark.django_db

MIGRATION = import_module("archive.migrations.0012_stats_tally")


def _installed() -> dict[str, str]:
    """The tally's functions and triggers as the database holds them: name -> definition."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname LIKE 'archive\\_tally\\_%%'"
        )
        functions = dict(cur.fetchall())
        cur.execute(
            "SELECT tgname, pg_get_triggerdef(oid) || tgenabled::text FROM pg_trigger WHERE tgname LIKE '%%_tally_%%'"
        )
        return functions | dict(cur.fetchall())


@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "UTC", "America/St_Johns"])
def test_the_frozen_statements_are_what_stats_tally_generates_today(time_zone):
    """Should this fail after a change to archive.stats_tally: leave 0012 as it is and add a
    migration carrying the new statements (stats_tally's docstring)."""
    assert MIGRATION.statements(time_zone) == stats_tally.rebuild_statements(time_zone)
    assert MIGRATION.UNINSTALL == stats_tally.UNINSTALL_SQL


def test_the_migration_imports_no_live_code_of_the_tally():
    tree = ast.parse(inspect.getsource(MIGRATION))
    imported = [
        node.module or "" if isinstance(node, ast.ImportFrom) else ", ".join(a.name for a in node.names)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]
    assert imported and not any(name.startswith("archive") for name in imported), imported


def test_the_migration_installs_what_a_rebuild_installs_without_calling_stats_tally(monkeypatch):
    """The migration's operation, reversed then run again, with stats_tally's code refusing to
    run: the same functions and triggers (definitions, enabled) as a rebuild installs."""
    rebuilt = _installed()
    stats_tally.rebuild()
    assert _installed() == rebuilt and len(rebuilt) == 4 + 9  # 4 functions, 3 triggers on 3 tables

    def refuse(*args, **kwargs):
        raise AssertionError("the migration ran archive.stats_tally")

    for name in ("rebuild", "rebuild_statements", "install_sql"):
        monkeypatch.setattr(stats_tally, name, refuse)
    operation = MIGRATION.Migration.operations[-1]
    with connection.schema_editor() as editor:
        operation.reverse_code(apps, editor)
    assert _installed() == {}
    with connection.schema_editor() as editor:
        operation.code(apps, editor)
    assert _installed() == rebuilt
