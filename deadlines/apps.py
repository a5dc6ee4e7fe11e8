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

        # Chinese names of our audit actions on the case timeline.
        from cases.timeline import register_action_labels

        register_action_labels(
            {
                "deadline.opened": "开始计算期限",
                "deadline.met": "期限事项完成",
                "deadline.recomputed": "重新计算期限（工作日调整）",
                "deadline.escalated": "期限逾期，已提醒上级",
                "deadline.responsible_changed": "期限责任人随承办人变更",
                "calendar.imported": "导入法定节假日日历",
            }
        )
