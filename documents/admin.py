from django.contrib import admin

from linke.admin import ReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Documents are issued by documents.services only; a number once taken stays."""

    list_display = ("number", "title", "case", "status", "pages", "issued_by", "issued_at")
    list_filter = ("doc_type", "status", "year")
    search_fields = ("number", "title", "case__number", "case__registration_number", "sha256")
