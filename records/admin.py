"""Records are read-only in the admin: they are written by the services only, and a
finalised record is immutable (a correction is a new record)."""

from django.contrib import admin

from .models import CommissionOpinion, PreservationDecision, Record, RecordItem


class ItemInline(admin.TabularInline):
    model = RecordItem
    extra = 0
    can_delete = False
    readonly_fields = ("position", "name", "spec", "quantity", "sample_mark", "remarks")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Record)
class RecordAdmin(admin.ModelAdmin):
    list_display = ("__str__", "case", "kind", "status", "party_name", "maker", "created_at")
    list_filter = ("kind", "status", "confidentiality")
    search_fields = ("case__number", "party_name", "place")
    inlines = [ItemInline]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in Record._meta.fields] + ["officers"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(PreservationDecision, CommissionOpinion)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
