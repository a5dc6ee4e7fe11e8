"""Demo data for the embedded default. Idempotent: running it again adds nothing twice.

Each app may have a `demo.py` with `seed(stdout, users)`; they run in INSTALLED_APPS order
after the users exist. A `finish(stdout, users)` there runs after every app has seeded
(e.g. a scan over what the later apps made).
"""

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.roles import sync_role_permissions


class Command(BaseCommand):
    help = "创建演示用户（每个角色一个）和若干演示案件；可重复运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        sync_role_permissions()
        self.stdout.write("演示用户：")
        with transaction.atomic():
            users = accounts_demo.seed(self.stdout)
        modules = []
        for config in apps.get_app_configs():
            if config.name == "accounts":
                continue
            try:
                modules.append(importlib.import_module(f"{config.name}.demo"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
        for module in modules:
            with transaction.atomic():
                module.seed(self.stdout, users)
        # The deadline scan (deadlines.demo.finish) sends what the periodic task would for every
        # other app's demo periods (review's and delivery's cases are made in their `finish`): last.
        for module in sorted(modules, key=lambda m: m.__name__ == "deadlines.demo"):
            if hasattr(module, "finish"):
                with transaction.atomic():
                    module.finish(self.stdout, users)
        self.stdout.write(self.style.SUCCESS("演示数据就绪。请访问 http://127.0.0.1:8000/ 登录。"))
