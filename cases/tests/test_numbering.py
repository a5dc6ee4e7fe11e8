"""案号: gap-free and unique per kind and year, even when officers register at the same time."""

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
                out.append(_register(officer, officer2, t * 100 + i).number)
                if i == 1:
                    # A registration that fails after taking its number gives the number back.
                    try:
                        with transaction.atomic():
                            services.case_number_next(CaseKind.PENALTY)
                            raise RuntimeError("rolled back")
                    except RuntimeError:
                        pass
            return out
        finally:
            connection.close()

    with ThreadPoolExecutor(threads) as pool:
        numbers = [n for chunk in pool.map(work, range(threads)) for n in chunk]

    serials = sorted(int(re.fullmatch(rf"临科罚立〔{YEAR}〕(\d+)号", n).group(1)) for n in numbers)
    assert serials == list(range(1, threads * per_thread + 1))
    assert Case.objects.count() == threads * per_thread


@pytest.mark.django_db
def test_number_format_uses_the_agency_prefix(settings):
    settings.AGENCY_PREFIX = "沂科"
    assert services.case_number_format(CaseKind.PENALTY, 2026, 17) == "沂科罚立〔2026〕17号"
    assert services.case_number_format(CaseKind.LICENSING, 2026, 3) == "沂科许受〔2026〕3号"
