# The statistics page's tally (archive.stats_tally): the table, then (PostgreSQL only) the
# triggers that keep it and the count of the rows already stored.

from typing import Any

from django.db import migrations, models


def install(apps: Any, schema_editor: Any) -> None:
    from archive import stats_tally

    if schema_editor.connection.vendor == "postgresql":
        stats_tally.rebuild()


def uninstall(apps: Any, schema_editor: Any) -> None:
    from archive import stats_tally

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(stats_tally.UNINSTALL_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0011_seal_checked_by'),
        ('cases', '0021_stats_indexes'),
        ('deadlines', '0006_stats_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='StatsTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('series', models.CharField(max_length=16, verbose_name='统计项')),
                ('month', models.DateField(verbose_name='月份')),
                ('department_key', models.BigIntegerField(verbose_name='承办科室ID')),
                ('key', models.CharField(blank=True, max_length=64, verbose_name='分类')),
                ('n', models.BigIntegerField(verbose_name='数量')),
                ('late', models.BigIntegerField(default=0, verbose_name='逾期完成数')),
                ('open', models.BigIntegerField(default=0, verbose_name='未完成数')),
            ],
            options={
                'verbose_name': '统计计数',
                'verbose_name_plural': '统计计数',
                'indexes': [models.Index(fields=['series', 'month', 'department_key'], include=('key', 'n', 'late', 'open'), name='stats_tally')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
