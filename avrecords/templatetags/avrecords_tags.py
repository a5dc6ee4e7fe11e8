import secrets

from django import template

register = template.Library()


@register.simple_tag
def viewing_token() -> str:
    """A fresh token for one page view of a player (32 hex characters): its first `play`
    event is logged once (avrecords.services.record_played)."""
    return secrets.token_hex(16)
