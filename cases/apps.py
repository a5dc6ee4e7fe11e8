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
        )
        register(Role.ADMIN, *(f"cases.{verb}_{m}" for m in models for verb in ("view", "change")))
        # Every stage app's checklist (`<app>/requirements.py`) registers itself on import.
        # Case-page panels (`<app>/panels.py`) likewise.
        for config in apps.get_app_configs():
            for module in ("requirements", "panels"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.{module}":
                        raise
