"""Issue 11, defect 9: the admin speaks Chinese throughout — every changelist, add and change
page a superuser can open, the django-axes lock-out section included; no "---------" (请选择)."""

import io
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from cases.models import Case

pytestmark = pytest.mark.django_db

# What the admin showed in English before (found by opening every page as the superuser).
ENGLISH = [
    r"---------",
    r"[Aa]ccess (attempt|log|failure|lock)",
    r"Attempt (Time|Remaining)",
    r"IP Address",
    r"User Agent",
    r"Failed Logins",
    r"Locked Out",
    r"(Form|Meta|GET|POST) Data",
    r"\bStatus\b",
    r"\bExpiration\b",
    r"Clean up expired attempts",
    r"Logout Time",
    r"\bNot set\b",
    r"\bAxes\b",
    r"Add another",
    r"\bobject \(\d+\)",  # a model without a Chinese __str__ ("CaseOfficer object (1)")
    r"Content type",
    r"Object id",
    r"\bOfficer\b",
    r"Model name",
    r"Add link",
    r"Change or view list link",
    r"\bCan (add|change|delete|view)\b",
]
# Third-party pages whose remaining English is the data they schedule (task names, time zone
# names, cron syntax help): only the empty choice is checked there.
DASH_ONLY = {"django_celery_beat"}


def _text(html: str) -> str:
    """The visible text of a page (no tags, scripts or styles)."""
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def everything(settings, tmp_path):
    """Rows in every table the admin shows: the demo cases and records, a login lock-out."""
    settings.MEDIA_ROOT = tmp_path
    from accounts import demo as accounts_demo
    from cases import demo

    out = io.StringIO()
    demo.seed(out, accounts_demo.seed(out))
    attempt = dict(username="wang", ip_address="127.0.0.1", user_agent="Mozilla/5.0", http_accept="", path_info="/")
    AccessAttempt.objects.create(**attempt, failures_since_start=5, get_data="", post_data="")
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt, locked_out=True)


def _admin_urls() -> list[tuple[str, str]]:
    urls = [("admin", reverse("admin:index"))]
    for model in admin.site._registry:
        app, name = model._meta.app_label, model._meta.model_name
        urls.append((app, reverse("admin:app_list", args=[app])))
        urls.append((app, reverse(f"admin:{app}_{name}_changelist")))
        urls.append((app, reverse(f"admin:{app}_{name}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append((app, reverse(f"admin:{app}_{name}_change", args=[obj.pk])))
    return urls


def test_every_admin_page_speaks_chinese(client, admin_user, everything):
    client.force_login(admin_user)
    seen, found = 0, []
    for app, url in _admin_urls():
        resp = client.get(url)
        if resp.status_code == 403:  # read-only records: no add page
            continue
        assert resp.status_code == 200, url
        seen += 1
        html = resp.content.decode()
        if "---------" in html:
            found.append((url, "---------"))
        if app in DASH_ONLY:
            continue
        text = _text(html)
        found += [(url, m.group(0)) for pattern in ENGLISH[1:] for m in [re.search(pattern, text)] if m]
    assert seen > 60
    assert found == [], "\n".join(map(str, found))


def test_the_lockout_section_is_chinese(client, admin_user, everything):
    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    assert "登录失败与锁定" in page and "登录失败记录" in page and "登录日志" in page
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    for words in ("尝试时间", "IP 地址", "用户名", "失败次数", "状态", "已锁定", "清理已过期的登录失败记录"):
        assert words in page, words


def test_every_empty_choice_reads_please_choose():
    """In the app's forms too: a select of a model's choices and a foreign-key select."""
    from django.db import models

    field = models.CharField("方式", max_length=8, choices=[("mail", "邮寄")]).formfield()
    assert field.choices[0] == ("", "请选择")
    assert forms.ModelChoiceField(User.objects.all()).empty_label == "请选择"
    assert '<option value="" selected>请选择</option>' in str(
        forms.ModelChoiceField(Case.objects.none()).widget.render("c", None)
    )


def test_the_apps_forms_offer_no_dashes(client, officer, officer2):
    """The officer's forms outside the admin: the registration wizards, the case list filter,
    the case page and every kind of investigation record's form."""
    from cases.tests.factories import CaseFactory
    from records.models import RecordKind

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    client.force_login(officer)
    from cases.panels import SECTIONS, section_url

    urls = [reverse("cases:list"), case.get_absolute_url()]
    urls += [section_url(case.pk, key) for key in SECTIONS]  # the case page's other tabs (issue 17)
    urls += [reverse("cases:create", args=[origin]) for origin in ("ex_officio", "complaint", "application")]
    urls += [reverse("records:new", args=[case.pk, kind]) for kind in RecordKind.values]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert "---------" not in resp.content.decode(), url
