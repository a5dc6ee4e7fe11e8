"""The audit actions of the deadlines engine and its calendar."""

from django.db import models


class AuditAction(models.TextChoices):
    OPENED = "deadline.opened", "开始计算期限"
    MET = "deadline.met", "期限事项完成"
    RECOMPUTED = "deadline.recomputed", "重新计算期限（工作日调整）"
    EXTENDED = "deadline.extended", "期限延长或扣除不计入的时间"
    ESCALATED = "deadline.escalated", "期限逾期，已提醒上级"
    RESPONSIBLE_CHANGED = "deadline.responsible_changed", "期限责任人随承办人变更"
    CALENDAR_IMPORTED = "calendar.imported", "导入法定节假日日历"
