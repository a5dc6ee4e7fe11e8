"""Every document type rendered by a real Celery worker with WeasyPrint; the PDF's text
has the case number, the party's Chinese name and the document number."""

import hashlib
import io
import time

import pytest
from django.db import transaction
from pypdf import PdfReader

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.tests.factories import CaseFactory, PartyFactory
from documents import registry
from documents.models import Document, DocumentStatus
from documents.services import document_issue
from records.models import RecordKind
from records.services import preservation_decide, record_finalise
from records.tests.factories import PARTY, make_record

pytestmark = [pytest.mark.worker]

INITIATION: dict[str, dict[str, object]] = {
    "filing_approval": {
        "source": "监督检查",
        "cause": "涉嫌提供虚假申报材料",
        "officer_opinion": "建议立案",
        "officer_opinion_at": "2026年3月1日",
        "unit_opinion": "同意",
        "head_opinion": "同意立案",
    },
    "non_filing_notice": {
        "reason": "经核查，举报事项不属实",
        "basis": "《行政处罚法》第五十四条",
        "notified_how": "直接送达",
        "notified_at": "2026年3月2日",
    },
    # 《行政许可法》第三十二条: the applicant is the case's party.
    "acceptance_notice": {
        "applicant": PARTY,
        "matter": "技术合同认定登记",
        "received_at": "2026年3月2日",
        "accepted_at": "2026年3月3日",
        "acceptance_number": "临科许受〔2026〕1号",
        "deemed": False,
        "decision_due": "2026年3月31日",
    },
    "non_acceptance_decision": {
        "applicant": PARTY,
        "matter": "技术合同认定登记",
        "received_at": "2026年3月2日",
        "ground": "申请事项依法不属于本机关职权范围",
        "ground_item": "第（二）项",
        "reason": "该事项由省级主管部门办理",
        "competent_organ": "山东省科学技术厅",
        "reconsideration_organ": "临沂市人民政府",
    },
    "supplement_notice": {
        "applicant": PARTY,
        "matter": "技术合同认定登记",
        "received_at": "2026年3月2日",
        "materials": ["技术合同原件", "营业执照副本"],
        "notified_at": "2026年3月3日",
    },
}
# 第四章 (review.decision_docs.decision_context).
_DECISION = {
    "party_name": PARTY,
    "party_address": "临沂市兰山区",
    "facts": "提供虚假申报材料",
    "evidence": "询问笔录",
    "basis": "《某条例》第三十二条",
    "kinds": ["罚款"],
    "fine": "人民币1,000.00元",
    "content": "罚款一千元",
    "performance": "十五日内缴纳",
    "payment_notice": True,
    "reconsideration_body": "临沂市人民政府",
    "court": "临沂市兰山区人民法院",
    "decided_on": "2026年3月3日",
}
INITIATION.update(
    dict.fromkeys(("penalty_decision", "no_penalty_decision", "licence_grant", "licence_refusal"), _DECISION)
)
# 第四章 (review.defence / review.hearing).
REVIEW = {
    "penalty_notice": {
        "facts": "虚构研发费用",
        "evidence": "询问笔录",
        "basis": "某办法第三十条第一款",
        "kinds": ["警告", "罚款"],
        "fine": "150,000.00元",
        "content": "拟给予警告并处罚款",
        "defence_days": 5,
        "hearing_right": True,
        "hearing_reasons": ["较大数额罚款"],
        "hearing_days": 5,
    },
    "hearing_notice": {
        "requested_on": "2026年3月3日",
        "scheduled_at": "2026年3月20日 09:30",
        "place": "听证室",
        "public": True,
    },
    "hearing_record": {
        "started_at": "2026年3月20日 09:30",
        "ended_at": "2026年3月20日 11:00",
        "party_said": "请求从轻",
    },
    "hearing_report": {"held_at": "2026年3月20日 09:30", "opinion": "建议从轻处罚"},
    # 第五章 (delivery.enforcement).
    "enforcement_reminder": {
        "decision_number": "临科罚决〔2026〕1号",
        "decided_on": "2026年3月3日",
        "obligation": "缴纳罚款人民币1,000.00元",
        "perform_by": "2026年4月10日",
        "manner": "到指定银行缴纳",
        "amount": "人民币1,000.00元",
        "payment_method": "非税收入电子缴款系统",
        "statement_days": 3,
    },
}
# 第五章 (delivery).
DELIVERY = {
    "service_receipt": {
        "party_name": PARTY,
        "party_address": "临沂市兰山区工业大道18号",
        "doc_title": "行政处罚决定书",
        "doc_number": "临科罚决〔2026〕1号",
    },
}


def _wait_final(ids: list[int], worker) -> list[Document]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        docs = list(Document.objects.filter(pk__in=ids).order_by("pk"))
        if all(d.status in (DocumentStatus.FINAL, DocumentStatus.FAILED) for d in docs):
            return docs
        time.sleep(0.3)
    raise AssertionError(f"documents not rendered in time; worker log:\n{worker.output()[-3000:]}")


def test_each_document_type_renders_on_the_worker(celery_worker):
    case = CaseFactory()
    PartyFactory(case=case, name=PARTY)
    head = UserFactory(roles=[Role.HEAD])
    ids = []
    for kind in RecordKind:
        rec = make_record(kind, case=case, approve_by=head if kind == RecordKind.PRESERVATION else None)
        with transaction.atomic():
            ids.append(record_finalise(record_id=rec.pk, by=rec.maker).base().document_id)
        if kind == RecordKind.PRESERVATION:  # 《行政处罚法》第五十六条: the head's 处理决定
            with transaction.atomic():
                decision = preservation_decide(
                    record_id=rec.pk, by=head, outcome="release", detail="解除先行登记保存。"
                )
            ids.append(decision.document_id)
    for code, context in {**INITIATION, **REVIEW, **DELIVERY}.items():
        with transaction.atomic():
            ids.append(document_issue(case=case, doc_type=code, context=context, by=case.created_by).pk)
    assert {d.doc_type for d in Document.objects.filter(pk__in=ids)} == {t.code for t in registry.all_types()}

    for doc in _wait_final(ids, celery_worker):
        assert doc.status == DocumentStatus.FINAL, (doc.doc_type, doc.error)
        with doc.pdf.open("rb") as fh:
            data = fh.read()
        assert hashlib.sha256(data).hexdigest() == doc.sha256
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        flat = "".join(text.split())  # a long name may wrap across lines
        assert case.number in flat, (doc.doc_type, text)
        assert PARTY in flat, (doc.doc_type, text)
        assert doc.number in flat, (doc.doc_type, text)
        assert registry.get(doc.doc_type).name in flat
