"""A clock set back, for demo data and test set-up only: `clock_at(moment)` runs a block as if
it were `moment` (and time runs on from there), so a case walked through the real actions bears
the same earlier dates everywhere — its rows (`auto_now_add`, `default=timezone.now`), its
documents' 制作时间 (and so the date their PDFs print), its deadlines and its audit entries.

The audit chain stays valid: it is ordered and verified by sequence number and hash, never by
time (audit.services.verify_chain). Never used by a request, a task or a command other than
seed_demo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from unittest import mock

from django.apps import apps
from django.utils import timezone


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Within the block `django.utils.timezone.now()` returns `moment` plus the real time elapsed
    since the block began (so two actions keep their order), and the model fields whose default
    is `timezone.now` follow it. `moment` is an aware datetime; nested blocks are allowed."""
    if timezone.is_naive(moment):
        raise ValueError("clock_at needs an aware datetime")
    current = timezone.now  # the real clock, or an outer block's
    offset = moment - current()

    def now() -> dt.datetime:
        return current() + offset

    with ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", now))
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is current:
                    # Field.get_default() reads the cached `_get_default`, not `default`. Patch it
                    # first: patch.object reads the cached property to restore it on exit, and read
                    # after `default` is patched it would cache (and "restore") the shifted clock.
                    stack.enter_context(mock.patch.object(field, "_get_default", now))
                    stack.enter_context(mock.patch.object(field, "default", now))
        yield


def on_day(day: dt.date, hour: int = 9) -> dt.datetime:
    """`hour` o'clock on `day`, local time (aware)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
