from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = "期限管理"

    def ready(self) -> None:
        from accounts.models import Role
        from accounts.roles import register

        from . import signals  # noqa: F401  (connects the receivers)

        register(
            Role.ADMIN,
            "deadlines.view_calendaroverride",
            "deadlines.add_calendaroverride",
            "deadlines.change_calendaroverride",
            "deadlines.delete_calendaroverride",
            "deadlines.view_deadline",
        )
