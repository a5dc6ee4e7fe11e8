"""Builders shared by test_legal*.py, test_periods*.py and test_publication*.py (plain functions,
not fixtures, so they do not clash with other review tests' conftest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseKind, CaseOrigin, CaseState, PartyKind
from cases.tests.factories import CaseFactory, PartyFactory
from review.legal import review_sheet_save
from review.models import Decision, DecisionOutcome, LegalFinding, LegalReviewPoint, PenaltyKind
from review.tests import path

TZ = ZoneInfo("Asia/Shanghai")
PERSON_ID = "11010519491231002X"  # a valid 居民身份证号 (check digit X)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def qualified_reviewer(username: str = "fg_reviewer", **kw: Any) -> Any:
    user: Any = UserFactory(username=username, roles=[Role.LEGAL_REVIEWER])
    user.legal_qualification_no = kw.get("qualification", "A20213713000123")
    user.legal_review_since = kw.get("since")
    user.save()
    return user


def penalty_case(state: str = CaseState.UNDER_REVIEW, *, heard: bool = True, **kw: Any) -> Any:
    """A penalty case with a party; in 审查中 and unless heard=False, the party was also given the
    事先告知书, served, and waived the defence (review/tests/path.py), so the decision checks of
    第四十四、六十二条 are out of the way of the legal part's own."""
    kw.setdefault("filed_at", timezone.now() - dt.timedelta(days=30))
    case = CaseFactory(state=state, **kw)
    PartyFactory(case=case)
    if heard and state == CaseState.UNDER_REVIEW:
        path.heard(case)
    return case


def licensing_case(state: str = CaseState.ACCEPTED) -> Any:
    return CaseFactory(kind=CaseKind.LICENSING, origin=CaseOrigin.APPLICATION, state=state)


def all_sound() -> dict[str, dict[str, str]]:
    return {p.value: {"finding": LegalFinding.SOUND, "note": ""} for p in LegalReviewPoint}


def tick(case: Any, by: Any, *situations: str, **kw: Any) -> Any:
    return review_sheet_save(case_id=case.pk, by=by, situations=list(situations), **kw)


def draft_decision(case: Any, outcome: str = DecisionOutcome.PENALTY, **kw: Any) -> Decision:
    """The officers' draft (decided_at empty): what `decide` would check."""
    fields: dict[str, Any] = {
        "facts": "当事人在科技项目申报中提供虚假材料。",
        "evidence": "询问笔录、申报材料。",
        "basis": "《临沂市科技计划项目管理办法》第二十条",
        "kinds": [PenaltyKind.FINE] if outcome == DecisionOutcome.PENALTY else [],
        "fine_yuan": Decimal("5000") if outcome == DecisionOutcome.PENALTY else None,
        "content": "罚款人民币伍仟元。",
        "performance": "自收到本决定书之日起十五日内缴纳。",
    }
    fields.update(kw)
    return Decision.objects.create(case=case, outcome=outcome, drafted_by=case.created_by, **fields)


def person_party(case: Any, name: str = "张三丰", id_number: str = PERSON_ID) -> Any:
    return PartyFactory(case=case, kind=PartyKind.PERSON, name=name, id_number=id_number, legal_rep="")


def now() -> dt.datetime:
    return timezone.now()
