"""Tables of 第四章 (审查与决定). No workflow here: the actions live in `review/actions.py`.

`Decision` is the one row that holds what the head decided (第十六条; 《行政处罚法》第五十七、
五十九条), read by the notice-and-defence checks (第四十五条: not heavier than the notice), by
publication (行政执法公示) and later by delivery and the case file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import CaseKind


class PenaltyKind(models.TextChoices):
    """《行政处罚法》第九条: the kinds of administrative penalty, in the article's order (a
    kind earlier in the list is not thereby lighter)."""

    WARNING = "warning", "警告"
    CRITICISM = "criticism", "通报批评"
    FINE = "fine", "罚款"
    CONFISCATE_GAINS = "confiscate_gains", "没收违法所得"
    CONFISCATE_PROPERTY = "confiscate_property", "没收非法财物"
    SUSPEND_LICENCE = "suspend_licence", "暂扣许可证件"
    DOWNGRADE_QUALIFICATION = "downgrade_qualification", "降低资质等级"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证件"
    RESTRICT_ACTIVITIES = "restrict_activities", "限制开展生产经营活动"
    ORDER_SUSPENSION = "order_suspension", "责令停产停业"
    ORDER_CLOSURE = "order_closure", "责令关闭"
    RESTRICT_EMPLOYMENT = "restrict_employment", "限制从业"
    OTHER = "other", "法律、行政法规规定的其他行政处罚"


class DecisionOutcome(models.TextChoices):
    """《行政处罚法》第五十七条 (the four outcomes of a penalty case) and 《行政许可法》第三十八条
    (a licensing case is granted or refused)."""

    PENALTY = "penalty", "给予行政处罚"
    NO_PENALTY_MINOR = "no_penalty_minor", "违法行为轻微，依法可以不予行政处罚"
    NO_PENALTY_UNPROVEN = "no_penalty_unproven", "违法事实不能成立，不予行政处罚"
    TRANSFER = "transfer", "违法行为涉嫌犯罪，移送司法机关"
    LICENCE_GRANT = "licence_grant", "准予行政许可"
    LICENCE_REFUSAL = "licence_refusal", "不予行政许可"


class Decision(models.Model):
    """The decision of a case: drafted by the officers for review, decided (signed) by the
    head. One per case. `kinds` is a list of PenaltyKind values; amounts are yuan."""

    case = models.OneToOneField("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField("处理结果", max_length=24, choices=DecisionOutcome)
    facts = models.TextField("违法事实", blank=True)
    evidence = models.TextField("证据", blank=True)
    basis = models.TextField("法律依据", blank=True, help_text="写明法律、法规、规章的名称及条、款、项")
    kinds = models.JSONField("处罚种类", default=list, blank=True)
    fine_yuan = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_yuan = models.DecimalField(
        "没收违法所得、非法财物价值（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    content = models.TextField("处罚（许可）内容", blank=True)
    performance = models.TextField("履行方式和期限", blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="+"
    )
    drafted_at = models.DateTimeField("拟稿时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="决定书",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "处理决定"
        verbose_name_plural = "处理决定"

    def __str__(self) -> str:
        return f"{self.case} {self.get_outcome_display()}"


# --- 第十三条: the review's passes, and who has taken which item of the queues -------------------


class ReviewTask(models.TextChoices):
    """What waits in the approval queues, in order: 第十三条 审理 and 审核 by 法规科 (two people),
    批准 by the head; 第十六条 the head's signature on the decision."""

    EXAMINE = "examine", "审理"
    CHECK = "check", "审核"
    APPROVE = "approve", "批准"
    DECIDE = "decide", "决定"


class ReviewRound(models.Model):
    """One submission of a case for review (第十三条): when the officers sent it and when the
    review was completed. `round` is the round of the REVIEW sign-off step it opened (a return
    for more investigation starts the next). The queues read "waiting since" from here."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="review_rounds")
    round = models.PositiveSmallIntegerField("轮次")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("提交审查时间")
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报请决定人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    completed_at = models.DateTimeField("审查完毕时间", null=True, blank=True)
    # The queues' row (kept by review.actions after every action, from the sign-off rows and the
    # claims, which stay the record): the task waiting now ("" = none), who signed 审理 (may not
    # sign 审核), who has taken the task.
    task = models.CharField("待办事项", max_length=16, choices=ReviewTask, blank=True, default="")
    examined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审理人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="领取人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Copies the queues filter and sort by, so a queue never joins the cases or deadlines
    # tables: the case's kind, and the due time of its open decision period (《行政处罚法》
    # 第六十条 / 《行政许可法》第四十二条; refreshed by queue_sync and on deadlines.deadline_moved).
    kind = models.CharField("案件类型", max_length=16, choices=CaseKind, blank=True, default="")
    due = models.DateTimeField("决定期限", null=True, blank=True)

    class Meta:
        verbose_name = "审查轮次"
        verbose_name_plural = "审查轮次"
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="review_round_once")]
        # The queues read only the rounds with a task waiting: a few among every case ever reviewed.
        indexes = [
            models.Index(fields=["task", "kind", "due"], name="review_round_waiting", condition=~models.Q(task=""))
        ]

    def __str__(self) -> str:
        return f"{self.case} 第{self.round}轮审查"


class ClaimEnd(models.TextChoices):
    DONE = "done", "已签署"
    RELEASED = "released", "已放弃"
    REASSIGNED = "reassigned", "已转交"
    CLOSED = "closed", "案件已离开该环节"


class ReviewClaim(models.Model):
    """A queue item taken by one reviewer (or head): nobody else signs it while the claim is
    open. At most one open claim per case and task (the constraint decides a race: exactly one
    of two simultaneous takers gets it). A hand-over ends this claim and opens the next one
    with `handed_from` pointing back; rows are kept."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="review_claims")
    task = models.CharField("事项", max_length=16, choices=ReviewTask)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="领取人", on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField("领取时间", auto_now_add=True)
    handed_from = models.ForeignKey(
        "self", verbose_name="转交自", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="转交人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.TextField("转交理由", blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    end = models.CharField("结束方式", max_length=16, choices=ClaimEnd, blank=True)

    class Meta:
        verbose_name = "审批事项领取"
        verbose_name_plural = "审批事项领取"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "task"], condition=models.Q(ended_at__isnull=True), name="review_claim_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.get_task_display()} {self.claimed_by}"


from .models_defence import *  # noqa: E402, F403
from .models_legal import *  # noqa: E402, F403
from .models_publication import *  # noqa: E402, F403
