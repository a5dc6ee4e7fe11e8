from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "送达与执行"

    def ready(self) -> None:
        # 第二十三、二十四条 and 结案: the transitions start_execution and conclude (cases.stages),
        # the case-page panel, and the periods opened when a decision or a 催告书 is served.
        from . import conclusion, enforcement, execution, panels_execution  # noqa: F401
        from .signals import document_served

        document_served.connect(execution.on_document_served, dispatch_uid="delivery_execution_periods")
