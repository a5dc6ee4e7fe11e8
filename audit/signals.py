"""Writes that do not go through a service are recorded too (DESIGN.md: Django admin edits
included), and so are sign-ins: the trail shows who was in the system when."""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models import Model

from . import record

_ADMIN_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}
# Never copied into the trail.
_SECRET_FIELDS = {"password"}


def snapshot(obj: Model) -> dict[str, Any]:
    """The object's concrete field values, as the trail stores them."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SECRET_FIELDS:
            continue
        value = field.value_from_object(obj)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
            value = value.name or ""
        out[field.attname if field.is_relation else field.name] = value
    return out


def on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    obj = None
    try:
        obj = instance.get_edited_object()
    except Exception:  # the object is gone already, or its model has no manager
        obj = None
    data: dict[str, Any] = {
        "model": f"{instance.content_type.app_label}.{instance.content_type.model}" if instance.content_type else "",
        "object_id": instance.object_id,
        "object_repr": instance.object_repr,
        "change_message": instance.get_change_message(),
    }
    if obj is not None:
        data["values"] = snapshot(obj)
    record(obj, _ADMIN_ACTIONS.get(instance.action_flag, "admin.other"), actor=instance.user, **data)


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(user, "auth.login", actor=user, ip=_ip(request))


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, "auth.logout", actor=user, ip=_ip(request))


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record(None, "auth.login_failed", username=str(credentials.get("username", ""))[:150], ip=_ip(request))


def _ip(request: Any) -> str:
    """The client's address, behind the trusted proxies (linke.clientip), as django-axes sees it."""
    from linke.clientip import client_ip

    return client_ip(request) if request is not None else ""


def on_password_changed(request: Any, user: Any, *, by: Any, how: str) -> None:
    """A password set through the web: by its owner ("auth.password_changed") or reset by an
    administrator ("auth.password_reset"). The password itself is never recorded."""
    if how == "self":
        record(user, "auth.password_changed", actor=by, username=user.get_username(), ip=_ip(request))
    else:
        record(user, "auth.password_reset", actor=by, username=user.get_username(), ip=_ip(request))
