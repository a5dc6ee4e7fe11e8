"""The public page of 行政执法公示 (no login), mounted at /gongshi/ by linke/urls.py."""

from django.urls import path

from . import views_publication

app_name = "gongshi"
urlpatterns = [
    path("", views_publication.public_list, name="list"),
    path("<int:pk>/", views_publication.public_detail, name="detail"),
]
