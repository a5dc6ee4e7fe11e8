"""Gap-free, concurrency-safe sequential numbers per scope and year.

Used for case numbers (案号, cases) and document numbers (文号, documents), which both call
down into this app. The caller must
be inside the transaction that saves the numbered row: the counter row stays locked until
that transaction ends, so concurrent callers queue behind it, and a rollback returns the
number.
"""

from django.db import IntegrityError, transaction

from .models import Counter


def number_next(scope: str, year: int) -> int:
    """The next number (1, 2, …) of series `scope` in `year`, locking the series' counter row
    until the caller's transaction ends. Raises RuntimeError outside a transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next() must run inside the transaction that uses the number")
    counter = Counter.objects.select_for_update().filter(scope=scope, year=year).first()
    if counter is None:
        # First number of the year: two callers may race to create the row; the loser
        # waits on the unique index, then locks the winner's row.
        try:
            with transaction.atomic():
                Counter.objects.create(scope=scope, year=year, value=0)
        except IntegrityError:
            pass
        counter = Counter.objects.select_for_update().get(scope=scope, year=year)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value
