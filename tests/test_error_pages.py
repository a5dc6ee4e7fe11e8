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


def test_the_readme_states_the_debug_default_as_make_run_and_settings_do():
    """Issue 11, defect 12: `make run` runs with DEBUG=1, the settings default to 0, and the
    README's row for DEBUG says both."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    run = re.search(r"^run:.*?(?=^\S)", (root / "Makefile").read_text(), re.S | re.M)
    assert run and "runserver" in run.group(0)
    assert all(line.strip().startswith("DEBUG=1 ") for line in run.group(0).splitlines()[1:] if line.strip())
    assert 'DEBUG = env.bool("DEBUG", default=False)' in (root / "linke" / "settings.py").read_text()
    row = next(line for line in (root / "README.md").read_text().splitlines() if line.startswith("| `DEBUG` |"))
    assert "`make run` sets `1`" in row and row.rstrip().endswith("| `0` |")
