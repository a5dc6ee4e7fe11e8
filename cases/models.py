"""The Case aggregate: every stage app hangs its records on a Case (第二章 and onwards)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class CaseKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    LICENSING = "licensing", "行政许可"


class CaseOrigin(models.TextChoices):
    # 第七条 / 第八条 / 第九条
    APPLICATION = "application", "依申请"
    EX_OFFICIO = "ex_officio", "依职权"
    COMPLAINT = "complaint", "投诉举报"


class CaseState(models.TextChoices):
    # Penalty flow (DESIGN.md: case lifecycle)
    REGISTERED = "registered", "已登记"
    PENDING_FILING = "pending_filing", "待立案审批"
    INVESTIGATING = "investigating", "调查取证"
    UNDER_REVIEW = "under_review", "审查中"
    PENDING_DECISION = "pending_decision", "待决定"
    DECIDED = "decided", "已决定"
    DELIVERED = "delivered", "已送达"
    EXECUTING = "executing", "执行中"
    CONCLUDED = "concluded", "已结案"
    ARCHIVED = "archived", "已归档"
    NOT_FILED = "not_filed", "不予立案"
    # Licensing flow
    APPLIED = "applied", "已申请"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"


class Confidentiality(models.TextChoices):
    """第二十九条第二款: material that must be withheld or redacted."""

    NONE = "", "无"
    STATE_SECRET = "state_secret", "国家秘密"
    TRADE_SECRET = "trade_secret", "商业秘密"
    PRIVACY = "privacy", "个人隐私"


class Case(models.Model):
    number = models.CharField("案号", max_length=64, unique=True)
    kind = models.CharField("案件类别", max_length=16, choices=CaseKind)
    origin = models.CharField("启动方式", max_length=16, choices=CaseOrigin)
    state = models.CharField("阶段", max_length=20, choices=CaseState, db_index=True)
    title = models.CharField("案由", max_length=200)
    summary = models.TextField("基本案情", blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name="承办科室", on_delete=models.PROTECT, related_name="cases"
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="承办人", through="CaseOfficer", related_name="handled_cases"
    )
    confidentiality = models.CharField("保密标识", max_length=16, choices=Confidentiality, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    filed_at = models.DateTimeField("立案时间", null=True, blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    concluded_at = models.DateTimeField("结案时间", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="case_concluded_has_date",
                condition=~Q(state__in=["concluded", "archived"]) | Q(concluded_at__isnull=False),
            ),
        ]
        indexes = [
            # Department work queue; archived cases are most rows, so skip them.
            models.Index(
                fields=["department", "state"], name="case_open_by_department", condition=~Q(state="archived")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


class CaseOfficer(models.Model):
    """A handling officer of a case (Administrative Penalty Law art. 42: at least two, each
    with a 执法证号)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_assignments")
    is_lead = models.BooleanField("主办", default=False)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)

    class Meta:
        verbose_name = "承办人"
        verbose_name_plural = "承办人"
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_officer_unique")]
        # "Cases I handle": the officer side of the join.
        indexes = [models.Index(fields=["officer", "case"], name="case_officer_by_officer")]
