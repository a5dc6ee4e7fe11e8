"""The audit actions of law-enforcement documents (执法文书)."""

from django.db import models


class AuditAction(models.TextChoices):
    ISSUED = "document.issued", "出具执法文书"
    FINALISED = "document.finalised", "执法文书定稿（PDF）"
    RENDER_FAILED = "document.render_failed", "执法文书生成失败"
    RERENDER_QUEUED = "document.rerender_queued", "重新生成执法文书"
    DOWNLOADED = "document.downloaded", "下载执法文书"
