from django.contrib import admin

from linke.admin import ReadOnlyAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Documents are issued by documents.services only; a number once taken stays."""

    list_display = ("number", "title", "doc_type_name", "case", "status", "pages", "issued_by", "issued_at")
    exclude = ("context",)
    readonly_fields = ("doc_type_name", "context_table")

    @admin.display(description="文书种类")
    def doc_type_name(self, obj: Document) -> str:
        from . import registry

        try:
            return registry.get(obj.doc_type).name
        except LookupError:
            return obj.doc_type

    @admin.display(description="文书内容")
    def context_table(self, obj: Document) -> str:
        """The document's content as label / value rows in Chinese, not raw JSON."""
        from django.utils.html import format_html_join

        from .registry import FIELD_LABELS

        rows = ((FIELD_LABELS.get(k, k), v if isinstance(v, str) else str(v)) for k, v in (obj.context or {}).items())
        return format_html_join("", "<div><b>{}</b>：{}</div>", rows)

    list_filter = ("doc_type", "status", "year")
    search_fields = ("number", "title", "case__number", "case__registration_number", "sha256")
