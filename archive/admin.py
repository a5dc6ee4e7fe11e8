from django.contrib import admin

from .models import QualityRule


@admin.register(QualityRule)
class QualityRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "points", "enabled", "message", "source")
    list_editable = ("points", "enabled")
    list_filter = ("kind", "enabled")


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
    list_display = ("case", "number", "status", "requested_by", "requested_at")
    list_filter = ("status",)
