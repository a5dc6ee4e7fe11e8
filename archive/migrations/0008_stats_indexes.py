# The statistics page's score table reads one index (archive.stats.scores): each stored score
# carries its case's registration time, filled here from the case for the rows already stored.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_sealing"),
        ("cases", "0021_stats_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="casescore",
            name="registered_at",
            field=models.DateTimeField(null=True, verbose_name="案件登记时间"),
        ),
        migrations.RunSQL(
            "UPDATE archive_casescore SET registered_at ="
            " (SELECT created_at FROM cases_case WHERE cases_case.id = archive_casescore.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="casescore",
            name="registered_at",
            field=models.DateTimeField(verbose_name="案件登记时间"),
        ),
        migrations.AddIndex(
            model_name="casescore",
            index=models.Index(fields=["registered_at"], include=("score", "vetoed", "case"), name="case_score_stats"),
        ),
    ]
