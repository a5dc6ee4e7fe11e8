from django.contrib import admin

from .models import Counter, Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "case", "status", "pages", "issued_by", "issued_at")
    list_filter = ("doc_type", "status", "year")
    search_fields = ("number", "title", "case__number", "case__registration_number", "sha256")
    readonly_fields = [f.name for f in Document._meta.fields]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # documents are issued by the services only

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("scope", "year", "value")
    readonly_fields = ("scope", "year", "value")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
