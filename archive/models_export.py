"""An export of a sealed case's archival package (archive.export), run by a Celery task with
its progress (第二十五、二十八条)."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导出中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(models.Model):
    """One export. At most one queued or running per case (a constraint): a repeated request
    while one runs finds it instead of starting a second. `result` is the tar's path (under
    settings.ARCHIVE_EXPORT_DIR); bytes are of the payload copied so far / in all."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField("状态", max_length=8, choices=ExportStatus, default=ExportStatus.QUEUED)
    bytes_done = models.BigIntegerField("已完成字节", default=0)
    bytes_total = models.BigIntegerField("总字节", default=0)
    message = models.TextField("说明", blank=True)
    result = models.CharField("结果文件", max_length=500, blank=True)
    result_size = models.BigIntegerField("结果大小", default=0)
    four_properties_passed = models.BooleanField("四性检测通过", null=True, blank=True)
    # The export form's one-time token (32 hex digits, made when the page was shown): the same
    # form submitted twice finds the job of its first submit (trial S item 5); "" without one.
    request_token = models.CharField("申请标识", max_length=32, blank=True, default="")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "案卷导出"
        verbose_name_plural = "案卷导出"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status__in=["queued", "running"]), name="export_one_active_per_case"
            ),
            models.UniqueConstraint(
                fields=["case", "request_token"], condition=~Q(request_token=""), name="export_once_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"导出 {self.case_id} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return min(99, int(self.bytes_done * 100 / self.bytes_total)) if self.bytes_total else 0
