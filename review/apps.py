from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审查与决定"

    def ready(self) -> None:
        # Declares the transitions review owns (cases.stages).
        from . import actions  # noqa: F401
