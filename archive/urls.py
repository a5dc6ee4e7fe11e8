from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("case/<int:pk>/volume.pdf", views.volume_pdf, name="volume_pdf"),
]

# 第二十九条 consultation and the reconsideration answer package (archive.views_consultation).
from . import views_consultation as vc  # noqa: E402

urlpatterns += [
    path("case/<int:pk>/consult/new/", vc.consult_new, name="consult_new"),
    path("consult/<int:pk>/decide/", vc.consult_decide, name="consult_decide"),
    path("read/<str:token>/", vc.reading_room, name="reading_room"),
    path("read/<str:token>/<int:item>.pdf", vc.reading_item, name="reading_item"),
    path("case/<int:pk>/answer.pdf", vc.answer_pdf, name="answer_pdf"),
]
