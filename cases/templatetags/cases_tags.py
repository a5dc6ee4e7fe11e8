from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context: Any, panel: dict[str, Any]) -> SafeString:
    """Render another app's case-page panel with its own context (cases.panels)."""
    ctx = {**panel["context"], "user": context.get("user"), "user_roles": context.get("user_roles", set())}
    return render_to_string(panel["template"], ctx, request=context.get("request"))


@register.filter
def state_label(value: str) -> str:
    from cases.models import CaseState

    try:
        return CaseState(value).label
    except ValueError:
        return value


@register.filter
def audit_action(value: str) -> str:
    """An audit action's Chinese name, as its app's AuditAction enum declares it."""
    from audit.vocabulary import action_label

    return action_label(value)


@register.filter
def audit_object(entry: Any) -> str:
    """An audit entry's object as '<model's Chinese name> #id' ("records.record" -> 调查取证记录 #3)."""
    from django.apps import apps

    if not entry.object_type:
        return ""
    try:
        name = apps.get_model(entry.object_type)._meta.verbose_name
    except (LookupError, ValueError):
        name = entry.object_type
    return f"{name} #{entry.object_id}" if entry.object_id else str(name)
