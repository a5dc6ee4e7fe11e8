from django.urls import path

from . import views, views_stats

app_name = "archive"
urlpatterns = [
    path("case/<int:pk>/volume.pdf", views.volume_pdf, name="volume_pdf"),
    path("stats/", views_stats.stats_page, name="stats"),
    path("stats/<str:table>.csv", views_stats.stats_csv, name="stats_csv"),
]
