"""Admin helpers shared by the apps."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
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


def labelled_filter(field: str, title: str, label: Callable[[str], str]) -> type[admin.SimpleListFilter]:
    """A list filter over the codes stored in `field` (audit actions, deadline kinds: declared
    vocabularies, not model choices), each offered by its Chinese name `label(code)`."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            model = model_admin.model
            codes = model._default_manager.order_by(field).values_list(field, flat=True).distinct()
            return [(code, label(code)) for code in codes]

        def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    return LabelledFilter


_PERMISSION_VERBS = {"add": "增加", "change": "修改", "delete": "删除", "view": "查看"}


def permission_label(perm: Any) -> str:
    """A permission as the admin's user and group forms list it: "应用 | 模型 | 增加" — Django stores
    the names of its default permissions in English ("Can add …") whatever the language."""
    verb, _, model = perm.codename.partition("_")
    if verb in _PERMISSION_VERBS and model == perm.content_type.model:
        return f"{perm.content_type.app_labeled_name} | {_PERMISSION_VERBS[verb]}"
    return f"{perm.content_type.app_labeled_name} | {perm.name}"


class ChinesePermissionsMixin:
    """For the admins of users and groups: their permission choices named in Chinese
    (permission_label). Put it first among the bases."""

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None and db_field.name in ("permissions", "user_permissions"):
            field.label_from_instance = permission_label
        return field
