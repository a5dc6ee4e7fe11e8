"""The quality-review rule sheet (案卷评查): one row per item Linke can check from its own
records, kept as data so the legal-affairs section sets the points (鲁司〔2023〕33号 gives no
point values) and switches items on or off in the admin."""

from typing import Any

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


class RuleKind(models.TextChoices):
    VETO = "veto", "否决项"
    POINTS = "points", "扣分项"


class QualityRule(models.Model):
    """A rule: `check_name` names a function registered in archive.checks; `points` (0–100) is
    deducted when it fails; a failing veto makes the score 0 whatever the points."""

    code = models.CharField("编码", max_length=40, unique=True)
    source = models.CharField("依据来源", max_length=200)
    kind = models.CharField("类型", max_length=8, choices=RuleKind)
    points = models.PositiveSmallIntegerField("扣分", default=0)
    check_name = models.CharField("检查项", max_length=60, help_text="archive.checks 中登记的检查函数名")
    message = models.CharField("问题描述", max_length=200)
    enabled = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "评查规则"
        verbose_name_plural = "评查规则"
        ordering = ["order", "code"]
        constraints = [models.CheckConstraint(name="quality_rule_points_max_100", condition=models.Q(points__lte=100))]

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


from .models_consultation import ConsultationAccess, ConsultationItem, ConsultationRequest  # noqa: E402,F401
from .models_export import ExportJob, ExportStatus  # noqa: E402,F401
from .models_stats import CaseScore  # noqa: E402,F401  (statistics: stored quality scores)

# --- sealing (归档, 第二十八条) ------------------------------------------------------------------


class ArchiveDuty(models.Model):
    """第二十八条第二款 "明确专人负责": the archivist designated for a department's case files. The
    ARCHIVE_FILE deadline of a case goes to its department's 专人; without a row, to every
    archivist (archive.selectors.archivists_for)."""

    department = models.OneToOneField(
        "accounts.Department", on_delete=models.PROTECT, related_name="archive_duty", verbose_name="科室"
    )
    archivist = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="archive_duties", verbose_name="归档专人"
    )
    since = models.DateField("指定日期", auto_now_add=True)

    class Meta:
        verbose_name = "归档专人"
        verbose_name_plural = "归档专人"
        ordering = ["department__code"]

    def __str__(self) -> str:
        return f"{self.department} → {self.archivist}"


NAME_MAX = 300  # a name as the 备考表 prints it: a user's display name (last + first name, 150 each)
# The 卷内目录's 题名 (title) of an item, in characters: the archivist's title (ItemArrangement,
# the seal page's form) and an addendum's (Addendum.title) are bounded alike.
TITLE_MAX = 200
# The 备考表 is one page (archive/templates/archive/volume_back.html; measured with WeasyPrint by
# archive/tests/test_archive_check.py): its 说明 (Seal.description) at most BACK_DESCRIPTION_MAX
# characters in at most BACK_DESCRIPTION_LINES lines, the head's override reason at most
# OVERRIDE_REASON_MAX characters, and the addenda approved after sealing (titled while at most
# archive.volume.ADDENDA_TITLED, up to 200 characters each; measured to 30 addenda).
BACK_DESCRIPTION_MAX = 400
BACK_DESCRIPTION_LINES = 8
OVERRIDE_REASON_MAX = 200


class Seal(models.Model):
    """The sealing of a case file (归档): 档号, the quality score at sealing, who and when, and the
    备考表 (description, compiler, checker). One per case; written once by archive.sealing.

    立卷人 (compiler) is the sealing archivist, `sealed_by`; 检查人 (checker) is `checked_by`, who
    signed the agreeing ARCHIVE_CHECK `check_signoff` (another archivist, 法规科 or the head). `compiler` and
    `checker` keep their names as printed on the 备考表 at sealing (their display names; seals made
    before the checker was a user hold the typed names and no `checked_by`)."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="seal", verbose_name="案件")
    archival_code = models.CharField("档号", max_length=80)
    score = models.PositiveSmallIntegerField("评查得分")
    vetoed = models.BooleanField("存在否决项", default=False)
    override = models.ForeignKey(
        "cases.SignOff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="机关负责人准予归档意见",
    )
    description = models.TextField("备考表说明")
    compiler = models.CharField("立卷人", max_length=NAME_MAX)
    checker = models.CharField("检查人", max_length=NAME_MAX)
    sealed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="归档人（立卷人）"
    )
    checked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="检查人"
    )
    # The 检查人's agreeing ARCHIVE_CHECK sign-off the seal was made on (its signer is
    # `checked_by`, its date the 备考表's 检查时间); NULL for seals made before checks were signed.
    check_signoff = models.ForeignKey(
        "cases.SignOff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="检查意见",
    )
    sealed_at = models.DateTimeField("归档时间")
    # The catalogue as checked and sealed (archive.casefile.frozen_catalogue: the cover's fonds,
    # agency, category, title, retention; per item its key, volume, number, 责任者, 文号, title,
    # date, remarks). archive.casefile.assemble builds a sealed file from it, so no later
    # settings change or new item kind renumbers it (第二十八条). NULL: sealed before it was kept.
    catalogue = models.JSONField("卷内目录（归档时）", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "归档记录"
        verbose_name_plural = "归档记录"
        constraints = [
            # 立卷人 and 检查人 are two people (a NULL checked_by — an older seal — passes).
            models.CheckConstraint(
                name="seal_checker_not_compiler", condition=~models.Q(checked_by=models.F("sealed_by"))
            ),
            # One 档号 per case file (DA/T 22-2015; 第二十八条): the 案卷号 comes from a number
            # series (archive.casefile.archival_series); this refuses whatever would still repeat one.
            models.UniqueConstraint(fields=["archival_code"], name="seal_archival_code_unique"),
        ]

    def __str__(self) -> str:
        return self.archival_code


# An addendum's explanation (补充说明), in characters.
ADDENDUM_TEXT_MAX_LENGTH = 4000


class ItemArrangement(models.Model):
    """The archivist's order and title for one item of the case file, keyed by the item's stable
    key ("doc:<pk>" / "att:<pk>"; archive.casefile.item_key). Applied at the end of
    archive.casefile.assemble. Fixed before sealing; read-only after."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    key = models.CharField("材料标识", max_length=40)
    position = models.PositiveIntegerField("顺序")
    title = models.CharField("题名", max_length=TITLE_MAX, blank=True)

    class Meta:
        verbose_name = "卷内排列"
        verbose_name_plural = "卷内排列"
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="arrangement_once_per_item")]


class AddendumStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "不予批准"


class Addendum(models.Model):
    """A correction of a sealed case file (补充材料): requested by an officer of the case or the
    archivist, approved or refused by the head (SignOffStep.ADDENDUM); an approved one is
    appended after the sealed items, never an edit of them (第二十五条, 可追溯). `number` is the
    request's own number (refused ones included); `title` (at most TITLE_MAX characters)
    is the item's 题名 in the 卷内目录, `text` (at most ADDENDUM_TEXT_MAX_LENGTH) explains it."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="addenda", verbose_name="案件")
    number = models.PositiveIntegerField("申请序号")
    title = models.CharField("题名", max_length=TITLE_MAX)
    text = models.TextField("补充说明", max_length=ADDENDUM_TEXT_MAX_LENGTH)
    scan = models.FileField("扫描件", upload_to="archive/addenda/%Y/", max_length=200, blank=True)
    # The name the scan was uploaded under, served as its download name (the storage may add a
    # suffix to the stored name to keep it unique).
    scan_name = models.CharField("扫描件原文件名", max_length=200, blank=True, default="")
    # The scan's SHA-256 (hex) as uploaded (第二十八条), recorded by sealing.addendum_request: the
    # export's four-properties report checks the stored scan against it (真实性). "" without a scan
    # or for a row from before it was recorded.
    scan_sha256 = models.CharField("扫描件SHA-256", max_length=64, blank=True, default="")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=AddendumStatus, default=AddendumStatus.PENDING)
    signoff = models.ForeignKey(
        "cases.SignOff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="审批意见"
    )

    class Meta:
        verbose_name = "补充材料"
        verbose_name_plural = "补充材料"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="addendum_number_once"),
            models.CheckConstraint(
                name="addendum_title_and_text_bounded",
                condition=models.Q(LessThanOrEqual(Length("text"), ADDENDUM_TEXT_MAX_LENGTH))
                & ~models.Q(title="")
                & ~models.Q(text=""),
            ),
        ]

    def __str__(self) -> str:
        return f"补充材料{self.number}：{self.title}"

    @property
    def file(self) -> Any:
        """The scan, under the name archive.volume reads an item's PDF by."""
        return self.scan

    @property
    def scan_filename(self) -> str:
        """The scan's download name: as uploaded, else (a row from before scan_name) the stored one."""
        return self.scan_name or self.scan.name.rsplit("/", 1)[-1]


from .models_volume import SealedVolume  # noqa: E402,F401  (the stored sealed volume)
