from django.urls import path

from . import tus

app_name = "avrecords_api"
urlpatterns = [
    # tus 1.0.0 resumable uploads (collection stations and the browser); docs/stations.md.
    path("uploads/", tus.uploads, name="uploads"),
    path("uploads/<uuid:pk>", tus.upload, name="upload"),
]
