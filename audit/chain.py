"""Canonical form and hashing of audit entries: the one definition both writer and
verifier use (and the one an exported case file documents)."""

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

_UTC = dt.timezone.utc


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


_dumps_header = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


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
    `payload` the canonical JSON of the entry's data."""
    header = _dumps_header([seq, created_at, actor_id, actor_name, action, case_id, object_type, object_id])
    canonical = header[:-1] + "," + payload + "]"
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
