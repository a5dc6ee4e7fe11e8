"""Admin for the cases app: case records are read-only here. They change only through the
services, with their rules (numbers, sign-offs, validators, the audit entry), never after
documents were issued from them (issue 11, defect 9)."""

from django.contrib import admin

from linke.admin import ReadOnlyAdmin, ReadOnlyInline

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


class CaseOfficerInline(ReadOnlyInline):
    model = CaseOfficer
    fields = readonly_fields = ("officer", "is_lead", "assigned_at")  # 《行政处罚法》第四十二条


class PartyInline(ReadOnlyInline):
    model = Party
    fields = readonly_fields = (
        "kind",
        "name",
        "id_number",
        "legal_rep",
        "address",
        "phone",
        "confidentiality",
        "created_by",
    )


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
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
class PartyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "case", "legal_rep", "phone"]
    list_filter = ["kind"]
    search_fields = ["name", "id_number", "legal_rep", "case__number"]
    list_select_related = ["case"]
    readonly_fields = ["case", "created_by", "created_at"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "form", "matter", "received_at", "decision", "decided_at"]
    list_filter = ["form", "decision"]
    search_fields = ["case__number", "matter", "materials", "oral_record"]
    list_select_related = ["case"]
    readonly_fields = ["case", "decision", "decision_reason", "decided_at", "decided_by", "recorded_by", "created_at"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "occurred_at", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["case__number", "content"]
    list_select_related = ["case", "recorded_by"]
    readonly_fields = ["case", "kind", "recorded_by", "created_at"]


@admin.register(FilingRecord)
class FilingRecordAdmin(ReadOnlyAdmin):
    list_display = ["case", "source", "submitted_at"]
    list_filter = ["source"]
    search_fields = ["case__number", "cause"]
    list_select_related = ["case"]
    readonly_fields = ["case", "submitted_at"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    """Sign-offs are legal records: shown, never changed here."""

    list_display = ["case", "step", "round", "level", "actor", "outcome", "signed_at"]
    list_filter = ["step", "level", "outcome"]
    search_fields = ["case__number", "opinion"]
    list_select_related = ["case", "actor"]


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["case", "anonymous", "complainant_name", "channel", "received_at", "handled_at"]
    list_filter = ["anonymous", "channel"]
    search_fields = ["case__number", "complainant_name", "content", "handling"]
    list_select_related = ["case"]
    readonly_fields = ["case", "anonymous", "recorded_by", "handled_by", "handled_at", "created_at"]


@admin.register(NonInitiation)
class NonInitiationAdmin(ReadOnlyAdmin):
    list_display = ["case", "decided_at", "notice_method", "notice_at", "complainant_notice_at"]
    list_filter = ["notice_method", "complainant_notice_method"]
    search_fields = ["case__number", "reason", "notice_detail", "complainant_notice_detail"]
    list_select_related = ["case"]
    readonly_fields = ["case", "reason", "decided_at", "decided_by", "notice_by", "complainant_notice_by"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
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
