# The 执法证号 an officer held when assigned, kept on the assignment (《行政处罚法》第四十二条).
# Rows assigned before this take the officer's number as it stands now: the best record there is.

from typing import Any

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps: Any, schema_editor: Any) -> None:
    CaseOfficer = apps.get_model("cases", "CaseOfficer")
    User = apps.get_model("accounts", "User")
    current = User.objects.filter(pk=OuterRef("officer_id")).values("cert_no")[:1]
    CaseOfficer.objects.filter(officer__cert_no__isnull=False).update(cert_no=Subquery(current))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_stats_indexes"),
        ("accounts", "__first__"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseofficer",
            name="cert_no",
            field=models.CharField(blank=True, max_length=32, verbose_name="执法证号（指派时）"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
