"""`manage.py rebuild_stats_tally [--check]`: reinstall the statistics tally's triggers and
recount it from scratch (archive.stats_tally.rebuild: after changing TIME_ZONE, or should it
ever be doubted); with --check, only compare the page's tables from the tally with the same
tables counted from scratch (archive.stats.counted_*) for every year and department, and
exit 1 on a difference."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from archive import stats, stats_tally


class Command(BaseCommand):
    help = "重建统计页的计数表（或用 --check 核对计数表与逐条统计是否一致）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="只核对，不重建")

    def handle(self, *args: Any, **options: Any) -> None:
        if not stats_tally.enabled():
            raise CommandError("统计计数表仅用于 PostgreSQL；当前数据库的统计页逐条计数，无需重建。")
        if options["check"]:
            differ = stats.tally_differences()
            for f, table in differ:
                dept = f" {f.department.name}" if f.department else ""
                self.stdout.write(f"不一致：{f.year}年{dept} {stats.CSV_TABLES[table]}")
            if differ:
                raise CommandError(f"统计计数表与逐条统计有 {len(differ)} 处不一致，请运行 rebuild_stats_tally 重建。")
            self.stdout.write("统计计数表与逐条统计一致。")
            return
        rows = stats_tally.rebuild()
        self.stdout.write(f"已重建统计计数表（{rows} 行）。")
