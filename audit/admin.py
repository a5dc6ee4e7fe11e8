from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Checkpoint, Entry


class ReadOnlyAdmin(admin.ModelAdmin):
    """The trail is append-only: nobody adds, changes or deletes through admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_name", "action", "case_id", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "actor_name", "object_id", "payload", "hash"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash", "entries_verified", "created_at", "key_id"]
