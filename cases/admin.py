"""Admin for the cases app. States, numbers and decisions are read-only here: they change
only through cases.services (DESIGN.md), and any edit made here lands in the audit trail."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Application,
    ApplicationEvent,
    Attachment,
    Case,
    CaseOfficer,
    Complaint,
    FilingRecord,
    NonInitiation,
    Party,
    SignOff,
)


class NoAddDeleteAdmin(admin.ModelAdmin):
    """Rows are created by the services (numbering, audit, checks) and legal records are
    never deleted."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CaseOfficerInline(admin.TabularInline):
    model = CaseOfficer
    extra = 0
    fields = ["officer", "is_lead", "assigned_at"]
    readonly_fields = [
        "officer",
        "is_lead",
        "assigned_at",
    ]  # 《行政处罚法》第四十二条 is checked by case_assign_officers
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartyInline(admin.StackedInline):
    model = Party
    extra = 0
    can_delete = False
    readonly_fields = ["created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(NoAddDeleteAdmin):
    list_display = ["registration_number", "number", "title", "kind", "origin", "state", "department", "created_at"]
    list_filter = ["kind", "origin", "state", "department", "confidentiality"]
    search_fields = ["registration_number", "number", "title", "parties__name"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_select_related = ["department"]
    readonly_fields = [
        "registration_number",
        "number",
        "kind",
        "origin",
        "state",
        "department",
        "created_by",
        "created_at",
        "updated_at",
        "filed_at",
        "decided_at",
        "concluded_at",
        "archived_at",
    ]
    fields = (*readonly_fields[:4], "title", "summary", "confidentiality", *readonly_fields[4:])
    inlines = [CaseOfficerInline, PartyInline]


@admin.register(Party)
class PartyAdmin(NoAddDeleteAdmin):
    list_display = ["name", "kind", "case", "legal_rep", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number", "legal_rep", "case__number"]
    list_select_related = ["case"]
    readonly_fields = ["case", "created_by", "created_at"]


@admin.register(Application)
class ApplicationAdmin(NoAddDeleteAdmin):
    list_display = ["case", "form", "matter", "received_at", "decision", "decided_at"]
    list_filter = ["form", "decision"]
    search_fields = ["case__number", "matter", "materials", "oral_record"]
    list_select_related = ["case"]
    readonly_fields = ["case", "decision", "decision_reason", "decided_at", "decided_by", "recorded_by", "created_at"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(NoAddDeleteAdmin):
    list_display = ["case", "kind", "occurred_at", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["case__number", "content"]
    list_select_related = ["case", "recorded_by"]
    readonly_fields = ["case", "kind", "recorded_by", "created_at"]


@admin.register(FilingRecord)
class FilingRecordAdmin(NoAddDeleteAdmin):
    list_display = ["case", "source", "submitted_at"]
    list_filter = ["source"]
    search_fields = ["case__number", "cause"]
    list_select_related = ["case"]
    readonly_fields = ["case", "submitted_at"]


@admin.register(SignOff)
class SignOffAdmin(NoAddDeleteAdmin):
    """Sign-offs are legal records: shown, never changed here."""

    list_display = ["case", "step", "round", "level", "actor", "outcome", "signed_at"]
    list_filter = ["step", "level", "outcome"]
    search_fields = ["case__number", "opinion"]
    list_select_related = ["case", "actor"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(NoAddDeleteAdmin):
    list_display = ["case", "anonymous", "complainant_name", "channel", "received_at", "handled_at"]
    list_filter = ["anonymous", "channel"]
    search_fields = ["case__number", "complainant_name", "content", "handling"]
    list_select_related = ["case"]
    readonly_fields = ["case", "anonymous", "recorded_by", "handled_by", "handled_at", "created_at"]


@admin.register(NonInitiation)
class NonInitiationAdmin(NoAddDeleteAdmin):
    list_display = ["case", "decided_at", "notice_method", "notice_at", "complainant_notice_at"]
    list_filter = ["notice_method", "complainant_notice_method"]
    search_fields = ["case__number", "reason", "notice_detail", "complainant_notice_detail"]
    list_select_related = ["case"]
    readonly_fields = ["case", "reason", "decided_at", "decided_by", "notice_by", "complainant_notice_by"]


@admin.register(Attachment)
class AttachmentAdmin(NoAddDeleteAdmin):
    list_display = ["original_name", "case", "size", "sha256", "uploaded_by", "uploaded_at", "confidentiality"]
    list_filter = ["confidentiality"]
    search_fields = ["original_name", "sha256", "case__number", "description"]
    list_select_related = ["case", "uploaded_by"]
    readonly_fields = [
        "case",
        "content_type",
        "object_id",
        "file",
        "sha256",
        "size",
        "original_name",
        "mime_type",
        "uploaded_by",
        "uploaded_at",
    ]
