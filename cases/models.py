"""The Case aggregate: every stage app hangs its records on a Case (第二章 and onwards)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from linke.validators import validate_identity_number, validate_phone

if TYPE_CHECKING:
    from accounts.models import User


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
    # A mistaken registration withdrawn with the head's approval; kept, with its 登记号.
    WITHDRAWN = "withdrawn", "已撤销登记"
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


def confidentiality_field(default: str = Confidentiality.NONE) -> models.CharField:
    """The confidentiality marker every case record carries (第二十九条第二款)."""
    return models.CharField("保密标识", max_length=16, choices=Confidentiality, blank=True, default=default)


class Case(models.Model):
    # 登记号: taken at registration from its own gap-free series; every case has one.
    registration_number = models.CharField("登记号", max_length=64, unique=True)
    # 案号: the 立案号 (临科罚立〔YYYY〕N号) taken when the head approves filing, or the 受理号
    # (临科许受〔YYYY〕N号) taken on acceptance; empty for a case never filed or accepted.
    number = models.CharField("案号", max_length=64, unique=True, null=True, blank=True)
    kind = models.CharField("案件类别", max_length=16, choices=CaseKind)
    origin = models.CharField("启动方式", max_length=16, choices=CaseOrigin)
    state = models.CharField("阶段", max_length=20, choices=CaseState, db_index=True)
    title = models.CharField("案由", max_length=200)
    summary = models.TextField("基本案情", blank=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name="承办科室", on_delete=models.PROTECT, related_name="cases"
    )
    officers: "models.ManyToManyField[User, CaseOfficer]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="承办人", through="CaseOfficer", related_name="handled_cases"
    )
    confidentiality = confidentiality_field()
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
            # The case list, newest first (ORDER BY created_at DESC, id DESC LIMIT 25).
            models.Index(fields=["-created_at", "-id"], name="case_recent"),
            # Which of an officer's cases lie outside their department (selectors): an
            # index-only join from CaseOfficer instead of a scan of every case.
            models.Index(fields=["id"], include=["department"], name="case_id_department"),
            # The head's dashboard (cases awaiting filing approval) and the counts by stage.
            models.Index(fields=["state", "updated_at"], name="case_by_state"),
            # The statistics page (archive.stats): each count by stage and by month reads only
            # an index (index-only scans over the year's range), never the case rows.
            models.Index(fields=["created_at"], include=["state", "department"], name="case_stats_created"),
            models.Index(fields=["filed_at"], include=["department"], name="case_stats_filed"),
            models.Index(fields=["concluded_at"], include=["department"], name="case_stats_concluded"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        """How the case is referred to: its 案号 once filed or accepted, else its 登记号."""
        return self.number or self.registration_number

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])


class CaseOfficer(models.Model):
    """A handling officer of a case (Administrative Penalty Law art. 42: at least two, each
    with a 执法证号)."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="assignments")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="执法人员", on_delete=models.PROTECT, related_name="case_assignments"
    )
    is_lead = models.BooleanField("主办", default=False)
    # The officer's 执法证号 when assigned (《行政处罚法》第四十二条), kept with the case: a
    # certificate lapsing or renumbered later does not change who was certified when handling it.
    cert_no = models.CharField("执法证号（指派时）", max_length=32, blank=True)
    assigned_at = models.DateTimeField("指派时间", auto_now_add=True)

    class Meta:
        verbose_name = "承办人"
        verbose_name_plural = "承办人"
        constraints = [models.UniqueConstraint(fields=["case", "officer"], name="case_officer_unique")]
        # "Cases I handle": the officer side of the join.
        indexes = [models.Index(fields=["officer", "case"], name="case_officer_by_officer")]

    def __str__(self) -> str:
        return f"{self.officer}{'（主办）' if self.is_lead else ''}"


# --- Parties (当事人) -------------------------------------------------------------------


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class Party(models.Model):
    """A party of the case (第八条: 当事人基本情况). For a person `id_number` is the 居民身份证号,
    for an organisation the 统一社会信用代码; pages show it masked to those who do not need it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties", verbose_name="案件")
    kind = models.CharField("类型", max_length=16, choices=PartyKind, default=PartyKind.ORGANISATION)
    name = models.CharField("姓名或名称", max_length=200)
    # The check digit of either kind here; PartyForm also checks it matches the party's kind.
    id_number = models.CharField(
        "证件号码或统一社会信用代码", max_length=32, blank=True, validators=[validate_identity_number]
    )
    legal_rep = models.CharField("法定代表人（负责人）", max_length=64, blank=True)
    address = models.CharField("住所（地址）", max_length=255, blank=True)
    phone = models.CharField("联系电话", max_length=32, blank=True, validators=[validate_phone])
    confidentiality = confidentiality_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["case", "pk"]
        constraints = [
            # A legal representative belongs to an organisation only.
            models.CheckConstraint(name="party_person_no_legal_rep", condition=~Q(kind="person") | Q(legal_rep="")),
        ]
        indexes = [
            # Case list search by party name (prefix / exact); the case side uses the FK index.
            models.Index(fields=["name"], name="party_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id(self.id_number)


def mask_id(value: str) -> str:
    """3713**********1234: enough to tell two parties apart, not enough to misuse."""
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


# --- 第七条: by application ------------------------------------------------------------


class ApplicationForm(models.TextChoices):
    WRITTEN = "written", "书面申请"
    ORAL = "oral", "口头申请"


class ApplicationDecision(models.TextChoices):
    PENDING = "", "尚未决定"
    ACCEPTED = "accepted", "受理"
    REJECTED = "rejected", "不予受理"


class RefusalGround(models.TextChoices):
    """Why an application is not accepted (《行政许可法》第三十二条第一款)."""

    NOT_REQUIRED = "not_required", "申请事项依法不需要取得行政许可"  # 第（一）项
    NOT_COMPETENT = "not_competent", "申请事项依法不属于本机关职权范围"  # 第（二）项
    OTHER = "other", "其他依法不予受理的情形"


class Application(models.Model):
    """第七条: the application that starts a licensing case. An oral application is put in
    writing by the officer (`oral_record`)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="application", verbose_name="案件")
    form = models.CharField("申请方式", max_length=16, choices=ApplicationForm)
    received_at = models.DateTimeField("申请时间")
    matter = models.CharField("申请事项", max_length=200)
    materials = models.TextField("申请材料", blank=True)
    oral_record = models.TextField(
        "口头申请记录", blank=True, help_text="口头申请的，由执法人员如实记录申请内容，并经申请人确认。"
    )
    decision = models.CharField("受理决定", max_length=16, choices=ApplicationDecision, blank=True, default="")
    decision_reason = models.TextField("受理或不予受理的理由", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="决定人",
    )
    # 《行政许可法》第三十二条第一款第（四）项: the day the application counts as accepted: the
    # decision day, or the day of receipt when the applicant was not told of missing material
    # within 5 working days (`deemed_accepted`). The 20 working days of 第四十二条 count from it.
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    deemed_accepted = models.BooleanField("逾期未告知补正，自收到申请材料之日起即为受理", default=False)
    # 不予受理: the ground, the reason written for the applicant (printed in the 不予受理决定书; the
    # officer's internal opinion is `decision_reason`) and, for 第三十二条第一款第（二）项, the organ
    # the applicant is to apply to.
    refusal_ground = models.CharField("不予受理的情形", max_length=16, choices=RefusalGround, blank=True)
    refusal_reason = models.TextField("不予受理理由（告知申请人）", blank=True)
    competent_organ = models.CharField("应当向其申请的行政机关", max_length=200, blank=True)
    confidentiality = confidentiality_field()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请记录"
        verbose_name_plural = "申请记录"
        constraints = [
            models.CheckConstraint(
                name="application_decided_has_date", condition=Q(decision="") | Q(decided_at__isnull=False)
            ),
            # 《行政许可法》第三十二条第一款第（二）项: tell the applicant which organ to apply to.
            models.CheckConstraint(
                name="application_not_competent_names_organ",
                condition=~Q(refusal_ground="not_competent") | ~Q(competent_organ=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()}：{self.matter}"


class ApplicationEventKind(models.TextChoices):
    CORRECTION = "correction", "当场更正"
    SUPPLEMENT_REQUEST = "supplement_request", "告知补正材料"
    SUPPLEMENT_RECEIVED = "supplement_received", "收到补正材料"


class ApplicationEvent(models.Model):
    """第七条: on-the-spot corrections and requests for / receipt of supplementary materials."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="application_events", verbose_name="案件")
    kind = models.CharField("事项", max_length=24, choices=ApplicationEventKind)
    occurred_at = models.DateTimeField("时间")
    content = models.TextField("内容")
    confidentiality = confidentiality_field()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请补正更正记录"
        verbose_name_plural = "申请补正更正记录"
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


# --- 第八条: ex officio, and the filing approval of every penalty case -----------------------


class CaseSource(models.TextChoices):
    INSPECTION = "inspection", "监督检查中发现"
    COMPLAINT = "complaint", "投诉、举报"
    ASSIGNED = "assigned", "上级机关交办"
    TRANSFERRED = "transferred", "其他机关移送"
    OTHER = "other", "其他途径"


class FilingRecord(models.Model):
    """第八条第一款: the filing approval form (立案审批表): why and from where the case came, and
    when it was submitted. The 承办人, 承办机构 and 机关负责人 opinions are `SignOff` rows of the
    step `SignOffStep.FILING`."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="filing", verbose_name="案件")
    cause = models.TextField("启动原因", blank=True)
    source = models.CharField("案件来源", max_length=16, choices=CaseSource, blank=True)
    source_detail = models.CharField("来源说明", max_length=255, blank=True)
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    confidentiality = confidentiality_field()

    class Meta:
        verbose_name = "立案审批记录"
        verbose_name_plural = "立案审批记录"

    def __str__(self) -> str:
        return f"{self.case.ref} 立案审批记录"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.case_id])


# --- Sign-offs: every opinion of every approval step is a row (第八条, 第十三条, 第十六条) ---------


class Level(models.TextChoices):
    """The levels that sign a step of the procedure."""

    OFFICER = "officer", "承办人"
    UNIT = "unit", "承办机构负责人"
    LEGAL = "legal", "法规科"
    HEAD = "head", "机关负责人"
    # 第二十八条: the 备考表's 检查人 — another archivist, 法规科 or the head, never the 立卷人.
    CHECK = "check", "检查人"


class SignOffStep(models.TextChoices):
    """The approval steps of a case. Each stage app signs its own steps."""

    FILING = "filing", "立案审批"  # 第八条第一款
    # 第十三条: 审理 is its own step (法规科); 审核 (法规科) and 批准 (机关负责人) are the levels of
    # REVIEW, whose rounds also count the returns for more investigation. The 审理 row carries
    # the REVIEW round it belongs to, so a return makes all three be signed again.
    EXAMINATION = "examination", "案件审理"
    REVIEW = "review", "案件审查"  # 第十三条 (审核/批准; a return for more investigation)
    LEGAL_REVIEW = "legal_review", "法制审核"  # 第十六条
    DECISION = "decision", "作出决定"  # 第十六条
    PRESERVATION = "preservation", "先行登记保存审批"  # 《行政处罚法》第五十六条
    CONSULTATION = "consultation", "查阅审批"  # 第二十九条
    CONCLUSION = "conclusion", "结案审批"
    WITHDRAWAL = "withdrawal", "撤销登记"
    # 《行政处罚法》第六十条 / 《行政许可法》第四十二条: the head approves extending the decision period.
    PERIOD_EXTENSION = "period_extension", "延长办理期限审批"
    # 《行政处罚法》第六十四条第（四）项: the head decides a recusal request against the hearing's
    # chair or recorder (one round per request).
    HEARING_RECUSAL = "hearing_recusal", "听证回避决定"
    # 第五章 (delivery): 《行政处罚法》第六十六条 deferral or instalments of a fine, on the party's
    # application, approved by the head; 《行政强制法》第五十五条 the court-enforcement application
    # is signed by the head.
    PAYMENT_DEFERRAL = "payment_deferral", "延期（分期）缴纳罚款审批"
    ENFORCEMENT_APPLICATION = "enforcement_application", "申请法院强制执行审批"
    # 第六章 (archive): the head lets a case file with a failing veto item of the quality review be
    # sealed (with the reason); a correction to a sealed file is an addendum the head approves.
    SEAL_OVERRIDE = "seal_override", "评查否决项放行"
    ADDENDUM = "addendum", "归档后补正审批"
    # 第二十八条: the 检查人 checks the arranged file before sealing (agree, or return with a
    # reason); the check is bound to the catalogue it saw (SignOff.digest).
    ARCHIVE_CHECK = "archive_check", "案卷检查"


class SignOffOutcome(models.TextChoices):
    AGREE = "agree", "同意"
    RETURN = "return", "退回"
    REFUSE = "refuse", "不同意"


class SignOff(models.Model):
    """One signature at one level of one approval step: who, when, the opinion in their own
    words, and the outcome. Rows are never changed or deleted. A step returned by a higher
    level starts a new `round`; each level signs at most once per round, and nobody signs two
    levels of one step (`cases.signoffs.signoff_record` checks; the constraint backs it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="signoffs", verbose_name="案件")
    step = models.CharField("环节", max_length=32, choices=SignOffStep)
    round = models.PositiveSmallIntegerField("轮次", default=1)
    level = models.CharField("层级", max_length=16, choices=Level)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签署人"
    )
    outcome = models.CharField("结论", max_length=16, choices=SignOffOutcome)
    opinion = models.TextField("意见")
    signed_at = models.DateTimeField("签署时间", default=timezone.now)
    # What the signer saw, for a step bound to content (ARCHIVE_CHECK: the SHA-256, 64 hex digits,
    # of the catalogue checked; archive.sealing.catalogue_digest); "" for the other steps.
    digest = models.CharField("所签内容摘要", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "签署意见"
        verbose_name_plural = "签署意见"
        ordering = ["case", "step", "round", "signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "round", "level"], name="signoff_once_per_level"),
            models.CheckConstraint(name="signoff_has_opinion", condition=~Q(opinion="")),
        ]
        indexes = [
            models.Index(fields=["case", "step", "round"], name="signoff_by_step"),
            # The officers' requests a head signs (withdrawal, preservation): a few rows among
            # every sign-off, found without scanning them (cases.selectors._requests_open).
            models.Index(fields=["step", "case"], name="signoff_requests", condition=Q(level="officer")),
        ]

    def __str__(self) -> str:
        return f"{self.get_step_display()}·{self.get_level_display()}：{self.get_outcome_display()}"


# --- 第九条: complaint or report -------------------------------------------------------


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", "电话"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    ONLINE = "online", "网络平台"
    HOTLINE = "hotline", "12345热线转办"
    OTHER = "other", "其他"


class Complaint(models.Model):
    """第九条第一款: who complained (or anonymous), what, who recorded it, how it was handled."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="complaint", verbose_name="案件")
    anonymous = models.BooleanField("匿名", default=False)
    complainant_name = models.CharField("投诉举报人姓名或名称", max_length=200, blank=True)
    complainant_id_number = models.CharField(
        "证件号码", max_length=32, blank=True, validators=[validate_identity_number]
    )
    complainant_phone = models.CharField("联系电话", max_length=32, blank=True, validators=[validate_phone])
    complainant_address = models.CharField("联系地址", max_length=255, blank=True)
    channel = models.CharField("渠道", max_length=16, choices=ComplaintChannel)
    received_at = models.DateTimeField("接收时间")
    content = models.TextField("投诉举报内容")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    handling = models.TextField("处理情况", blank=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="处理人",
    )
    # The complainant's identity is personal information (第二十九条第二款).
    confidentiality = confidentiality_field(default=Confidentiality.PRIVACY)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉举报记录"
        verbose_name_plural = "投诉举报记录"
        constraints = [
            # A real-name complaint names someone.
            models.CheckConstraint(
                name="complaint_named_has_name", condition=Q(anonymous=True) | ~Q(complainant_name="")
            ),
        ]

    def __str__(self) -> str:
        who = "匿名" if self.anonymous else self.complainant_name
        return f"{who}：{self.content[:30]}"

    @property
    def complainant_id_masked(self) -> str:
        return mask_id(self.complainant_id_number)


# --- 第八条第二款 / 第九条第二款: not starting a case ---------------------------------------


class NoticeMethod(models.TextChoices):
    DIRECT = "direct", "当面告知"
    WRITTEN = "written", "书面告知"
    MAIL = "mail", "邮寄告知"
    PHONE = "phone", "电话告知"
    SMS = "sms", "短信告知"
    PUBLIC = "public", "向社会公示"


class NonInitiation(models.Model):
    """The decision not to start proceedings and how it was made known: to the party or the
    public (第八条第二款), and to a real-name complainant (第九条第二款)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="non_initiation", verbose_name="案件")
    reason = models.TextField("不予立案理由")
    decided_at = models.DateTimeField("决定时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="决定人"
    )
    notice_method = models.CharField("告知或公示方式", max_length=16, choices=NoticeMethod, blank=True)
    notice_at = models.DateTimeField("告知或公示时间", null=True, blank=True)
    notice_detail = models.TextField("告知或公示情况", blank=True)
    notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="告知人",
    )
    complainant_notice_method = models.CharField("告知投诉举报人方式", max_length=16, choices=NoticeMethod, blank=True)
    complainant_notice_at = models.DateTimeField("告知投诉举报人时间", null=True, blank=True)
    complainant_notice_detail = models.TextField("告知投诉举报人情况", blank=True)
    complainant_notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="告知人",
    )
    confidentiality = confidentiality_field()

    class Meta:
        verbose_name = "不予立案记录"
        verbose_name_plural = "不予立案记录"
        constraints = [
            models.CheckConstraint(
                name="noninit_notice_has_time", condition=Q(notice_method="") | Q(notice_at__isnull=False)
            ),
            models.CheckConstraint(
                name="noninit_complainant_notice_has_time",
                condition=Q(complainant_notice_method="") | Q(complainant_notice_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.ref} 不予立案记录"

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.case_id])


# --- Attachments (scans, photos) --------------------------------------------------------


class Attachment(models.Model):
    """A file belonging to a case and, optionally, to one of its records (`owner`, e.g. an
    inquiry record of the records app). Stored in the default storage under a key derived
    from its SHA-256, so the same bytes twice are one object."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments", verbose_name="案件")
    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="所属记录类型",
    )
    object_id = models.PositiveBigIntegerField("所属记录ID", null=True, blank=True)
    owner = GenericForeignKey("content_type", "object_id")
    file = models.FileField("文件", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.BigIntegerField("大小（字节）")
    original_name = models.CharField("原文件名", max_length=255)
    mime_type = models.CharField("文件类型", max_length=100, blank=True)
    description = models.CharField("说明", max_length=255, blank=True)
    confidentiality = confidentiality_field()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="attachment_owner_complete",
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
            ),
        ]
        indexes = [
            # The attachments of one record.
            models.Index(fields=["content_type", "object_id"], name="attachment_owner"),
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("cases:attachment", args=[self.case_id, self.pk])
