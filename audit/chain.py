"""Canonical form and hashing of audit entries: the one definition both writer and
verifier use (and the one an exported case file documents)."""

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

_UTC = dt.UTC


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(_UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if hasattr(value, "pk"):  # a model instance: its key, not its repr
        return value.pk
    if hasattr(value, "label") and hasattr(value, "value"):  # a Choices member
        return value.value
    raise TypeError(f"cannot put {type(value).__name__} into an audit entry")


def canonical_json(value: Any) -> str:
    """Compact, key-sorted, UTF-8 JSON; the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def format_time(value: dt.datetime | str) -> str:
    """UTC, microseconds, 'Z' — the same text whichever database the row came from."""
    if isinstance(value, str):  # raw SQLite rows
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str,
    seq: int,
    created_at: str,
    actor_id: int | None,
    actor_name: str,
    action: str,
    case_id: int | None,
    object_type: str,
    object_id: str,
    payload: str,
) -> str:
    """sha256(prev_hash ‖ canonical entry), hex. `created_at` is format_time() text and
    `payload` the canonical JSON of the entry's data.

    The canonical entry is the compact JSON array [seq, created_at, actor_id, actor_name,
    action, case_id, object_type, object_id, data]; it is assembled here with the json
    module's own string encoder (identical output to json.dumps(..., ensure_ascii=False),
    about twice as fast), because verification runs this a million times.
    """
    text = (
        f"{prev_hash}[{seq},{_str(created_at)},{_NULL if actor_id is None else int(actor_id)},{_str(actor_name)},"
        f"{_str(action)},{_NULL if case_id is None else int(case_id)},{_str(object_type)},{_str(object_id)},{payload}]"
    )
    return hashlib.sha256(text.encode()).hexdigest()


_NULL = "null"
_str = encode_basestring
