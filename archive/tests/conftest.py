from importlib import import_module
from typing import Any

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def seeded_rules(db: Any) -> None:
    """The rule sheet as its data migration seeds it. A transactional test elsewhere in the
    suite flushes the database (migration data included), so the tests seed it again, with the
    migration's own function, when it is gone."""
    from archive.models import QualityRule

    if not QualityRule.objects.filter(code="av.late_reason").exists():  # the latest seeded
        for name in ("0002_seed_rules", "0003_more_rules", "0017_rule_av_details", "0025_rule_av_late_reason"):
            import_module(f"archive.migrations.{name}").seed(apps, None)
