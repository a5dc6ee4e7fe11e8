"""文号 under concurrency: parallel issues get consecutive, unique numbers, and a rolled-back
issue gives its number back (no gaps)."""

import threading

import pytest
from django.db import connection, transaction

from cases.tests.factories import CaseFactory
from documents.models import Document
from documents.registry import DocTypeCode
from documents.services import document_issue


class _Rollback(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_parallel_issues_get_consecutive_unique_numbers():
    case = CaseFactory()
    by = case.created_by
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    errors: list[BaseException] = []

    def issue(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                document_issue(
                    case=case,
                    doc_type=DocTypeCode.INQUIRY,
                    context={"transcript": f"问：{i}\n答：{i}"},
                    by=by,
                    render=False,
                )
                if i % 4 == 3:
                    raise _Rollback  # this transaction fails after taking a number
        except _Rollback:
            pass
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    seqs = sorted(Document.objects.filter(doc_type=DocTypeCode.INQUIRY).values_list("seq", flat=True))
    committed = threads_n - threads_n // 4
    assert seqs == list(range(1, committed + 1))
    numbers = set(Document.objects.filter(doc_type=DocTypeCode.INQUIRY).values_list("number", flat=True))
    assert len(numbers) == committed and all(n.startswith("临科询〔") for n in numbers)


@pytest.mark.django_db
def test_numbers_are_per_type():
    case = CaseFactory()
    a = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, context={}, by=case.created_by, render=False)
    b = document_issue(case=case, doc_type=DocTypeCode.SAMPLING, context={}, by=case.created_by, render=False)
    c = document_issue(case=case, doc_type=DocTypeCode.INQUIRY, context={}, by=case.created_by, render=False)
    assert (a.seq, b.seq, c.seq) == (1, 1, 2)
    assert a.number == f"临科询〔{a.year}〕1号" and b.number == f"临科抽〔{b.year}〕1号"
