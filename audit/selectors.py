"""Reads of the trail for the other apps (they never query `audit.models.Entry` themselves)."""

from typing import Any

from django.db.models import Model, QuerySet

from .chain import canonical_json
from .models import Entry


def entries_of_case(case_id: int) -> QuerySet[Entry]:
    """The case's entries, newest first (served by the (case_id, seq) index)."""
    return Entry.objects.filter(case_id=case_id).order_by("-seq")


def entries_about(target: Model) -> QuerySet[Entry]:
    """The entries about one object (`audit.record(target, ...)`), oldest first, with their
    actors (served by the (object_type, object_id) index): a chain of custody."""
    return (
        Entry.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
        .select_related("actor")
        .order_by("seq")
    )


def recorded(target: Model, action: str, *, actor: Any, **data: Any) -> bool:
    """Whether `actor` already has an entry `action` about `target` whose payload holds each of
    `data`'s key/value pairs (compared in the canonical JSON form the trail stores)."""
    qs = Entry.objects.filter(
        action=action, object_type=target._meta.label_lower, object_id=str(target.pk), actor=actor
    )
    for key, value in data.items():
        qs = qs.filter(payload__contains=canonical_json({key: value})[1:-1])
    return qs.exists()


def case_ids_recorded(action: str, *, actor: Any) -> QuerySet[Entry, int | None]:
    """The ids of the cases on which `actor` has an entry `action` (Entry.case_id), as a
    subquery (served by the action index); e.g. the files an archivist arranged."""
    return Entry.objects.filter(action=action, actor=actor, case_id__isnull=False).values_list("case_id", flat=True)


def chain_head() -> tuple[int, str]:
    """(seq, hash) of the newest entry of the whole chain; (0, GENESIS_HASH) when it is empty
    (an export's signed checkpoint commits to it)."""
    from .models import GENESIS_HASH

    head = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    return head or (0, GENESIS_HASH)
