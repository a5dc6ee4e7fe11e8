"""Tables of 第四章 (审查与决定). No workflow here: the actions live in `review/actions.py`.

`Decision` is the one row that holds what the head decided (第十六条; 《行政处罚法》第五十七、
五十九条), read by the notice-and-defence checks (第四十五条: not heavier than the notice), by
publication (行政执法公示) and later by delivery and the case file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PenaltyKind(models.TextChoices):
    """《行政处罚法》第九条: the kinds of administrative penalty, in the article's order (a
    kind earlier in the list is not thereby lighter)."""

    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    DOWNGRADE_QUALIFICATION = "downgrade_qualification", "降低资质等级"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    RESTRICT_ACTIVITIES = "restrict_activities", "限制开展生产经营活动"
    ORDER_SUSPENSION = "order_suspension", "责令停产停业"
    ORDER_CLOSURE = "order_closure", "责令关闭"
    RESTRICT_EMPLOYMENT = "restrict_employment", "限制从业"
    OTHER = "other", "法律、行政法规规定的其他行政处罚"


class DecisionOutcome(models.TextChoices):
    """《行政处罚法》第五十七条 (the four outcomes of a penalty case) and 《行政许可法》第三十八条
    (a licensing case is granted or refused)."""

    PENALTY = "penalty", "给予行政处罚"
    NO_PENALTY_MINOR = "no_penalty_minor", "违法行为轻微，依法可以不予行政处罚"
    NO_PENALTY_UNPROVEN = "no_penalty_unproven", "违法事实不能成立，不予行政处罚"
    TRANSFER = "transfer", "违法行为涉嫌犯罪，移送司法机关"
    LICENCE_GRANT = "licence_grant", "准予行政许可"
    LICENCE_REFUSAL = "licence_refusal", "不予行政许可"


class Decision(models.Model):
    """The decision of a case: drafted by the officers for review, decided (signed) by the
    head. One per case. `kinds` is a list of PenaltyKind values; amounts are yuan."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField("处理结果", max_length=24, choices=DecisionOutcome)
    facts = models.TextField("违法事实", blank=True)
    evidence = models.TextField("证据", blank=True)
    basis = models.TextField("法律依据", blank=True, help_text="写明法律、法规、规章的名称及条、款、项")
    kinds = models.JSONField("处罚种类", default=list, blank=True)
    fine_yuan = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_yuan = models.DecimalField(
        "没收违法所得、非法财物价值（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    content = models.TextField("处罚（许可）内容", blank=True)
    performance = models.TextField("履行方式和期限", blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField("拟稿时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="决定书",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "处理决定"
        verbose_name_plural = "处理决定"

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"


from .models_defence import *  # noqa: E402, F403
