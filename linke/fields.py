"""Helpers for values that come from outside (a station's metadata, an imported file) and
go into bounded columns."""

from typing import Any


def fit(model: Any, field: str, value: str) -> str:
    """`value` cut to the `max_length` of `model.field` (a CharField), so a long value from
    outside never fails a save; the caller keeps the full value where it has room (a JSON
    field), since a cut value is not the evidence."""
    max_length = model._meta.get_field(field).max_length
    return value[:max_length] if max_length is not None else value
