"""第十三条、第十六条 in the browser: an officer drafts the decision and submits the case for
review, issues the 事先告知书, serves it through the delivery page (第十八条) and records the party's waiver (第十四条) and answers
the 第五十八条 sheet; a reviewer takes it from 法规科's queue and signs 审理, a second signs 审核
and reports it; the head approves and signs the decision; the 行政处罚决定书's PDF text carries
art. 59's elements; 法规科 publishes it and it appears on the public page /gongshi/."""

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseState
from cases.tests.factories import CaseFactory, PartyFactory
from documents.tests.test_services import pdf_text
from records.models import RecordKind
from records.tests.factories import make_record
from review.models import Decision
from tests.scans import scan_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_submits_reviewers_sign_head_decides_document_has_art59_elements(
    live_server, login, officer, officer2, reviewer, head
):
    reviewer2 = UserFactory(username="reviewer2", last_name="赵", first_name="敏", roles=[Role.LEGAL_REVIEWER])
    case = CaseFactory(
        state=CaseState.INVESTIGATING, officers=[officer, officer2], department=officer.department, created_by=officer
    )
    party = PartyFactory(case=case, name="临沂市蒙山科技有限公司", address="临沂市兰山区蒙山大道1号")
    make_record(RecordKind.INQUIRY, case=case, by=officer, finalise=True)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    review_url = f"{live_server.url}/cases/{case.pk}/s/review/"  # the case page's 审查与决定 section

    page = login(officer)
    page.goto(review_url)
    page.click("#decision-edit")
    page.select_option("#id_outcome", "penalty")
    page.fill("#id_facts", "当事人在科技项目申报中提供虚假的研发费用材料。")
    page.fill("#id_evidence", "询问笔录一份；申报材料复印件一份。")
    page.fill("#id_basis", "《山东省科学技术奖励办法》第三十二条第一款第（二）项")
    page.check("input[name=kinds][value=fine]")
    page.fill("#id_content", "处罚款人民币壹万元。")
    page.fill("#id_performance", "自收到本决定书之日起十五日内缴纳罚款。")
    page.click("#decision-form button[type=submit]")
    assert "须填写大于零的罚款金额" in page.inner_text("#decision-form")
    assert page.input_value("#id_facts") == "当事人在科技项目申报中提供虚假的研发费用材料。"  # nothing typed is lost
    page.fill("#id_fine_yuan", "10000")
    page.click("#decision-form button[type=submit]")
    assert "处理决定草稿已保存" in page.inner_text(".messages")
    page.goto(case_url)
    page.click("form[data-action=submit_for_review] button")
    assert "已办理：提交审查" in page.inner_text(".messages")
    # 第十四条: the notice announcing the drafted penalty, its service, the party's waiver.
    today = timezone.localdate().isoformat()
    page.goto(f"{live_server.url}/review/case/{case.pk}/defence/")
    page.select_option("#act-notice [name=party]", str(party.pk))
    page.fill("#act-notice [name=facts]", "当事人在科技项目申报中提供虚假的研发费用材料。")
    page.fill("#act-notice [name=evidence]", "询问笔录一份；申报材料复印件一份。")
    page.fill("#act-notice [name=basis]", "《山东省科学技术奖励办法》第三十二条第一款第（二）项")
    page.check("#act-notice input[name=kinds][value=fine]")
    page.fill("#act-notice [name=fine_yuan]", "10000")
    page.fill("#act-notice [name=content]", "拟处罚款人民币壹万元。")
    page.click("#act-notice button[type=submit]")
    assert "事先告知书已制作" in page.inner_text(".messages")
    # Served in person through 第五章 delivery (第十八条): the notice's date and periods follow.
    page.goto(f"{live_server.url}/delivery/case/{case.pk}/?method=direct")
    notice_option = page.locator("#id_document option", has_text="行政处罚事先告知书")
    page.select_option("#id_document", notice_option.get_attribute("value"))
    page.select_option("#id_party", str(party.pk))
    page.fill("#id_delivered_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "临沂市兰山区蒙山大道1号")
    page.select_option("#id_deliverers", [str(officer.pk)])
    page.check("#id_seal")
    page.fill("#id_recipient_name", "王经理")
    page.select_option("#id_recipient_relation", "principal")
    page.fill("#id_served_on", today)
    page.set_input_files(
        "#id_receipt", {"name": "送达回证.pdf", "mimeType": "application/pdf", "buffer": scan_pdf("receipt")}
    )
    page.click("#attempt-form button[type=submit]")
    assert "已登记直接送达：已送达" in page.inner_text(".messages")
    page.goto(f"{live_server.url}/review/case/{case.pk}/defence/")
    page.fill("#act-waive [name=received_on]", today)
    page.select_option("#act-waive [name=waiver_form]", "written")
    page.fill("#act-waive [name=waiver_note]", "当事人提交书面声明，明确放弃陈述、申辩权利。")
    page.click("#act-waive button[type=submit]")
    assert "已记录当事人放弃陈述申辩" in page.inner_text(".messages")
    # 《行政处罚法》第五十八条: none of the four situations applies.
    page.goto(f"{live_server.url}/review/case/{case.pk}/sheet/")
    page.click("form.card button[type=submit]")
    assert "已保存" in page.inner_text(".messages")
    page.click("button:has-text('退出')")

    page = login(reviewer)
    page.goto(f"{live_server.url}/")
    page.click("#review-queue")
    row = page.locator(f"#review-queue tr[data-case='{case.pk}']")
    assert "审理" in row.inner_text() and "未领取" in row.inner_text()
    row.locator("button.take").click()
    assert "已领取" in page.inner_text(".messages")
    page.locator(f"#review-queue tr[data-case='{case.pk}'] a", has_text="签署").click()
    assert page.input_value("#review-opinion") == ""  # an opinion starts empty
    page.fill("#review-opinion", "事实清楚，证据确实充分，同意拟处理意见。")
    page.click("#review-sign")
    assert "已签署" in page.inner_text(".messages")
    page.click("button:has-text('退出')")

    page = login(reviewer2)
    page.goto(review_url)
    page.fill("#review-opinion", "经审核，程序合法，适用依据正确。")
    page.click("#review-sign")
    page.goto(case_url)
    page.click("form[data-action=complete_review] button")
    assert "已办理：审查完毕，报请决定" in page.inner_text(".messages")
    page.click("button:has-text('退出')")

    page = login(head)
    page.goto(f"{live_server.url}/review/queue/")
    page.locator(f"#review-queue tr[data-case='{case.pk}'] a").first.click()
    page.fill("#review-opinion", "同意法规科审查意见。")
    page.click("#review-sign")
    assert page.input_value("#review-decide-opinion") == ""
    page.fill("#review-decide-opinion", "同意，签发。")
    page.click("#review-decide")
    assert "已作出决定" in page.inner_text(".messages")
    assert "行政处罚决定书" in page.inner_text("#decision-document")

    decision = Decision.objects.select_related("document", "case").get(case=case)
    assert decision.case.state == CaseState.DECIDED
    text = pdf_text(decision.document).replace("\n", "")
    for element in (
        "临沂市蒙山科技有限公司",
        "临沂市兰山区蒙山大道1号",
        "提供虚假的研发费用材料",
        "询问笔录一份",
        "第三十二条第一款第（二）项",
        "人民币10,000.00元",
        "十五日内",
        "临沂市人民政府申请行政复议",
        "提起行政诉讼",
        "临沂市科学技术局（印章）",
    ):
        assert element in text, element

    # 行政执法公示: 法规科 publishes the decision; the public page lists it by its 文号.
    page.click("button:has-text('退出')")
    page = login(reviewer)
    page.goto(review_url)
    page.click("button:has-text('公示决定')")
    assert "已公示" in page.inner_text(".messages")
    page.click("button:has-text('退出')")
    page.goto(f"{live_server.url}/gongshi/")
    listed = page.inner_text("body")
    assert decision.document.number in listed and "临沂市蒙山科技有限公司" in listed
