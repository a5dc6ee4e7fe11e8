"""Gap-free series under concurrency, and the counter's rows kept when the model moved from
documents to numbering (issue 10: a neutral module that cases and documents both call)."""

import threading

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from numbering.models import Counter
from numbering.services import number_next


class _Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_parallel_callers_get_consecutive_numbers_and_a_rollback_gives_its_number_back():
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    taken: list[int] = []
    errors: list[BaseException] = []

    def take(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                n = number_next("test:series", 2026)
                if i % 4 == 3:
                    raise _Rollback
                taken.append(n)
        except _Rollback:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    committed = threads_n - threads_n // 4
    assert sorted(taken) == list(range(1, committed + 1))
    assert Counter.objects.get(scope="test:series", year=2026).value == committed


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_table_and_its_rows():
    executor = MigrationExecutor(connection)
    before = [("documents", "0003_document_immutable"), ("numbering", None)]
    after = [("documents", "0004_counter_moves_to_numbering"), ("numbering", "0001_initial")]
    try:
        executor.migrate(before)
        old_counter = executor.loader.project_state(before[0]).apps.get_model("documents", "Counter")
        old_counter.objects.create(scope="doc:inquiry", year=2026, value=41)
        executor.loader.build_graph()
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    with transaction.atomic():
        assert number_next("doc:inquiry", 2026) == 42
    assert Counter._meta.db_table == "documents_counter"
