from typing import Any

from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: Any) -> int:
    """The bell's number: one indexed COUNT per page, cached on the request."""
    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is not None and hasattr(request, "_unread_notifications"):
        return request._unread_notifications
    count = unread_count(user)
    if request is not None:
        request._unread_notifications = count
    return count


@register.inclusion_tag("deadlines/_dashboard_card.html", takes_context=True)
def deadlines_card(context: Any, limit: int = 10) -> dict[str, Any]:
    """The user's open deadlines, most urgent first, and the overdue ones escalated to them
    (heads; archivists for archiving, 第二十八条), for a dashboard:
    `{% load deadlines_tags %}{% deadlines_card %}`."""
    from ..selectors import deadlines_escalated_to, deadlines_of_user, with_states

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"deadlines": [], "escalated": []}
    return {
        "deadlines": with_states(deadlines_of_user(user)[:limit]),
        "escalated": with_states(deadlines_escalated_to(user)[:limit]),
    }
