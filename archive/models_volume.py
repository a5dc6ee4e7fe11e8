"""The stored volume of a sealed case file (第二十八条: the record as sealed is the fixed one).

A `SealedVolume` row is written once per version by archive.sealed_volume.volume_store, after
sealing commits (version 1) and after each approved addendum (the next version, the earlier kept);
the latest version is the one served and exported."""

from django.db import models
from django.utils import timezone


class SealedVolume(models.Model):
    """One version of the sealed volume PDF: stored content-addressed and read-only (like the
    documents' PDFs), with its SHA-256 and SM3 (hex), size (bytes) and page count. `addenda` is the number
    of approved addenda it includes (version 1 includes none)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sealed_volumes", verbose_name="案件")
    version = models.PositiveIntegerField("版本")
    addenda = models.PositiveIntegerField("所含补充材料数", default=0)
    pdf = models.FileField("案卷PDF", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    # Computed in the same read as sha256 (GB/T 32905); "" for a row stored before it was recorded
    # (the export then computes it in its copy).
    sm3 = models.CharField("SM3", max_length=64, blank=True, default="")
    size = models.PositiveBigIntegerField("大小（字节）")
    pages = models.PositiveIntegerField("页数")
    made_at = models.DateTimeField("生成时间", default=timezone.now)

    class Meta:
        verbose_name = "归档案卷PDF"
        verbose_name_plural = "归档案卷PDF"
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="sealed_volume_version_once"),
            models.UniqueConstraint(fields=["case", "addenda"], name="sealed_volume_addenda_once"),
        ]

    def __str__(self) -> str:
        return f"案卷PDF 第{self.version}版"
