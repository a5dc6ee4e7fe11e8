from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审查与决定"

    def ready(self) -> None:
        # Declares the transitions review owns (cases.stages).
        # Registers the decision checks of 《行政处罚法》第四十五、六十二、六十五条 (review.checks).
        from . import (  # noqa: F401
            actions,
            defence,
            hearing,
        )
