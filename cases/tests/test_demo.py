import io

import pytest

from accounts import demo as accounts_demo
from cases import demo
from cases.models import Case, CaseState

pytestmark = pytest.mark.django_db


def test_seed_makes_cases_in_several_stages_and_is_idempotent(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    users = accounts_demo.seed(out)
    demo.seed(out, users)
    states = set(Case.objects.values_list("state", flat=True))
    assert {
        CaseState.REGISTERED,
        CaseState.PENDING_FILING,
        CaseState.INVESTIGATING,
        CaseState.NOT_FILED,
        CaseState.ACCEPTED,
        CaseState.APPLIED,
    } <= states
    count = Case.objects.count()
    demo.seed(out, users)
    assert Case.objects.count() == count == 7
