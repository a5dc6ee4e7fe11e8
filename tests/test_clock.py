"""linke.clock: the clock set back for demo data is set back only inside its block."""

import datetime as dt

from django.utils import timezone

from cases.models import SignOff
from linke.clock import clock_at


def test_field_defaults_follow_the_block_and_return_to_the_real_clock_after_it():
    field = SignOff._meta.get_field("signed_at")  # default=timezone.now
    field.__dict__.pop("_get_default", None)  # as in a fresh process: the cached property not read yet
    real = dt.datetime.now(dt.UTC)
    with clock_at(real - dt.timedelta(days=3)):
        assert abs(field.get_default() - (real - dt.timedelta(days=3))) < dt.timedelta(minutes=1)
    assert abs(field.get_default() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert abs(timezone.now() - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
