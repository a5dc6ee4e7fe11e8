"""A separate process that appends audit entries (spawned by tests and bench/audit.py).
Imports Django lazily: a spawned child must set up Django before touching models."""

from typing import Any


def append_entries(db_name: str, writer: int, count: int, start: Any) -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linke.settings")
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = db_name
    django.setup()
    from django.db import connection, transaction

    import audit

    start.wait(30)
    for i in range(count):
        with transaction.atomic():
            audit.record(None, "admin.other", writer=writer, i=i)
    connection.close()
