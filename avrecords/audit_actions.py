"""The audit actions of audio-visual records (第十一、十二、二十六、二十七条). The custody
report (chain of custody of one record) reads its labels from here too."""

from django.db import models


class AuditAction(models.TextChoices):
    STATION_CREATED = "av.station_created", "登记采集站"
    STATION_TOKEN_ROTATED = "av.station_token_rotated", "更换采集站密钥"
    UPLOAD_STARTED = "av.upload_started", "开始上传音像文件"
    UPLOAD_REWOUND = "av.upload_rewound", "上传断点回退"
    UPLOAD_TERMINATED = "av.upload_terminated", "终止上传"
    UPLOAD_ASSEMBLED = "av.upload_assembled", "拼接分段上传的音像文件"
    RECEIVED = "av.received", "收到音像记录"
    HASHED = "av.hashed", "计算音像文件校验值"
    STORED = "av.stored", "音像原件存入专门存储"
    PROBED = "av.probed", "识别音像文件格式"
    FLAGGED = "av.flagged", "音像文件存在问题"
    PROCESSED = "av.processed", "音像文件处理完成"
    ASSIGNED = "av.assigned", "音像记录归入案件"
    OWNER_SET = "av.owner_set", "变更音像记录制作人"
    DESCRIBED = "av.described", "填写音像记录说明"
    LATE_EXPLAINED = "av.late_explained", "说明逾期存储原因"
    FINALISED = "av.finalised", "音像记录定稿"
    INTEGRITY_CHECKED = "av.integrity_checked", "核验音像原件完整性"
    SM3_RECORDED = "av.sm3_recorded", "记录音像原件SM3校验值"
    EXPECTED = "av.expected", "应有同步音像记录"
    EXPECTED_WITHDRAWN = "av.expected_withdrawn", "撤销应有音像记录"
    EXPECTED_FULFILLED = "av.expected_fulfilled", "应有音像记录已提交"
    VIEWED = "av.viewed", "查看音像记录"
    PLAYED = "av.played", "播放音像记录"
    DOWNLOADED = "av.downloaded", "下载音像原件"
    CUSTODY_REPORT = "av.custody_report", "导出音像记录保管链"
    RETENTION_EXTENDED = "av.retention_extended", "原件保存期限随案卷延长"
