from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from . import checks, signals  # noqa: F401  (checks registers itself)

        post_save.connect(signals.on_admin_log, sender=LogEntry, dispatch_uid="audit.admin_log")
        user_logged_in.connect(signals.on_login, dispatch_uid="audit.login")
        user_logged_out.connect(signals.on_logout, dispatch_uid="audit.logout")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="audit.login_failed")
