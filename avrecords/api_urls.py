from django.urls import path  # noqa: F401

app_name = "avrecords_api"
urlpatterns: list = []
