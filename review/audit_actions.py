"""The audit actions of the review app (第四章). Transitions (`case.<name>`) are declared by
cases; these are review's own rows."""

from django.db import models


class AuditAction(models.TextChoices):
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
