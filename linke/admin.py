"""Admin helpers shared by the apps."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by their app's actions (with their audit entry and checks): the admin
    shows them and never adds, changes or deletes one. Legal records are never deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline of a read-only parent: shown, never added to, changed or deleted."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """For the rows an administrator does change (users, departments, devices, stations, the
    calendar): the audit entry of each change records the old and the new value of every field
    (audit.signals.on_admin_log). Put it first among the bases."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            from audit.signals import remember_before

            remember_before(obj)
        super().save_model(request, obj, form, change)
