"""The document types (文书种类) Linke issues: code, Chinese name, numbering pattern and
HTML template. Numbers (文号) are per type and year, gap-free (numbering.services).

Other apps issue a type by its code through `documents.services.document_issue`; the
template reads the `context` the caller passes (keys listed per type below) plus what
every document gets: `doc` (number, title, issued date), `case` (number, title,
party_names) and `agency`.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import models


class DocTypeCode(models.TextChoices):
    """The codes of the document types; other apps import these, never re-type the strings.
    Each is registered below with its template and numbering."""

    FILING_APPROVAL = "filing_approval", "立案审批表"
    NON_FILING_NOTICE = "non_filing_notice", "不予立案告知书"
    INQUIRY = "inquiry", "询问笔录"
    EVIDENCE_COLLECTION = "evidence_collection", "调取证据通知书"
    INSPECTION = "inspection", "现场检查（勘验）笔录"
    SAMPLING = "sampling", "抽样取证凭证"
    PRESERVATION = "preservation", "先行登记保存证据通知书"
    PRESERVATION_DECISION = "preservation_decision", "先行登记保存物品处理决定书"
    COMMISSION = "commission", "委托书"
    OTHER_ACTIVITY = "other_activity", "调查取证记录"
    # 《行政许可法》第三十二条: acceptance, refusal, a request for missing material (licensing).
    ACCEPTANCE_NOTICE = "acceptance_notice", "受理通知书"
    NON_ACCEPTANCE_DECISION = "non_acceptance_decision", "不予受理决定书"
    SUPPLEMENT_NOTICE = "supplement_notice", "补正材料通知书"
    # 第四章 (review): notice and defence, hearing, decision.
    PENALTY_NOTICE = "penalty_notice", "行政处罚事先告知书"
    HEARING_NOTICE = "hearing_notice", "听证通知书"
    HEARING_RECORD = "hearing_record", "听证笔录"
    HEARING_REPORT = "hearing_report", "听证报告"
    PENALTY_DECISION = "penalty_decision", "行政处罚决定书"
    NO_PENALTY_DECISION = "no_penalty_decision", "不予行政处罚决定书"
    LICENCE_GRANT = "licence_grant", "准予行政许可决定书"
    LICENCE_REFUSAL = "licence_refusal", "不予行政许可决定书"
    # 第五章 (delivery)
    SERVICE_RECEIPT = "service_receipt", "送达回证"
    # 第五章 (enforcement): the written reminder before applying to the court.
    ENFORCEMENT_REMINDER = "enforcement_reminder", "催告书"


@dataclass(frozen=True)
class DocType:
    code: str
    name: str  # Chinese name, printed as the title
    abbr: str  # the type's word in the number: 临科<abbr>〔2026〕7号
    template: str
    article: str  # where the Measures (or the law) ask for it
    context_keys: tuple[str, ...] = field(default=())
    pattern: str = "{prefix}{abbr}〔{year}〕{seq}号"

    def number(self, year: int, seq: int) -> str:
        return self.pattern.format(prefix=settings.AGENCY_PREFIX, abbr=self.abbr, year=year, seq=seq)

    @property
    def counter_scope(self) -> str:
        return f"doc:{self.code}"


_types: dict[str, DocType] = {}

# The Chinese name of a context key, for messages about a field (documents.fonts).
FIELD_LABELS = {
    "agency": "执法机关",
    "case": "案件",
    "case.number": "案号",
    "case.title": "案件名称",
    "case.summary": "案情摘要",
    "case.party_names": "当事人",
    "party_name": "当事人",
    "party_address": "当事人地址",
    "party_id": "当事人证件号码",
    "source": "案件来源",
    "cause": "案由",
    "facts": "案件事实",
    "officer_opinion": "承办人意见",
    "unit_opinion": "承办机构负责人意见",
    "head_opinion": "机关负责人意见",
    "reason": "理由",
    "basis": "依据",
    "officers": "执法人员",
    "place": "地点",
    "maker": "记录人",
    "person": "被询问人",
    "transcript": "笔录内容",
    "confirmation_note": "核对意见",
    "holder_name": "证据持有人",
    "holder_address": "证据持有人地址",
    "items": "物品清单",
    "present_persons": "在场人员",
    "findings": "检查情况",
    "method": "方法",
    "witness": "见证人",
    "storage_place": "保存地点",
    "storage_mode": "保存方式",
    "body_name": "受委托机构",
    "matter": "委托事项",
    "subject": "对象",
    "requirements": "要求",
    "activity": "调查取证活动",
    "description": "活动情况",
    "applicant": "申请人",
    "materials": "需要补正的材料",
    "competent_organ": "应当向其申请的行政机关",
    "evidence": "证据",
    "content": "处罚内容",
    "kinds": "处罚种类",
    "chair": "听证主持人",
    "recorder": "记录员",
    "party_attendees": "当事人及出席人员",
    "investigators_said": "调查人员意见",
    "party_said": "当事人陈述申辩",
    "final_statements": "最后陈述",
    "signature_note": "拒绝签字情况",
    "intended": "拟处罚内容",
    "opinion": "听证主持人意见",
    "doc_title": "送达文书名称",
    "doc_number": "送达文书文号",
}


def register(*types: DocType) -> None:
    for t in types:
        _types[t.code] = t


def get(code: str) -> DocType:
    try:
        return _types[code]
    except KeyError:
        raise LookupError(f"unknown document type {code!r}") from None


def all_types() -> list[DocType]:
    return list(_types.values())


def choices() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in _types.values()]


def _t(code: DocTypeCode, name: str, abbr: str, article: str, *keys: str) -> DocType:
    return DocType(code.value, name, abbr, f"documents/pdf/{code.value}.html", article, keys)


# Common keys of the records' documents: party_name, officers [{name, cert_no}], place,
# started_at, ended_at (formatted text), maker, confidentiality.
_RECORD = ("party_name", "officers", "place", "started_at", "ended_at", "maker")

register(
    # 第二章: initiation (issued by cases).
    _t(
        DocTypeCode.FILING_APPROVAL,
        "立案审批表",
        "立审",
        "第八条第一款",
        "party_name",
        "party_address",
        "party_id",
        "source",
        "cause",
        "facts",
        "officer_opinion",
        "officer_opinion_at",
        "unit_opinion",
        "unit_opinion_at",
        "head_opinion",
        "head_opinion_at",
    ),
    _t(
        DocTypeCode.NON_FILING_NOTICE,
        "不予立案告知书",
        "不立",
        "第八条第二款、第九条第二款",
        "addressee",
        "addressee_role",
        "received_at",
        "matter",
        "reason",
        "basis",
        "notified_how",
        "notified_at",
    ),
    # 《行政许可法》第三十二条: acceptance of a licensing application (issued by cases). Common keys:
    # applicant (name), matter, received_at (formatted text).
    _t(
        DocTypeCode.ACCEPTANCE_NOTICE,
        "受理通知书",
        "许受通",
        "第七条；《行政许可法》第三十二条第一款第（五）项、第四十二条",
        "applicant",
        "matter",
        "received_at",
        "accepted_at",
        "acceptance_number",
        "deemed",
        "decision_due",
    ),
    _t(
        DocTypeCode.NON_ACCEPTANCE_DECISION,
        "不予受理决定书",
        "许不受",
        "第七条；《行政许可法》第三十二条第一款第（一）（二）项",
        "applicant",
        "matter",
        "received_at",
        "ground",
        "ground_item",
        "reason",
        "competent_organ",
        "reconsideration_organ",
    ),
    _t(
        DocTypeCode.SUPPLEMENT_NOTICE,
        "补正材料通知书",
        "许补",
        "第七条；《行政许可法》第三十二条第一款第（四）项",
        "applicant",
        "matter",
        "received_at",
        "materials",
        "notified_at",
    ),
    # 第十条: investigation (issued by records on finalisation).
    _t(
        DocTypeCode.INQUIRY,
        "询问笔录",
        "询",
        "第十条第（一）（二）项",
        *_RECORD,
        "subject_role",
        "person",
        "transcript",
        "confirmation",
        "confirmation_note",
    ),
    _t(
        DocTypeCode.EVIDENCE_COLLECTION,
        "调取证据通知书",
        "调证",
        "第十条第（三）项",
        *_RECORD,
        "holder_name",
        "holder_address",
        "reason",
        "provide_by",
        "items",
    ),
    _t(
        DocTypeCode.INSPECTION,
        "现场检查（勘验）笔录",
        "检",
        "第十条第（四）项",
        *_RECORD,
        "mode",
        "present_persons",
        "findings",
        "with_av",
        "confirmation",
        "confirmation_note",
    ),
    _t(
        DocTypeCode.SAMPLING,
        "抽样取证凭证",
        "抽",
        "第十条第（五）项",
        *_RECORD,
        "method",
        "witness",
        "items",
        "confirmation",
        "confirmation_note",
    ),
    _t(
        DocTypeCode.PRESERVATION,
        "先行登记保存证据通知书",
        "先保",
        "第十条第（六）项；《行政处罚法》第五十六条",
        *_RECORD,
        "reason",
        "storage_place",
        "storage_mode",
        "items",
        "approved_by",
        "approved_at",
        "approved_after_act",
        "late_approval_reason",
        "decide_by",
    ),
    # 《行政处罚法》第五十六条: the head's decision on the preserved evidence (records).
    _t(
        DocTypeCode.PRESERVATION_DECISION,
        "先行登记保存物品处理决定书",
        "先处",
        "《行政处罚法》第五十六条",
        "party_name",
        "notice_number",
        "preserved_at",
        "items",
        "outcome",
        "detail",
        "decided_by",
        "decided_at",
    ),
    _t(
        DocTypeCode.COMMISSION,
        "委托书",
        "委",
        "第十条第（七）项",
        *_RECORD,
        "body_name",
        "matter",
        "subject",
        "requirements",
        "reply_by",
        "items",
    ),
    _t(DocTypeCode.OTHER_ACTIVITY, "调查取证记录", "调记", "第十条第（八）项", *_RECORD, "activity", "description"),
)

# 第四章 (review): the decision documents `review.actions.review_decide` issues (第十六条).
# Context keys: review.decision_docs.decision_context.
_DECISION = (
    "party_name",
    "party_address",
    "party_id",
    "party_legal_rep",
    "outcome",
    "facts",
    "evidence",
    "basis",
    "kinds",
    "fine",
    "confiscation",
    "content",
    "performance",
    "payment_notice",
    "reconsideration_body",
    "court",
    "decided_on",
)
FIELD_LABELS.update(
    {
        "party_legal_rep": "法定代表人",
        "outcome": "处理结果",
        "evidence": "证据",
        "kinds": "处罚种类",
        "content": "处理内容",
        "performance": "履行方式和期限",
        "reconsideration_body": "行政复议机关",
        "court": "人民法院",
    }
)
register(
    _t(DocTypeCode.PENALTY_DECISION, "行政处罚决定书", "罚决", "第十六条；《行政处罚法》第五十九条", *_DECISION),
    _t(DocTypeCode.NO_PENALTY_DECISION, "不予行政处罚决定书", "不罚", "第十六条；《行政处罚法》第五十七条", *_DECISION),
    _t(DocTypeCode.LICENCE_GRANT, "准予行政许可决定书", "许准", "第十六条；《行政许可法》第三十八条第一款", *_DECISION),
    _t(
        DocTypeCode.LICENCE_REFUSAL,
        "不予行政许可决定书",
        "许不",
        "第十六条；《行政许可法》第三十八条第二款",
        *_DECISION,
    ),
)

# 第四章 (review): notice and hearing (issued by review.defence / review.hearing).
register(
    _t(
        DocTypeCode.PENALTY_NOTICE,
        "行政处罚事先告知书",
        "罚告",
        "第十四条第一款；《行政处罚法》第四十四、四十五、六十三条",
        "party_name",
        "party_address",
        "facts",
        "evidence",
        "basis",
        "kinds",
        "fine",
        "confiscation",
        "content",
        "defence_days",
        "hearing_right",
        "hearing_reasons",
        "hearing_days",
    ),
    _t(
        DocTypeCode.HEARING_NOTICE,
        "听证通知书",
        "听通",
        "第十五条；《行政处罚法》第六十四条",
        "party_name",
        "party_address",
        "notice_number",
        "requested_on",
        "scheduled_at",
        "place",
        "public",
        "closed_reason",
        "chair",
        "chair_cert_no",
        "recorder",
    ),
    _t(
        DocTypeCode.HEARING_RECORD,
        "听证笔录",
        "听笔",
        "第十五条；《行政处罚法》第六十四条第（七）（八）项",
        "party_name",
        "started_at",
        "ended_at",
        "place",
        "public",
        "closed_reason",
        "chair",
        "chair_cert_no",
        "recorder",
        "investigators",
        "party_attendees",
        "agents",
        "investigators_said",
        "party_said",
        "final_statements",
        "signature",
        "signature_note",
        "av_record",
    ),
    _t(
        DocTypeCode.HEARING_REPORT,
        "听证报告",
        "听报",
        "第十五条",
        "party_name",
        "record_number",
        "held_at",
        "place",
        "chair",
        "recorder",
        "intended",
        "party_said",
        "opinion",
    ),
)

register(
    # 第五章 (delivery): the 送达回证 printed for a document to be served (第十七、十八条; 《民事诉讼法》
    # 第八十七条); the recipient signs it and its scan goes with the delivery attempt.
    _t(
        DocTypeCode.SERVICE_RECEIPT,
        "送达回证",
        "送回",
        "第十七、十八条；《民事诉讼法》第八十七条",
        "party_name",
        "party_address",
        "doc_title",
        "doc_number",
    ),
)

# 第五章 (enforcement): the written reminder (issued by delivery.enforcement).
FIELD_LABELS.update(
    {
        "decision_number": "处罚决定书文号",
        "obligation": "应当履行的义务",
        "perform_by": "履行期限",
        "manner": "履行方式",
        "amount": "金额",
        "payment_method": "给付方式",
        "surcharge_note": "加处罚款",
    }
)
register(
    _t(
        DocTypeCode.ENFORCEMENT_REMINDER,
        "催告书",
        "催",
        "第二十四条；《行政强制法》第三十五、三十六、五十四条",
        "party_name",
        "party_address",
        "decision_number",
        "decided_on",
        "obligation",
        "perform_by",
        "manner",
        "amount",
        "payment_method",
        "surcharge_note",
        "statement_days",
    ),
)
