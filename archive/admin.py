from typing import Any

from django.contrib import admin

from .models import QualityRule
from .models_export import ExportJob


@admin.register(QualityRule)
class QualityRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "points", "enabled", "message", "source")
    list_editable = ("points", "enabled")
    list_filter = ("kind", "enabled")


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by the export page and the worker."""

    list_display = ("case", "status", "bytes_done", "bytes_total", "four_properties_passed", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


# 第二十九条: consultation rows are read in the admin, written only by archive.consultation.
from .models_consultation import ConsultationAccess, ConsultationRequest  # noqa: E402


class _ReadOnly(admin.ModelAdmin):
    """Read in the admin, written only by archive.consultation (rows with legal weight)."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(_ReadOnly):
    list_display = ("case", "requester_name", "purpose", "status", "valid_from", "valid_until", "recorded_at")
    list_filter = ("status", "purpose")
    exclude = ("token",)


@admin.register(ConsultationAccess)
class ConsultationAccessAdmin(_ReadOnly):
    list_display = ("request", "item", "viewer", "at", "ip")


# --- sealing (第二十八条) ----------------------------------------------------------------------
from linke.admin import AuditedAdmin, ReadOnlyAdmin  # noqa: E402

from .models import Addendum, ArchiveDuty, ItemArrangement, Seal  # noqa: E402


@admin.register(ArchiveDuty)
class ArchiveDutyAdmin(AuditedAdmin):
    """第二十八条第二款 明确专人: which archivist answers for a department's case files."""

    list_display = ("department", "archivist", "since")
    autocomplete_fields = ("archivist",)


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ("archival_code", "case", "score", "vetoed", "sealed_by", "sealed_at")
    search_fields = ("archival_code", "case__number")


@admin.register(ItemArrangement)
class ItemArrangementAdmin(ReadOnlyAdmin):
    list_display = ("case", "position", "key", "title")


@admin.register(Addendum)
class AddendumAdmin(ReadOnlyAdmin):
    list_display = ("case", "number", "title", "status", "requested_by", "requested_at")
    list_filter = ("status",)
