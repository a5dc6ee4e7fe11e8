"""audit.appends_deferred(): entries recorded in the block are chained together at its end,
in order, under one lock; nothing is appended when the block fails."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

import audit
from audit.models import Entry
from audit.services import verify_chain

pytestmark = pytest.mark.django_db


def test_entries_are_appended_at_the_end_of_the_block_in_order(officer):
    before = audit.record(None, "admin.other", n=0)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        with audit.appends_deferred():
            first = audit.record(None, "admin.other", actor=officer, n=1)
            with audit.appends_deferred():  # nested: appended with the outer block
                second = audit.record(None, "admin.other", n=2)
            assert first.seq is None and second.seq is None
            assert Entry.objects.count() == 1
        assert (first.seq, second.seq) == (before.seq + 1, before.seq + 2)
        assert first.prev_hash == before.hash and second.prev_hash == first.hash
    assert sum("pg_advisory_xact_lock" in q["sql"] for q in queries.captured_queries) == 1
    assert [e.data["n"] for e in Entry.objects.order_by("seq")] == [0, 1, 2]
    assert verify_chain().ok


def test_a_failed_block_appends_nothing():
    with pytest.raises(ValueError), transaction.atomic(), audit.appends_deferred():
        audit.record(None, "admin.other", n=1)
        raise ValueError("the change failed")
    assert not Entry.objects.exists()
    with transaction.atomic(), audit.appends_deferred():
        audit.record(None, "admin.other", n=2)
    assert Entry.objects.get().seq == 1 and verify_chain().ok


def test_undeclared_actions_are_refused_at_once():
    from audit.vocabulary import UndeclaredAuditAction

    with pytest.raises(UndeclaredAuditAction), transaction.atomic(), audit.appends_deferred():
        audit.record(None, "no.such.action")
