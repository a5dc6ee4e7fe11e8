"""The audit actions of the archive (第六章)."""

from django.db import models


class AuditAction(models.TextChoices):
    # A download has legal weight (STYLE.md): who took the case file, when, which items.
    VOLUME_DOWNLOADED = "archive.volume_downloaded", "下载案卷PDF"
