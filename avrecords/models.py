"""Audio-visual records (音像记录, 第十一、十二、二十六、二十七条): the devices that make and
deliver them, the resumable uploads that bring them in, and the records themselves.

Originals live in the dedicated store (`storages["originals"]`, 第二十七条 专用存储器) under a
key derived from their SHA-256; the rows here only point at them. Derived files (poster,
proxy, waveform, thumbnail) live in the default store, kept apart from the original.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cases.models import confidentiality_field


class Recorder(models.Model):
    """A body-worn recorder (执法记录仪, GA/T 947)."""

    serial = models.CharField("设备序列号", max_length=64, unique=True)
    model = models.CharField("型号", max_length=100, blank=True)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="配发执法人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recorders",
    )
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法记录仪"
        verbose_name_plural = "执法记录仪"
        ordering = ["serial"]

    def __str__(self) -> str:
        return f"{self.serial}（{self.model}）" if self.model else self.serial


class CollectionStation(models.Model):
    """A collection station (采集站): a machine that pushes recorder files over the tus API.
    Only the SHA-256 of its token is stored; `create_station` prints the token once."""

    name = models.CharField("名称", max_length=100, unique=True)
    location = models.CharField("安放位置", max_length=200, blank=True)
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    token_prefix = models.CharField("令牌前缀", max_length=8, editable=False)
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    last_seen_at = models.DateTimeField("最近上传", null=True, blank=True)

    class Meta:
        verbose_name = "采集站"
        verbose_name_plural = "采集站"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UploadState(models.TextChoices):
    RECEIVING = "receiving", "接收中"
    COMPLETE = "complete", "已完成"
    TERMINATED = "terminated", "已终止"


class UploadConcat(models.TextChoices):
    """tus concatenation: a client sends parts in parallel (`partial`), then asks for their
    concatenation (`final`), which alone becomes a record."""

    NONE = "", "普通上传"
    PARTIAL = "partial", "部分上传"
    FINAL = "final", "拼接上传"


class Upload(models.Model):
    """One tus upload resource. Its bytes sit in a staging file named after `id` until the
    ingest pipeline has put the original in dedicated storage (a partial upload's until a
    final upload has copied them)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    length = models.BigIntegerField("总长度")
    offset = models.BigIntegerField("已接收", default=0)
    # OpenSSL's SHA-256 state after the first `offset` bytes (avrecords.hashstate): the
    # receiving side hashes as it writes, so the worker need not read the file again.
    hash_state = models.BinaryField("接收中的哈希状态", null=True, blank=True, editable=False)
    metadata = models.JSONField("元数据", default=dict, blank=True)
    state = models.CharField("状态", max_length=16, choices=UploadState, default=UploadState.RECEIVING)
    concat = models.CharField("拼接", max_length=8, choices=UploadConcat, blank=True, default=UploadConcat.NONE)
    # A final upload: the ids of its partial uploads, in order. A partial upload: the final
    # upload that took its bytes (each part goes into one final upload only).
    parts = models.JSONField("组成部分", default=list, blank=True)
    final = models.ForeignKey(
        "self", verbose_name="拼接为", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    station = models.ForeignKey(
        CollectionStation,
        verbose_name="采集站",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "上传"
        verbose_name_plural = "上传"
        constraints = [
            models.CheckConstraint(
                name="avupload_offset_in_range", condition=Q(offset__gte=0) & Q(offset__lte=models.F("length"))
            ),
            models.CheckConstraint(
                name="avupload_complete_is_full",
                condition=~Q(state="complete") | (Q(offset=models.F("length")) & Q(completed_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="avupload_has_sender", condition=Q(station__isnull=False) | Q(uploaded_by__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metadata.get('filename') or self.id}"


class MediaKind(models.TextChoices):
    UNKNOWN = "", "未识别"
    VIDEO = "video", "视频"
    AUDIO = "audio", "音频"
    PHOTO = "photo", "照片"


class ProxyMethod(models.TextChoices):
    """What the player plays: the original itself (read-only, from dedicated storage) when
    browsers play it as it is and its index is in front; else a browser copy (播放副本), the
    source's streams copied into a new MP4 when browsers play them, else encoded again. The
    original is never touched."""

    NONE = "", "未生成"
    ORIGINAL = "original", "直接播放原件"
    REMUX = "remux", "转封装"
    TRANSCODE = "transcode", "转码"


class AVRecordStatus(models.TextChoices):
    """Processing state of an audio-visual record (not records.models.RecordStatus: draft/final)."""

    RECEIVED = "received", "已接收，待入库"
    STORED = "stored", "已存入专用存储，处理中"
    READY = "ready", "可播放"
    FLAGGED = "flagged", "有问题（原件已保留）"


class AVRecord(models.Model):
    """An audio-visual record (音像记录). One per received file: a second upload of the same
    bytes is its own record (who sent it and when matters) sharing the one stored object."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    upload = models.OneToOneField(
        Upload, verbose_name="上传", on_delete=models.PROTECT, null=True, blank=True, related_name="record"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, null=True, blank=True, related_name="av_records"
    )
    # Whose inbox holds it while it has no case: the officer named in the metadata (by
    # 执法证号), the recorder's officer, or the uploading officer. None: the admin inbox.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执法人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="av_records",
    )
    recorder = models.ForeignKey(
        Recorder, verbose_name="执法记录仪", on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )
    recorder_serial = models.CharField("申报设备序列号", max_length=64, blank=True)
    station = models.ForeignKey(
        CollectionStation,
        verbose_name="采集站",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField("文件名", max_length=255, blank=True)
    important = models.BooleanField("重要标记", default=False)
    metadata = models.JSONField("上传元数据", default=dict, blank=True)

    # Recording time as the device reported it (第二十七条 runs from `ended_at`).
    started_at = models.DateTimeField("开始录制", null=True, blank=True)
    ended_at = models.DateTimeField("结束录制", null=True, blank=True)

    # Fixity: what the sender declared, and what we computed from the bytes.
    declared_sha256 = models.CharField("申报SHA-256", max_length=64, blank=True)
    declared_size = models.BigIntegerField("申报大小", null=True, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True, db_index=True)
    # SM3 (GB/T 32905) of the same bytes, computed in the same read as `sha256` at ingest (or,
    # for records older than it, at the first export: archive.export). Empty: not yet computed.
    sm3 = models.CharField("SM3", max_length=64, blank=True)
    size = models.BigIntegerField("大小（字节）", null=True, blank=True)
    original_key = models.CharField("原件存储键", max_length=200, blank=True)
    original_version = models.CharField("原件版本", max_length=200, blank=True)
    stored_at = models.DateTimeField("存入专用存储时间", null=True, blank=True)
    # The original's storage retention once it follows its case file's (avrecords.retention):
    # locked (S3 Object Lock COMPLIANCE; locally recorded here) until `retain_until`, and with
    # `retain_permanent` a legal hold as well (永久). Empty: ORIGINALS_RETENTION_DAYS from storing.
    retain_until = models.DateTimeField("原件保存期限至", null=True, blank=True)
    retain_permanent = models.BooleanField("原件永久保存", default=False)
    store_due_at = models.DateTimeField("存储期限", null=True, blank=True)
    late = models.BooleanField("逾期存储", default=False)
    late_reason = models.TextField("逾期说明", blank=True)
    last_fixity_at = models.DateTimeField("最近完整性核验", null=True, blank=True)
    fixity_ok = models.BooleanField("完整性", null=True, blank=True)

    status = models.CharField("处理状态", max_length=16, choices=AVRecordStatus, default=AVRecordStatus.RECEIVED)
    # Problems found on the way in, each {"code": ..., "reason": "<Chinese, shown to the officer>"}.
    problems = models.JSONField("问题", default=list, blank=True)
    kind = models.CharField("类型", max_length=8, choices=MediaKind, blank=True, default="")
    probe = models.JSONField("探测结果", default=dict, blank=True)
    probed_at = models.DateTimeField("探测时间", null=True, blank=True)
    duration = models.FloatField("时长（秒）", null=True, blank=True)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    video_codec = models.CharField("视频编码", max_length=32, blank=True)
    audio_codecs = models.CharField("音频编码", max_length=100, blank=True)
    audio_tracks = models.PositiveSmallIntegerField("音轨数", default=0)
    media_created_at = models.DateTimeField("文件内记录的创建时间", null=True, blank=True)
    poster = models.CharField("封面帧", max_length=200, blank=True)
    proxy = models.CharField("播放副本", max_length=200, blank=True)
    proxy_method = models.CharField("播放副本生成方式", max_length=16, choices=ProxyMethod, blank=True, default="")
    proxy_reason = models.CharField("生成方式依据", max_length=500, blank=True)
    waveform = models.CharField("波形图", max_length=200, blank=True)
    thumbnail = models.CharField("缩略图", max_length=200, blank=True)
    processed_at = models.DateTimeField("处理完成时间", null=True, blank=True)

    # 第二十六条: method, time, maker, what it proves; for sound, the text of what is said.
    method = models.CharField("制作方法", max_length=200, blank=True)
    made_at = models.DateTimeField("制作时间", null=True, blank=True)
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="制作人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proves = models.TextField("证明对象", blank=True)
    transcript = models.TextField("声音内容文字记录", blank=True)
    # 第十二条: the content points the recording covers.
    content_points = models.JSONField("重点记录内容", default=list, blank=True)
    content_other = models.CharField("其他应当记录的内容", max_length=200, blank=True)
    confidentiality = confidentiality_field()

    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="定稿人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("接收时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "音像记录"
        verbose_name_plural = "音像记录"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="avrecord_stored_has_key",
                condition=Q(stored_at__isnull=True) | (~Q(original_key="") & ~Q(sha256="")),
            ),
            models.CheckConstraint(
                name="avrecord_final_has_case", condition=Q(finalised_at__isnull=True) | Q(case__isnull=False)
            ),
        ]
        indexes = [
            # The officer's inbox: records without a case, newest first.
            models.Index(fields=["owner", "-created_at"], name="avrecord_inbox", condition=Q(case__isnull=True)),
            # Fixity scan: oldest check first.
            models.Index(fields=["last_fixity_at"], name="avrecord_fixity_due", condition=~Q(original_key="")),
        ]

    def __str__(self) -> str:
        return self.filename or str(self.uuid)

    def get_absolute_url(self) -> str:
        return reverse("avrecords:detail", args=[self.pk])

    @property
    def is_audio(self) -> bool:
        return self.kind == MediaKind.AUDIO

    @property
    def plays_original(self) -> bool:
        """The player's source is the original itself (no browser copy was needed)."""
        return self.proxy_method == ProxyMethod.ORIGINAL

    @property
    def playable(self) -> bool:
        """The record has something the player can play: a browser copy or the original."""
        return bool(self.proxy) or self.plays_original

    @property
    def problem_reasons(self) -> list[str]:
        return [p.get("reason", "") for p in self.problems]


class ExpectedRecord(models.Model):
    """A recording that a written record says was made (e.g. an on-site inspection "with
    audio-video recording") and that must reach dedicated storage within 2 working days
    (第二十七条) like any other."""

    case = models.ForeignKey("cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="av_expected")
    source_type = models.CharField("来源记录类型", max_length=64)
    source_id = models.CharField("来源记录ID", max_length=64)
    label = models.CharField("说明", max_length=200)
    ended_at = models.DateTimeField("录制结束时间")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="执法人员",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    record = models.ForeignKey(
        AVRecord,
        verbose_name="到达的音像记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="expectations",
    )
    fulfilled_at = models.DateTimeField("到达时间", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "应到音像记录"
        verbose_name_plural = "应到音像记录"
        ordering = ["ended_at"]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="avexpected_one_per_source"),
            models.CheckConstraint(
                name="avexpected_fulfilled_has_record", condition=Q(fulfilled_at__isnull=True) | Q(record__isnull=False)
            ),
        ]
        indexes = [
            models.Index(
                fields=["case"],
                name="avexpected_open_by_case",
                condition=Q(fulfilled_at__isnull=True, withdrawn_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.fulfilled_at is None and self.withdrawn_at is None


class FixityCheck(models.Model):
    """One recomputation of an original's SHA-256 from dedicated storage (an officer's
    "verify integrity" or the periodic scan)."""

    record = models.ForeignKey(
        AVRecord, verbose_name="音像记录", on_delete=models.PROTECT, related_name="fixity_checks"
    )
    checked_at = models.DateTimeField("核验时间", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核验人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expected = models.CharField("应为", max_length=64)
    computed = models.CharField("实算", max_length=64, blank=True)
    ok = models.BooleanField("一致")
    error = models.CharField("错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "完整性核验"
        verbose_name_plural = "完整性核验"
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.record} {'一致' if self.ok else '不一致'}"
