"""The quality-review rule sheet (案卷评查): one row per item Linke can check from its own
records, kept as data so the legal-affairs section sets the points (鲁司〔2023〕33号 gives no
point values) and switches items on or off in the admin."""

from django.db import models


class RuleKind(models.TextChoices):
    VETO = "veto", "否决项"
    POINTS = "points", "扣分项"


class QualityRule(models.Model):
    """A rule: `check_name` names a function registered in archive.checks; `points` (0–100) is
    deducted when it fails; a failing veto makes the score 0 whatever the points."""

    code = models.CharField("编码", max_length=40, unique=True)
    source = models.CharField("依据来源", max_length=200)
    kind = models.CharField("类型", max_length=8, choices=RuleKind)
    points = models.PositiveSmallIntegerField("扣分", default=0)
    check_name = models.CharField("检查项", max_length=60, help_text="archive.checks 中登记的检查函数名")
    message = models.CharField("问题描述", max_length=200)
    enabled = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "评查规则"
        verbose_name_plural = "评查规则"
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(name="quality_rule_points_max_100", condition=models.Q(points__lte=100))]

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


from .models_stats import CaseScore  # noqa: E402,F401  (statistics: stored quality scores)
from .models_export import ExportJob, ExportStatus  # noqa: E402,F401
from .models_consultation import ConsultationAccess, ConsultationItem, ConsultationRequest  # noqa: E402,F401
