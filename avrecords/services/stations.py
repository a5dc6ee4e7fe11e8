"""Collection stations (采集站): registration and their tokens."""

import hashlib
import secrets

from django.db import transaction

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
