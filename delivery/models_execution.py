"""Tables of 第二十三、二十四条 and the conclusion (结案): execution of the decision, court
enforcement, the head's conclusion. No workflow here: the actions live in `execution.py`,
`enforcement.py` and `conclusion.py`. Amounts are yuan (Decimal, 2 places); days are local dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = [
    "Conclusion",
    "Ending",
    "EnforcementApplication",
    "EnforcementReminder",
    "Execution",
    "FinePayment",
    "PaymentPlan",
    "PaymentPlanKind",
    "Rectification",
    "ReminderStatement",
    "SurchargePause",
    "PauseKind",
    "CourtOutcome",
]


class Execution(models.Model):
    """What the served decision leaves to execute (第二十三条): the fine and its payment due date
    (《行政处罚法》第六十七条: 15 days from service), and an order to rectify (责令改正). One per case,
    made by `start_execution`."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    fine_yuan = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    decision_served_on = models.DateField("决定书送达日期")
    # The statutory due date; a deferral or instalments (第六十六条) are PaymentPlan rows.
    due_on = models.DateField("缴纳期限届满日", null=True, blank=True)
    rectification = models.TextField("责令改正内容", blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("进入执行时间", auto_now_add=True)

    class Meta:
        verbose_name = "执行情况"
        verbose_name_plural = "执行情况"
        constraints = [
            models.CheckConstraint(
                name="execution_fine_has_due", condition=Q(fine_yuan__isnull=True) | Q(due_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"执行情况 #{self.pk}"


class FinePayment(models.Model):
    """One payment of the fine (第二十三条: 缴纳金额、日期、缴款凭证). `surcharge_yuan` is the part
    paid towards the late-payment surcharge (《行政处罚法》第七十二条)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    amount_yuan = models.DecimalField("缴纳罚款（元）", max_digits=14, decimal_places=2)
    surcharge_yuan = models.DecimalField("缴纳加处罚款（元）", max_digits=14, decimal_places=2, default=0)
    paid_on = models.DateField("缴纳日期")
    receipt = models.ForeignKey(
        "cases.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name="缴款凭证（扫描件）"
    )
    note = models.CharField("备注", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "罚款缴纳记录"
        verbose_name_plural = "罚款缴纳记录"
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                name="payment_amounts_not_negative",
                condition=Q(amount_yuan__gte=0, surcharge_yuan__gte=0)
                & (Q(amount_yuan__gt=0) | Q(surcharge_yuan__gt=0)),
            ),
        ]


class PauseKind(models.TextChoices):
    RECONSIDERATION = "reconsideration", "行政复议"
    SUIT = "suit", "行政诉讼"


class SurchargePause(models.Model):
    """A reconsideration or suit period: the surcharge is not counted meanwhile (《行政处罚法》
    第七十三条第三款). `end` is empty while it is pending."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    kind = models.CharField("类型", max_length=16, choices=PauseKind)
    start = models.DateField("申请（起诉）日期")
    end = models.DateField("终结日期", null=True, blank=True)
    body = models.CharField("复议机关或人民法院", max_length=120)
    note = models.TextField("情况说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "复议诉讼期间"
        verbose_name_plural = "复议诉讼期间"
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                name="pause_end_after_start", condition=Q(end__isnull=True) | Q(end__gte=models.F("start"))
            ),
        ]


class PaymentPlanKind(models.TextChoices):
    DEFERRAL = "deferral", "延期缴纳"
    INSTALMENTS = "instalments", "分期缴纳"


class PaymentPlan(models.Model):
    """A deferral or instalments the head approved on the party's application (《行政处罚法》
    第六十六条第二款). `schedule` is [{"due": "YYYY-MM-DD", "amount": "1234.00"}] (one row for a
    deferral). The latest plan replaces the statutory due date."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    kind = models.CharField("方式", max_length=16, choices=PaymentPlanKind)
    applied_on = models.DateField("当事人申请日期")
    reason = models.TextField("申请理由")
    schedule = models.JSONField("缴纳计划")
    signoff = models.OneToOneField(
        "cases.SignOff", on_delete=models.PROTECT, related_name="+", verbose_name="机关负责人批准"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "延期（分期）缴纳罚款"
        verbose_name_plural = "延期（分期）缴纳罚款"
        ordering = ["recorded_at", "pk"]


class Rectification(models.Model):
    """The on-site verification of an order to rectify (第二十三条第二款: 实地核查情况、违法行为改正
    情况, 必要时音像记录)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    checked_on = models.DateField("核查日期")
    place = models.CharField("核查地点", max_length=200)
    officers = models.CharField("核查人员", max_length=200)
    observed = models.TextField("核查情况")
    corrected = models.BooleanField("已改正")
    av_record = models.ForeignKey(
        "avrecords.AVRecord",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="音像记录",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "责令改正核查记录"
        verbose_name_plural = "责令改正核查记录"
        ordering = ["checked_on", "pk"]


class EnforcementReminder(models.Model):
    """The written reminder (催告书, 《行政强制法》第三十五条): the deadline, manner, amount and
    payment method of performance and the party's right to state and defend. Served through
    delivery; its service date is `delivery.selectors.service_date(document_id)`."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    perform_by = models.DateField("履行期限")
    manner = models.TextField("履行方式")
    amount_yuan = models.DecimalField("应缴金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    payment_method = models.TextField("给付方式", blank=True)
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="催告书"
    )
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField("制作时间", auto_now_add=True)

    class Meta:
        verbose_name = "催告书"
        verbose_name_plural = "催告书"
        ordering = ["issued_at", "pk"]


class ReminderStatement(models.Model):
    """The party's statement and defence on a reminder, recorded and re-checked (《行政强制法》
    第三十六条), or that the party made none."""

    reminder = models.OneToOneField(
        EnforcementReminder, on_delete=models.PROTECT, related_name="statement", verbose_name="催告书"
    )
    stated = models.BooleanField("当事人提出陈述申辩")
    received_on = models.DateField("日期")
    statement = models.TextField("陈述申辩内容", blank=True)
    recheck = models.TextField("复核意见", blank=True)
    adopted = models.BooleanField("理由成立并采纳", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "催告陈述申辩及复核"
        verbose_name_plural = "催告陈述申辩及复核"
        constraints = [
            models.CheckConstraint(
                name="statement_rechecked",
                condition=Q(stated=False) | (~Q(statement="") & ~Q(recheck="") & Q(adopted__isnull=False)),
            ),
        ]


class CourtOutcome(models.TextChoices):
    ENFORCED = "enforced", "已强制执行完毕"
    NOT_ENFORCEABLE = "not_enforceable", "终结执行（不能执行）"
    PARTLY = "partly", "部分执行"


class EnforcementApplication(models.Model):
    """The application to the court for enforcement (第二十四条; 《行政强制法》第五十三至五十八条),
    signed by the head (ENFORCEMENT_APPLICATION sign-off), then the court's acceptance, ruling and
    the result of the enforcement."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    reminder = models.ForeignKey(EnforcementReminder, on_delete=models.PROTECT, related_name="+", verbose_name="催告书")
    court = models.CharField("受理法院", max_length=120)
    applied_on = models.DateField("申请日期")
    subject = models.TextField("申请强制执行的内容")
    materials = models.JSONField("申请材料", default=list)  # 第五十五条 keys (enforcement.MATERIALS)
    signoff = models.OneToOneField(
        "cases.SignOff", on_delete=models.PROTECT, related_name="+", verbose_name="机关负责人签名"
    )
    accepted_on = models.DateField("法院受理日期", null=True, blank=True)
    court_case_number = models.CharField("法院案号", max_length=64, blank=True)
    ruled_on = models.DateField("裁定日期", null=True, blank=True)
    ruling_enforce = models.BooleanField("裁定准予执行", null=True, blank=True)
    ruling = models.TextField("裁定内容", blank=True)
    result_on = models.DateField("执行结果日期", null=True, blank=True)
    outcome = models.CharField("执行结果", max_length=16, choices=CourtOutcome, blank=True)
    result = models.TextField("执行结果说明", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请法院强制执行"
        verbose_name_plural = "申请法院强制执行"
        ordering = ["applied_on", "pk"]


class Ending(models.TextChoices):
    """How a case may end (结案): what was executed, or why nothing more will be."""

    NOTHING = "nothing", "无需执行（不予处罚、许可等）"
    PAID = "paid", "罚款已缴清"
    CORRECTED = "corrected", "违法行为已改正"
    ENFORCED = "enforced", "经法院强制执行完毕"
    NOT_ENFORCEABLE = "not_enforceable", "无法执行（说明理由）"
    TRANSFERRED = "transferred", "已移送（说明理由）"


class Conclusion(models.Model):
    """The head's 结案审批 (CONCLUSION sign-off) and the ending recorded."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    ending = models.CharField("结案情形", max_length=16, choices=Ending)
    reason = models.TextField("理由", blank=True)
    signoff = models.OneToOneField("cases.SignOff", on_delete=models.PROTECT, related_name="+", verbose_name="结案审批")
    concluded_at = models.DateTimeField("结案时间", auto_now_add=True)

    class Meta:
        verbose_name = "结案"
        verbose_name_plural = "结案"
        constraints = [
            models.CheckConstraint(
                name="conclusion_reason_given",
                condition=~Q(ending__in=["not_enforceable", "transferred"]) | ~Q(reason=""),
            ),
        ]
