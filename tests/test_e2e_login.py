import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_logs_in_and_sees_the_dashboard(login, officer, live_server):
    page = login(officer)
    assert page.url.rstrip("/").endswith(live_server.url.split("//")[1].split("/")[0]) or "/cases/" in page.url
    assert "退出" in page.content()
    assert "张伟" in page.content()
