from typing import Any

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.http import HttpRequest

from linke.admin import AuditedAdmin, ChinesePermissionsMixin

from .models import Department, User


@admin.register(User)
class UserAdmin(ChinesePermissionsMixin, AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "__str__", "cert_no", "department", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "department"]
    search_fields = ["username", "first_name", "last_name", "cert_no", "phone", "email"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("执法信息", {"fields": ("cert_no", "department", "phone")}),
        ("法制审核资格（《行政处罚法》第五十八条）", {"fields": ("legal_qualification_no", "legal_review_since")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("执法信息", {"fields": ("last_name", "first_name", "cert_no", "department", "phone", "groups")}),
    )

    def user_change_password(self, request, id, form_url=""):  # type: ignore[no-untyped-def]
        """An administrator sets another user's password: audited as auth.password_reset."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from audit.signals import on_password_changed

            user = self.get_object(request, id)
            how = "self" if user == request.user else "admin"
            on_password_changed(request, user, by=request.user, how=how)
        return response

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # A user who acted on a case is part of the record: deactivate, never delete.
        return False


class GroupAdmin(ChinesePermissionsMixin, BaseGroupAdmin):
    pass


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


# --- django-axes: login failures and lock-out, in Chinese -------------------------------------
# Its models, fields and sections are translated in locale/zh_Hans; the two computed columns
# (named after their methods, "Status" and "Expiration") get Chinese headings and text here.


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    @admin.display(description="失效时间")
    def expiration(self, obj: AccessAttempt) -> Any:
        return obj.expiration.expires_at if hasattr(obj, "expiration") else "未设置"

    @admin.display(description="状态")
    def status(self, obj: AccessAttempt) -> str:
        limit = django_settings.AXES_FAILURE_LIMIT
        if obj.failures_since_start < limit:
            return f"尚可尝试 {limit - obj.failures_since_start} 次"
        return "已锁定"


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
