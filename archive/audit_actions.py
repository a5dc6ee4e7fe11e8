"""The audit actions of the archive (第六章)."""

from django.db import models


class AuditAction(models.TextChoices):
    # A download has legal weight (STYLE.md): who took the case file, when, which items.
    VOLUME_DOWNLOADED = "archive.volume_downloaded", "下载案卷PDF"
    # Statistics (archive.views_stats): who took which table, with which filters.
    STATS_EXPORTED = "archive.stats_exported", "导出统计表（CSV）"
