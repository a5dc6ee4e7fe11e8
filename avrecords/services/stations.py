"""Collection stations (采集站): registration and their tokens."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q

import audit
from accounts.models import User

from ..audit_actions import AuditAction
from ..models import (
    CollectionStation,
)

# --- stations -------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def station_create(*, name: str, location: str = "", by: User | None = None) -> tuple[CollectionStation, str]:
    """A new station and its token. Only the token's SHA-256 is kept: show it once."""
    token = secrets.token_urlsafe(32)
    station = CollectionStation.objects.create(
        name=name, location=location, token_hash=token_digest(token), token_prefix=token[:8]
    )
    audit.record(station, AuditAction.STATION_CREATED, actor=by, name=name, location=location)
    return station, token


@transaction.atomic
def station_rotate_token(*, station_id: int, by: User | None = None) -> str:
    station = CollectionStation.objects.select_for_update().get(pk=station_id)
    token = secrets.token_urlsafe(32)
    station.token_hash, station.token_prefix = token_digest(token), token[:8]
    station.save(update_fields=["token_hash", "token_prefix"])
    audit.record(station, AuditAction.STATION_TOKEN_ROTATED, actor=by)
    return token


# A station's `last_seen_at` is shown to the admin to the minute: it is written at most this often.
SEEN_EVERY = dt.timedelta(minutes=1)


def station_seen_due(station: CollectionStation, at: dt.datetime) -> bool:
    """Whether `station.last_seen_at` (as loaded) is older than SEEN_EVERY before `at`."""
    return station.last_seen_at is None or station.last_seen_at < at - SEEN_EVERY


@transaction.atomic
def station_seen(*, station_id: int, at: dt.datetime) -> int:
    """Bookkeeping after an upload completes, in a transaction of its own: the station was
    seen at `at`. Only when its `last_seen_at` is older than SEEN_EVERY, and never waiting:
    a row another transaction holds is skipped (the next upload writes it). Returns the
    number of rows updated (0 or 1)."""
    free = (
        CollectionStation.objects.select_for_update(skip_locked=True)
        .filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=at - SEEN_EVERY), pk=station_id)
        .values("pk")
    )
    return CollectionStation.objects.filter(pk__in=free).update(last_seen_at=at)
