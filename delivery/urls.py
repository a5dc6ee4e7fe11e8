from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    # 第十七至二十二条: the case's documents, their attempts, a form per method.
    path("case/<int:case_id>/", views.delivery_page, name="page"),
    path("case/<int:case_id>/record/<str:method>/", views.attempt_record, name="record"),
    path("case/<int:case_id>/attempt/<int:attempt_id>/complete/", views.attempt_complete, name="complete"),
    path("case/<int:case_id>/address/", views.address_confirm, name="address"),
    path("case/<int:case_id>/receipt/", views.receipt_issue, name="receipt"),
]

from .urls_execution import urlpatterns as execution_urls  # noqa: E402  第二十三、二十四条, 结案

urlpatterns += execution_urls
