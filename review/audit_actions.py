"""The audit actions of 第四章 (审查与决定). The transitions themselves (case.submit_for_review,
case.complete_review, case.decide …) are declared by cases; sign-offs are signoff.signed."""

from django.db import models


class AuditAction(models.TextChoices):
    # --- core: the decision draft and the approval queues (第十三条、第十六条) -----------------
    DECISION_DRAFTED = "review.decision_drafted", "拟写处理决定"
    DECISION_UPDATED = "review.decision_updated", "修改处理决定草稿"
    DECISION_MADE = "review.decision_made", "作出处理决定"
    CLAIM_TAKEN = "review.claim_taken", "领取审批事项"
    CLAIM_RELEASED = "review.claim_released", "放弃审批事项"
    CLAIM_REASSIGNED = "review.claim_reassigned", "转交审批事项"
