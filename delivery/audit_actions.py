"""The audit actions of 第五章 delivery (第十七至二十二条). The transition itself
(case.mark_delivered) is declared by cases."""

from django.db import models


class AuditAction(models.TextChoices):
    ATTEMPT_RECORDED = "delivery.attempt_recorded", "登记送达"
    ATTEMPT_COMPLETED = "delivery.attempt_completed", "登记送达结果"
    ADDRESS_CONFIRMED = "delivery.address_confirmed", "登记送达地址确认书"
