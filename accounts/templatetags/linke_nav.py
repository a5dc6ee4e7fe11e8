"""The main navigation. Apps add their entries in NAV_LINKS (url name, label, roles that
see it; no roles: everyone signed in); entries whose URL is not installed yet are skipped."""

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

NAV_LINKS: list[tuple[str, str, tuple[str, ...]]] = [
    ("cases:dashboard", "工作台", ()),
    ("cases:list", "案件", ()),
    ("review:queue", "审批队列", ("legal_reviewer", "head")),
    ("cases:approvals", "立案审批", ("head",)),
    ("deadlines:mine", "我的期限", ()),
    ("avrecords:inbox", "音像收件箱", ("officer",)),
    ("archive:list", "案卷归档", ("archivist", "head")),
    ("archive:stats", "统计", ("head", "legal_reviewer", "archivist")),
]


@register.simple_tag(takes_context=True)
def nav_links(context: Any) -> list[dict[str, Any]]:
    request = context.get("request")
    roles = context.get("user_roles", set())
    out = []
    for name, label, allowed in NAV_LINKS:
        if allowed and not (roles & set(allowed)):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = bool(request and request.path.startswith(url) and url != "/")
        out.append({"url": url, "label": label, "active": active})
    return out
