"""What the Measures ask to be recorded, article by article, and whether a case has it.

Each stage app has its own `requirements.py` that builds `Requirement`s and calls
`register(...)` at import; `CasesConfig.ready()` imports every installed app's
`requirements` module. The case page shows `checklist(case)`; a transition out of a stage
is refused while `missing(case, stage)` is not empty (the message names the articles).
This module holds the framework and the 第二章 (第七至九条) requirements of cases itself.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .models import Application, Case, Complaint


@dataclass(frozen=True)
class Requirement:
    code: str  # unique, e.g. "ex_officio.cause"
    article: str  # the article it applies, e.g. "第八条第一款"
    label: str  # what must be recorded, in Chinese
    stage: str  # a CaseState value: leaving this stage needs it
    applies: Callable[["Case"], bool]
    satisfied: Callable[["Case"], bool]
    order: int = 0
    # Where the case page records it: "<section>#<anchor>" (a key of cases.panels.SECTIONS and
    # an element id of that section), so a missing item links there (issue 17).
    target: str = ""


def target_url(req: Requirement, case_id: int) -> str:
    """The URL of the case page's section (and anchor) where `req` is recorded, e.g.
    "/cases/7/s/av/#panel-avrecords". KeyError for a target naming no section; "" without a
    target."""
    from .panels import section_url

    if not req.target:
        return ""
    section, _, anchor = req.target.partition("#")
    return section_url(case_id, section, anchor)


@dataclass
class CheckItem:
    requirement: Requirement
    status: str  # "done", "missing" or "na" (does not apply to this case)
    url: str = ""  # where it is recorded (target_url), set by the case page

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass
class _Registry:
    items: dict[str, Requirement] = field(default_factory=dict)


_registry = _Registry()


def register(*requirements: Requirement) -> None:
    for req in requirements:
        _registry.items[req.code] = req


def all_requirements() -> list[Requirement]:
    return sorted(_registry.items.values(), key=lambda r: (r.order, r.code))


def memo(case: "Case", key: str, compute: Callable[[], object]) -> object:
    """Compute something once per case object while a checklist is evaluated: several
    requirements of one app often read the same rows (e.g. the case's finalised records)."""
    cache = case.__dict__.setdefault("_requirements_memo", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def checklist(case: "Case") -> list[CheckItem]:
    case.__dict__.pop("_requirements_memo", None)  # fresh reads for every evaluation
    items = []
    for req in all_requirements():
        if not req.applies(case):
            items.append(CheckItem(req, "na"))
        else:
            items.append(CheckItem(req, "done" if req.satisfied(case) else "missing"))
    return items


def missing(case: "Case", stage: str) -> list[Requirement]:
    """Applicable requirements of `stage` that the case does not have yet."""
    case.__dict__.pop("_requirements_memo", None)
    return [r for r in all_requirements() if r.stage == stage and r.applies(case) and not r.satisfied(case)]


def describe_missing(reqs: list[Requirement]) -> str:
    return "；".join(f"{r.article}：{r.label}" for r in reqs)


# --- 第二章: how a case starts (第七至九条) --------------------------------------------------
#
# Predicates read the case's one-to-one records through the reverse accessors; the case
# page select_related()s them, so the checklist costs a fixed number of queries.


def _rel(case: "Case", name: str) -> Any:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return getattr(case, name)
    except ObjectDoesNotExist:
        return None


def _origin(*origins: str) -> Callable[["Case"], bool]:
    return lambda case: case.origin in origins


def _penalty_start(case: "Case") -> bool:
    return case.kind == "penalty" and case.origin in ("ex_officio", "complaint")


def _to_be_filed(case: "Case") -> bool:
    # 第八条第一款 describes the filing approval: a case decided not to be filed (第八条第二款)
    # is measured by that paragraph's records instead.
    return _penalty_start(case) and not _not_filed(case)


def _filing(field_name: str) -> Callable[["Case"], bool]:
    def check(case: "Case") -> bool:
        filing = _rel(case, "filing")
        return bool(filing and getattr(filing, field_name))

    return check


def _signed(level: str) -> Callable[["Case"], bool]:
    """The filing step is signed at `level` in its open round (a SignOff row, 第八条第一款)."""

    def check(case: "Case") -> bool:
        from .signoffs import open_levels

        # The three filing levels share one look-up per checklist evaluation.
        return level in cast(set[str], memo(case, "filing_open_levels", lambda: open_levels(case, "filing")))

    return check


def _has_party(case: "Case") -> bool:
    parties = getattr(case, "_prefetched_objects_cache", {}).get("parties")
    if parties is not None:
        return len(parties) > 0
    return case.parties.exists()


def _two_certified_officers(case: "Case") -> bool:
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is not None:
        return sum(1 for a in assignments if a.officer.cert_no) >= 2
    return case.assignments.filter(officer__cert_no__isnull=False).count() >= 2


def _app(check: Callable[["Application"], bool]) -> Callable[["Case"], bool]:
    def wrapped(case: "Case") -> bool:
        app = _rel(case, "application")
        return bool(app and check(app))

    return wrapped


def _oral(case: "Case") -> bool:
    app = _rel(case, "application")
    return case.origin == "application" and bool(app and app.form == "oral")


def _supplement_requested(case: "Case") -> bool:
    return case.origin == "application" and case.application_events.filter(kind="supplement_request").exists()


def _supplement_received(case: "Case") -> bool:
    # The last request must be answered by a receipt at or after it.
    last_request = case.application_events.filter(kind="supplement_request").order_by("-occurred_at").first()
    return (
        last_request is not None
        and case.application_events.filter(
            kind="supplement_received", occurred_at__gte=last_request.occurred_at
        ).exists()
    )


def _complaint(check: Callable[["Complaint"], bool]) -> Callable[["Case"], bool]:
    def wrapped(case: "Case") -> bool:
        complaint = _rel(case, "complaint")
        return bool(complaint and check(complaint))

    return wrapped


def _not_filed(case: "Case") -> bool:
    return _rel(case, "non_initiation") is not None


def _named_complaint_not_filed(case: "Case") -> bool:
    complaint = _rel(case, "complaint")
    return bool(complaint and not complaint.anonymous and _not_filed(case))


def _ni(field_name: str) -> Callable[["Case"], bool]:
    def check(case: "Case") -> bool:
        ni = _rel(case, "non_initiation")
        return bool(ni and getattr(ni, field_name))

    return check


register(
    # 《行政处罚法》第四十二条 (the Measures' 执法人员 are certified officers)
    Requirement(
        "case.officers",
        "《行政处罚法》第四十二条",
        "承办人两名以上且均持有执法证",
        "registered",
        applies=lambda c: c.kind == "penalty",
        satisfied=_two_certified_officers,
        order=10,
        target="overview#record-officers",
    ),
    # A licensing case: the Measures' 执法人员 (第七条); 《行政许可法》第三十四条第三款 has two or
    # more staff verify an application's substance. No 《行政处罚法》 line applies to licensing.
    Requirement(
        "application.officers",
        "第七条；《行政许可法》第三十四条第三款",
        "承办人两名以上且均为持有执法证的执法人员",
        "applied",
        applies=lambda c: c.kind == "licensing",
        satisfied=_two_certified_officers,
        order=10,
        target="overview#record-officers",
    ),
    # 第七条: by application
    Requirement(
        "application.form",
        "第七条",
        "文字申请或口头申请（申请方式、时间）",
        "applied",
        applies=_origin("application"),
        satisfied=_app(lambda a: bool(a.form and a.received_at)),
        order=70,
        target="overview#record-application_complete",
    ),
    Requirement(
        "application.oral_record",
        "第七条",
        "口头申请的文字记录",
        "applied",
        applies=_oral,
        satisfied=_app(lambda a: bool(a.oral_record.strip())),
        order=71,
        target="overview#record-application_complete",
    ),
    Requirement(
        "application.applicant",
        "第七条",
        "申请人基本情况",
        "applied",
        applies=_origin("application"),
        satisfied=_has_party,
        order=72,
        target="overview#record-party_add",
    ),
    Requirement(
        "application.matter",
        "第七条",
        "申请事项及申请材料",
        "applied",
        applies=_origin("application"),
        satisfied=_app(lambda a: bool(a.matter and a.materials)),
        order=73,
        target="overview#record-application_complete",
    ),
    Requirement(
        "application.supplement",
        "第七条；《行政许可法》第三十二条第一款第（四）项",
        "补正更正材料的接收情况",
        "applied",
        applies=_supplement_requested,
        satisfied=_supplement_received,
        order=74,
        target="overview#record-supplement_received",
    ),
    Requirement(
        "application.decision",
        "第七条",
        "受理或者不予受理（理由、时间）",
        "accepted",
        applies=_origin("application"),
        satisfied=_app(lambda a: bool(a.decision and a.decision_reason and a.decided_at)),
        order=75,
        target="overview#actions",
    ),
    Requirement(
        "application.rejection",
        "第七条；《行政许可法》第三十二条第一款",
        "不予受理的情形、告知申请人的理由及时间（不属于本机关职权范围的，告知应当向其申请的行政机关）",
        "rejected",
        applies=lambda c: c.origin == "application" and c.state == "rejected",
        satisfied=_app(
            lambda a: bool(
                a.decision == "rejected"
                and a.decision_reason
                and a.refusal_ground
                and a.refusal_reason
                and (a.refusal_ground != "not_competent" or a.competent_organ)
            )
        ),
        order=76,
        target="overview#record-reject_application",
    ),
    # 第八条第一款: ex officio (and the filing approval of a case started by a complaint)
    Requirement(
        "ex_officio.cause",
        "第八条第一款",
        "启动原因",
        "registered",
        applies=_to_be_filed,
        satisfied=_filing("cause"),
        order=80,
        target="overview#record-filing_info",
    ),
    Requirement(
        "ex_officio.source",
        "第八条第一款",
        "案件来源",
        "registered",
        applies=_to_be_filed,
        satisfied=_filing("source"),
        order=81,
        target="overview#record-filing_info",
    ),
    Requirement(
        "ex_officio.party",
        "第八条第一款",
        "当事人基本情况",
        "registered",
        applies=_to_be_filed,
        satisfied=_has_party,
        order=82,
        target="overview#record-party_add",
    ),
    Requirement(
        "ex_officio.facts",
        "第八条第一款",
        "基本案情",
        "registered",
        applies=_to_be_filed,
        satisfied=lambda c: bool(c.summary.strip()),
        order=83,
        target="overview#record-filing_info",
    ),
    Requirement(
        "ex_officio.officer_opinion",
        "第八条第一款",
        "承办人意见及时间",
        "registered",
        applies=_to_be_filed,
        satisfied=_signed("officer"),
        order=84,
        target="overview#record-officer_opinion",
    ),
    Requirement(
        "ex_officio.unit_opinion",
        "第八条第一款",
        "承办机构意见及时间",
        "registered",
        applies=_to_be_filed,
        satisfied=_signed("unit"),
        order=85,
        target="overview#record-unit_opinion",
    ),
    Requirement(
        "ex_officio.head_opinion",
        "第八条第一款",
        "行政执法机关负责人意见及时间",
        "pending_filing",
        applies=_to_be_filed,
        satisfied=_signed("head"),
        order=86,
        target="overview#actions",
    ),
    # 第八条第二款: not starting proceedings
    Requirement(
        "non_initiation.decision",
        "第八条第二款",
        "不启动执法程序的决定及理由",
        "not_filed",
        applies=_not_filed,
        satisfied=_ni("reason"),
        order=87,
        target="overview#record-not_file",
    ),
    Requirement(
        "non_initiation.notice",
        "第八条第二款",
        "告知当事人或者向社会公示的情况",
        "not_filed",
        applies=_not_filed,
        satisfied=_ni("notice_at"),
        order=88,
        target="overview#record-notice",
    ),
    # 第九条第一款: complaint or report
    Requirement(
        "complaint.complainant",
        "第九条第一款",
        "投诉、举报人基本情况（或匿名）",
        "registered",
        applies=_origin("complaint"),
        satisfied=_complaint(
            lambda c: c.anonymous or bool(c.complainant_name and (c.complainant_phone or c.complainant_address))
        ),
        order=90,
        target="overview#complaint",
    ),
    Requirement(
        "complaint.content",
        "第九条第一款",
        "投诉、举报的内容",
        "registered",
        applies=_origin("complaint"),
        satisfied=_complaint(lambda c: bool(c.content.strip())),
        order=91,
        target="overview#complaint",
    ),
    Requirement(
        "complaint.recorder",
        "第九条第一款",
        "记录人情况",
        "registered",
        applies=_origin("complaint"),
        satisfied=_complaint(lambda c: bool(c.recorded_by_id)),
        order=92,
        target="overview#complaint",
    ),
    Requirement(
        "complaint.handling",
        "第九条第一款",
        "投诉、举报处理情况",
        "registered",
        applies=_origin("complaint"),
        satisfied=_complaint(lambda c: bool(c.handling.strip())),
        order=93,
        target="overview#record-complaint_handling",
    ),
    # 第九条第二款: a real-name complainant is told when no case is started
    Requirement(
        "complaint.notice",
        "第九条第二款",
        "告知实名投诉人、举报人的情况",
        "not_filed",
        applies=_named_complaint_not_filed,
        satisfied=_ni("complainant_notice_at"),
        order=94,
        target="overview#record-complainant_notice",
    ),
)
