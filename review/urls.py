from django.urls import path

from . import views_defence

app_name = "review"
urlpatterns: list = [
    # 第十四、十五条: notice, statement and defence, hearing.
    path("case/<int:case_id>/defence/", views_defence.defence_page, name="defence"),
    path("case/<int:case_id>/defence/<str:key>/", views_defence.defence_act, name="defence_act"),
]
