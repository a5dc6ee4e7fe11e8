"""The lock-out page's cool-off in whole minutes ("30 分钟后再试"), not "0:30:00"."""

import math
from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    """A timedelta as whole minutes, rounded up (a 90 s cool-off is "2 分钟"); 0 for None."""
    if not value:
        return 0
    return max(1, math.ceil(value.total_seconds() / 60))
