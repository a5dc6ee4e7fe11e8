"""Calendar overrides, deadline records and in-app notifications."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q

# --- deadline kinds -----------------------------------------------------------------------
# Stage apps open deadlines with one of these kinds, imported from here, never re-typed.


class DeadlineKind(models.TextChoices):
    # 《行政处罚法》第五十六条: decide on evidence registered and preserved in advance
    # (先行登记保存) within 7 working days. Opened by the written-records app.
    EVIDENCE_PRESERVATION = "evidence_preservation.decision", "先行登记保存处理决定"
    # 《行政处罚法》第六十条: decide within 90 days of filing (立案).
    PENALTY_DECISION = "penalty.decision", "行政处罚决定"
    # 《行政许可法》第四十二条: decide within 20 working days of accepting the application.
    LICENSING_DECISION = "licensing.decision", "行政许可决定"
    # 第二十七条: audio-visual media to dedicated storage within 2 working days (per record,
    # and per expected record that has not arrived yet).
    AV_STORAGE = "av.store", "音像记录存储"
    AV_EXPECTED = "av.expected", "应有音像记录存储"
    # 第二十八条: the case file archived within 30 days of conclusion. Overdue items also
    # escalate to archivists.
    ARCHIVE_FILE = "archive.file", "案卷归档"
    # 《行政许可法》第三十二条: tell the applicant every missing material within 5 working days
    # of receiving the application, or it counts as accepted.
    LICENSING_SUPPLEMENT = "licensing.supplement", "补正材料告知"
    # 《行政处罚法》第四十五条: the period the agency gives for statement and defence (a setting).
    DEFENCE = "review.defence", "陈述申辩期限"
    # 《行政处罚法》第六十四条: a hearing is requested within 5 working days of the notice.
    HEARING_REQUEST = "review.hearing_request", "听证申请期限"
    # 行政执法公示 (国办发〔2018〕118号): a decision is published within 7 working days; a revoked
    # or changed one withdrawn within 3 working days (《行政处罚法》第四十八条).
    PUBLICATION = "review.publication", "行政执法决定公示"
    PUBLICATION_WITHDRAWAL = "review.publication_withdrawal", "撤回公示"
    # 第五章 (delivery). 《行政处罚法》第六十一条: a decision made while the party was absent is
    # delivered within 7 working days.
    DECISION_DELIVERY = "delivery.decision", "送达处理决定书"
    # 《民事诉讼法》第九十五条: an announcement counts as served when its period (30 days) ends.
    ANNOUNCEMENT = "delivery.announcement", "公告送达期满"
    # 《行政处罚法》第六十七条: the fine is paid within 15 days of receiving the decision.
    FINE_PAYMENT = "execution.fine", "缴纳罚款"
    # 《行政强制法》第三十五条: the deadline the reminder (催告书) gives the party.
    ENFORCEMENT_REMINDER = "enforcement.reminder", "催告履行期限"
    # 《行政强制法》第五十四条 / 第五十三条: the court application opens 10 working days after the
    # reminder is served and closes 3 months after the reconsideration and suit periods pass.
    ENFORCEMENT_OPENS = "enforcement.opens", "可申请法院强制执行"
    ENFORCEMENT_APPLICATION = "enforcement.application", "申请法院强制执行期限"


class CalendarOverride(models.Model):
    """One day's official status, from a State Council notice; wins over chinesecalendar."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("工作日")
    source = models.CharField("来源", max_length=200, help_text="通知名称与文号")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "法定节假日调整"
        verbose_name_plural = "法定节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_working_day else '休息'}"


class CalendarYear(models.Model):
    """A year whose whole State Council notice was imported: its calendar is official, and a
    day without an override is an ordinary day. A single override alone does not make a
    year official (the other days stay the provisional Mon–Fri guess)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    source = models.CharField("来源", max_length=200, help_text="通知名称与文号")
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = "已导入节假日安排的年度"
        verbose_name_plural = "已导入节假日安排的年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"


OPEN = Q(met_at__isnull=True)


class Deadline(models.Model):
    """A statutory or regulatory period running against a case (or one record of it)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    # Optional record the period is about (an AV record, a preservation notice, ...).
    content_type = models.ForeignKey(
        ContentType, verbose_name="所涉记录类型", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField("所涉记录编号", null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")

    kind = models.CharField("类型", max_length=64)
    article = models.CharField("依据", max_length=120)
    label = models.CharField("事项", max_length=200)
    start = models.DateTimeField("起算时间")
    working_days = models.PositiveIntegerField("工作日数", null=True, blank=True)
    days = models.PositiveIntegerField("自然日数", null=True, blank=True)
    due = models.DateTimeField("届满时间")
    provisional = models.BooleanField("暂定", default=False, help_text="该年度法定节假日安排尚未录入，按周一至周五推算")
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="责任人", blank=True, related_name="deadlines"
    )
    # Scan bookkeeping: set once, by a conditional UPDATE, so each message goes out once.
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    escalated_at = models.DateTimeField("逾期督办时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "期限"
        verbose_name_plural = "期限"
        ordering = ["due"]
        constraints = [
            models.CheckConstraint(
                name="deadline_one_period_unit",
                condition=Q(working_days__isnull=True, days__isnull=False)
                | Q(working_days__isnull=False, days__isnull=True),
            ),
            models.CheckConstraint(
                name="deadline_target_complete",
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
            ),
            # deadline_open is idempotent: one open deadline per kind and target (or case).
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                name="deadline_open_unique_target",
                condition=Q(met_at__isnull=True, object_id__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["kind", "case"],
                name="deadline_open_unique_case",
                condition=Q(met_at__isnull=True, object_id__isnull=True),
            ),
        ]
        indexes = [
            # The scan: open deadlines not yet reminded, by due time (met ones are most rows).
            models.Index(
                fields=["due"], name="deadline_to_remind", condition=Q(met_at__isnull=True, reminded_at__isnull=True)
            ),
            # The scan: open deadlines not yet escalated, by due time.
            models.Index(
                fields=["due"], name="deadline_to_escalate", condition=Q(met_at__isnull=True, escalated_at__isnull=True)
            ),
            # The head's / archivist's "escalated and still open" list.
            models.Index(
                fields=["due"],
                name="deadline_escalated_open",
                condition=Q(met_at__isnull=True, escalated_at__isnull=False),
            ),
            # Case page and deadline_met look-ups.
            models.Index(fields=["case", "kind"], name="deadline_by_case"),
            models.Index(fields=["content_type", "object_id"], name="deadline_by_target"),
            # Recomputation after a calendar import.
            models.Index(
                fields=["due"], name="deadline_provisional", condition=Q(met_at__isnull=True, provisional=True)
            ),
            # The statistics page (archive.stats): on-time rates by kind over a year of due
            # times (index-only; the case for the department filter), and the overdue list and
            # its count (open, by due time; with the kind and the case, the open ones of this
            # month are counted from the index alone: archive.stats._overdue_this_month).
            models.Index(fields=["kind", "due"], include=["met_at", "case"], name="deadline_stats"),
            models.Index(
                fields=["due"], include=["kind", "case"], name="deadline_open_by_due", condition=Q(met_at__isnull=True)
            ),
            # ... and the few periods open or met late, whose counts the on-time rate subtracts
            # from the kind's total (archive.stats.on_time), without reading the rest.
            models.Index(
                fields=["kind", "due"],
                include=["met_at", "case"],
                name="deadline_stats_unmet_or_late",
                condition=Q(met_at__isnull=True) | Q(met_at__gt=F("due")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.due:%Y-%m-%d}届满）"

    @property
    def is_open(self) -> bool:
        return self.met_at is None


class Notification(models.Model):
    """An in-app message (the bell). `dedupe_key` is unique: the scan inserts with
    ON CONFLICT DO NOTHING, so a message is created once however often the scan runs."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.PROTECT, related_name="notifications"
    )
    text = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=300, blank=True)
    level = models.CharField("级别", max_length=8, default="info")
    deadline = models.ForeignKey(
        Deadline, verbose_name="期限", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_by_user"),
            # The bell's count on every page.
            models.Index(fields=["user"], name="notification_unread", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.text
