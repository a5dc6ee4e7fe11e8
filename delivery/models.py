"""第五章 (第十七至二十二条): delivering the case's documents. Each attempt to serve one document by
one method is a row (STYLE.md); a document's legal service date (送达日期) is the served date of its
successful attempt. Method-specific elements live on the attempt; which of them each method
requires, and under which article, is declared once in `delivery/methods.py` (see
delivery/README.md). Files (the signed 送达回证, the postal slips, the announcement text …) are
case attachments (`cases.services.attachment_add`, stored by content hash) linked to the attempt
by `DeliveryFile` rows naming the element they prove."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from linke.validators import validate_phone


class DeliveryMethod(models.TextChoices):
    DIRECT = "direct", "直接送达"  # 第十八条
    POSTAL = "postal", "邮寄送达"  # 第十九条
    LIEN = "lien", "留置送达"  # 第二十条
    ENTRUSTED = "entrusted", "委托送达"  # 第二十一条
    TRANSFERRED = "transferred", "转交送达"  # 第二十一条
    ANNOUNCEMENT = "announcement", "公告送达"  # 第二十二条
    ELECTRONIC = "electronic", "电子送达"  # 《行政处罚法》第六十一条


class RecipientRelation(models.TextChoices):
    """Who signed for the party (《民事诉讼法》第八十八条; 最高法解释第一百三十条)."""

    PARTY = "party", "受送达人本人"
    FAMILY = "family", "同住成年家属"  # a person only
    LEGAL_REP = "legal_rep", "法定代表人"  # an organisation only
    PRINCIPAL = "principal", "主要负责人"  # an organisation only
    RECEIVER = "receiver", "负责收件的人（办公室、收发室、值班室人员）"  # an organisation only
    AGENT = "agent", "代理人"
    NOMINATED = "nominated", "指定的代收人"


class PostalKind(models.TextChoices):
    """第十九条: registered mail or EMS only."""

    REGISTERED = "registered", "挂号信"
    EMS = "ems", "邮政特快专递（EMS）"


class OrganKind(models.TextChoices):
    """第二十一条: the organ entrusted, or the unit a document is transferred through
    (《民事诉讼法》第九十一至九十四条)."""

    ADMIN_ORGAN = "admin_organ", "受委托的行政机关"
    MILITARY = "military", "受送达人所在部队团以上单位的政治机关"
    PRISON = "prison", "受送达人所在监所"
    EDUCATION = "education", "受送达人所在强制性教育机构"


class Carrier(models.TextChoices):
    """第二十二条; 最高法解释第一百三十八条: where an announcement is published."""

    NOTICE_BOARD = "notice_board", "公告栏"
    RESIDENCE = "residence", "受送达人住所地张贴"
    NEWSPAPER = "newspaper", "报纸"
    WEBSITE = "website", "信息网络（网站）"


class AttemptOutcome(models.TextChoices):
    # Started, not yet complete: a letter posted and its return receipt awaited, an
    # announcement published and its period running.
    PENDING = "pending", "送达中"
    SERVED = "served", "已送达"
    FAILED = "failed", "未送达"


class DeliveryAttempt(models.Model):
    """One attempt to serve one document by one method. Rows are never deleted; an attempt that
    failed stays, with its reason, beside the one that succeeded."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    document = models.ForeignKey(
        "documents.Document", on_delete=models.PROTECT, related_name="+", verbose_name="送达文书"
    )
    method = models.CharField("送达方式", max_length=16, choices=DeliveryMethod)
    outcome = models.CharField("结果", max_length=12, choices=AttemptOutcome, default=AttemptOutcome.PENDING)
    # The legal service date: the date the recipient wrote on the 送达回证 (《民事诉讼法》第八十七条),
    # the return receipt's date (postal), the end of the announcement period, the sending
    # system's success record (electronic).
    served_on = models.DateField("送达日期", null=True, blank=True)
    failure_reason = models.TextField("未送达原因", blank=True)
    party = models.ForeignKey(
        "cases.Party", on_delete=models.PROTECT, related_name="+", verbose_name="受送达人", null=True
    )
    # Elements of the methods (delivery/methods.py says which method requires which).
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    place = models.CharField("送达地点", max_length=255, blank=True)
    seal = models.BooleanField("文书加盖行政执法机关印章", default=False)
    deliverers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="送达人")
    recipient_name = models.CharField("签收人", max_length=100, blank=True)
    recipient_relation = models.CharField(
        "签收人与受送达人的关系", max_length=16, choices=RecipientRelation, blank=True
    )
    reason = models.TextField("事由", blank=True)
    witnesses = models.TextField("见证人", blank=True)
    av_record = models.ForeignKey(
        "avrecords.AVRecord", on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name="音像记录"
    )
    postal_kind = models.CharField("邮寄方式", max_length=16, choices=PostalKind, blank=True)
    tracking_no = models.CharField("邮件号", max_length=64, blank=True)
    sent_on = models.DateField("交邮（发出）日期", null=True, blank=True)
    listed_documents = models.TextField("邮寄清单载明的文书名称及文号", blank=True)
    organ_kind = models.CharField("受委托机关或转交单位类别", max_length=16, choices=OrganKind, blank=True)
    organ_name = models.CharField("受委托机关或转交单位名称", max_length=200, blank=True)
    deliverer_name = models.CharField("受委托或转交单位的送达人", max_length=100, blank=True)
    carrier = models.CharField("公告载体", max_length=16, choices=Carrier, blank=True)
    published_on = models.DateField("公告发布日期", null=True, blank=True)
    present_persons = models.TextField("在场人员", blank=True)
    consent = models.ForeignKey(
        "AddressConfirmation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="送达地址确认书",
    )
    electronic_address = models.CharField("电子送达地址", max_length=200, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="结果登记人",
    )
    completed_at = models.DateTimeField("结果登记时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "送达记录"
        verbose_name_plural = "送达记录"
        ordering = ["document", "recorded_at", "pk"]
        constraints = [
            # A document is served once: at most one successful attempt.
            models.UniqueConstraint(
                fields=["document"], condition=Q(outcome="served"), name="delivery_one_success_per_document"
            ),
            models.CheckConstraint(
                name="delivery_served_has_date",
                condition=~Q(outcome="served") | Q(served_on__isnull=False),
            ),
            models.CheckConstraint(
                name="delivery_failed_has_reason", condition=~Q(outcome="failed") | ~Q(failure_reason="")
            ),
            # 第十九条: registered mail or EMS, nothing else.
            models.CheckConstraint(name="delivery_postal_kind", condition=~Q(method="postal") | ~Q(postal_kind="")),
            # 《行政处罚法》第六十一条: electronic service only on the party's recorded consent.
            models.CheckConstraint(
                name="delivery_electronic_consent", condition=~Q(method="electronic") | Q(consent__isnull=False)
            ),
        ]
        indexes = [models.Index(fields=["case", "document"], name="delivery_by_case_document")]

    def __str__(self) -> str:
        return f"{self.get_method_display()}·{self.get_outcome_display()}"


class DeliveryFile(models.Model):
    """A file that proves one element of an attempt (the signed 送达回证, the mailing
    registration, the postage receipt, the return receipt, the mailing list, the letter of
    entrustment, the announcement text, its photo, the electronic success record). The bytes are
    a case attachment."""

    attempt = models.ForeignKey(
        DeliveryAttempt, on_delete=models.PROTECT, related_name="files", verbose_name="送达记录"
    )
    element = models.CharField("证明事项", max_length=32)
    attachment = models.ForeignKey("cases.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name="文件")

    class Meta:
        verbose_name = "送达材料"
        verbose_name_plural = "送达材料"
        ordering = ["attempt", "pk"]
        constraints = [models.UniqueConstraint(fields=["attempt", "element"], name="delivery_file_once_per_element")]

    def __str__(self) -> str:
        return self.element


class AddressConfirmation(models.Model):
    """送达地址确认书 (最高法解释第一百三十六条; 《行政处罚法》第六十一条): the address the party
    confirms for service and, where it agrees, its electronic address. The party's signed form
    is kept as a scan; electronic service (delivery/methods.py) is refused without one that
    consents. A later confirmation of the same party replaces the earlier one."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    party = models.ForeignKey("cases.Party", on_delete=models.PROTECT, related_name="+", verbose_name="当事人")
    postal_address = models.CharField("送达地址", max_length=255)
    phone = models.CharField("联系电话", max_length=64, blank=True, validators=[validate_phone])
    electronic_consent = models.BooleanField("同意电子送达", default=False)
    electronic_address = models.CharField("电子送达地址（电子邮箱、手机号码等）", max_length=200, blank=True)
    signed_on = models.DateField("当事人签署日期")
    scan = models.ForeignKey(
        "cases.Attachment", on_delete=models.PROTECT, related_name="+", verbose_name="签署的确认书（扫描件）"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "送达地址确认书"
        verbose_name_plural = "送达地址确认书"
        ordering = ["case", "party", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="address_consent_has_address",
                condition=Q(electronic_consent=False) | ~Q(electronic_address=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} 送达地址确认书"


from .models_execution import *  # noqa
