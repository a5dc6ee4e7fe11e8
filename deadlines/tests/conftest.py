from collections.abc import Iterator

import pytest

from deadlines import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # Overrides created in a rolled-back test transaction must not linger in the cache.
    calendar.clear_cache()
    yield
    calendar.clear_cache()
