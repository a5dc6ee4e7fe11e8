"""Admin: devices are managed here; records can be looked at, never deleted or edited
(originals are immutable and every change goes through a service with its audit entry)."""

from typing import Any, cast

from django.contrib import admin, messages
from django.http import HttpRequest

from accounts.models import User
from linke.admin import AuditedAdmin, ReadOnlyAdmin

from .models import (
    AVRecord,
    CollectionStation,
    ExpectedRecord,
    FixityCheck,
    Recorder,
    Upload,
)
from .services import station_create, station_rotate_token


@admin.register(Recorder)
class RecorderAdmin(AuditedAdmin):
    list_display = ("serial", "model", "officer", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("serial", "model", "officer__username", "officer__cert_no", "officer__last_name")
    autocomplete_fields = ("officer",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # recorders appear in records' custody: deactivate instead


@admin.register(CollectionStation)
class CollectionStationAdmin(AuditedAdmin):
    list_display = ("name", "location", "token_prefix", "active", "last_seen_at")
    list_filter = ("active",)
    readonly_fields = ("token_prefix", "created_at", "last_seen_at")
    fields = ("name", "location", "active", "token_prefix", "created_at", "last_seen_at")
    actions = ["rotate_token"]

    def save_model(self, request: HttpRequest, obj: CollectionStation, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        station, token = station_create(name=obj.name, location=obj.location, by=cast(User, request.user))
        obj.pk, obj.token_hash, obj.token_prefix = station.pk, station.token_hash, station.token_prefix
        obj._state.adding = False
        messages.warning(request, f"采集站令牌（仅显示这一次，请立即配置到采集站）：{token}")

    @admin.action(description="重新生成令牌（旧令牌立即失效）")
    def rotate_token(self, request: HttpRequest, queryset: Any) -> None:
        for station in queryset:
            token = station_rotate_token(station_id=station.pk, by=cast(User, request.user))
            messages.warning(request, f"{station.name} 的新令牌（仅显示这一次）：{token}")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AVRecord)
class AVRecordAdmin(ReadOnlyAdmin):
    list_display = ("pk", "filename", "case", "owner", "recorder_serial", "status", "late", "stored_at", "sha256")
    list_filter = ("status", "kind", "late", "fixity_ok")
    search_fields = ("filename", "sha256", "recorder_serial", "case__number")


@admin.register(Upload)
class UploadAdmin(ReadOnlyAdmin):
    list_display = ("id", "state", "concat", "offset", "length", "station", "uploaded_by", "created_at")
    list_filter = ("state",)


@admin.register(ExpectedRecord)
class ExpectedRecordAdmin(ReadOnlyAdmin):
    list_display = ("label", "case", "ended_at", "fulfilled_at", "withdrawn_at")


@admin.register(FixityCheck)
class FixityCheckAdmin(ReadOnlyAdmin):
    list_display = ("record", "checked_at", "ok", "expected", "computed", "by")
    list_filter = ("ok",)
