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
