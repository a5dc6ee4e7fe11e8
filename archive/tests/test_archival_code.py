"""One 档号 per case file (issue 16; 第二十八条, DA/T 22-2015): the 案卷号 is the next number of a
gap-free series per fonds, class, retention, department and year, taken at sealing — not the
filing number's N nor the case's id, which collided; existing seals are continued after, never
repeated (migration 0014 seeds the series); the unique constraint refuses whatever still would
repeat one, in Chinese, and nothing is saved."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from archive import sealing
from archive.casefile import archival_code, archival_series, assemble, series_of_code
from archive.models import Seal
from archive.tests.factories_export import seal
from archive.tests.test_sealing_views import seal_data
from audit.models import Entry
from cases.models import Case, CaseState
from cases.stages import TransitionError
from cases.tests.factories import CaseFactory
from numbering.models import Counter

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MIGRATION = "archive.migrations.0014_a_seal_archival_code_unique"


def check(case, by):
    """The 检查人's agreeing check of the file as it is now (sealing requires one)."""
    digest = sealing.catalogue_digest(assemble(case))
    sealing.volume_read(case=case, by=by, digest=digest, size=0)  # the 检查人 read the volume
    sealing.check_sign(case_id=case.pk, by=by, agree=True, opinion="案卷材料齐全，同意归档。", digest=digest)


@pytest.fixture(autouse=True)
def _fonds(settings):
    settings.ARCHIVE_FONDS = "0001"
    settings.ARCHIVE_RETENTION = {"penalty": "D30", "licensing": "D10"}


def concluded(officer, number, on, state=CaseState.CONCLUDED):
    """A penalty case of the officer's department with filing number `number` (None: never
    filed), concluded at `on` (a datetime; its local date gives the 档号's year)."""
    case = CaseFactory(officers=[officer], department=officer.department, created_by=officer, number=None)
    Case.objects.filter(pk=case.pk).update(state=state, number=number, concluded_at=on)
    case.refresh_from_db()
    return case


def at(year, month, day, hour=10):
    return dt.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def sealed_code(case, archivist, head):
    seal(case, archivist, head)  # the head's override first where the bare case fails a veto
    assert case.state == CaseState.ARCHIVED
    return Seal.objects.get(case=case).archival_code


def old_seal(case, code, by):
    """A Seal row as the old code made it (its 档号 from the filing number or the case id)."""
    row = Seal.objects.create(
        case=case,
        archival_code=code,
        score=100,
        description="旧归档记录。",
        compiler="旧立卷人",
        checker="旧检查人",
        sealed_by=by,
        sealed_at=timezone.now(),
    )
    Case.objects.filter(pk=case.pk).update(state=CaseState.ARCHIVED)
    return row


def run_migration_seed():
    with connection.schema_editor() as editor:
        import_module(MIGRATION).seed_series(apps, editor)


def test_cases_whose_filing_numbers_collided_get_consecutive_numbers(officer, archivist, head):
    dept = officer.department.code
    # Filed 2025 No.12 and 2026 No.12, both concluded 2026: the old 档号 was ...-0012 twice.
    first = concluded(officer, "临科罚立〔2025〕12号", at(2026, 3, 10))
    second = concluded(officer, "临科罚立〔2026〕12号", at(2026, 4, 10))
    codes = [sealed_code(first, archivist, head), sealed_code(second, archivist, head)]
    assert codes == [f"0001-XZZF·2026-D30-{dept}-0001", f"0001-XZZF·2026-D30-{dept}-0002"]
    assert Counter.objects.get(scope=f"archive:0001-XZZF-D30-{dept}", year=2026).value == 2
    audited = Entry.objects.filter(action="archive.sealed", case_id__in=[first.pk, second.pk]).order_by("seq")
    assert [e.data["archival_code"] for e in audited] == codes


def test_a_case_without_a_filing_number_takes_the_next_number_not_its_id(officer, archivist, head):
    dept = officer.department.code
    unfiled = concluded(officer, None, at(2026, 5, 1))
    # The old code used the unfiled case's id, the very N this filing number has.
    filed = concluded(officer, f"临科罚立〔2026〕{unfiled.pk}号", at(2026, 5, 2))
    assert sealed_code(filed, archivist, head) == f"0001-XZZF·2026-D30-{dept}-0001"
    assert sealed_code(unfiled, archivist, head) == f"0001-XZZF·2026-D30-{dept}-0002"


def test_the_number_comes_from_the_series_of_the_year_of_conclusion(officer, archivist, head):
    dept = officer.department.code
    late_2025 = concluded(officer, "临科罚立〔2025〕30号", at(2025, 12, 20))
    # 2025-12-31 17:00 UTC is 2026-01-01 in Shanghai: the local date's year.
    new_year = concluded(officer, "临科罚立〔2025〕31号", dt.datetime(2025, 12, 31, 17, tzinfo=dt.UTC))
    spring = concluded(officer, "临科罚立〔2026〕3号", at(2026, 3, 1))
    assert sealed_code(new_year, archivist, head) == f"0001-XZZF·2026-D30-{dept}-0001"
    assert sealed_code(late_2025, archivist, head) == f"0001-XZZF·2025-D30-{dept}-0001"
    assert sealed_code(spring, archivist, head) == f"0001-XZZF·2026-D30-{dept}-0002"
    scope = f"archive:0001-XZZF-D30-{dept}"
    assert dict(Counter.objects.filter(scope=scope).values_list("year", "value")) == {2025: 1, 2026: 2}


def test_the_series_continues_after_the_seals_made_the_old_way(officer, archivist, head):
    dept = officer.department.code
    old_seal(concluded(officer, "临科罚立〔2026〕12号", at(2026, 2, 1)), f"0001-XZZF·2026-D30-{dept}-0012", archivist)
    old_seal(concluded(officer, "临科罚立〔2026〕7号", at(2026, 2, 2)), f"0001-XZZF·2026-D30-{dept}-0007", archivist)
    old_seal(concluded(officer, "临科罚立〔2025〕40号", at(2025, 9, 1)), f"0001-XZZF·2025-D30-{dept}-0040", archivist)
    old_seal(concluded(officer, None, at(2026, 2, 3)), "手工登记的档号", archivist)  # another shape: not a series
    scope = f"archive:0001-XZZF-D30-{dept}"
    Counter.objects.create(scope=scope, year=2025, value=45)  # already further on: never lowered
    run_migration_seed()
    assert dict(Counter.objects.filter(scope=scope).values_list("year", "value")) == {2025: 45, 2026: 12}

    assert sealed_code(concluded(officer, "临科罚立〔2026〕1号", at(2026, 6, 1)), archivist, head) == (
        f"0001-XZZF·2026-D30-{dept}-0013"
    )
    assert sealed_code(concluded(officer, "临科罚立〔2025〕2号", at(2025, 6, 1)), archivist, head) == (
        f"0001-XZZF·2025-D30-{dept}-0046"
    )


def test_the_migration_names_codes_already_repeated_and_seeds_nothing(officer, archivist):
    code = f"0001-XZZF·2026-D30-{officer.department.code}-0012"
    with connection.cursor() as cursor:  # the database as it was before the constraint
        cursor.execute(f"ALTER TABLE {Seal._meta.db_table} DROP CONSTRAINT seal_archival_code_unique")
    one = old_seal(concluded(officer, "临科罚立〔2025〕12号", at(2026, 2, 1)), code, archivist)
    two = old_seal(concluded(officer, "临科罚立〔2026〕12号", at(2026, 2, 2)), code, archivist)
    with pytest.raises(RuntimeError) as refused:
        run_migration_seed()
    assert f"{code}（案件ID {one.case_id}、{two.case_id}）" in str(refused.value)
    assert "请管理员核对并更正" in str(refused.value)
    assert not Counter.objects.filter(scope__startswith="archive:").exists()


def test_a_seal_that_would_repeat_a_code_is_refused_and_nothing_is_saved(officer, archivist, head):
    dept = officer.department.code
    # A row that holds the series' next number without the series knowing (restored by hand).
    old_seal(concluded(officer, "临科罚立〔2026〕1号", at(2026, 1, 5)), f"0001-XZZF·2026-D30-{dept}-0001", archivist)
    case = concluded(officer, "临科罚立〔2026〕2号", at(2026, 2, 5))
    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="经复核，准予归档。")
    check(case, head)
    message = f"档号 0001-XZZF·2026-D30-{dept}-0001 已被其他案卷使用，请联系管理员核对档号序列。"
    with pytest.raises(TransitionError) as refused:
        sealing.seal(case_id=case.pk, by=archivist, description="案卷材料齐全。")
    assert str(refused.value) == message
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and not Seal.objects.filter(case=case).exists()
    assert not Entry.objects.filter(case_id=case.pk, action__in=["archive.sealed", "case.archive"]).exists()
    assert not Counter.objects.filter(scope=f"archive:0001-XZZF-D30-{dept}").exists()  # the number given back


def test_the_seal_page_shows_the_refusal_as_its_400_page(client, officer, archivist, head):
    dept = officer.department.code
    old_seal(concluded(officer, "临科罚立〔2026〕1号", at(2026, 1, 5)), f"0001-XZZF·2026-D30-{dept}-0001", archivist)
    case = concluded(officer, "临科罚立〔2026〕2号", at(2026, 2, 5))
    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="经复核，准予归档。")
    check(case, head)
    client.force_login(archivist)
    resp = client.post(reverse("archive:seal", args=[case.pk]), seal_data(description="说明丙。"))
    html = resp.content.decode()
    assert resp.status_code == 400
    assert f"档号 0001-XZZF·2026-D30-{dept}-0001 已被其他案卷使用，请联系管理员核对档号序列。" in html
    assert "说明丙。" in html  # as typed
    assert not Seal.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED


@pytest.mark.parametrize("dept", ["ZF1", "ZF-2"])
def test_a_code_names_its_series_year_and_number(officer, dept):
    case = concluded(officer, None, at(2026, 7, 1))
    case.department.code = dept
    scope, year = archival_series(case)
    assert (scope, year) == (f"archive:0001-XZZF-D30-{dept}", 2026)
    assert archival_code(case, 12345) == f"0001-XZZF·2026-D30-{dept}-12345"
    assert series_of_code(archival_code(case, 17)) == (scope, year, 17)
    assert series_of_code("手工登记的档号") is None
