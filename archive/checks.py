"""The registered checks of the quality rule sheet (archive.models.QualityRule.check_name). Each
takes a case and returns a Result: passed, and the case-page target ("section#anchor", as
cases.requirements' targets) where the missing record is made. Checks read other apps only
through their selectors and read functions (cases/tests/test_seams.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from avrecords import selectors as av_selectors
from deadlines import selectors as deadline_selectors
from deadlines.models import DeadlineKind
from delivery import selectors as delivery_selectors
from delivery.models import DeliveryMethod
from review import defence, legal
from review import selectors as review_selectors
from review.models import DecisionOutcome


@dataclass(frozen=True)
class Result:
    passed: bool
    target: str = ""
    url: str = ""  # a record's own page, where the failure is fixed; when given, instead of `target`


Check = Callable[[Any], Result]
CHECKS: dict[str, Check] = {}

# The officers on the overview's facts (the form "#record-officers" is gone once the case is
# archived, and never shown to the archivist or head who reads the score).
OFFICERS = "overview#officers"
# The parties' list on the overview (the add form "#record-party_add" is gone once the case is
# decided: a link there landed nowhere).
PARTIES = "overview#parties"
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
    """《行政处罚法》第四十二条: every officer held a 执法证 when assigned to the case (the number
    recorded on the assignment, CaseOfficer.cert_no): a certificate lapsing after the case does
    not make its handling uncertified."""
    return Result(not case.assignments.filter(cert_no="").exists(), OFFICERS)


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
    needed = [party.name, party.id_number, party.address, party.phone]
    if party.kind != "person":
        needed.append(party.legal_rep)
    return all(v and v.strip() for v in needed)


@check("party_details")
def party_details(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（一）项: each party recorded in full (person: name, ID
    number — which carries sex and birth date —, address, phone; organisation: name, credit
    code, legal representative, address, phone; 北京市2016评查标准); a case with no party fails."""
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


# --- issue 16 item 3, the rest of the sheet (0003_more_rules) ------------------------------------

DEFENCE = "review#panel-review_defence"
LEGAL = "review#panel-review_legal"

# A remedy organ named in full: a place name before the organ's full title, never "市政府",
# "上级机关" or "人民法院" alone (鲁司〔2023〕33号; 北京市2016评查标准: 复议机关或法院名称不全).
_FULL_BODY = re.compile(r"^\S{2,}(人民政府|厅|局|委员会|办公室)$")
_FULL_COURT = re.compile(r"^\S{2,}人民法院$")


def _decided(case: Any) -> Any:
    """The case's decision once the head has signed it (a draft under review is judged by the
    review's own checks, not by the procedure vetoes), else None."""
    decision = review_selectors.decision_of(case)
    return decision if decision is not None and decision.decided_by_id is not None else None


def _penalty_decision(case: Any) -> Any:
    """The case's signed decision when it imposes a penalty (第四十四条's scope), else None."""
    decision = _decided(case)
    return decision if decision is not None and decision.outcome == DecisionOutcome.PENALTY else None


@check("remedies_named")
def remedies_named(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（五）项: the decision document, as issued (its frozen
    context), names the reconsideration body and the court in full. A decision without a
    document (a transfer) passes; a case without a decision fails."""
    decision = review_selectors.decision_of(case)
    if decision is None:
        return Result(False, REVIEW)
    doc = decision.document
    if doc is None:
        return Result(decision.outcome == DecisionOutcome.TRANSFER, REVIEW)
    context = doc.context if isinstance(doc.context, dict) else {}
    if "reconsideration_body" not in context and "court" not in context:
        return Result(True, REVIEW)  # a document without remedies (a licence granted)
    body = str(context.get("reconsideration_body") or "").strip()
    court = str(context.get("court") or "").strip()
    return Result(bool(_FULL_BODY.match(body) and _FULL_COURT.match(court)), REVIEW)


@check("defence_rechecked")
def defence_rechecked(case: Any) -> Result:
    """第十四条第二款; 《行政处罚法》第四十五条第一款: every point the party raised is re-checked
    (复核: adopted or not, and why) — a statement recorded without its points, a point without
    its reasons, or a hearing held without the chair's opinion in the report fails."""
    notice = defence.current_notice(case)
    if notice is None:
        return Result(True, DEFENCE)
    stated = getattr(notice, "defence", None)
    if stated is not None and stated.outcome == "stated":
        points = list(stated.points.all())
        if not points or not all(p.reason.strip() for p in points):
            return Result(False, DEFENCE)
    hearing = defence.hearing_of(notice)
    if hearing is not None and hearing.status == "held" and not hearing.report_opinion.strip():
        return Result(False, DEFENCE)
    return Result(True, DEFENCE)


@check("investigation_report")
def investigation_report(case: Any) -> Result:
    """调查终结报告 (北京市2016评查标准: 无调查终结报告): in Linke the officers' report that ends the
    investigation is the draft decision they submit for review (第十三条; review.actions.
    decision_save) — facts, evidence, basis and the proposed handling, drafted by an officer of
    the case. Fails without a draft, with one of those empty, or drafted by someone else."""
    decision = review_selectors.decision_of(case)
    if decision is None:
        return Result(False, REVIEW)
    written = all((getattr(decision, f) or "").strip() for f in ("facts", "evidence", "basis", "content"))
    by_officer = case.assignments.filter(officer_id=decision.drafted_by_id).exists()
    return Result(written and by_officer, REVIEW)


@check("decision_served_in_time")
def decision_served_in_time(case: Any) -> Result:
    """《行政处罚法》第六十一条 (7 working days; 《行政许可法》第四十四条: 10): the decision's
    service date (送达日期) falls on or before the last day of its DECISION_DELIVERY period. An
    unserved decision is the rule delivery.decision's, not this one's: it passes here."""
    decision = review_selectors.decision_of(case)
    if decision is None or decision.document_id is None:
        return Result(True, DELIVERY)
    served_on = delivery_selectors.service_date(decision.document_id)
    period = deadline_selectors.case_deadline(case, DeadlineKind.DECISION_DELIVERY)
    if served_on is None or period is None:
        return Result(True, DELIVERY)
    return Result(served_on <= timezone.localdate(period.due), DELIVERY)


@check("lien_recorded")
def lien_recorded(case: Any) -> Result:
    """第二十条: every lien (留置送达) that served a document carries an audio-visual record of the
    process (第二十条第二款; DOMAIN.md: often mandatory; 北京市2016评查标准: 留置送达无过程记录)."""
    for attempt in delivery_selectors.attempts_of_case(case.pk):
        if attempt.method == DeliveryMethod.LIEN and attempt.outcome == "served" and attempt.av_record_id is None:
            return Result(False, DELIVERY)
    return Result(True, DELIVERY)


@check("dates_present")
def dates_present(case: Any) -> Result:
    """《行政处罚法》第五十九条第一款第（六）项: the decision bears the date it was made — on the
    row and on the document as issued. A case without a decision fails. (Services carry their
    date by constraint: delivery_served_has_date.)"""
    decision = review_selectors.decision_of(case)
    if decision is None:
        return Result(False, REVIEW)
    doc = decision.document
    context = doc.context if doc is not None and isinstance(doc.context, dict) else {}
    printed = "decided_on" not in context or bool(str(context["decided_on"]).strip())
    return Result(decision.decided_at is not None and printed, REVIEW)


# --- 否决项: procedure unlawful (鲁司〔2023〕33号: 程序违法) -----------------------------------------


@check("legal_review_done")
def legal_review_done(case: Any) -> Result:
    """第十六条; 《行政处罚法》第五十八条: where the case's sheet names a situation of the article,
    the decision was made after a passing 法制审核 (review.legal.legal_review_check)."""
    decision = _decided(case)
    if decision is None:
        return Result(True, LEGAL)
    return Result(not legal.legal_review_check(case, decision), LEGAL)


@check("discussion_done")
def discussion_done(case: Any) -> Result:
    """第十六条; 《行政处罚法》第五十七条第二款: a complex or major case was decided by the heads
    collectively and as they concluded (review.legal.discussion_check)."""
    decision = _decided(case)
    if decision is None:
        return Result(True, LEGAL)
    return Result(not legal.discussion_check(case, decision), LEGAL)


@check("party_notified_and_heard")
def party_notified_and_heard(case: Any) -> Result:
    """第十四条; 《行政处罚法》第四十四条、第六十二条: a penalty was decided after the 事先告知书
    was issued and served and the party heard (a statement recorded, waived or lapsed, or a
    hearing held or not attended). Not heavier than the notice (第四十五条第二款)."""
    decision = _penalty_decision(case)
    if decision is None:
        return Result(True, DEFENCE)
    notice = defence.current_notice(case)
    if notice is None or notice.served_on is None:
        return Result(False, DEFENCE)
    hearing = defence.hearing_of(notice)
    heard_at_hearing = hearing is not None and hearing.status in ("held", "absent")
    if not heard_at_hearing and getattr(notice, "defence", None) is None:
        return Result(False, DEFENCE)
    return Result(not defence.check_not_heavier(case, decision), DEFENCE)


@check("hearing_held")
def hearing_held(case: Any) -> Result:
    """第十五条; 《行政处罚法》第六十三、六十四条: a hearing the party requested was held (or not
    attended, or withdrawn) before the penalty, and a held hearing has its report."""
    decision = _penalty_decision(case)
    notice = defence.current_notice(case)
    hearing = defence.hearing_of(notice) if notice is not None else None
    if decision is None or hearing is None:
        return Result(True, DEFENCE)
    if hearing.status in defence.HEARING_OPEN:
        return Result(False, DEFENCE)
    return Result(hearing.status != "held" or hearing.report_document_id is not None, DEFENCE)


# --- 第二十六条: the AV records described (the rule av.details, 0017_rule_av_details) -------------

AV = "av#panel-avrecords"


@check("av_described")
def av_described(case: Any) -> Result:
    """第二十六条: every AV record of the case carries its 制作方法, 制作时间, 制作人 and 证明对象 (and
    for sound the text of what is said; avrecords.selectors.details_missing). Fails on the
    first record that does not, linking to that record's page (where it is described); passes
    for a case without AV records."""
    for record in av_selectors.records_of_case(case.pk).order_by("created_at", "pk"):
        if av_selectors.details_missing(record):
            return Result(False, AV, record.get_absolute_url())
    return Result(True, AV)


@check("av_late_explained")
def av_late_explained(case: Any) -> Result:
    """第二十七条: an AV record of the case stored in dedicated storage past its deadline (two
    working days from the end of recording; `late`) carries the written reason for the delay
    (`late_reason`). Fails on the first that does not, linking to that record's page; passes
    for a case whose records were all stored in time or explained."""
    late = av_selectors.records_of_case(case.pk).filter(late=True).order_by("created_at", "pk")
    for record in late:
        if not record.late_reason.strip():
            return Result(False, AV, record.get_absolute_url())
    return Result(True, AV)
