"""Delivery rows are read-only in the admin: each attempt has legal weight and is written only by
delivery.actions (with its audit entry and the article-by-article checks)."""

from django.contrib import admin

from linke.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import AddressConfirmation, DeliveryAttempt, DeliveryFile


class FileInline(ReadOnlyInline):
    model = DeliveryFile
    readonly_fields = ("element", "attachment")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case", "document", "method", "outcome", "served_on", "recorded_by", "recorded_at")
    list_filter = ("method", "outcome")
    search_fields = ("case__number", "document__number", "recipient_name", "tracking_no")
    inlines = [FileInline]


@admin.register(AddressConfirmation)
class AddressConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "case", "party", "electronic_consent", "signed_on", "recorded_by")
