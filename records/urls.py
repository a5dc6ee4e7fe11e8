from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("case/<int:case_id>/", views.case_records, name="case"),
    path("case/<int:case_id>/new/<str:kind>/", views.record_new, name="new"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/edit/", views.record_edit, name="edit"),
    path("<int:pk>/finalise/", views.record_finalise_view, name="finalise"),
    path("<int:pk>/correct/", views.record_correct_view, name="correct"),
    path("<int:pk>/attach/", views.record_attach_view, name="attach"),
    path("<int:pk>/request-approval/", views.preservation_request_view, name="request_approval"),
    path("<int:pk>/approve/", views.preservation_approve_view, name="approve"),
    path("preservations/awaiting/", views.preservation_queue, name="preservation_queue"),
    path("<int:pk>/decide/", views.preservation_decide_view, name="decide"),
    path("<int:pk>/opinion/", views.commission_opinion_view, name="opinion"),
]
