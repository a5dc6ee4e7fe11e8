"""A throw-away PostgreSQL database for one benchmark run."""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def bench_database(suffix: str, script: str) -> Iterator[str]:
    """Create `<DATABASE_URL's name>_<suffix>`, migrate it and point Django at it; drop it
    afterwards (unless BENCH_KEEP=1). Django must be set up already."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    if connection.vendor != "postgresql":
        sys.exit(f"{script} needs PostgreSQL: set DATABASE_URL (make bench does)")
    base = settings.DATABASES["default"]["NAME"]
    name = f"{base}_{suffix}"
    with connection._nodb_cursor() as cur:  # connected to the "postgres" maintenance db
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    try:
        call_command("migrate", verbosity=0)
        yield name
    finally:
        connections.close_all()
        settings.DATABASES["default"]["NAME"] = base
        if os.environ.get("BENCH_KEEP") != "1":
            with connection._nodb_cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
