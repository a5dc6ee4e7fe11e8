from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审查与决定"

    def ready(self) -> None:
        # Declares the transitions review owns (cases.stages).
        from cases.models import Case
        from cases.signals import case_transitioned

        from . import (
            actions,  # noqa: F401
            legal,  # noqa: F401  (registers the decision checks of 第五十七、五十八条)
            panels_legal,  # noqa: F401
        )
        from .publication import on_case_transitioned

        # A decision made opens its publication period (行政执法公示).
        case_transitioned.connect(on_case_transitioned, sender=Case, dispatch_uid="review_publication_period")
