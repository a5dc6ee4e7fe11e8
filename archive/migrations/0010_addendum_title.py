# The addendum's short title (卷内目录 题名, at most 200 characters, the catalogue's limit) beside
# its bounded explanation (issue 16, trial defect 10).

from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual


def fill_titles(apps, schema_editor):
    """An existing addendum's title: the first line of its text, cut to 200 characters (the
    text was the catalogue's title until now)."""
    Addendum = apps.get_model("archive", "Addendum")
    for row in Addendum.objects.filter(title=""):
        first = (row.text or "").strip().splitlines()[0] if (row.text or "").strip() else f"补充材料{row.number}"
        Addendum.objects.filter(pk=row.pk).update(title=first.strip()[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_sealed_volume"),
    ]

    operations = [
        migrations.AddField(
            model_name="addendum",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="题名"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_titles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="addendum",
            name="number",
            field=models.PositiveIntegerField(verbose_name="申请序号"),
        ),
        migrations.AlterField(
            model_name="addendum",
            name="text",
            field=models.TextField(max_length=4000, verbose_name="补充说明"),
        ),
        migrations.AddConstraint(
            model_name="addendum",
            constraint=models.CheckConstraint(
                condition=models.Q(LessThanOrEqual(Length("text"), 4000)) & ~models.Q(title="") & ~models.Q(text=""),
                name="addendum_title_and_text_bounded",
            ),
        ),
    ]
