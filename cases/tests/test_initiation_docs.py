"""第八条: the head's decision on filing issues its document — the 立案审批表 when filing is
approved, the 不予立案告知书 when it is not — numbered in the same transaction, rendered on
commit, and linked from the case page."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.models import CaseState
from cases.tests.pages import section_html
from cases.tests.test_services import _complaint, _complete_filing, _ex_officio
from documents.models import Document, DocumentStatus

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdf_text(doc) -> str:
    with doc.pdf.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)


def test_approving_filing_issues_the_numbered_filing_approval_form(
    officer, officer2, head, client, django_capture_on_commit_callbacks
):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    assert not Document.objects.filter(case=case).exists()  # only the head's approval issues it
    with django_capture_on_commit_callbacks(execute=True):
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案，由张三、李四承办")

    doc = Document.objects.get(case=case)
    assert (doc.doc_type, doc.number, doc.status) == ("filing_approval", f"临科立审〔{YEAR}〕1号", DocumentStatus.FINAL)
    assert doc.source_type == "cases.filingrecord" and doc.issued_by == head
    ctx = doc.context
    assert ctx["party_name"] == "临沂某某新材料有限公司" and ctx["party_id"] == "91371300MA3C8XY012"
    assert ctx["party_address"] == "山东省临沂市兰山区涑河北街1号"
    assert ctx["cause"] == "日常检查发现申报材料与实际不符" and ctx["facts"].startswith("当事人在2026年度")
    assert ctx["source"] == "监督检查中发现"
    assert (ctx["officer_opinion"], ctx["unit_opinion"], ctx["head_opinion"]) == (
        "建议立案调查",
        "同意立案，报局领导审批",
        "同意立案，由张三、李四承办",
    )
    assert str(head) in ctx["head_opinion_at"] and "年" in ctx["head_opinion_at"]
    text = _pdf_text(doc)
    for expected in ("立案审批表", doc.number, "同意立案，由张三、李四承办", "建议立案调查", "临沂某某新材料有限公司"):
        assert expected in text

    case.refresh_from_db()
    assert case.number.startswith("临科罚立") and case.number in text  # the 立案号, taken on approval
    client.force_login(officer)
    page = section_html(client, case, "documents")
    assert doc.number in page and f"/documents/{doc.pk}/" in page
    page = client.get(f"/documents/{doc.pk}/").content.decode()
    assert f'<a href="{case.get_absolute_url()}">{case.ref} 立案审批记录</a>' in page  # its source record


def test_returned_or_refused_approval_issues_no_form(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    with pytest.raises(services.TransitionError):
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意")  # still registered
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_reject_filing(case_id=case.pk, by=head, opinion="请补充")
    assert not Document.objects.filter(case=case).exists()


def test_not_filing_issues_the_non_filing_notice(officer, officer2, head, django_capture_on_commit_callbacks):
    case = _ex_officio(officer, officer2)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_not_file(
            case_id=case.pk, by=head, opinion="同意不予立案，由承办人告知当事人。", notice_reason="违法事实不成立"
        )
    case.refresh_from_db()
    assert case.state == CaseState.NOT_FILED

    doc = Document.objects.get(case=case)
    assert (doc.doc_type, doc.number, doc.status) == (
        "non_filing_notice",
        f"临科不立〔{YEAR}〕1号",
        DocumentStatus.FINAL,
    )
    assert doc.source_type == "cases.noninitiation" and doc.source_id == str(case.non_initiation.pk)
    assert doc.context["reason"] == "违法事实不成立"
    assert (doc.context["addressee"], doc.context["addressee_role"]) == ("临沂某某新材料有限公司", "party")
    text = _pdf_text(doc)
    assert "不予立案告知书" in text and "违法事实不成立" in text and "临沂某某新材料有限公司" in text
    # The head's internal remark stays on the approval record; no filing number on an unfiled case.
    assert "由承办人告知当事人" not in text and "罚立" not in text and case.registration_number in text
    assert case.signoffs.get(level="head").opinion == "同意不予立案，由承办人告知当事人。"


def test_real_name_complaint_not_filed_notice_goes_to_the_complainant(
    officer, officer2, head, django_capture_on_commit_callbacks
):
    """第九条第二款: the complainant is told, with the reason written for them; the reported
    party is not addressed (it would learn of the report) and no 立案号 is printed."""
    case = _complaint(officer, officer2)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_not_file(
            case_id=case.pk,
            by=head,
            opinion="同意不予立案，由承办人告知举报人。",
            notice_reason="经核查，您反映的检测报告系合法机构出具，未发现违法事实。",
        )
    doc = Document.objects.get(case=case)
    assert (doc.context["addressee"], doc.context["addressee_role"]) == ("赵某", "complainant")
    text = _pdf_text(doc).replace("\n", "")
    assert "赵某：" in text and "未发现违法事实" in text and "投诉、举报事项" in text
    assert "由承办人告知举报人" not in text and "同意不予立案" not in text
    assert "临沂某某新材料有限公司" not in text  # the reported party is not named to the complainant
    assert "罚立" not in text and case.registration_number in text


def test_anonymous_complaint_not_filed_issues_no_notice(officer, officer2, head):
    case = _complaint(officer, officer2, anonymous=True)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意。", notice_reason="线索不具体，无法查证")
    assert not Document.objects.filter(case=case).exists()


def test_not_filing_a_case_without_a_known_party_issues_no_notice(officer, officer2, head):
    # 第八条第二款: 告知当事人或者予以公示 — with nobody to address, the decision is made public.
    case = _ex_officio(officer, officer2, parties=[])
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="线索不具体，无法查证")
    assert not Document.objects.filter(case=case).exists()


def test_a_case_not_filed_is_not_measured_by_the_filing_approval_paragraph(officer, officer2, head):
    from cases.requirements import checklist

    case = _ex_officio(officer, officer2, parties=[], summary="", cause="")
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="线索不具体，无法查证")
    case.refresh_from_db()
    items = checklist(case)
    shown = {i.requirement.code for i in items if i.status != "na"}
    assert not any(code.startswith("ex_officio.") for code in shown)
    assert "non_initiation.decision" in shown
