import pytest

from cases import requirements
from cases.models import mask_id
from cases.tests.factories import CaseFactory
from linke.idnumbers import valid_id_number, valid_uscc


def test_mask_keeps_only_the_ends():
    assert mask_id("371302198503124217") == "3713**********4217"
    assert mask_id("1234") == "1***"
    assert mask_id("") == ""


def test_check_digits():
    assert valid_id_number("11010519491231002X") and valid_id_number("11010519491231002x")
    assert not valid_id_number("110105194912310021")
    assert valid_uscc("91350100M000100Y43")
    assert not valid_uscc("91350100M000100Y44")
    assert not valid_uscc("91350100M000100I43")  # I is not in the code's alphabet


@pytest.mark.django_db
def test_memo_computes_once_per_evaluation():
    case = CaseFactory()
    calls = []

    def compute():
        calls.append(1)
        return 42

    assert requirements.memo(case, "k", compute) == requirements.memo(case, "k", compute) == 42
    assert len(calls) == 1
    requirements.checklist(case)  # a new evaluation starts fresh
    requirements.memo(case, "k", compute)
    assert len(calls) == 2
