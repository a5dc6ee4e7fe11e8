from django.urls import path

from . import views

app_name = "deadlines"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
]
