"""The audit actions of the archive (第六章)."""

from django.db import models


class AuditAction(models.TextChoices):
    # A download has legal weight (STYLE.md): who took the case file, when, which items.
    VOLUME_DOWNLOADED = "archive.volume_downloaded", "下载案卷PDF"
    # Statistics (archive.views_stats): who took which table, with which filters.
    STATS_EXPORTED = "archive.stats_exported", "导出统计表（CSV）"
    EXPORT_REQUESTED = "archive.export_requested", "申请导出电子案卷"
    EXPORT_FINISHED = "archive.export_finished", "电子案卷导出完成"
    EXPORT_FAILED = "archive.export_failed", "电子案卷导出失败"
    EXPORT_DOWNLOADED = "archive.export_downloaded", "下载电子案卷归档包"
