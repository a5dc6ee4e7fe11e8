from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "案卷归档"

    def ready(self) -> None:
        # The 归档 transition (已结案 → 已归档) and the read-only guard of sealed cases.
        from . import actions, guard  # noqa: F401

        guard.install()
