"""第五章 (第十七至二十二条): delivering the case's documents. Each attempt to serve one document by
one method is a row (STYLE.md); a document's legal service date (送达日期) is the served date of its
successful attempt. Method-specific elements live on the attempt (see delivery/README.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DeliveryMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"  # 第十八条
    POSTAL = "postal", "邮寄送达"  # 第十九条
    LIEN = "lien", "留置送达"  # 第二十条
    ENTRUSTED = "entrusted", "委托送达"  # 第二十一条
    TRANSFERRED = "transferred", "转交送达"  # 第二十一条
    ANNOUNCEMENT = "announcement", "公告送达"  # 第二十二条
    ELECTRONIC = "electronic", "电子送达"  # 《行政处罚法》第六十一条


class AttemptOutcome(models.TextChoices):
    # Started, not yet complete: a letter posted and its return receipt awaited, an
    # announcement published and its period running.
    PENDING = "pending", "送达中"
    SERVED = "served", "已送达"
    FAILED = "failed", "未送达"


class DeliveryAttempt(models.Model):
    """One attempt to serve one document by one method. Rows are never deleted; an attempt that
    failed stays, with its reason, beside the one that succeeded."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name="送达文书"
    )
    method = models.CharField("送达方式", max_length=16, choices=DeliveryMethod)
    outcome = models.CharField("结果", max_length=12, choices=AttemptOutcome, default=AttemptOutcome.PENDING)
    # The legal service date: the date the recipient wrote on the 送达回证 (《民事诉讼法》第八十七条),
    # the return receipt's date (postal), the end of the announcement period, the sending
    # system's success record (electronic).
    served_on = models.DateField("送达日期", null=True, blank=True)
    failure_reason = models.TextField("未送达原因", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["document", "recorded_at", "pk"]
        constraints = [
            # A document is served once: at most one successful attempt.
            models.UniqueConstraint(
                fields=["document"], condition=Q(outcome="served"), name="delivery_one_success_per_document"
            ),
            models.CheckConstraint(
                name="delivery_served_has_date",
                condition=~Q(outcome="served") | Q(served_on__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["case", "document"], name="delivery_by_case_document")]

    def __str__(self) -> str:
        return f"{self.get_method_display()}·{self.get_outcome_display()}"


from .models_execution import *  # noqa
