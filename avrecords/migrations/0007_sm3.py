from django.db import migrations, models


class Migration(migrations.Migration):
    """AVRecord.sm3: the SM3 digest recorded at ingest beside the SHA-256 (archive export reads
    each original once; older rows get theirs at their first export)."""

    dependencies = [
        ("avrecords", "0006_archive_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="avrecord",
            name="sm3",
            field=models.CharField(blank=True, max_length=64, verbose_name="SM3"),
        ),
    ]
