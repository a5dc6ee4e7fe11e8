import importlib

from django.apps import AppConfig, apps


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        # Every stage app's checklist (`<app>/requirements.py`) registers itself on import.
        for config in apps.get_app_configs():
            try:
                importlib.import_module(f"{config.name}.requirements")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.requirements":
                    raise
