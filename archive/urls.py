from django.urls import path

from . import views, views_export, views_seal, views_stats
from . import views_consultation as vc

app_name = "archive"
urlpatterns = [
    path("case/<int:pk>/volume.pdf", views.volume_pdf, name="volume_pdf"),
    path("stats/", views_stats.stats_page, name="stats"),
    path("stats/<str:table>.csv", views_stats.stats_csv, name="stats_csv"),
    # Exports (BagIt packages of sealed case files).
    path("case/<int:pk>/export/", views_export.export_page, name="export"),
    path("export/<int:job_id>/status.json", views_export.export_status, name="export_status"),
    path("export/<int:job_id>/download", views_export.export_download, name="export_download"),
    # 第二十九条 consultation and the reconsideration answer package (archive.views_consultation).
    path("case/<int:pk>/consult/new/", vc.consult_new, name="consult_new"),
    path("consult/<int:pk>/decide/", vc.consult_decide, name="consult_decide"),
    path("consult/<int:pk>/authorisation/", vc.consult_authorisation, name="consult_authorisation"),
    path("read/<str:token>/", vc.reading_room, name="reading_room"),
    path("read/<str:token>/<int:item>.pdf", vc.reading_item, name="reading_item"),
    path("read/<str:token>/<int:item>/av/", vc.reading_av, name="reading_av"),
    path("read/<str:token>/<int:item>/media", vc.reading_media, name="reading_media"),
    path("case/<int:pk>/answer.pdf", vc.answer_pdf, name="answer_pdf"),
    # Sealing pages (第二十八条).
    path("", views_seal.queue, name="list"),
    path("case/<int:pk>/seal/", views_seal.seal_page, name="seal"),
    path("case/<int:pk>/override/", views_seal.override_page, name="override"),
    path("case/<int:pk>/override/ask/", views_seal.override_ask, name="override_ask"),
    path("case/<int:pk>/addenda/new/", views_seal.addendum_new, name="addendum_new"),
    path("addenda/<int:pk>/decide/", views_seal.addendum_decide, name="addendum_decide"),
    path("addenda/<int:pk>/scan", views_seal.addendum_scan, name="addendum_scan"),
]
