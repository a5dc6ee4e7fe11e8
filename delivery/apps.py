from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "送达与执行"

    def ready(self) -> None:
        # 第五章 delivery: declares mark_delivered, registers the checklist lines and the case
        # page's panel; a decision made (→ 已决定) opens its delivery period (《行政处罚法》第六十一条).
        from cases.models import Case
        from cases.signals import case_transitioned

        from . import actions, panels, requirements  # noqa: F401

        case_transitioned.connect(actions.on_case_transitioned, sender=Case, dispatch_uid="delivery_decision_period")
        # 第二十三、二十四条 and 结案: the transitions start_execution and conclude (cases.stages),
        # the case-page panel, and the periods opened when a decision or a 催告书 is served.
        from . import conclusion, enforcement, execution, panels_execution  # noqa: F401
        from .signals import document_served

        document_served.connect(execution.on_document_served, dispatch_uid="delivery_execution_periods")
