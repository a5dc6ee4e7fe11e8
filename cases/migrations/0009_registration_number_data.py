"""Data of 0008: 登记号 for every case, 案号 only where filed or accepted (see 0008)."""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

_NEVER_FILED = {"registered", "pending_filing", "not_filed", "applied", "rejected"}


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Counter = apps.get_model("numbering", "Counter")
    prefix = getattr(settings, "AGENCY_PREFIX", "临科")
    per_year: dict[int, int] = {}
    for case in Case.objects.order_by("created_at", "pk").iterator():
        year = timezone.localtime(case.created_at).year
        per_year[year] = per_year.get(year, 0) + 1
        case.registration_number = f"{prefix}登〔{year}〕{per_year[year]}号"
        archived_unfiled = case.state == "archived" and case.filed_at is None
        if case.state in _NEVER_FILED or archived_unfiled:
            case.number = None
        case.save(update_fields=["registration_number", "number"])
    for year, value in per_year.items():
        Counter.objects.update_or_create(scope="case:registration", year=year, defaults={"value": value})


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    # A case without a 案号 gets its 登记号 back as its number (the column was required).
    for case in Case.objects.filter(number__isnull=True).iterator():
        case.number = case.registration_number
        case.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_registration_number"),
        ("numbering", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
