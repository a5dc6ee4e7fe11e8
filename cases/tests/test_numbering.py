"""登记号 and 案号: two gap-free series, unique per year, even when officers register and heads
approve at the same time."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cases import services
from cases.models import Case, CaseKind
from cases.tests.factories import party_data

YEAR = timezone.localdate().year


def _register(officer, officer2, i):
    return services.case_register_ex_officio(
        by=officer,
        title=f"并发登记测试案{i}",
        officers=[officer, officer2],
        parties=[party_data()],
        cause="测试",
        source="inspection",
        summary="并发测试的基本案情。",
    )


@pytest.mark.django_db(transaction=True)
def test_numbers_are_gap_free_and_unique_under_concurrency(officer, officer2):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    threads, per_thread = 6, 4
    barrier = threading.Barrier(threads)

    def work(t):
        try:
            barrier.wait(timeout=30)
            out = []
            for i in range(per_thread):
                out.append(_register(officer, officer2, t * 100 + i).registration_number)
                if i == 1:
                    # A registration that fails after taking its number gives the number back.
                    try:
                        with transaction.atomic():
                            services.registration_number_next()
                            raise RuntimeError("rolled back")
                    except RuntimeError:
                        pass
            return out
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        numbers = [n for chunk in pool.map(work, range(threads)) for n in chunk]

    serials = sorted(int(re.fullmatch(rf"临科登〔{YEAR}〕(\d+)号", n).group(1)) for n in numbers)
    assert serials == list(range(1, threads * per_thread + 1))
    assert Case.objects.count() == threads * per_thread


@pytest.mark.django_db(transaction=True)
def test_filing_numbers_are_gap_free_under_concurrent_approvals(officer, officer2, head):
    """Heads approving filing at the same time take 立案号 1..N, none twice, none skipped; a
    registration never touches that series."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from cases.models import SignOff

    cases = [_register(officer, officer2, 900 + i) for i in range(8)]
    chief = type(officer).objects.create(username="chief-n", department=officer.department)
    from accounts.models import Role, role_group

    chief.groups.add(role_group(Role.SECTION_CHIEF))
    for c in cases:
        services.filing_opinion_record(case_id=c.pk, by=officer, level="officer", opinion="建议立案")
        services.filing_opinion_record(case_id=c.pk, by=chief, level="unit", opinion="同意")
        services.case_submit_for_filing(case_id=c.pk, by=officer)
    barrier = threading.Barrier(4)

    def work(chunk):
        try:
            barrier.wait(timeout=30)
            for c in chunk:
                services.case_approve_filing(case_id=c.pk, by=head, opinion="同意立案")
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, [cases[i::4] for i in range(4)]))
    numbers = list(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("number", flat=True))
    serials = sorted(int(re.fullmatch(rf"临科罚立〔{YEAR}〕(\d+)号", n).group(1)) for n in numbers)
    assert serials == list(range(1, 9))
    assert SignOff.objects.filter(level="head").count() == 8


@pytest.mark.django_db
def test_number_format_uses_the_agency_prefix(settings):
    settings.AGENCY_PREFIX = "沂科"
    assert services.case_number_format(CaseKind.PENALTY, 2026, 17) == "沂科罚立〔2026〕17号"
    assert services.case_number_format(CaseKind.LICENSING, 2026, 3) == "沂科许受〔2026〕3号"
    assert services.registration_number_format(2026, 5) == "沂科登〔2026〕5号"


@pytest.mark.django_db(transaction=True)
def test_migration_gives_registration_numbers_and_takes_back_unearned_filing_numbers():
    from django.db.migrations.executor import MigrationExecutor

    old_node = ("cases", "0007_remove_filing_opinion_columns")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # every app: later apps depend on cases
    executor.migrate([old_node])
    old = executor.loader.project_state([old_node, ("numbering", "0001_initial")]).apps
    Department, User = old.get_model("accounts", "Department"), old.get_model("accounts", "User")
    OldCase = old.get_model("cases", "Case")
    dept = Department.objects.create(name="执法一科", code="ZF1")
    user = User.objects.create(username="o", department=dept)
    rows = [
        ("临科罚立〔2026〕1号", "investigating"),
        ("临科罚立〔2026〕2号", "registered"),
        ("临科罚立〔2026〕3号", "not_filed"),
        ("临科许受〔2026〕1号", "accepted"),
    ]
    for number, state in rows:
        OldCase.objects.create(
            number=number,
            kind="penalty" if "罚" in number else "licensing",
            origin="ex_officio",
            state=state,
            title=number,
            department=dept,
            created_by=user,
            filed_at=timezone.now() if state in ("investigating", "accepted") else None,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = executor.loader.project_state([*latest, ("numbering", "0001_initial")]).apps
    got = list(
        new.get_model("cases", "Case").objects.order_by("pk").values_list("title", "registration_number", "number")
    )
    year = timezone.localdate().year
    assert got == [
        ("临科罚立〔2026〕1号", f"临科登〔{year}〕1号", "临科罚立〔2026〕1号"),
        ("临科罚立〔2026〕2号", f"临科登〔{year}〕2号", None),
        ("临科罚立〔2026〕3号", f"临科登〔{year}〕3号", None),
        ("临科许受〔2026〕1号", f"临科登〔{year}〕4号", "临科许受〔2026〕1号"),
    ]
    counter = new.get_model("numbering", "Counter").objects.get(scope="case:registration", year=year)
    assert counter.value == 4
