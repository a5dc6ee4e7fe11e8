import importlib

from django.apps import AppConfig, apps


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.roles import register

        models = (
            "case",
            "party",
            "application",
            "applicationevent",
            "filingrecord",
            "complaint",
            "noninitiation",
            "attachment",
            "signoff",
        )
        register(Role.ADMIN, *(f"cases.{verb}_{m}" for m in models for verb in ("view", "change")))
        # Declares the transitions cases owns (第二章; cases.stages).
        from . import services  # noqa: F401

        # Every stage app's checklist (`<app>/requirements.py`) registers itself on import.
        # Case-page panels (`<app>/panels.py`) likewise.
        for config in apps.get_app_configs():
            for module in ("requirements", "panels"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.{module}":
                        raise
