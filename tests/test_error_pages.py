"""Error pages (400, 403, 404, 500, CSRF) speak Chinese in the site's layout, never Django's
English defaults (issue 11, defect 12)."""

import re

import pytest
from django.test import Client


@pytest.fixture
def erring(settings):
    settings.ROOT_URLCONF = "tests.error_urls"
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/test-400/", 400, "请求有误"),
        ("/test-403/", 403, "无权访问"),
        ("/no-such-page/", 404, "页面不存在"),
        ("/test-500/", 500, "系统出错"),
    ],
)
def test_error_pages_are_chinese_in_the_layout(erring, client, officer, url, status, words):
    client.raise_request_exception = False
    client.force_login(officer)
    resp = client.get(url)
    assert resp.status_code == status
    html = resp.content.decode()
    assert words in html and f'data-status="{status}"' in html
    assert "临科" in html and 'class="topbar"' in html  # the site's layout
    assert not re.search(r"Not Found|Server Error|Bad Request|Forbidden", html)


@pytest.mark.django_db
def test_csrf_failure_is_chinese(erring, officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    resp = client.post("/cases/new/ex_officio/", {})
    assert resp.status_code == 403
    html = resp.content.decode()
    assert "请求已过期" in html and "CSRF" not in html
