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
