"""The registered checks of the quality rule sheet (archive.models.QualityRule.check_name). Each
takes a case and returns a Result: passed, and the case-page target ("section#anchor", as
cases.requirements' targets) where the missing record is made. Checks read other apps only
through their selectors and read functions (cases/tests/test_seams.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from delivery import selectors as delivery_selectors
from review import defence
from review import selectors as review_selectors
from review.models import DecisionOutcome


@dataclass(frozen=True)
class Result:
    passed: bool
    target: str = ""


Check = Callable[[Any], Result]
CHECKS: dict[str, Check] = {}

OFFICERS = "overview#record-officers"
PARTIES = "overview#record-party_add"
REVIEW = "review#panel-review"
DELIVERY = "delivery#panel-delivery"

# An article cited to at least 条 (e.g. "第三十条第一款第（二）项"): 第…条 in Chinese or Arabic numerals.
_ARTICLE = re.compile(r"第[一二三四五六七八九十百零〇\d]+条")


def check(name: str) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return deco


@check("two_officers")
def two_officers(case: Any) -> Result:
    """《行政处罚法》第四十二条: two or more officers handle the case."""
    return Result(case.assignments.count() >= 2, OFFICERS)


@check("officers_certified")
def officers_certified(case: Any) -> Result:
    """《行政处罚法》第四十二条: every officer holds a 执法证 (a number on record)."""
    missing = case.assignments.filter(officer__cert_no__isnull=True).exists()
    blank = case.assignments.filter(officer__cert_no="").exists()
    return Result(not (missing or blank), OFFICERS)


@check("decision_performance")
def decision_performance(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（四）项: the decision states the manner and deadline of
    performance. A case without a decision fails; a decision imposing no penalty has nothing to
    perform and passes."""
    decision = review_selectors.decision_of(case)
    if decision is not None and decision.outcome != DecisionOutcome.PENALTY:
        return Result(True, REVIEW)
    return Result(decision is not None and bool(decision.performance.strip()), REVIEW)


@check("decision_basis_cited")
def decision_basis_cited(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（三）项: the basis cites the law's article (条, and 款/项)."""
    decision = review_selectors.decision_of(case)
    return Result(decision is not None and bool(_ARTICLE.search(decision.basis)), REVIEW)


def _party_complete(party: Any) -> bool:
    needed = [party.name, party.id_number, party.address]
    if party.kind != "person":
        needed.append(party.legal_rep)
    return all(v and v.strip() for v in needed)


@check("party_details")
def party_details(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（一）项: each party recorded in full (person: name, ID
    number, address; organisation: name, credit code, legal representative, address); a case
    with no party fails."""
    parties = list(case.parties.all())
    return Result(bool(parties) and all(_party_complete(p) for p in parties), PARTIES)


@check("decision_served")
def decision_served(case: Any) -> Result:
    """第五章 / 《行政处罚法》第六十一条: proof of service of the decision (a served attempt)."""
    decision = review_selectors.decision_of(case)
    served = bool(decision and decision.document_id and delivery_selectors.service_date(decision.document_id))
    return Result(served, DELIVERY)


@check("notice_served")
def notice_served(case: Any) -> Result:
    """第十四条 / 《行政处罚法》第四十四条: proof of service of the 事先告知书."""
    notice = defence.current_notice(case)
    return Result(notice is not None and notice.served_on is not None, REVIEW)


@check("hearing_notice_served")
def hearing_notice_served(case: Any) -> Result:
    """第十五条 / 《行政处罚法》第六十四条: where a hearing was scheduled (its 听证通知书 made),
    proof of service of the 听证通知书. Passes where no hearing was notified."""
    notice = defence.current_notice(case)
    hearing = defence.hearing_of(notice) if notice is not None else None
    if hearing is None or hearing.notice_document_id is None:
        return Result(True, REVIEW)
    return Result(hearing.notice_served_on is not None, REVIEW)
