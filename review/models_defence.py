"""Tables of 第十四条 (notice, statement and defence) and 第十五条 (hearing). No workflow here:
the actions are in `review/defence.py` and `review/hearing.py`.

- `PenaltyNotice`: the 行政处罚事先告知书 (《行政处罚法》第四十四、四十五条): facts, evidence, basis,
  intended penalty, rights (a hearing where 第六十三条 gives one), the defence period, and the
  date it was served on the party (recorded from 第五章 delivery's successful attempt).
- `Defence` + `DefencePoint`: how the party was heard (point by point with the re-check, or the
  waiver, or the period lapsing) — 第十四条第二款.
- `Hearing`, `HearingAgent`, `HearingRecusal`: the hearing (第十五条; 《行政处罚法》第六十三至六十五条).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from linke.validators import validate_person_id, validate_phone

__all__ = [
    "PenaltyNotice",
    "DefenceOutcome",
    "Defence",
    "DefencePoint",
    "WaiverForm",
    "HearingStatus",
    "Hearing",
    "HearingAgent",
    "HearingRecusal",
    "RecordSignature",
]


class PenaltyNotice(models.Model):
    """行政处罚事先告知书 (第十四条第一款; 《行政处罚法》第四十四、四十五条). Issued complete (the action
    refuses an empty element); `kinds` holds PenaltyKind values; amounts in yuan. `served_on` is
    the service date (送达日期) of 第五章 delivery's successful attempt (review.defence.
    on_document_served); the defence and hearing-request periods count from it."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="penalty_notices"
    )
    party = models.ForeignKey(
        "cases.Party", verbose_name="当事人（受告知人）", on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField("违法事实")
    evidence = models.TextField("证据")
    basis = models.TextField("法律依据", help_text="写明法律、法规、规章的名称及条、款、项")
    kinds = models.JSONField("拟处罚种类", default=list)
    fine_yuan = models.DecimalField("拟罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    confiscation_yuan = models.DecimalField(
        "拟没收违法所得、非法财物价值（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    content = models.TextField("拟处罚内容")
    defence_days = models.PositiveSmallIntegerField("陈述申辩期限（工作日）")
    hearing_right = models.BooleanField("享有听证权利")
    hearing_reasons = models.JSONField("听证权利依据", default=list, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("制作时间", auto_now_add=True)
    document = models.OneToOneField(
        "documents.Document", verbose_name="告知书", on_delete=models.PROTECT, related_name="+", null=True
    )
    served_on = models.DateField("送达日期", null=True, blank=True)
    served_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="送达日期登记人",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = "行政处罚事先告知"
        verbose_name_plural = "行政处罚事先告知"
        ordering = ["case", "issued_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="notice_served_recorded_by",
                condition=Q(served_on__isnull=True) | Q(served_recorded_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} 事先告知"


class DefenceOutcome(models.TextChoices):
    """How the party was heard on a notice (第十四条第二款; 《行政处罚法》第六十二条)."""

    STATED = "stated", "当事人进行了陈述、申辩"
    WAIVED = "waived", "当事人放弃陈述、申辩"
    LAPSED = "lapsed", "期限届满未陈述、申辩"


class WaiverForm(models.TextChoices):
    """How a waiver was given: it must be expressly the party's (第六十二条: 明确放弃)."""

    WRITTEN = "written", "当事人书面声明放弃并签名"
    ORAL_SIGNED = "oral_signed", "当事人当面口头放弃，执法人员记录并经其签名确认"


class Defence(models.Model):
    """The party's statement and defence on one notice, or its waiver, or the period lapsing.
    One per notice. For STATED the points are `DefencePoint` rows (每一项的复核)."""

    notice = models.OneToOneField(
        PenaltyNotice, verbose_name="事先告知", on_delete=models.PROTECT, related_name="defence"
    )
    outcome = models.CharField("听取情况", max_length=8, choices=DefenceOutcome)
    received_on = models.DateField("陈述申辩（放弃）日期", null=True, blank=True)
    form = models.CharField("陈述申辩方式", max_length=64, blank=True, help_text="如：书面申辩材料、当面陈述（附笔录）")
    waiver_form = models.CharField("放弃方式", max_length=16, choices=WaiverForm, blank=True)
    waiver_note = models.TextField("放弃情况记录", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "陈述申辩记录"
        verbose_name_plural = "陈述申辩记录"
        constraints = [
            models.CheckConstraint(
                name="defence_waiver_recorded",
                condition=~Q(outcome="waived") | (~Q(waiver_form="") & ~Q(waiver_note="")),
            ),
            models.CheckConstraint(name="defence_dated", condition=Q(outcome="lapsed") | Q(received_on__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.get_outcome_display()


class DefencePoint(models.Model):
    """One point the party raised and its re-check (复核, 《行政处罚法》第四十五条第一款)."""

    defence = models.ForeignKey(Defence, verbose_name="陈述申辩", on_delete=models.PROTECT, related_name="points")
    position = models.PositiveSmallIntegerField("序号")
    point = models.TextField("陈述申辩意见")
    adopted = models.BooleanField("是否采纳")
    reason = models.TextField("复核意见（采纳或不采纳的理由）")

    class Meta:
        verbose_name = "陈述申辩意见及复核"
        verbose_name_plural = "陈述申辩意见及复核"
        ordering = ["defence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["defence", "position"], name="defence_point_position"),
            models.CheckConstraint(name="defence_point_reasoned", condition=~Q(point="") & ~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.point[:20]}"


class HearingStatus(models.TextChoices):
    REQUESTED = "requested", "已申请听证"
    SCHEDULED = "scheduled", "已通知听证"
    HELD = "held", "已举行听证"
    ABSENT = "absent", "当事人无正当理由未出席（视为放弃听证）"
    WITHDRAWN = "withdrawn", "当事人撤回听证申请"


class RecordSignature(models.TextChoices):
    """听证笔录 is signed by the party, or the refusal is noted (《行政处罚法》第六十四条第（八）项)."""

    SIGNED = "signed", "当事人或其代理人已核对并签名"
    REFUSED = "refused", "当事人或其代理人拒绝签字"


class Hearing(models.Model):
    """A hearing the party asked for on a notice (第十五条; 《行政处罚法》第六十三至六十五条). From
    request to report: the request date, the notice of the hearing (scheduled time and place,
    public or not and why, the chair and the chair's certificate, the recorder), the record
    (start, end, who attended, what each said, the signature or refusal), the report."""

    notice = models.OneToOneField(
        PenaltyNotice, verbose_name="事先告知", on_delete=models.PROTECT, related_name="hearing"
    )
    status = models.CharField("状态", max_length=12, choices=HearingStatus, default=HearingStatus.REQUESTED)
    requested_on = models.DateField("申请日期")
    request_form = models.CharField("申请方式", max_length=64)
    requested_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请登记人", on_delete=models.PROTECT, related_name="+"
    )
    # The hearing notice (听证通知书): 第六十四条第（二）项, 7 days before.
    scheduled_at = models.DateTimeField("听证时间", null=True, blank=True)
    place = models.CharField("听证地点", max_length=200, blank=True)
    public = models.BooleanField("公开举行", default=True)
    closed_reason = models.CharField(
        "不公开理由",
        max_length=16,
        blank=True,
        choices=[("state_secret", "涉及国家秘密"), ("trade_secret", "涉及商业秘密"), ("privacy", "涉及个人隐私")],
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="听证主持人", on_delete=models.PROTECT, related_name="+", null=True
    )
    chair_cert_no = models.CharField("听证主持人资格证号", max_length=64, blank=True)
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录员", on_delete=models.PROTECT, related_name="+", null=True
    )
    short_notice_confirmed = models.BooleanField("确认不足七日通知", default=False)
    notice_document = models.OneToOneField(
        "documents.Document", verbose_name="听证通知书", on_delete=models.PROTECT, related_name="+", null=True
    )
    # 第十五条: the 听证通知书's legal service date, from 第五章 delivery (hearing.on_document_served);
    # the 7 days before the hearing count from it once known.
    notice_served_on = models.DateField("听证通知书送达日期", null=True, blank=True)
    # The record (听证笔录).
    started_at = models.DateTimeField("听证开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("听证结束时间", null=True, blank=True)
    investigators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="案件调查人员", blank=True, related_name="+"
    )
    party_attendees = models.CharField("当事人及出席人员", max_length=255, blank=True)
    investigators_said = models.TextField("调查人员提出的违法事实、证据和处罚建议", blank=True)
    party_said = models.TextField("当事人及其代理人的陈述、申辩和质证意见", blank=True)
    final_statements = models.TextField("最后陈述", blank=True)
    signature = models.CharField("笔录签字", max_length=8, choices=RecordSignature, blank=True)
    signature_note = models.TextField("拒绝签字情况", blank=True)
    absence_note = models.TextField("未出席情况", blank=True)
    withdrawal_note = models.TextField("撤回听证申请情况", blank=True)
    av_record = models.ForeignKey(
        "avrecords.AVRecord",
        verbose_name="听证音像记录",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    record_document = models.OneToOneField(
        "documents.Document", verbose_name="听证笔录", on_delete=models.PROTECT, related_name="+", null=True
    )
    # The report (听证报告): the chair's opinion.
    report_opinion = models.TextField("听证主持人意见", blank=True)
    report_document = models.OneToOneField(
        "documents.Document", verbose_name="听证报告", on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = "听证"
        verbose_name_plural = "听证"
        constraints = [
            models.CheckConstraint(name="hearing_closed_has_reason", condition=Q(public=True) | ~Q(closed_reason="")),
            models.CheckConstraint(
                name="hearing_chair_certified", condition=Q(chair__isnull=True) | ~Q(chair_cert_no="")
            ),
            models.CheckConstraint(
                name="hearing_refusal_noted", condition=~Q(signature="refused") | ~Q(signature_note="")
            ),
            models.CheckConstraint(
                name="hearing_times_ordered",
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice.case} 听证"


class HearingAgent(models.Model):
    """委托代理人: one or two (《行政处罚法》第六十四条第（五）项)."""

    hearing = models.ForeignKey(Hearing, verbose_name="听证", on_delete=models.PROTECT, related_name="agents")
    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("身份证号码", max_length=18, validators=[validate_person_id])
    phone = models.CharField("联系电话", max_length=32, blank=True, validators=[validate_phone])
    authority = models.CharField("代理权限", max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "听证委托代理人"
        verbose_name_plural = "听证委托代理人"
        ordering = ["hearing", "pk"]

    def __str__(self) -> str:
        return self.name


class HearingRecusal(models.Model):
    """申请回避 (《行政处罚法》第六十四条第（四）项): the party's request against the chair (or the
    recorder), decided by the head with reasons — the decision is a SignOff row of the step
    HEARING_RECUSAL (its own round per request)."""

    hearing = models.ForeignKey(Hearing, verbose_name="听证", on_delete=models.PROTECT, related_name="recusals")
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="被申请回避人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("申请回避理由")
    requested_on = models.DateField("申请日期")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField("审批轮次")
    granted = models.BooleanField("是否回避", null=True)
    decision = models.OneToOneField(
        "cases.SignOff", verbose_name="负责人决定", on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = "听证回避申请"
        verbose_name_plural = "听证回避申请"
        ordering = ["hearing", "pk"]
        constraints = [
            models.CheckConstraint(
                name="recusal_decided_signed", condition=Q(granted__isnull=True) | Q(decision__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"申请{self.target}回避"
