"""Several processes append at once against PostgreSQL; the chain must not fork or gap."""

import multiprocessing as mp

import pytest
from django.db import connection

from audit.models import Entry
from audit.services import verify_chain
from audit.tests.writer_proc import append_entries

WRITERS = 6
PER_WRITER = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=append_entries, args=(connection.settings_dict["NAME"], w, PER_WRITER, start))
        for w in range(WRITERS)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0

    total = WRITERS * PER_WRITER
    assert Entry.objects.count() == total
    # Every entry is in the chain exactly once: seqs 1..N, and each writer's entries all there.
    assert list(Entry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert Entry.objects.values("prev_hash").distinct().count() == total  # no two entries share a parent
    result = verify_chain()
    assert result.ok and result.verified == total
