from django.contrib import admin

from linke.admin import ReadOnlyAdmin, labelled_filter  # the trail is append-only

from .models import Checkpoint, Entry
from .vocabulary import action_label


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_name", "action_name", "case_id", "object_type", "object_id"]
    list_filter = [labelled_filter("action", "操作", action_label), "object_type"]
    search_fields = ["action", "actor_name", "object_id", "payload", "hash"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="操作", ordering="action")
    def action_name(self, obj: Entry) -> str:
        return action_label(obj.action)


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["seq", "hash", "entries_verified", "created_at", "key_id"]
