"""Writes that do not go through a service are recorded too (DESIGN.md: Django admin edits
included), and so are sign-ins: the trail shows who was in the system when."""

from contextvars import ContextVar
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
    """The object's concrete field values and its many-to-many ids, as the trail stores them."""
    out: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in _SECRET_FIELDS:
            continue
        value = field.value_from_object(obj)
        if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
            value = value.name or ""
        out[field.attname if field.is_relation else field.name] = value
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            out[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return out


# The values of objects an admin is about to change, by (model label, pk): set by
# linke.admin.AuditedAdmin before saving, read when Django admin logs the change.
_before: ContextVar[dict[tuple[str, str], dict[str, Any]] | None] = ContextVar("audit_admin_before", default=None)


def remember_before(obj: Model) -> None:
    """Keep the stored values of `obj` (from the database) until the admin's change is logged."""
    if obj.pk is None:
        return
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    if stored is None:
        return
    pending = dict(_before.get() or {})
    pending[(obj._meta.label_lower, str(obj.pk))] = snapshot(stored)
    _before.set(pending)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every value that differs."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


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
        pending = dict(_before.get() or {})
        before = pending.pop((obj._meta.label_lower, str(obj.pk)), None)
        _before.set(pending)
        if before is not None:
            # What the admin changed: the old and the new value of each field.
            data["changes"] = _changes(before, data["values"])
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
