from django.contrib import admin

from linke.admin import ReadOnlyAdmin  # the trail is append-only

from .models import Checkpoint, Entry


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
