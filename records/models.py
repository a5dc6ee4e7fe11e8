"""第十条 — the written investigation records.

One table for what every record has (`Record`: case, kind, maker, officers, time and
place, confidentiality, draft/final, the correction chain, the document it produced) and
one table per kind for its own fields (multi-table inheritance), so the case page lists
all records with one query and each kind keeps typed columns.

A finalised record is immutable: `save()`/`delete()` refuse it here, and PostgreSQL
refuses it again with triggers (migration 0002) for every table of a record. A mistake is
fixed by a correction: a new record linked to the one it corrects, with the reason; the
original stays visible.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from cases.models import confidentiality_field
from linke.validators import check_period, validate_identity_number, validate_phone, validate_qa_transcript


class RecordKind(models.TextChoices):
    # 第十条第（一）至（八）项; each value is also the code of the document it produces
    # (documents.registry.DocTypeCode; records.tests check that every kind has one).
    INQUIRY = "inquiry", "询问笔录"
    EVIDENCE_COLLECTION = "evidence_collection", "调取证据"
    INSPECTION = "inspection", "现场检查（勘验）笔录"
    SAMPLING = "sampling", "抽样取证"
    PRESERVATION = "preservation", "先行登记保存证据"
    COMMISSION = "commission", "委托检验检测鉴定"
    OTHER = "other_activity", "其他调查取证活动"


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "已定稿"


class Confirmation(models.TextChoices):
    SIGNED = "signed", "已核对并签名"
    REFUSED = "refused", "拒绝签名"


class SubjectRole(models.TextChoices):
    PARTY = "party", "当事人"  # 第十条第（一）项
    WITNESS = "witness", "证人"  # 第十条第（二）项


class InspectionMode(models.TextChoices):
    INSPECTION = "inspection", "现场检查"
    EXAMINATION = "examination", "勘验"


class StorageMode(models.TextChoices):
    ON_SITE = "on_site", "就地保存"
    OFF_SITE = "off_site", "异地保存"


class CommissionMatter(models.TextChoices):
    # 第十条第（七）项
    INSPECTION = "inspection", "检验"
    TESTING = "testing", "检测"
    QUARANTINE = "quarantine", "检疫"
    APPRAISAL = "appraisal", "鉴定"
    EXPERT_REVIEW = "expert_review", "专家评审"


class PreservationOutcome(models.TextChoices):
    # 《行政处罚法》第五十六条: what may be decided about preserved evidence.
    RELEASE = "release", "解除先行登记保存"
    APPRAISE = "appraise", "送交检验、检测、鉴定"
    TRANSFER = "transfer", "移送有关部门"
    CONFISCATE = "confiscate", "依法予以没收"
    OTHER = "other", "其他处理"


class RecordImmutable(Exception):
    """A finalised record never changes; correct it with a new linked record."""


class Record(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="records")
    kind = models.CharField("记录类别", max_length=24, choices=RecordKind)
    status = models.CharField("状态", max_length=8, choices=RecordStatus, default=RecordStatus.DRAFT)
    party_name = models.CharField("当事人", max_length=200, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="执法人员", blank=True, related_name="investigation_records"
    )
    # 第十一条: the activity was also recorded on audio/video (avrecords expects media).
    with_av = models.BooleanField("同步音像记录", default=False)
    confirmation = models.CharField("核对确认", max_length=8, choices=Confirmation, blank=True)
    confirmation_note = models.TextField("确认情况说明", blank=True)
    confidentiality = confidentiality_field()
    corrects = models.OneToOneField(
        "self", verbose_name="更正的记录", on_delete=models.PROTECT, null=True, blank=True, related_name="correction"
    )
    correction_reason = models.TextField("更正原因", blank=True)
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制作人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("制作时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定稿人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    document = models.OneToOneField(
        "documents.Document", verbose_name="执法文书", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "调查取证记录"
        verbose_name_plural = "调查取证记录"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="record_final_complete",
                condition=~Q(status="final")
                | Q(finalised_at__isnull=False, finalised_by__isnull=False, document__isnull=False),
            ),
            models.CheckConstraint(
                name="record_correction_has_reason", condition=Q(corrects__isnull=True) | ~Q(correction_reason="")
            ),
            models.CheckConstraint(name="record_not_self_correction", condition=~Q(corrects=F("pk"))),
            models.CheckConstraint(
                name="record_refused_has_note",
                condition=~Q(confirmation="refused") | ~Q(confirmation_note=""),
                violation_error_message="拒绝签名的，应当在“确认情况说明”中注明情况。",
            ),
        ]
        indexes = [
            # The case page and the checklist read a case's records by kind.
            models.Index(fields=["case", "kind", "status"], name="record_by_case_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("records:detail", args=[self.pk])

    @property
    def is_final(self) -> bool:
        return self.status == RecordStatus.FINAL

    def specific(self) -> "Record":
        """This record as its kind's model (Inquiry, Inspection …)."""
        if type(self) is not Record:
            return self
        return getattr(self, KIND_MODELS[self.kind].__name__.lower())

    def base(self) -> "Record":
        """The plain Record row (attachments and documents hang on it, whatever the kind)."""
        return self if type(self) is Record else self.record_ptr  # type: ignore[attr-defined]

    def _refuse_if_final(self) -> None:
        if self.pk is None:
            return
        stored = Record.objects.filter(pk=self.pk).values_list("status", flat=True).first()
        if stored == RecordStatus.FINAL:
            raise RecordImmutable(f"{self.get_kind_display()} #{self.pk} 已定稿，不得修改；如有错误请制作更正记录")

    def clean(self) -> None:
        # One time rule for every record (linke.validators): neither time in the future, the
        # end after the start.
        check_period(self.started_at, self.ended_at)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_final()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_final()
        return super().delete(*args, **kwargs)


class Inquiry(Record):
    """询问笔录 — 第十条第（一）（二）项."""

    subject_role = models.CharField("被询问人身份", max_length=8, choices=SubjectRole, default=SubjectRole.PARTY)
    person_name = models.CharField("被询问人姓名", max_length=100, blank=True)
    person_gender = models.CharField("性别", max_length=4, blank=True)
    person_id_no = models.CharField("身份证件号码", max_length=40, blank=True, validators=[validate_identity_number])
    person_employer = models.CharField("工作单位及职务", max_length=200, blank=True)
    person_phone = models.CharField("联系电话", max_length=40, blank=True, validators=[validate_phone])
    person_address = models.CharField("住址", max_length=200, blank=True)
    transcript = models.TextField(
        "询问记录（问答）", blank=True, help_text="每行以“问：”或“答：”开头。", validators=[validate_qa_transcript]
    )

    class Meta:
        verbose_name = "询问笔录"
        verbose_name_plural = "询问笔录"


class EvidenceCollection(Record):
    """调取证据通知书 + 证据清单 — 第十条第（三）项."""

    holder_name = models.CharField("被调取单位（个人）", max_length=200, blank=True)
    holder_address = models.CharField("被调取单位地址", max_length=200, blank=True)
    reason = models.TextField("调取事由", blank=True)
    provide_by = models.DateField("提供期限", null=True, blank=True)

    class Meta:
        verbose_name = "调取证据"
        verbose_name_plural = "调取证据"


class Inspection(Record):
    """现场检查（勘验）笔录 — 第十条第（四）项; sketch and photos are attachments."""

    mode = models.CharField("方式", max_length=12, choices=InspectionMode, default=InspectionMode.INSPECTION)
    present_persons = models.TextField("在场人员", blank=True)
    findings = models.TextField("检查（勘验）情况", blank=True)

    class Meta:
        verbose_name = "现场检查（勘验）笔录"
        verbose_name_plural = "现场检查（勘验）笔录"


class Sampling(Record):
    """抽样取证凭证 — 第十条第（五）项."""

    method = models.TextField("抽样方法", blank=True)
    witness = models.CharField("见证人", max_length=200, blank=True)

    class Meta:
        verbose_name = "抽样取证"
        verbose_name_plural = "抽样取证"


class Preservation(Record):
    """先行登记保存证据通知书 — 第十条第（六）项; 《行政处罚法》第五十六条: the head approves
    before, and a decision follows within 7 working days."""

    reason = models.TextField("先行登记保存理由", blank=True)
    storage_place = models.CharField("保存地点", max_length=200, blank=True)
    storage_mode = models.CharField("保存方式", max_length=12, choices=StorageMode, default=StorageMode.ON_SITE)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    approval_opinion = models.TextField("负责人意见", blank=True)
    # The request → approval path is sign-off rows (step PRESERVATION, one round per request);
    # these point at the open request and at the head's signature that approved this content.
    # approved_by/_at/approval_opinion mirror that signature for pages and the document.
    approval_request = models.OneToOneField(
        "cases.SignOff", verbose_name="报请批准", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval = models.OneToOneField(
        "cases.SignOff", verbose_name="负责人批准", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 《行政处罚法》第五十六条 requires approval before preserving. Approved after the act
    # (started_at) is 事后补批, with its reason, and the document says so.
    late_approval_reason = models.TextField("事后补批理由", blank=True)

    class Meta:
        verbose_name = "先行登记保存证据"
        verbose_name_plural = "先行登记保存证据"
        constraints = [
            models.CheckConstraint(
                name="preservation_approval_complete",
                condition=Q(approved_by__isnull=True, approved_at__isnull=True)
                | Q(approved_by__isnull=False, approved_at__isnull=False),
            ),
            models.CheckConstraint(
                name="preservation_late_reason_only_when_approved",
                condition=Q(late_approval_reason="") | Q(approved_at__isnull=False),
            ),
        ]

    @property
    def approved_after_act(self) -> bool:
        """The head approved after the evidence was preserved (started_at): 事后补批."""
        return bool(self.approved_at and self.started_at and self.approved_at > self.started_at)


class Commission(Record):
    """委托书 — 第十条第（七）项; the returned opinion is a CommissionOpinion with its file."""

    body_name = models.CharField("受托机构", max_length=200, blank=True)
    matter = models.CharField("委托类别", max_length=16, choices=CommissionMatter, default=CommissionMatter.APPRAISAL)
    subject = models.TextField("委托事项", blank=True)
    requirements = models.TextField("具体要求", blank=True)
    reply_by = models.DateField("出具意见期限", null=True, blank=True)

    class Meta:
        verbose_name = "委托检验检测鉴定"
        verbose_name_plural = "委托检验检测鉴定"


class OtherActivity(Record):
    """其他调查取证活动 — 第十条第（八）项."""

    activity = models.CharField("活动名称", max_length=200, blank=True)
    description = models.TextField("情况记录", blank=True)

    class Meta:
        verbose_name = "其他调查取证活动"
        verbose_name_plural = "其他调查取证活动"


KIND_MODELS: dict[str, type[Record]] = {
    RecordKind.INQUIRY: Inquiry,
    RecordKind.EVIDENCE_COLLECTION: EvidenceCollection,
    RecordKind.INSPECTION: Inspection,
    RecordKind.SAMPLING: Sampling,
    RecordKind.PRESERVATION: Preservation,
    RecordKind.COMMISSION: Commission,
    RecordKind.OTHER: OtherActivity,
}
# Kinds whose document lists items (evidence list, samples, preserved goods, commissioned objects).
KINDS_WITH_ITEMS = {RecordKind.EVIDENCE_COLLECTION, RecordKind.SAMPLING, RecordKind.PRESERVATION, RecordKind.COMMISSION}


class RecordItem(models.Model):
    """One line of a record's list: evidence collected, samples, preserved or commissioned items."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=200)
    spec = models.CharField("规格/特征", max_length=200, blank=True)
    quantity = models.CharField("数量", max_length=40, blank=True)
    sample_mark = models.CharField("样品标识", max_length=100, blank=True)
    remarks = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "清单条目"
        verbose_name_plural = "清单条目"
        ordering = ["record", "position"]
        constraints = [models.UniqueConstraint(fields=["record", "position"], name="record_item_position_unique")]

    def __str__(self) -> str:
        return self.name

    def _refuse_if_final(self) -> None:
        if Record.objects.filter(pk=self.record_id, status=RecordStatus.FINAL).exists():
            raise RecordImmutable("记录已定稿，清单不得修改")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._refuse_if_final()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_final()
        return super().delete(*args, **kwargs)


class PreservationDecision(models.Model):
    """The decision on preserved evidence (《行政处罚法》第五十六条, within 7 working days)."""

    record = models.OneToOneField(Preservation, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField("处理决定", max_length=12, choices=PreservationOutcome)
    detail = models.TextField("决定内容")
    decided_at = models.DateTimeField("决定时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", on_delete=models.PROTECT, related_name="+"
    )
    # The head's signature (step PRESERVATION, level HEAD) and the 先行登记保存物品处理决定书.
    signoff = models.OneToOneField(
        "cases.SignOff", verbose_name="负责人签署", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document = models.OneToOneField(
        "documents.Document",
        verbose_name="处理决定书",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "先行登记保存处理决定"
        verbose_name_plural = "先行登记保存处理决定"

    def __str__(self) -> str:
        return self.get_outcome_display()

    @property
    def case_id(self) -> int:
        return self.record.case_id


class CommissionOpinion(models.Model):
    """The opinion the commissioned body returned (第十条第（七）项); its file is an attachment."""

    record = models.OneToOneField(Commission, on_delete=models.PROTECT, related_name="opinion")
    received_at = models.DateTimeField("收到时间")
    conclusion = models.TextField("意见结论")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "鉴定（检验）意见"
        verbose_name_plural = "鉴定（检验）意见"

    def __str__(self) -> str:
        return f"意见 {self.received_at:%Y-%m-%d}"

    @property
    def case_id(self) -> int:  # attachments check that their owner belongs to the case
        return self.record.case_id
