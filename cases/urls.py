from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("list/", views.case_list, name="list"),
    path("new/", views.case_create_start, name="create_start"),
    path("new/<str:origin>/", views.case_create, name="create"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/s/<slug:section>/", views.case_section, name="section"),
    path("<int:pk>/timeline/", views.case_timeline, name="timeline"),
    path("<int:pk>/action/<str:name>/", views.case_action, name="action"),
    path("<int:pk>/record/<str:key>/", views.case_record, name="record"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/attachments/<int:att_pk>/", views.attachment_download, name="attachment"),
]
