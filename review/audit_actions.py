"""The audit actions of review (第四章). The transitions' entries (`case.submit_for_review` …)
are declared by cases."""

from django.db import models


class AuditAction(models.TextChoices):
    # 第十四条; 《行政处罚法》第四十四、四十五、六十二条: the notice and how the party was heard.
    NOTICE_ISSUED = "review.notice_issued", "制作行政处罚事先告知书"
    NOTICE_SERVED = "review.notice_served", "登记事先告知书送达日期"
    DEFENCE_RECORDED = "review.defence_recorded", "记录陈述申辩及复核意见"
    DEFENCE_WAIVED = "review.defence_waived", "记录当事人放弃陈述申辩"
    DEFENCE_LAPSED = "review.defence_lapsed", "记录陈述申辩期限届满未陈述申辩"
    # 第十五条; 《行政处罚法》第六十三至六十五条: the hearing.
    HEARING_REQUESTED = "review.hearing_requested", "登记听证申请"
    HEARING_SCHEDULED = "review.hearing_scheduled", "制作听证通知书"
    HEARING_AGENT_ADDED = "review.hearing_agent_added", "登记听证委托代理人"
    HEARING_RECUSAL_REQUESTED = "review.hearing_recusal_requested", "登记听证回避申请"
    HEARING_RECUSAL_DECIDED = "review.hearing_recusal_decided", "负责人决定听证回避申请"
    HEARING_RECORDED = "review.hearing_recorded", "制作听证笔录"
    HEARING_ABSENT = "review.hearing_absent", "记录当事人未出席听证（视为放弃）"
    HEARING_WITHDRAWN = "review.hearing_withdrawn", "记录当事人撤回听证申请"
    HEARING_REPORTED = "review.hearing_reported", "制作听证报告"
