"""The audit actions every installed app declares, and their Chinese names.

Each app that records audit entries declares them in `<app>/audit_actions.py` as
`class AuditAction(models.TextChoices)`: value = the action string stored in `Entry.action`,
label = the Chinese name the case timeline and the custody report show (第三条: the trail is
read by people). This module finds those enums through the app registry; nothing else keeps
a list of actions, and no app names another app's actions.
"""

from functools import cache
from importlib import import_module

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.module_loading import module_has_submodule

MODULE = "audit_actions"


class UndeclaredAuditAction(ValueError):
    """An action that no installed app's `AuditAction` enum declares."""


@cache
def declared() -> dict[str, str]:
    """{action value: Chinese label} over every installed app's `audit_actions.AuditAction`.

    Raises ImproperlyConfigured when two apps declare the same value (an action has one owner)
    or a module has no `AuditAction` TextChoices. Cached: apps are fixed once loaded.
    """
    owners: dict[str, str] = {}
    labels: dict[str, str] = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, MODULE):
            continue
        module = import_module(f"{config.name}.{MODULE}")
        enum = getattr(module, "AuditAction", None)
        if not (isinstance(enum, type) and issubclass(enum, models.TextChoices)):
            raise ImproperlyConfigured(f"{config.name}.{MODULE} must define AuditAction(models.TextChoices)")
        for member in enum:
            if member.value in owners:
                raise ImproperlyConfigured(
                    f"audit action {member.value!r} declared by both {owners[member.value]} and {config.name}"
                )
            owners[member.value] = config.name
            labels[member.value] = str(member.label)
    return labels


def require_declared(action: str) -> str:
    """Return `action` if an app declares it; raise UndeclaredAuditAction otherwise."""
    if action not in declared():
        raise UndeclaredAuditAction(
            f"audit action {action!r} is not declared by any app's audit_actions.AuditAction; add it there"
        )
    return action


def action_label(action: str) -> str:
    """The Chinese name of `action`; an entry written before its action was renamed shows as stored."""
    return declared().get(action, action)
