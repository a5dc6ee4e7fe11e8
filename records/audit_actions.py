"""The audit actions of the written investigation records (第十条)."""

from django.db import models


class AuditAction(models.TextChoices):
    CREATED = "record.created", "制作调查取证记录（草稿）"
    UPDATED = "record.updated", "修改调查取证记录草稿"
    FINALISED = "record.finalised", "调查取证记录定稿"
    CORRECTION_STARTED = "record.correction_started", "制作更正记录"
    CORRECTED = "record.corrected", "记录被更正"
    # 《行政处罚法》第五十六条: evidence registered and preserved in advance.
    PRESERVATION_REQUESTED = "record.preservation_requested", "报请批准先行登记保存"
    PRESERVATION_APPROVED = "record.preservation_approved", "负责人批准先行登记保存"
    PRESERVATION_APPROVED_LATE = "record.preservation_approved_late", "负责人事后补批先行登记保存"
    PRESERVATION_REFUSED = "record.preservation_refused", "负责人不批准先行登记保存"
    PRESERVATION_APPROVAL_VOID = "record.preservation_approval_void", "先行登记保存内容修改，原批准失效"
    PRESERVATION_DECIDED = "record.preservation_decided", "对先行登记保存的证据作出处理决定"
    COMMISSION_OPINION = "record.commission_opinion", "收到受托机构意见"
