"""The audit actions of the archive (第六章)."""

from django.db import models


class AuditAction(models.TextChoices):
    # A download has legal weight (STYLE.md): who took the case file, when, which items.
    VOLUME_DOWNLOADED = "archive.volume_downloaded", "下载案卷PDF"
    # Sealing (归档, 第二十八条) and what may happen after it.
    ARRANGED = "archive.arranged", "调整卷内排列与题名"
    SEALED = "archive.sealed", "案卷归档"
    ADDENDUM_REQUESTED = "archive.addendum_requested", "申请补充归档材料"
    ADDENDUM_APPROVED = "archive.addendum_approved", "批准补充归档材料"
    ADDENDUM_REFUSED = "archive.addendum_refused", "不予批准补充归档材料"
