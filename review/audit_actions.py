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
    # 《行政处罚法》第五十七、五十八条; 国办发〔2018〕118号.
    SHEET_SAVED = "review.sheet_saved", "填写法制审核、专家论证与集体讨论情形"
    LEGAL_REVIEWED = "review.legal_reviewed", "法制审核"
    EXPERT_OPINION = "review.expert_opinion", "记录专家论证意见"
    DISCUSSED = "review.discussed", "记录集体讨论"
    # 《行政处罚法》第六十条; 《行政许可法》第四十二、四十五条.
    PERIOD_EXTENDED = "review.period_extended", "延长办理期限"
    PERIOD_EXCLUDED = "review.period_excluded", "记录不计入办理期限的时间"
    # 行政执法公示; 《行政处罚法》第四十八条.
    PUBLISHED = "review.published", "公示行政执法决定"
    DECISION_CHANGED = "review.decision_changed", "记录决定被撤销或变更"
    PUBLICATION_WITHDRAWN = "review.publication_withdrawn", "撤回公示"
    # 第十四条; 《行政处罚法》第四十四、四十五、六十二条: the notice and how the party was heard.
    NOTICE_ISSUED = "review.notice_issued", "制作行政处罚事先告知书"
    NOTICE_SERVED = "review.notice_served", "事先告知书送达（期限起算）"
    DEFENCE_RECORDED = "review.defence_recorded", "记录陈述申辩及复核意见"
    DEFENCE_WAIVED = "review.defence_waived", "记录当事人放弃陈述申辩"
    DEFENCE_LAPSED = "review.defence_lapsed", "记录陈述申辩期限届满未陈述申辩"
    # 第十五条; 《行政处罚法》第六十三至六十五条: the hearing.
    HEARING_REQUESTED = "review.hearing_requested", "登记听证申请"
    HEARING_SCHEDULED = "review.hearing_scheduled", "制作听证通知书"
    HEARING_NOTICE_SERVED = "review.hearing_notice_served", "听证通知书送达"
    HEARING_AGENT_ADDED = "review.hearing_agent_added", "登记听证委托代理人"
    HEARING_RECUSAL_REQUESTED = "review.hearing_recusal_requested", "登记听证回避申请"
    HEARING_RECUSAL_DECIDED = "review.hearing_recusal_decided", "负责人决定听证回避申请"
    HEARING_RECORDED = "review.hearing_recorded", "制作听证笔录"
    HEARING_ABSENT = "review.hearing_absent", "记录当事人未出席听证（视为放弃）"
    HEARING_WITHDRAWN = "review.hearing_withdrawn", "记录当事人撤回听证申请"
    HEARING_REPORTED = "review.hearing_reported", "制作听证报告"
