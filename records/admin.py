"""Records are read-only in the admin: they are written by the services only, and a
finalised record is immutable (a correction is a new record)."""

from django.contrib import admin

from linke.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import CommissionOpinion, PreservationDecision, Record, RecordItem


class ItemInline(ReadOnlyInline):
    model = RecordItem
    readonly_fields = ("position", "name", "spec", "quantity", "sample_mark", "remarks")


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case", "kind", "status", "party_name", "maker", "created_at")
    list_filter = ("kind", "status", "confidentiality")
    search_fields = ("case__number", "party_name", "place")
    inlines = [ItemInline]


@admin.register(PreservationDecision, CommissionOpinion)
class PreservationAndCommissionAdmin(ReadOnlyAdmin):
    pass
