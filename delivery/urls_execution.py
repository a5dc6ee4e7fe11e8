from django.urls import path

from . import views_execution

# 第二十三、二十四条 and 结案 (included from delivery/urls.py).
urlpatterns = [
    path("case/<int:case_id>/execution/", views_execution.execution_page, name="execution"),
    path("case/<int:case_id>/execution/<str:key>/", views_execution.execution_act, name="execution_act"),
]
