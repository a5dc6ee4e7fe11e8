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
    assert Case.objects.count() == count == 8


def test_seed_holds_a_case_with_a_hearing(settings, tmp_path):
    """第十五条: notice served, hearing requested, notified, held and reported, nothing missing."""
    from cases.requirements import missing
    from review.models_defence import HearingStatus
    from review.tests.defence_helpers import HEARD_CODES

    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    demo.seed(out, accounts_demo.seed(out))
    case = Case.objects.get(title=demo.HEARING_CASE)
    assert case.state == CaseState.UNDER_REVIEW
    h = case.penalty_notices.get().hearing
    assert h.status == HearingStatus.HELD and h.record_document and h.report_document and h.agents.count() == 1
    # The notice, defence, hearing and 第五十八条 lines (the sign-offs of 第十三条 come next).
    lines = (*HEARD_CODES, "review.legal_situations")
    assert [r.code for r in missing(case, CaseState.UNDER_REVIEW) if r.code in lines] == []
