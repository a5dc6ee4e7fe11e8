"""The audit actions of the cases app (第二章: how a case starts, is filed or not, and moves
between stages). Every `case.<transition>` is here, including those that stage apps reach
through `cases`' primitive, so a transition's entry is always named."""

from django.db import models


class AuditAction(models.TextChoices):
    REGISTERED = "case.registered", "登记案件"
    OFFICERS_ASSIGNED = "case.officers_assigned", "变更承办人"
    PARTY_ADDED = "party.added", "添加当事人"
    PARTY_UPDATED = "party.updated", "修改当事人"
    FILING_OPENED = "filing.opened", "填写立案审批表"
    FILING_UPDATED = "filing.updated", "修改立案信息"
    # 第八条: the officer's and the unit's opinions on filing.
    FILING_OFFICER_OPINION = "filing.officer_opinion", "签署承办人意见"
    FILING_UNIT_OPINION = "filing.unit_opinion", "签署承办机构意见"
    COMPLAINT_RECORDED = "complaint.recorded", "登记投诉举报"
    COMPLAINT_HANDLED = "complaint.handled", "记录投诉举报处理情况"
    # 第七条: applications (one per ApplicationEventKind as well).
    APPLICATION_RECORDED = "application.recorded", "登记申请"
    APPLICATION_UPDATED = "application.updated", "修改申请记录"
    APPLICATION_CORRECTION = "application.correction", "当场更正"
    APPLICATION_SUPPLEMENT_REQUEST = "application.supplement_request", "告知补正材料"
    APPLICATION_SUPPLEMENT_RECEIVED = "application.supplement_received", "收到补正材料"
    # 第八条第二款、第九条: not filed, told to the party or made public, and to the complainant.
    NON_INITIATION_NOTICE = "non_initiation.notice", "记录不予立案告知或公示"
    NON_INITIATION_COMPLAINANT_NOTICE = "non_initiation.complainant_notice", "告知实名投诉举报人"
    ATTACHMENT_ADDED = "attachment.added", "上传附件"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded", "下载附件"
    # Stage transitions: "case." + the transition's name.
    SUBMIT_FOR_FILING = "case.submit_for_filing", "提交立案审批"
    APPROVE_FILING = "case.approve_filing", "同意立案"
    REJECT_FILING = "case.reject_filing", "退回补充"
    NOT_FILE = "case.not_file", "不予立案"
    ACCEPT_APPLICATION = "case.accept_application", "受理"
    REJECT_APPLICATION = "case.reject_application", "不予受理"
    SUBMIT_FOR_REVIEW = "case.submit_for_review", "提交审查"
    RETURN_FOR_INVESTIGATION = "case.return_for_investigation", "退回补充调查"
    COMPLETE_REVIEW = "case.complete_review", "审查完毕，报请决定"
    DECIDE = "case.decide", "作出决定"
    MARK_DELIVERED = "case.mark_delivered", "送达完毕"
    START_EXECUTION = "case.start_execution", "进入执行"
    CONCLUDE = "case.conclude", "结案"
    ARCHIVE = "case.archive", "归档"
    WITHDRAW_REGISTRATION = "case.withdraw_registration", "撤销登记"
    # Sign-off rows (第八条、第十三条、第十六条).
    SIGNOFF_SIGNED = "signoff.signed", "签署意见"
