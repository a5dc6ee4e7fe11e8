"""An officer registers an ex officio case through the wizard, the checklist blocks the
filing submission, the officer completes it, and the head approves it from the queue."""

import pytest

from cases.models import Case, CaseState

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_ex_officio_case_from_wizard_to_head_approval(live_server, login, officer, officer2, section_chief, head):
    page = login(officer)
    page.goto(f"{live_server.url}/cases/new/")
    page.click("text=登记依职权案件")
    page.fill("#id_title", "临沂某某科技有限公司涉嫌提供虚假申报材料案")
    page.fill("#id_summary", "当事人在科技项目申报中提交的审计报告与纳税数据不符。")
    page.check(f"input[name=officers][value='{officer.pk}']")
    page.check(f"input[name=officers][value='{officer2.pk}']")
    page.select_option("#id_party-kind", "organisation")
    page.fill("#id_party-name", "临沂某某科技有限公司")
    page.fill("#id_party-id_number", "91371300MA3C8XY012")
    page.fill("#id_party-legal_rep", "王建国")
    page.fill("#id_party-address", "临沂市兰山区")
    page.fill("#id_party-phone", "0539-8123456")
    page.fill("#id_cause", "专项检查中发现申报材料与实际不符")
    page.select_option("#id_source", "inspection")
    page.click("button:has-text('登记')")

    page.wait_for_selector("#checklist")
    case = Case.objects.get()
    assert case.ref in page.inner_text("h1")
    missing = page.locator("#checklist li.missing").all_inner_texts()
    assert "第八条第一款：承办机构意见及时间" in " ".join(missing)

    # The checklist blocks the submission, naming the articles.
    page.click("form[data-action=submit_for_filing] button")
    assert "第八条第一款：承办人意见及时间" in page.inner_text(".messages")

    def sign(key: str, text: str) -> None:
        assert page.input_value(f"details[data-key={key}] textarea") == ""  # an opinion starts empty
        page.click(f"details[data-key={key}] summary")
        page.fill(f"details[data-key={key}] textarea", text)
        page.click(f"details[data-key={key}] button")

    sign("officer_opinion", "建议立案调查。")
    # 承办机构意见 is signed by the section chief (科长) of the department, not by an officer.
    assert page.locator("details[data-key=unit_opinion]").count() == 0
    page.click("button:has-text('退出')")
    page = login(section_chief)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    sign("unit_opinion", "同意立案，报局领导审批。")
    page.click("button:has-text('退出')")
    page = login(officer)
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    page.click("form[data-action=submit_for_filing] button")
    assert "已办理：提交立案审批" in page.inner_text(".messages")
    assert "待立案审批" in page.inner_text("h1")

    page.click("button:has-text('退出')")
    login(head)
    page.goto(f"{live_server.url}/cases/approvals/")
    page.fill(f"#op-{case.pk}", "同意立案，由执法一科调查。")
    page.click(f"section[data-case='{case.pk}'] button:has-text('同意立案')")
    assert "已办理：同意立案" in page.inner_text(".messages")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert "调查取证" in page.inner_text("h1")
    assert "同意立案，由执法一科调查。" in page.inner_text("#filing")
    page.screenshot(path=str(live_server_screenshot()), full_page=True)

    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert list(case.signoffs.values_list("level", "actor")) == [
        ("officer", officer.pk),
        ("unit", section_chief.pk),
        ("head", head.pk),
    ]


def live_server_screenshot():
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    return settings.VAR_DIR / "cases_e2e.png"
