"""One 档号 per case file (issue 16): Seal.archival_code becomes unique, and its 案卷号 now comes
from a gap-free number series per archive.casefile.archival_series (numbering.Counter).

Before the constraint, the counter of every series that existing Seal rows use is seeded with the
highest 案卷号 they hold (archive.casefile.series_of_code), so the series continues after the
numbers the old way gave (a filing number's N, or a case's id) and never repeats one. Done here,
once, not at each sealing: no per-seal query of old rows, and it is safe under concurrency — on
PostgreSQL the seal table is locked against writes for the rest of this migration's transaction,
so a seal made meanwhile by the old code waits and cannot slip in between the seeding and the
constraint; afterwards numbering.services.number_next serialises sealers on the counter row.

Rows that already share a 档号 (the defect fixed here) make the migration stop with their codes
and cases named: a sealed file's 档号 is printed in its stored volume, so the correction is an
administrator's decision, not something a migration does silently. Nothing is changed then.
"""

from collections import defaultdict

from django.db import migrations, models

from archive.casefile import series_of_code


def seed_series(apps, schema_editor):
    """Refuse existing duplicate codes; seed each series' counter with its highest number."""
    Seal = apps.get_model("archive", "Seal")
    Counter = apps.get_model("numbering", "Counter")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"LOCK TABLE {Seal._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    cases = defaultdict(list)
    for code, case_id in Seal.objects.order_by("pk").values_list("archival_code", "case_id"):
        cases[code].append(case_id)
    repeated = {code: ids for code, ids in cases.items() if len(ids) > 1}
    if repeated:
        named = "；".join(f"{code}（案件ID {'、'.join(map(str, ids))}）" for code, ids in sorted(repeated.items()))
        raise RuntimeError(
            f"以下档号已被多个案卷使用，无法加唯一约束：{named}。请管理员核对并更正这些归档记录的档号后，再运行迁移。"
        )
    highest: dict[tuple[str, int], int] = {}
    for code in cases:
        series = series_of_code(code)
        if series is not None:
            scope, year, number = series
            highest[(scope, year)] = max(number, highest.get((scope, year), 0))
    for (scope, year), number in sorted(highest.items()):
        counter, _ = Counter.objects.get_or_create(scope=scope, year=year, defaults={"value": number})
        if counter.value < number:
            counter.value = number
            counter.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0013_sealed_volume_sm3"),
        ("numbering", "0001_initial"),
    ]

    operations = [
        # Seeding counters twice is harmless (never lowered); the reverse keeps them.
        migrations.RunPython(seed_series, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="seal",
            constraint=models.UniqueConstraint(fields=("archival_code",), name="seal_archival_code_unique"),
        ),
    ]
