"""`manage.py rebuild_case_scores [--case PK ...]`: recompute and store the quality score of every
penalty case in a scored stage (archive.stats.SCORED_STATES), or of the cases named; for after a
change of the rule sheet, or to fill the table the first time."""

from typing import Any

from django.core.management.base import BaseCommand

from archive.stats import SCORED_STATES, case_score_refresh
from cases.models import CaseKind
from cases.selectors import all_cases


class Command(BaseCommand):
    help = "重新计算并保存案卷评查得分（统计页使用）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--case", type=int, action="append", default=[], help="只重算指定案件（ID，可多次给出）")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = all_cases().filter(kind=CaseKind.PENALTY, state__in=SCORED_STATES)
        if options["case"]:
            qs = qs.filter(pk__in=options["case"])
        done = 0
        for pk in qs.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1000):
            if case_score_refresh(pk) is not None:
                done += 1
        self.stdout.write(f"已重新计算 {done} 件案件的评查得分。")
