from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "审查与决定"

    def ready(self) -> None:
        # Declares the transitions review owns (cases.stages) and registers the decision checks
        # (review.checks): 《行政处罚法》第四十五、六十二、六十五条 (defence, hearing), 第五十七、五十八条
        # (legal review, collective discussion).
        from cases.models import Case
        from cases.signals import case_transitioned
        from deadlines.signals import deadline_moved
        from delivery.signals import document_served

        from . import (  # noqa: F401
            actions,
            defence,
            hearing,
            legal,
            panels_legal,
        )
        from .publication import on_case_transitioned

        # A decision made opens its publication period (行政执法公示).
        case_transitioned.connect(on_case_transitioned, sender=Case, dispatch_uid="review_publication_period")
        # The queue rows keep a copy of the decision period's due time for sorting.
        deadline_moved.connect(actions.on_deadline_moved, dispatch_uid="review_queue_due")
        # 第五章 delivery served a document: the 事先告知书's service date and its periods (第十四条).
        document_served.connect(defence.on_document_served, dispatch_uid="review_notice_served")
        # ... and the 听证通知书's service date (第十五条; 《行政处罚法》第六十四条第（二）项).
        document_served.connect(hearing.on_document_served, dispatch_uid="review_hearing_notice_served")
