from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    # Core: the approval queues, 第十三条 sign-offs, the decision (第十六条) and its draft.
    path("queue/", views.queue, name="queue"),
    path("case/<int:pk>/take/", views.claim_take, name="take"),
    path("case/<int:pk>/release/", views.claim_release, name="release"),
    path("case/<int:pk>/reassign/", views.claim_reassign, name="reassign"),
    path("case/<int:pk>/sign/", views.sign, name="sign"),
    path("case/<int:pk>/decide/", views.decide, name="decide"),
    path("case/<int:pk>/decision/", views.decision_edit, name="decision"),
]
