from django.urls import path

from . import views

app_name = "avrecords"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("case/<int:case_pk>/", views.case_records, name="case"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/describe", views.describe, name="describe"),
    path("<int:pk>/assign", views.assign, name="assign"),
    path("<int:pk>/owner", views.set_owner, name="set_owner"),
    path("<int:pk>/late", views.explain_late, name="explain_late"),
    path("<int:pk>/finalise", views.finalise, name="finalise"),
    path("<int:pk>/fulfil", views.fulfil, name="fulfil"),
    path("<int:pk>/verify", views.verify, name="verify"),
    path("<int:pk>/original", views.original, name="original"),
    path("<int:pk>/custody.pdf", views.custody, name="custody"),
    path("<int:pk>/media/<str:which>", views.derived, name="media"),
    path("<int:pk>/played", views.played, name="played"),
]
