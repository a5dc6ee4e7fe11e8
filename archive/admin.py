from django.contrib import admin

from .models import QualityRule


@admin.register(QualityRule)
class QualityRuleAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "points", "enabled", "message", "source")
    list_editable = ("points", "enabled")
    list_filter = ("kind", "enabled")
