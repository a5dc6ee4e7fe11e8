from django.contrib import admin

from linke.admin import ReadOnlyAdmin

from .models import Counter


@admin.register(Counter)
class CounterAdmin(ReadOnlyAdmin):
    list_display = ("scope", "year", "value")
