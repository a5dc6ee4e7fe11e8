"""Writes that do not go through a service are recorded too (DESIGN.md: Django admin edits
included), and so are sign-ins: the trail shows who was in the system when."""

from typing import Any, cast

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from . import record
from .audit_actions import AuditAction

_ADMIN_ACTIONS = {ADDITION: AuditAction.ADMIN_ADD, CHANGE: AuditAction.ADMIN_CHANGE, DELETION: AuditAction.ADMIN_DELETE}
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


def _model_label(content_type: ContentType | None) -> str:
    return f"{content_type.app_label}.{content_type.model}" if content_type else ""


def on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    obj = None
    try:
        obj = instance.get_edited_object()
    except Exception:  # the object is gone already, or its model has no manager
        obj = None
    data: dict[str, Any] = {
        "model": _model_label(cast("ContentType | None", instance.content_type)),
        "object_id": instance.object_id,
        "object_repr": instance.object_repr,
        "change_message": instance.get_change_message(),
    }
    if obj is not None:
        data["values"] = snapshot(obj)
    record(obj, _ADMIN_ACTIONS.get(instance.action_flag, AuditAction.ADMIN_OTHER), actor=instance.user, **data)


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(user, AuditAction.LOGIN, actor=user, ip=_ip(request))


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(user, AuditAction.LOGOUT, actor=user, ip=_ip(request))


def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    record(None, AuditAction.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], ip=_ip(request))


def _ip(request: Any) -> str:
    """The client's address, behind the trusted proxies (linke.clientip), as django-axes sees it."""
    from linke.clientip import client_ip

    return client_ip(request) if request is not None else ""


def on_password_changed(request: Any, user: Any, *, by: Any, how: str) -> None:
    """A password set through the web: by its owner ("auth.password_changed") or reset by an
    administrator ("auth.password_reset"). The password itself is never recorded."""
    if how == "self":
        record(user, AuditAction.PASSWORD_CHANGED, actor=by, username=user.get_username(), ip=_ip(request))
    else:
        record(user, AuditAction.PASSWORD_RESET, actor=by, username=user.get_username(), ip=_ip(request))
