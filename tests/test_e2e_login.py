import pytest

from cases.tests.factories import CaseFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_and_sees_the_dashboard(login, officer, officer2, live_server):
    CaseFactory(title="某科技公司虚报项目经费案", department=officer.department, officers=[officer, officer2])

    page = login(officer)

    assert page.url == f"{live_server.url}/cases/"  # the home page sends officers to their dashboard
    assert "工作台" in page.title()
    body = page.inner_text("main")
    assert "某科技公司虚报项目经费案" in body  # one of "my cases"
    assert "张伟" in page.inner_text("header")
