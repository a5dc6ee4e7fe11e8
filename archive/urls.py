from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("case/<int:pk>/volume.pdf", views.volume_pdf, name="volume_pdf"),
]
