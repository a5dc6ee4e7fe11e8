"""python manage.py export_case CASE_NUMBER --out DIR: write a sealed case's archival package
(BagIt bag, archive.export) into DIR; exits non-zero with a Chinese message for an unknown or
unsealed case (第二十八条)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

import audit
from cases.selectors import case_by_ref

from ...audit_actions import AuditAction
from ...export import ExportRefused, build_bag


class Command(BaseCommand):
    help = "导出已归档案件的电子案卷归档信息包（BagIt）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_number", help="案号（或登记号）")
        parser.add_argument("--out", required=True, type=Path, help="输出目录")

    def handle(self, *args: Any, case_number: str, out: Path, **options: Any) -> None:
        case = case_by_ref(case_number)
        if case is None:
            raise CommandError(f"案件不存在：{case_number}")
        try:
            bag = build_bag(case, out)
        except ExportRefused as exc:
            raise CommandError(str(exc)) from exc
        except FileExistsError as exc:
            raise CommandError(f"输出目录已存在：{exc.filename}") from exc
        audit.record(case, AuditAction.EXPORT_FINISHED, actor=None, case=case, command=True, bag=bag.name)
        self.stdout.write(f"已导出：{bag}")
