from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RENDERING = "rendering", "生成中"
    FINAL = "final", "已定稿"
    FAILED = "failed", "生成失败"


class DocumentImmutable(Exception):
    """A finalised document (its number, content and PDF) never changes."""


class Document(models.Model):
    """One law-enforcement document (执法文书): its number (文号), the content it was issued
    with (frozen in `context`), and once rendered the PDF, stored once with its SHA-256."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField("文书种类", max_length=40)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("文号", max_length=64, unique=True)
    title = models.CharField("文书名称", max_length=100)
    # The content as issued: JSON-able values only, user text kept as plain text (the
    # template escapes it). Rendering reads nothing else, so a render is repeatable.
    context = models.JSONField("文书内容", default=dict)
    source_type = models.CharField("来源记录类型", max_length=100, blank=True)
    source_id = models.CharField("来源记录", max_length=40, blank=True)
    status = models.CharField("状态", max_length=12, choices=DocumentStatus, default=DocumentStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    error = models.TextField("错误信息", blank=True)
    pdf = models.FileField("PDF", max_length=200, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    size = models.PositiveBigIntegerField("字节数", default=0)
    pages = models.PositiveIntegerField("页数", default=0)
    # The masked rendition (副本): the same document, marked as a copy, identifiers masked
    # (documents.masking), rendered with the original for who may not see identifiers.
    masked_pdf = models.FileField("副本PDF", max_length=200, blank=True)
    masked_sha256 = models.CharField("副本SHA-256", max_length=64, blank=True)
    masked_size = models.PositiveBigIntegerField("副本字节数", default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("制作时间", auto_now_add=True)
    rendered_at = models.DateTimeField("定稿时间", null=True, blank=True)

    class Meta:
        verbose_name = "执法文书"
        verbose_name_plural = "执法文书"
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "year", "seq"], name="document_type_year_seq_unique"),
            models.CheckConstraint(
                name="document_final_has_pdf",
                condition=~Q(status="final") | (~Q(sha256="") & ~Q(pdf="") & Q(rendered_at__isnull=False)),
            ),
        ]
        indexes = [
            # "The documents of this record" (record pages, case file assembly).
            models.Index(fields=["source_type", "source_id"], name="document_by_source"),
            models.Index(fields=["case", "issued_at"], name="document_by_case"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == DocumentStatus.FINAL

    @property
    def may_rerender(self) -> bool:
        """Failed, or queued/rendering for so long that its task was lost (broker restart)."""
        if self.status == DocumentStatus.FAILED:
            return True
        return self.status != DocumentStatus.FINAL and self.issued_at < timezone.now() - timedelta(minutes=10)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Guard for every code path (services, admin, shell): a finalised row is never
        # written again. PostgreSQL refuses it too (trigger, migration 0003).
        if self.pk is not None:
            stored = Document.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == DocumentStatus.FINAL:
                raise DocumentImmutable(f"文书 {self.number} 已定稿，不得修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise DocumentImmutable(f"文书 {self.number} 不得删除")
