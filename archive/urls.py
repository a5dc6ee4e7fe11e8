from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("case/<int:pk>/volume.pdf", views.volume_pdf, name="volume_pdf"),
]

from . import views_seal  # noqa: E402  (sealing pages, 第二十八条)

urlpatterns += [
    path("", views_seal.queue, name="list"),
    path("case/<int:pk>/seal/", views_seal.seal_page, name="seal"),
    path("case/<int:pk>/override/", views_seal.override_page, name="override"),
    path("case/<int:pk>/addenda/new/", views_seal.addendum_new, name="addendum_new"),
    path("addenda/<int:pk>/decide/", views_seal.addendum_decide, name="addendum_decide"),
]
