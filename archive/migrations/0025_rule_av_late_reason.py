"""The rule av.late_reason (trial: an AV record stored past its two-working-day deadline with no
written reason was not penalised): every AV record of the case stored late carries the reason
for the delay (第二十七条; archive.checks.av_late_explained). A deduction of 2 points, as the
sheet's other record-keeping items (av.details); the legal-affairs section changes it in the
admin."""

from importlib import import_module

from django.db import migrations

RULES = [
    # code, source, kind, points, check, message, order
    (
        "av.late_reason",
        "第二十七条",
        "points",
        2,
        "av_late_explained",
        "音像记录逾期存入专用存储，未书面说明理由",
        71,
    ),
]


def seed(apps, schema_editor):
    import_module("archive.migrations.0002_seed_rules").seed_rules(apps, RULES)


def unseed(apps, schema_editor):
    apps.get_model("archive", "QualityRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0024_export_request_token")]

    operations = [migrations.RunPython(seed, unseed)]
