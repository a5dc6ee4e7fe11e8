"""The audit actions of the archive (第六章)."""

from django.db import models


class AuditAction(models.TextChoices):
    # A download has legal weight (STYLE.md): who took the case file, when, which items.
    VOLUME_DOWNLOADED = "archive.volume_downloaded", "下载案卷PDF"
    # Statistics (archive.views_stats): who took which table, with which filters.
    STATS_EXPORTED = "archive.stats_exported", "导出统计表（CSV）"
    EXPORT_REQUESTED = "archive.export_requested", "申请导出电子案卷"
    EXPORT_FINISHED = "archive.export_finished", "电子案卷导出完成"
    EXPORT_FAILED = "archive.export_failed", "电子案卷导出失败"
    EXPORT_DOWNLOADED = "archive.export_downloaded", "下载电子案卷归档包"
    # 第二十九条: consultation — the request, the head's decision, every view; the answer package.
    CONSULT_REQUESTED = "archive.consult_requested", "登记查阅申请"
    CONSULT_DECIDED = "archive.consult_decided", "查阅申请审批"
    CONSULT_VIEWED = "archive.consult_viewed", "查阅案卷材料"
    CONSULT_AUTHORISATION_VIEWED = "archive.consult_authorisation_viewed", "查看查阅申请的授权委托书"
    ANSWER_EXPORTED = "archive.answer_exported", "导出复议答复材料"
    # Sealing (归档, 第二十八条) and what may happen after it.
    ARRANGED = "archive.arranged", "调整卷内排列与题名"
    SEALED = "archive.sealed", "案卷归档"
    SEAL_OVERRIDE_ASKED = "archive.seal_override_asked", "请求机关负责人准予归档"
    ADDENDUM_REQUESTED = "archive.addendum_requested", "申请补充归档材料"
    ADDENDUM_APPROVED = "archive.addendum_approved", "批准补充归档材料"
    ADDENDUM_REFUSED = "archive.addendum_refused", "不予批准补充归档材料"
    # 第二十九条: every read of a file is on the trail (as cases' attachment.downloaded).
    ADDENDUM_SCAN_VIEWED = "archive.addendum_scan_viewed", "查看补充材料扫描件"
    # 第二十八条: the volume as sealed (and after each approved addendum), rendered once and stored.
    VOLUME_STORED = "archive.volume_stored", "案卷PDF定稿存储"
