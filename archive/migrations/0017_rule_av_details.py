"""The rule av.details (trial defect 13: a case whose AV record lacked its 第二十六条 description
scored 100): every AV record of the case is described — 制作方法, 制作时间, 制作人, 证明对象, and for
sound the text of what is said (archive.checks.av_described). A deduction; 2 points like the
sheet's other record-keeping items (北京市2016评查标准's example values; the legal-affairs section
changes them in the admin)."""

from importlib import import_module

from django.db import migrations

RULES = [
    # code, source, kind, points, check, message, order
    (
        "av.details",
        "第二十六条",
        "points",
        2,
        "av_described",
        "音像记录未注明制作方法、制作时间、制作人或证明对象（声音资料未附文字记录）",
        70,
    ),
]


def seed(apps, schema_editor):
    import_module("archive.migrations.0002_seed_rules").seed_rules(apps, RULES)


def unseed(apps, schema_editor):
    apps.get_model("archive", "QualityRule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("archive", "0016_archive_check")]

    operations = [migrations.RunPython(seed, unseed)]
