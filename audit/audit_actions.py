"""The audit actions the audit app records itself: Django admin writes and sign-ins."""

from django.db import models


class AuditAction(models.TextChoices):
    ADMIN_ADD = "admin.add", "系统管理：新增"
    ADMIN_CHANGE = "admin.change", "系统管理：修改"
    ADMIN_DELETE = "admin.delete", "系统管理：删除"
    ADMIN_OTHER = "admin.other", "系统管理：其他操作"
    LOGIN = "auth.login", "登录"
    LOGOUT = "auth.logout", "退出登录"
    LOGIN_FAILED = "auth.login_failed", "登录失败"
    PASSWORD_CHANGED = "auth.password_changed", "修改密码"
    PASSWORD_RESET = "auth.password_reset", "管理员重置密码"
