"""Tables of the decision's safeguards (第十六条; 《行政处罚法》第五十七、五十八条) and of its
statutory period (《行政处罚法》第六十条; 《行政许可法》第四十二、四十五条). No workflow here:
the actions live in `review/legal.py` and `review/periods.py`.

- `ReviewSheet`: the switches of one case — which 第五十八条 situations apply (any makes 法制审核
  mandatory), whether expert argumentation and 集体讨论 are required.
- `LegalReview`: one 法制审核 with the seven points of 国办发〔2018〕118号; its opinion and
  outcome are a `SignOff` row (SignOffStep.LEGAL_REVIEW).
- `ExpertOpinion`: one expert's opinion (专家论证).
- `CollectiveDiscussion` and `DiscussionOpinion`: 集体讨论 and each participant's opinion in order.
- `PeriodExtension`, `ExcludedInterval`: the decision period lengthened with the head's approval,
  and time that does not count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .models import DecisionOutcome

__all__ = [
    "LegalReviewSituation",
    "ReviewSheet",
    "LegalReviewPoint",
    "LegalFinding",
    "LegalReview",
    "ExpertOpinion",
    "DISCUSSION_OUTCOMES",
    "CollectiveDiscussion",
    "DiscussionOpinion",
    "PeriodExtension",
    "ExclusionKind",
    "ExcludedInterval",
]


class LegalReviewSituation(models.TextChoices):
    """《行政处罚法》第五十八条第一款: the four situations in which 法制审核 is mandatory."""

    PUBLIC_INTEREST = "public_interest", "涉及重大公共利益的"
    MAJOR_RIGHTS = "major_rights", "直接关系当事人或者第三人重大权益，经过听证程序的"
    COMPLEX = "complex", "案件情况疑难复杂、涉及多个法律关系的"
    OTHER_BY_LAW = "other_by_law", "法律、法规规定应当进行法制审核的其他情形"


class ReviewSheet(models.Model):
    """The switches of a case's review. `situations` lists LegalReviewSituation values: any
    ticked makes 法制审核 mandatory before the decision (第五十八条)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="review_sheet"
    )
    situations = models.JSONField("法制审核情形", default=list, blank=True)
    other_basis = models.CharField("其他情形的法律、法规依据", max_length=200, blank=True)
    expert_required = models.BooleanField("需要专家论证", default=False)
    expert_reason = models.CharField("专家论证的理由", max_length=200, blank=True)
    discussion_required = models.BooleanField("情节复杂或者重大违法行为，需集体讨论", default=False)
    discussion_reason = models.CharField("集体讨论的理由", max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填写人", on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField("填写时间", auto_now=True)

    class Meta:
        verbose_name = "法制审核、专家论证与集体讨论情形"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.case} 审查情形"

    @property
    def legal_review_mandatory(self) -> bool:
        return bool(self.situations)

    def situation_labels(self) -> list[str]:
        return [LegalReviewSituation(s).label for s in self.situations if s in LegalReviewSituation.values]


class LegalReviewPoint(models.TextChoices):
    """国办发〔2018〕118号 (三、全面推行重大执法决定法制审核制度): what 法制审核 examines."""

    AGENCY = "agency", "执法主体是否合法，执法人员是否具备执法资格"
    PROCEDURE = "procedure", "执法程序是否合法"
    FACTS = "facts", "案件事实是否清楚，证据是否合法充分"
    LAW = "law", "适用法律、法规、规章是否准确，裁量基准运用是否适当"
    AUTHORITY = "authority", "执法是否超越执法机关法定权限"
    DOCUMENTS = "documents", "行政执法文书是否完备、规范"
    CRIME = "crime", "违法行为是否涉嫌犯罪、需要移送司法机关"


class LegalFinding(models.TextChoices):
    SOUND = "sound", "符合规定"
    FLAWED = "flawed", "存在问题"


class LegalReview(models.Model):
    """One 法制审核 of a case (《行政处罚法》第五十八条). `findings` maps every LegalReviewPoint
    value to {"finding": LegalFinding value, "note": text}; a FLAWED finding carries its note.
    The overall opinion and outcome are the `signoff` (AGREE = 通过; RETURN = 不通过，退回).
    `qualification_no` is the reviewer's 法律职业资格证书 number as it stood when they signed."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="legal_reviews")
    signoff = models.OneToOneField(
        "cases.SignOff", verbose_name="审核意见", on_delete=models.PROTECT, related_name="legal_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审核人", on_delete=models.PROTECT, related_name="+"
    )
    qualification_no = models.CharField("法律职业资格证书编号", max_length=32, blank=True)
    findings = models.JSONField("审核要点", default=dict)
    created_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = "法制审核"
        verbose_name_plural = "法制审核"
        ordering = ["case", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} 法制审核"

    @property
    def passed(self) -> bool:
        from cases.models import SignOffOutcome

        return self.signoff.outcome == SignOffOutcome.AGREE

    def rows(self) -> list[tuple[str, str, str]]:
        """(point label, finding label, note) in the order of 国办发〔2018〕118号."""
        out = []
        for point in LegalReviewPoint:
            item = self.findings.get(point.value) or {}
            finding = item.get("finding", "")
            label = LegalFinding(finding).label if finding in LegalFinding.values else ""
            out.append((point.label, label, item.get("note", "")))
        return out


class ExpertOpinion(models.Model):
    """One expert's opinion in the argumentation of a case (专家论证; 国办发〔2018〕118号:
    a major decision may be argued by experts before it is made — unverified as to when it is
    required: the case's ReviewSheet says so)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="expert_opinions"
    )
    held_on = models.DateField("论证日期")
    expert_name = models.CharField("专家姓名", max_length=64)
    expert_title = models.CharField("工作单位及职称", max_length=200)
    opinion = models.TextField("论证意见")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "专家论证意见"
        verbose_name_plural = "专家论证意见"
        ordering = ["case", "held_on", "pk"]
        constraints = [models.CheckConstraint(name="expert_opinion_not_empty", condition=~Q(opinion=""))]

    def __str__(self) -> str:
        return f"{self.expert_name}：{self.opinion[:20]}"


# 《行政处罚法》第五十七条第一款: the four outcomes the heads choose between.
DISCUSSION_OUTCOMES = (
    DecisionOutcome.PENALTY,
    DecisionOutcome.NO_PENALTY_MINOR,
    DecisionOutcome.NO_PENALTY_UNPROVEN,
    DecisionOutcome.TRANSFER,
)


class CollectiveDiscussion(models.Model):
    """集体讨论 (《行政处罚法》第五十七条第二款): when and where, who chaired, the outcome
    reached (one of the four of 第五十七条第一款); each participant's opinion is a
    DiscussionOpinion, in the order spoken."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="discussions")
    held_at = models.DateTimeField("讨论时间")
    place = models.CharField("地点", max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="主持人", on_delete=models.PROTECT, related_name="+"
    )
    recorder = models.CharField("记录人", max_length=64)
    outcome = models.CharField("讨论决定", max_length=24, choices=[(o.value, o.label) for o in DISCUSSION_OUTCOMES])
    conclusion = models.TextField("讨论结论")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "集体讨论记录"
        verbose_name_plural = "集体讨论记录"
        ordering = ["case", "held_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case} 集体讨论"


class DiscussionOpinion(models.Model):
    discussion = models.ForeignKey(
        CollectiveDiscussion, verbose_name="集体讨论", on_delete=models.PROTECT, related_name="opinions"
    )
    order = models.PositiveSmallIntegerField("发言顺序")
    participant = models.CharField("参加人", max_length=64)
    position = models.CharField("职务", max_length=64)
    opinion = models.TextField("意见")

    class Meta:
        verbose_name = "集体讨论发言"
        verbose_name_plural = "集体讨论发言"
        ordering = ["discussion", "order"]
        constraints = [
            models.UniqueConstraint(fields=["discussion", "order"], name="discussion_opinion_order"),
            models.CheckConstraint(name="discussion_opinion_not_empty", condition=~Q(opinion="")),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.participant}"


class PeriodExtension(models.Model):
    """The decision period lengthened with the head's approval (`signoff`, SignOffStep.
    PERIOD_EXTENSION): 《行政处罚法》第六十条 (penalty: to a new due date) or 《行政许可法》第四十二条
    (licensing: ten more working days, the applicant told the reason)."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="period_extensions"
    )
    kind = models.CharField("期限类型", max_length=64)
    signoff = models.OneToOneField(
        "cases.SignOff", verbose_name="负责人批准", on_delete=models.PROTECT, related_name="period_extension"
    )
    reason = models.TextField("延长理由")
    old_due = models.DateTimeField("原届满时间")
    new_due = models.DateTimeField("延长后届满时间")
    applicant_told = models.BooleanField("已将延长理由告知申请人", default=False)
    created_at = models.DateTimeField("批准时间", auto_now_add=True)

    class Meta:
        verbose_name = "延长办理期限"
        verbose_name_plural = "延长办理期限"
        ordering = ["case", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(name="extension_moves_later", condition=Q(new_due__gt=models.F("old_due")))
        ]

    def __str__(self) -> str:
        return f"{self.case} 延长至 {self.new_due:%Y-%m-%d}"


class ExclusionKind(models.TextChoices):
    """《行政许可法》第四十五条: time the licensing period does not count (DOMAIN.md names hearing,
    testing, appraisal and expert review; 招标、拍卖 and 检疫 are from memory of the article:
    unverified)."""

    HEARING = "hearing", "听证"
    TENDER = "tender", "招标、拍卖"
    TESTING = "testing", "检验、检测、检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"


class ExcludedInterval(models.Model):
    """Time excluded from the licensing decision period (《行政许可法》第四十五条): the days from
    `start` to `end` (both counted); `working_days` is how many of them were working days (the
    official calendar), by which the deadline moved. The applicant must be told in writing."""

    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="excluded_intervals"
    )
    kind = models.CharField("事项", max_length=16, choices=ExclusionKind)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    working_days = models.PositiveSmallIntegerField("扣除工作日数")
    told_in_writing_on = models.DateField("书面告知申请人日期")
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "不计入期限的时间"
        verbose_name_plural = "不计入期限的时间"
        ordering = ["case", "start", "pk"]
        constraints = [models.CheckConstraint(name="excluded_interval_order", condition=Q(end__gte=models.F("start")))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}"
