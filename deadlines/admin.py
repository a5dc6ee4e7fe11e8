from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from linke.admin import AuditedAdmin, ReadOnlyAdmin, labelled_filter  # deadlines change only through deadlines.services

from . import calendar
from .forms import NoticeImportForm
from .models import CalendarOverride, Deadline, DeadlineKind, Notification
from .notice import parse_notice
from .services import calendar_overrides_save


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedAdmin):
    list_display = ["date", "is_working_day", "source", "created_at"]
    list_filter = ["is_working_day"]
    search_fields = ["source"]
    date_hierarchy = "date"
    change_list_template = "deadlines/admin/calendaroverride_changelist.html"

    def get_urls(self) -> list:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="deadlines_calendaroverride_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Paste the State Council notice → preview what was read and what was not → confirm."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = NoticeImportForm(request.POST or None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入国务院节假日安排通知",
            "form": form,
        }
        if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
            data = form.cleaned_data
            pairs, unparsed = parse_notice(data["text"], year=data["year"])
            if "confirm" in request.POST and pairs:
                # Parsed again from the submitted text: the preview table is never trusted.
                count = calendar_overrides_save(pairs=pairs, source=data["source"], by=request.user, year=data["year"])
                messages.success(request, f"已保存{count}天的节假日安排（{data['source']}）。")
                return redirect(reverse("admin:deadlines_calendaroverride_changelist"))
            existing = dict(
                CalendarOverride.objects.filter(date__in=[d for d, _ in pairs]).values_list("date", "is_working_day")
            )
            context.update(
                preview=True,
                rows=[
                    {"date": d, "working": w, "weekday": "一二三四五六日"[d.weekday()], "existing": existing.get(d)}
                    for d, w in pairs
                ],
                unparsed=unparsed,
                source=data["source"],
                year=data["year"],
                covered=calendar.is_covered(data["year"]),
            )
        return render(request, "deadlines/admin/notice_import.html", context)


def _kind_label(kind: str) -> str:
    """A deadline kind's Chinese name (DeadlineKind), not its code."""
    return str(DeadlineKind(kind).label) if kind in DeadlineKind.values else kind


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = [
        "label",
        "case",
        "kind_name",
        "article",
        "due",
        "provisional",
        "met_at",
        "reminded_at",
        "escalated_at",
    ]
    list_filter = [labelled_filter("kind", "类型", _kind_label), "provisional"]
    search_fields = ["label", "case__number"]
    show_full_result_count = False

    @admin.display(description="类型", ordering="kind")
    def kind_name(self, obj: Deadline) -> str:
        return _kind_label(obj.kind)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "text", "created_at", "read_at", "emailed_at"]
    search_fields = ["text", "user__username"]
    show_full_result_count = False
