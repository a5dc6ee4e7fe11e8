from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "临科 · 行政执法全过程记录系统"
admin.site.site_title = "临科管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("cases/", include("cases.urls")),
    path("records/", include("records.urls")),
    path("av/", include("avrecords.urls")),
    path("api/v1/", include("avrecords.api_urls")),
    path("review/", include("review.urls")),
    path("delivery/", include("delivery.urls")),
    path("archive/", include("archive.urls")),
    path("documents/", include("documents.urls")),
    path("deadlines/", include("deadlines.urls")),
    # 行政执法公示: public, no login; its pages link nowhere into the application.
    path("gongshi/", include("review.urls_public")),
]
