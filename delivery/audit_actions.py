"""The audit actions of 第五章 (delivery, execution, enforcement). The transitions themselves
(case.mark_delivered, case.start_execution, case.conclude) are declared by cases."""

from django.db import models


class AuditAction(models.TextChoices):
    ATTEMPT_RECORDED = "delivery.attempt_recorded", "登记送达"
    ATTEMPT_COMPLETED = "delivery.attempt_completed", "登记送达结果"
    ADDRESS_CONFIRMED = "delivery.address_confirmed", "登记送达地址确认书"
    # --- 第二十三条: execution ---------------------------------------------------------------------
    FINE_PAID = "execution.fine_paid", "记录罚款缴纳"
    PAUSE_STARTED = "execution.pause_started", "记录申请复议（提起诉讼）"
    PAUSE_ENDED = "execution.pause_ended", "记录复议（诉讼）终结"
    PLAN_APPROVED = "execution.plan_approved", "批准延期（分期）缴纳罚款"
    RECTIFICATION_CHECKED = "execution.rectification_checked", "记录责令改正核查情况"
    # --- 第二十四条: court enforcement --------------------------------------------------------------
    REMINDER_ISSUED = "enforcement.reminder_issued", "制作催告书"
    STATEMENT_RECORDED = "enforcement.statement_recorded", "记录催告陈述申辩及复核"
    APPLIED = "enforcement.applied", "申请法院强制执行"
    COURT_ACCEPTED = "enforcement.court_accepted", "记录法院受理"
    COURT_RULED = "enforcement.court_ruled", "记录法院裁定"
    COURT_RESULT = "enforcement.court_result", "记录强制执行结果"
    # --- conclusion (结案) ---------------------------------------------------------------------------
    CONCLUDED = "execution.concluded", "结案审批"
