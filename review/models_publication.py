"""Tables of 行政执法公示 (国办发〔2018〕118号; 《行政处罚法》第四十八条). No workflow here: the
actions live in `review/publication.py`.

- `Publication`: what was published of a decision, frozen when published (party name masked for
  a natural person, personal information masked in the text), its period, and its withdrawal.
- `DecisionChange`: the head's record that a decision was revoked or changed; it opens the
  3-working-day period to withdraw the publication (第四十八条第二款).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = ["Publication", "DecisionChangeKind", "DecisionChange"]


class Publication(models.Model):
    """One published decision. Every field shown to the public is a frozen copy, masked when
    published; nothing on the public page is read from the case. At most one publication of a
    case is live (not withdrawn)."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publications")
    decision = models.ForeignKey(
        "review.Decision", verbose_name="处理决定", on_delete=models.PROTECT, related_name="publications"
    )
    party_name = models.CharField("当事人", max_length=200)
    party_is_person = models.BooleanField("当事人为自然人")
    credit_code = models.CharField("统一社会信用代码", max_length=32, blank=True)
    id_masked = models.CharField("身份证件号码（隐去部分）", max_length=32, blank=True)
    legal_rep = models.CharField("法定代表人（负责人）", max_length=64, blank=True)
    decision_number = models.CharField("决定书文号", max_length=64)
    decision_kind = models.CharField("决定类别", max_length=64)
    facts = models.TextField("违法事实（主要事实）")
    basis = models.TextField("依据")
    content = models.TextField("决定内容")
    decided_on = models.DateField("决定日期")
    agency = models.CharField("作出决定机关", max_length=100)
    period_start = models.DateField("公示开始日期")
    period_end = models.DateField("公示截止日期")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="公示人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("公示时间", auto_now_add=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawal_reason = models.TextField("撤回理由", blank=True)

    class Meta:
        verbose_name = "行政执法决定公示"
        verbose_name_plural = "行政执法决定公示"
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], name="publication_one_live_per_case", condition=Q(withdrawn_at__isnull=True)
            ),
            models.CheckConstraint(
                name="publication_period_order", condition=Q(period_end__gte=models.F("period_start"))
            ),
        ]
        indexes = [
            # The public page: live publications, newest first.
            models.Index(
                fields=["-published_at", "-id"], name="publication_live", condition=Q(withdrawn_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.party_name}"


class DecisionChangeKind(models.TextChoices):
    REVOKED = "revoked", "决定被撤销"
    CHANGED = "changed", "决定被变更"


class DecisionChange(models.Model):
    """The head's record that the decision of a case was revoked or changed (by reconsideration,
    a court, or the agency itself): 《行政处罚法》第四十八条第二款 — a published decision so
    revoked or changed is withdrawn within 3 working days."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="decision_changes"
    )
    decision = models.ForeignKey(
        "review.Decision", verbose_name="处理决定", on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField("情形", max_length=16, choices=DecisionChangeKind)
    reason = models.TextField("理由及依据")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "决定撤销或变更"
        verbose_name_plural = "决定撤销或变更"
        ordering = ["case", "recorded_at", "pk"]
        constraints = [models.CheckConstraint(name="decision_change_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.case} {self.get_kind_display()}"
