from django.urls import path  # noqa: F401

app_name = "delivery"
urlpatterns: list = []

from .urls_execution import urlpatterns as execution_urls  # noqa: E402  第二十三、二十四条, 结案

urlpatterns += execution_urls
