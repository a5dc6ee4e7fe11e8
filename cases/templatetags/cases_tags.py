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
