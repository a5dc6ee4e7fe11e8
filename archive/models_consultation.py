"""第二十九条 consultation (查阅): a party's request, the head's decision with its scope and period,
the per-item treatment of confidential material, and the log of every view.

A request's items are the case file's items (archive.casefile.assemble): documents,
attachments and approved addenda (归档后补充材料), and the case's audio-visual records (音像记录,
part of the 行政执法全过程记录). Each item keeps the confidentiality mark it had when the request
was decided; a state-secret item can never be provided (a constraint backs the service's check).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from cases.models import Confidentiality, confidentiality_field
from linke.validators import validate_identity_number

# Bounds of the free texts, in characters (trial of 第六章: a 20,000-character 查阅理由 was taken
# and printed whole on the case's archive panel). The 查阅理由 and each item's 处理理由 are a few
# sentences; the head's opinion (a SignOff row of cases, checked by archive.consultation) as
# long as other sign-off opinions' forms allow (records.forms: 1000). The requester's name is its
# column's length.
REASON_MAX = 500
OPINION_MAX = 1000
REQUESTER_NAME_MAX = 100


class ConsultationPurpose(models.TextChoices):
    ORDINARY = "ordinary", "一般查阅"
    # 《行政复议法》第四十七条 (the applicant consults the answer and evidence) / 行政诉讼.
    RECONSIDERATION = "reconsideration", "行政复议"
    LITIGATION = "litigation", "行政诉讼"


class RequesterRelation(models.TextChoices):
    PARTY = "party", "当事人"
    LEGAL_REP = "legal_rep", "当事人的法定代表人（负责人）"
    AGENT = "agent", "当事人的委托代理人"
    THIRD_PARTY = "third_party", "第三人"
    OTHER = "other", "其他利害关系人"


class RequesterIdType(models.TextChoices):
    """The ID kinds the shared validators check (linke.validators): a person's 居民身份证号码 or an
    organisation's 统一社会信用代码 (an organisation consulting through its representative)."""

    RESIDENT_ID = "resident_id", "居民身份证"
    USCC = "uscc", "统一社会信用代码"


class ConsultationStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "同意查阅"
    REFUSED = "refused", "不同意查阅"


class ItemTreatment(models.TextChoices):
    FULL = "full", "提供原件"
    REDACTED = "redacted", "遮蔽后提供"
    EXCLUDED = "excluded", "不予提供"


class RenditionStatus(models.TextChoices):
    """The watermarked copy of a provided AV item (archive.rendition): "" none asked for (not an
    AV item, not provided, or approved before renditions existed: the reading page asks)."""

    PENDING = "pending", "正在生成"
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class ConsultationRequest(models.Model):
    """A party's request to consult the case's records (第二十九条第一款), recorded by staff; the
    head's sign-off (SignOffStep.CONSULTATION, one round per request) decides it. Approved:
    `valid_from`–`valid_until` bound the access and `token` is the reading-room link's key."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consultations", verbose_name="案件")
    requester_name = models.CharField("查阅人姓名", max_length=REQUESTER_NAME_MAX)
    id_type = models.CharField("证件类型", max_length=16, choices=RequesterIdType)
    id_number = models.CharField("证件号码", max_length=32, validators=[validate_identity_number])
    relation = models.CharField("与案件关系", max_length=16, choices=RequesterRelation)
    purpose = models.CharField("查阅目的", max_length=16, choices=ConsultationPurpose)
    reason = models.TextField("查阅理由")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="登记人"
    )
    recorded_at = models.DateTimeField("登记时间", default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=ConsultationStatus, default=ConsultationStatus.PENDING)
    round = models.PositiveSmallIntegerField("审批轮次")
    signoff = models.OneToOneField(
        "cases.SignOff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审批意见"
    )
    valid_from = models.DateTimeField("查阅期限起", null=True, blank=True)
    valid_until = models.DateTimeField("查阅期限止", null=True, blank=True)
    token = models.CharField("查阅链接密钥", max_length=64, blank=True)
    # 第二十九条 (委托代理人): an agent consults on the party's behalf only with the party's
    # 授权委托书 — unverified: from practice, not in DOMAIN.md. `principal` is the party the agent
    # acts for (one of the case's parties); the scan is kept as case attachments are
    # (cases.services.file_store: its key, SHA-256 and size as uploaded). Empty for any other
    # relation. A record of the consultation, not an item of the case file (archive.casefile).
    principal = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="委托人"
    )
    authorisation = models.FileField("授权委托书", max_length=200, blank=True)
    authorisation_name = models.CharField("授权委托书原文件名", max_length=200, blank=True, default="")
    authorisation_sha256 = models.CharField("授权委托书SHA-256", max_length=64, blank=True, default="")
    authorisation_size = models.BigIntegerField("授权委托书大小（字节）", null=True, blank=True)
    # An agent's request recorded before the 授权委托书 was required (migration 0026_consult_
    # agent marks them): it has none, and its decide page says so. Never set otherwise.
    authorisation_predates = models.BooleanField("登记时未要求授权委托书", default=False)

    class Meta:
        verbose_name = "查阅申请"
        verbose_name_plural = "查阅申请"
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="consultation_round_once"),
            models.UniqueConstraint(fields=["token"], name="consultation_token_unique", condition=~Q(token="")),
            # 第二十九条: access only after the head's approval, and only within the period.
            models.CheckConstraint(
                name="consultation_approved_has_period",
                condition=~Q(status="approved")
                | (
                    Q(valid_from__isnull=False, valid_until__isnull=False, signoff__isnull=False)
                    & Q(valid_until__gt=models.F("valid_from"))
                    & ~Q(token="")
                ),
            ),
            # 第二十九条 (委托代理人; unverified: from practice, not in DOMAIN.md): an agent's request
            # names the principal and carries the 授权委托书 with its digest and size; any other
            # relation carries neither. An agent's row from before the rule is marked as such.
            models.CheckConstraint(
                name="consultation_agent_has_authorisation",
                condition=(
                    Q(relation="agent", authorisation_predates=True)
                    & Q(principal__isnull=True, authorisation="", authorisation_sha256="")
                )
                | (
                    Q(relation="agent", authorisation_predates=False)
                    & Q(principal__isnull=False, authorisation_size__isnull=False)
                    & ~Q(authorisation="")
                    & Q(authorisation_sha256__regex="^[0-9a-f]{64}$")
                )
                | (
                    ~Q(relation="agent")
                    & Q(principal__isnull=True, authorisation="", authorisation_sha256="", authorisation_predates=False)
                    & Q(authorisation_size__isnull=True)
                ),
            ),
            # The 查阅理由 is a few sentences, printed on the case's archive panel.
            models.CheckConstraint(
                name="consultation_reason_bounded", condition=Q(LessThanOrEqual(Length("reason"), REASON_MAX))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_name} 查阅申请（{self.state_label}）"

    @property
    def expired(self) -> bool:
        """Approved and its period over: the reading-room link no longer opens (第二十九条)."""
        return (
            self.status == ConsultationStatus.APPROVED
            and self.valid_until is not None
            and self.valid_until <= timezone.now()
        )

    @property
    def state_label(self) -> str:
        """The state as the request list shows it: 已过期 for an approved request whose period
        is over, else the status's label."""
        return "已过期" if self.expired else self.get_status_display()


# A reason with at least one character that is not white space (PostgreSQL ARE).
REASON_NOT_BLANK = "[^\\s\u00a0\u3000]"


class ConsultationItem(models.Model):
    """One record the party asked for: a document, an attachment, an approved addendum or an
    audio-visual record of the case (exactly one of the four). `treatment`
    and `reason` are set by the head's decision (第二十九条第二款); a redacted item is shown as
    `redacted_file` when given, else (a document) its masked rendition. A provided AV item is
    played as `rendition`, its copy with the watermark burnt in (`rendition_status`,
    `rendition_error`: archive.rendition)."""

    request = models.ForeignKey(ConsultationRequest, on_delete=models.PROTECT, related_name="items")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attachment = models.ForeignKey(
        "cases.Attachment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    av_record = models.ForeignKey(
        "avrecords.AVRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    addendum = models.ForeignKey("archive.Addendum", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    title = models.CharField("题名", max_length=255)
    confidentiality = confidentiality_field()
    treatment = models.CharField("处理方式", max_length=12, choices=ItemTreatment, blank=True)
    reason = models.TextField("处理理由", blank=True)
    redacted_file = models.FileField("遮蔽件", max_length=200, blank=True)
    # 第二十九条: a provided AV record is played only as a copy with the watermark burnt in
    # (archive.rendition): its key in the default storage, its state and, failed, why.
    rendition = models.CharField("带水印查阅副本", max_length=200, blank=True)
    rendition_status = models.CharField("查阅副本状态", max_length=8, choices=RenditionStatus, blank=True, default="")
    rendition_error = models.TextField("查阅副本生成失败原因", blank=True)

    class Meta:
        verbose_name = "查阅材料"
        verbose_name_plural = "查阅材料"
        ordering = ["request", "pk"]
        constraints = [
            models.CheckConstraint(
                name="consultation_item_one_source",
                condition=Q(
                    document__isnull=False, attachment__isnull=True, av_record__isnull=True, addendum__isnull=True
                )
                | Q(document__isnull=True, attachment__isnull=False, av_record__isnull=True, addendum__isnull=True)
                | Q(document__isnull=True, attachment__isnull=True, av_record__isnull=False, addendum__isnull=True)
                | Q(document__isnull=True, attachment__isnull=True, av_record__isnull=True, addendum__isnull=False),
            ),
            # 第二十九条第二款: a state secret is never provided.
            models.CheckConstraint(
                name="consultation_item_no_state_secret",
                condition=~Q(confidentiality=Confidentiality.STATE_SECRET) | Q(treatment__in=["", "excluded"]),
            ),
            # A rendition is served only when ready, so a ready one has its file.
            models.CheckConstraint(
                name="consultation_item_rendition_ready_has_file",
                condition=~Q(rendition_status="ready") | ~Q(rendition=""),
            ),
            # Trade secrets and privacy: redacted or excluded, with the reason recorded.
            models.CheckConstraint(
                name="consultation_item_confidential_treated",
                condition=Q(confidentiality="")
                | Q(treatment="")
                | (Q(treatment__in=["redacted", "excluded"]) & ~Q(reason="")),
            ),
            # 第二十九条 (trial defect 9): every item not provided as it is (遮蔽后提供, 不予提供)
            # carries the head's reason, whatever its mark — a reason of more than white space
            # (consultation.reason_error strips it; U+00A0 and the ideographic space U+3000
            # named, the database's [:space:] class may not count them).
            models.CheckConstraint(
                name="consultation_item_withheld_has_reason",
                condition=~Q(treatment__in=["redacted", "excluded"]) | Q(reason__regex=REASON_NOT_BLANK),
            ),
            models.CheckConstraint(
                name="consultation_item_reason_bounded", condition=Q(LessThanOrEqual(Length("reason"), REASON_MAX))
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def provided(self) -> bool:
        return self.treatment in (ItemTreatment.FULL, ItemTreatment.REDACTED)


class ConsultationAccess(models.Model):
    """One view of one item in the reading room (第二十九条; the access log): who opened it, for
    which request, when, from where."""

    request = models.ForeignKey(ConsultationRequest, on_delete=models.PROTECT, related_name="accesses")
    item = models.ForeignKey(ConsultationItem, on_delete=models.PROTECT, related_name="accesses")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("查阅时间", default=timezone.now)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=255, blank=True)

    class Meta:
        verbose_name = "查阅记录"
        verbose_name_plural = "查阅记录"
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["request", "at"], name="consultation_access_by_req")]
