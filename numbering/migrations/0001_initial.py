"""Takes over documents.Counter's table (documents_counter) and its rows: state only, the
database is not touched (documents.0004 drops the model from documents' state)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("documents", "0004_counter_moves_to_numbering")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Counter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("scope", models.CharField(max_length=64, verbose_name="编号范围")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        ("value", models.PositiveIntegerField(default=0, verbose_name="已用到")),
                    ],
                    options={
                        "verbose_name": "编号计数器",
                        "verbose_name_plural": "编号计数器",
                        "db_table": "documents_counter",
                        "constraints": [
                            models.UniqueConstraint(fields=("scope", "year"), name="counter_scope_year_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
