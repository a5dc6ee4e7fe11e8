from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/rerender/", views.rerender, name="rerender"),
]
