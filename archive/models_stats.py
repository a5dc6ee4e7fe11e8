"""Stored quality scores (案卷评查) for the agency's statistics (issue 16 item 7): a score is
computed from a case's records by archive.quality.case_score, too slow to run over every case at
request time, so each case's latest score is a row, refreshed when the case reaches 已决定,
已结案 or 已归档, by the periodic task and by `manage.py rebuild_case_scores`."""

from typing import Any

from django.db import models


class CaseScore(models.Model):
    """The latest quality score of one case: `score` 0..100 (0 with a failing veto item),
    `failing` the codes of the failing rules (archive.models.QualityRule.code)."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="score")
    score = models.PositiveSmallIntegerField("评查得分")
    vetoed = models.BooleanField("存在否决项", default=False)
    failing = models.JSONField("未通过的评查规则", default=list, blank=True)
    computed_at = models.DateTimeField("计算时间")
    # The case's registration time (Case.created_at, set once, never changed), copied here so
    # that the statistics page's year filter reads this table's index alone (archive.stats.scores).
    registered_at = models.DateTimeField("案件登记时间")

    class Meta:
        verbose_name = "案卷评查得分"
        verbose_name_plural = "案卷评查得分"
        constraints = [models.CheckConstraint(name="case_score_0_100", condition=models.Q(score__lte=100))]
        indexes = [
            # The periodic refresh: the stalest scores first.
            models.Index(fields=["computed_at"], name="case_score_stalest"),
            # The statistics page's score table (archive.stats.scores): an index-only scan of
            # the year's scores (the case for the department filter).
            models.Index(fields=["registered_at"], include=["score", "vetoed", "case"], name="case_score_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Fills registered_at from the case when not given."""
        if self.registered_at is None:
            self.registered_at = self.case.created_at
        super().save(*args, **kwargs)


class StatsTally(models.Model):
    """Counts of the statistics page kept by database triggers (archive.stats_tally): one row
    per change (signed), folded into one row per key by the periodic compaction. A count is
    the sum of `n` (`late`, `open`) over the rows of its key."""

    series = models.CharField("统计项", max_length=16)
    month = models.DateField("月份")  # the first day of the local month
    department_key = models.BigIntegerField("承办科室ID")  # 0: a period without a case
    key = models.CharField("分类", max_length=64, blank=True)
    n = models.BigIntegerField("数量")
    late = models.BigIntegerField("逾期完成数", default=0)
    open = models.BigIntegerField("未完成数", default=0)

    class Meta:
        verbose_name = "统计计数"
        verbose_name_plural = "统计计数"
        indexes = [
            models.Index(
                fields=["series", "month", "department_key"], include=["key", "n", "late", "open"], name="stats_tally"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.month} {self.department_key} {self.key}: {self.n}"
