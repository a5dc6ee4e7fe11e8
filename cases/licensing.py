"""Accepting a licensing application (第七条; 《行政许可法》第三十二条、第四十二条): the 补正材料通知书,
the receipt of the supplied material, and the documents acceptance and refusal issue.

The 5-working-day rule (《行政许可法》第三十二条第一款第（四）项, periods in working days by 第八十二条):
registering an application opens `DeadlineKind.LICENSING_SUPPLEMENT`, due 5 working days after
the day of receipt; the supplement notice meets it, and so does the decision on acceptance.
When it lapses without a notice the law has decided already: "逾期不告知的，自收到申请材料之日起即
为受理". We apply that when the officer accepts, not by a periodic job: accepting such an
application records the day of receipt as the acceptance date (`Application.accepted_at`, with
`deemed_accepted`), the 受理通知书 says so, and the 20 working days of 第四十二条 count from it.
Until then the case page tells the officer the period has lapsed and what acceptance will record,
a supplement notice is refused (it no longer has legal effect), and the deadlines scan escalates
the lapsed period like any overdue one. A periodic job was not chosen because it would take a
受理号 and issue a document with no officer's act behind it, and could not check 第七条's record
(the materials, an oral application's written record) that acceptance requires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from documents.registry import DocTypeCode

from . import policy, stages
from .initiation_docs import _fmt, _issue, _parties
from .models import Application, ApplicationEvent, ApplicationEventKind, Case, CaseKind, CaseState, RefusalGround
from .stages import TransitionError

SUPPLEMENT_WORKING_DAYS = 5  # 《行政许可法》第三十二条第一款第（四）项
DECISION_WORKING_DAYS = 20  # 《行政许可法》第四十二条
SUPPLEMENT_ARTICLE = "《行政许可法》第三十二条第一款第（四）项"
# A municipal department's decisions are reconsidered by the municipal government
# (《行政复议法》(2023)第二十四条, DOMAIN.md); within 60 days (第二十条); suit within 6 months
# (《行政诉讼法》第四十六条).
RECONSIDERATION_ORGAN = "临沂市人民政府"
# 《行政许可法》第三十二条第一款: the item each ground applies, as the decision cites it.
GROUND_ITEMS = {RefusalGround.NOT_REQUIRED: "第（一）项", RefusalGround.NOT_COMPETENT: "第（二）项"}


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _working_days_after(start: dt.datetime, n: int) -> dt.date:
    from deadlines.services import compute_due

    return compute_due(start, working_days=n, days=None).date


def supplement_due(app: Application) -> dt.date:
    """The last day (local) to tell the applicant every missing material: 5 working days after
    the day of receipt (第三十二条第一款第（四）项), the same day the deadline engine computes."""
    return _working_days_after(app.received_at, SUPPLEMENT_WORKING_DAYS)


def _event(case: Case, kind: str) -> ApplicationEvent | None:
    return ApplicationEvent.objects.filter(case=case, kind=kind).order_by("occurred_at", "pk").first()


def supplement_notice_of(case: Case) -> ApplicationEvent | None:
    """The case's 补正材料通知 (its request event), if any."""
    return _event(case, ApplicationEventKind.SUPPLEMENT_REQUEST)


def supplement_lapsed(case: Case, app: Application, at: dt.datetime | None = None) -> bool:
    """The 5 working days passed (by `at`, default now) and the applicant was never told of
    missing material: the application counts as accepted from the day of receipt."""
    at = at or timezone.now()
    return supplement_notice_of(case) is None and _local_date(at) > supplement_due(app)


def acceptance_moment(case: Case, app: Application, at: dt.datetime | None = None) -> tuple[dt.datetime, bool]:
    """(the acceptance date to record, whether it is deemed): the receipt when the 5-day period
    lapsed without a notice (第三十二条第一款第（四）项), else `at` (now)."""
    at = at or timezone.now()
    if supplement_lapsed(case, app, at):
        return app.received_at, True
    return at, False


def decision_due(accepted_at: dt.datetime) -> dt.date:
    """《行政许可法》第四十二条: the last day of the 20 working days counted from acceptance."""
    return _working_days_after(accepted_at, DECISION_WORKING_DAYS)


@dataclass(frozen=True)
class AcceptanceStatus:
    """What the case page tells the officer about a received application."""

    supplement_due: dt.date
    lapsed: bool
    notice: ApplicationEvent | None
    supplied: ApplicationEvent | None

    @property
    def message(self) -> str:
        due = f"{self.supplement_due:%Y年%m月%d日}"
        if self.notice is not None and self.supplied is None:
            return f"已于{self.notice.occurred_at:%Y年%m月%d日}一次告知补正材料，待申请人补正；补正后方可受理。"
        if self.notice is not None:
            return f"申请人已于{self.supplied.occurred_at:%Y年%m月%d日}补正材料；受理之日起二十个工作日内作出决定。"  # type: ignore[union-attr]
        if self.lapsed:
            return (
                f"收到申请材料已超过五个工作日（{due}届满）未告知补正，依法自收到申请材料之日起即为受理"
                f"（{SUPPLEMENT_ARTICLE}）：受理时将记载收到申请之日为受理日期，二十个工作日的决定期限自该日起算；"
                "不能再告知补正。"
            )
        return f"申请材料不齐全或者不符合法定形式的，应当在{due}前一次告知需要补正的全部内容（{SUPPLEMENT_ARTICLE}）。"


def acceptance_status(case: Case) -> AcceptanceStatus | None:
    """For a licensing case still at APPLIED; None otherwise."""
    if case.kind != CaseKind.LICENSING or case.state != CaseState.APPLIED:
        return None
    app = Application.objects.filter(case=case).first()
    if app is None:
        return None
    notice = supplement_notice_of(case)
    return AcceptanceStatus(
        supplement_due=supplement_due(app),
        lapsed=supplement_lapsed(case, app),
        notice=notice,
        supplied=_event(case, ApplicationEventKind.SUPPLEMENT_RECEIVED),
    )


# --- deadlines ------------------------------------------------------------------------------


def supplement_period_open(case: Case, app: Application) -> None:
    """Registering an application opens the 5-working-day period (第三十二条第一款第（四）项)."""
    from deadlines.models import DeadlineKind
    from deadlines.services import deadline_open

    deadline_open(
        case=case,
        kind=DeadlineKind.LICENSING_SUPPLEMENT,
        article=SUPPLEMENT_ARTICLE,
        label=f"{DeadlineKind.LICENSING_SUPPLEMENT.label}（收到申请材料之日起五个工作日内一次告知）",
        start=app.received_at,
        working_days=SUPPLEMENT_WORKING_DAYS,
        responsible=case.officers.all(),
    )


def supplement_period_meet(case: Case, at: dt.datetime) -> None:
    """The notice, or the decision on acceptance, answers the period."""
    from deadlines.models import DeadlineKind
    from deadlines.services import deadline_met

    deadline_met(kind=DeadlineKind.LICENSING_SUPPLEMENT, case=case, met_at=at)


# --- checks ---------------------------------------------------------------------------------


def _check_time(value: dt.datetime, what: str, *, not_before: dt.datetime | None, before_label: str) -> None:
    from .services import _check_time as check  # the one time rule of cases' services

    check(value, what, not_before=not_before, before_label=before_label)


def _applied_licensing(case_id: int, by: User, what: str) -> tuple[Case, Application]:
    case = stages.lock(case_id)
    if case.kind != CaseKind.LICENSING:
        raise TransitionError(f"{case.get_kind_display()}案件没有“{what}”这一环节。")
    stages.require_state(case, (CaseState.APPLIED,), what)
    stages.require_roles(case, by, (policy.ACTOR_OFFICER,), what)
    return case, Application.objects.select_for_update().get(case=case)


def materials_clean(materials: Iterable[str] | str) -> list[str]:
    """The missing materials, one per entry (a text is split into lines); blanks dropped.
    TransitionError when none is left."""
    if isinstance(materials, str):
        materials = materials.splitlines()
    out = [m.strip() for m in materials if m and m.strip()]
    if not out:
        raise TransitionError("请逐项列明需要补正的全部材料（每行一项，至少一项）。")
    return out


def refusal_check(ground: str, competent_organ: str) -> tuple[str, str]:
    """The refusal ground and the organ to apply to: required for 第三十二条第一款第（二）项,
    empty otherwise. TransitionError names the missing element."""
    if ground not in RefusalGround.values:
        raise TransitionError("请选择不予受理的情形（《行政许可法》第三十二条第一款）。")
    organ = (competent_organ or "").strip()
    if ground == RefusalGround.NOT_COMPETENT and not organ:
        raise TransitionError(
            "申请事项不属于本机关职权范围的，应当告知申请人向有关行政机关申请（《行政许可法》第三十二条第一款第（二）项）："
            "请填写应当向其申请的行政机关。"
        )
    return ground, organ if ground == RefusalGround.NOT_COMPETENT else ""


# --- actions --------------------------------------------------------------------------------


@transaction.atomic
def application_supplement_notice(
    *, case_id: int, by: User, materials: Iterable[str] | str, notified_at: dt.datetime
) -> ApplicationEvent:
    """《行政许可法》第三十二条第一款第（四）项 (第七条: 补正更正材料): tell the applicant, once, every
    missing material, and issue the 补正材料通知书 to the applicant.

    `materials`: one entry per missing material (a text: one per line), at least one.
    `notified_at`: when the applicant was told; not in the future, not before the receipt, and
    within the 5 working days — after them the application counts as accepted from receipt and a
    notice is refused. Once only: the article asks for every missing material *at once*
    (一次告知), so a second notice is refused; material the applicant then supplies that is still
    defective is a ground for refusal (不予受理), not for another notice (our reading; the article
    sets no exception). Raises TransitionError / TransitionDenied. Meets LICENSING_SUPPLEMENT."""
    case, app = _applied_licensing(case_id, by, "告知补正材料")
    items = materials_clean(materials)
    earlier = supplement_notice_of(case)
    if earlier is not None:
        raise TransitionError(
            f"已于{timezone.localtime(earlier.occurred_at):%Y年%m月%d日}告知补正材料。"
            f"{SUPPLEMENT_ARTICLE}要求一次告知需要补正的全部内容，不能再次告知补正。"
        )
    _check_time(notified_at, "告知时间", not_before=app.received_at, before_label="收到申请时间")
    due = supplement_due(app)
    if _local_date(notified_at) > due:
        raise TransitionError(
            f"收到申请材料之日起五个工作日（{due:%Y年%m月%d日}届满）内未告知补正，依法自收到申请材料之日起即为受理"
            f"（{SUPPLEMENT_ARTICLE}），不能再告知补正。"
        )
    event = ApplicationEvent.objects.create(
        case=case,
        kind=ApplicationEventKind.SUPPLEMENT_REQUEST,
        occurred_at=notified_at,
        content="\n".join(items),
        recorded_by=by,
    )
    audit.record(
        event,
        "application.supplement_request",
        actor=by,
        case=case,
        occurred_at=notified_at,
        materials=items,
        content=event.content,
    )
    supplement_period_meet(case, notified_at)
    _issue(
        case=case,
        doc_type=DocTypeCode.SUPPLEMENT_NOTICE,
        by=by,
        source=event,
        dated=_local_date(notified_at),
        context={**_common(case, app), "materials": items, "notified_at": _fmt(notified_at)},
    )
    return event


@transaction.atomic
def application_supplement_receive(
    *, case_id: int, by: User, supplied_at: dt.datetime, content: str
) -> ApplicationEvent:
    """第七条 (补正更正材料): the applicant supplied the material the notice asked for, at
    `supplied_at` (not in the future, not before the notice). Once. The case can then be
    accepted; the 20 working days of 第四十二条 count from that acceptance.
    Raises TransitionError / TransitionDenied."""
    case, _app = _applied_licensing(case_id, by, "登记收到补正材料")
    notice = supplement_notice_of(case)
    if notice is None:
        raise TransitionError("尚未告知申请人补正材料，不能登记收到补正材料。")
    if _event(case, ApplicationEventKind.SUPPLEMENT_RECEIVED) is not None:
        raise TransitionError("已登记收到补正材料。")
    text = (content or "").strip()
    if not text:
        raise TransitionError("请填写收到的补正材料。")
    _check_time(supplied_at, "补正时间", not_before=notice.occurred_at, before_label="告知补正时间")
    event = ApplicationEvent.objects.create(
        case=case, kind=ApplicationEventKind.SUPPLEMENT_RECEIVED, occurred_at=supplied_at, content=text, recorded_by=by
    )
    audit.record(event, "application.supplement_received", actor=by, case=case, occurred_at=supplied_at, content=text)
    return event


# --- documents (called by the acceptance transitions in cases.services) ---------------------------


def _common(case: Case, app: Application) -> dict[str, Any]:
    received = _local_date(app.received_at)
    return {"applicant": _parties(case)["party_name"], "matter": app.matter, "received_at": _fmt(received)}


def acceptance_notice_issue(*, case: Case, app: Application, by: Any) -> Any:
    """受理通知书 (《行政许可法》第三十二条第一款第（五）项): to the applicant, with the 受理号, the
    acceptance date (the receipt date when deemed) and the 20-working-day decision period."""
    accepted_at = app.accepted_at or timezone.now()
    return _issue(
        case=case,
        doc_type=DocTypeCode.ACCEPTANCE_NOTICE,
        by=by,
        source=app,
        context={
            **_common(case, app),
            "accepted_at": _fmt(_local_date(accepted_at)),
            "acceptance_number": case.number or "",
            "deemed": app.deemed_accepted,
            "decision_due": _fmt(decision_due(accepted_at)),
        },
    )


def non_acceptance_decision_issue(*, case: Case, app: Application, by: Any) -> Any:
    """不予受理决定书 (《行政许可法》第三十二条第一款): to the applicant, with the ground, the reason
    written for them, the organ to apply to (第（二）项) and their remedies (reconsideration
    within 60 days to 临沂市人民政府, suit within 6 months)."""
    ground = RefusalGround(app.refusal_ground)
    return _issue(
        case=case,
        doc_type=DocTypeCode.NON_ACCEPTANCE_DECISION,
        by=by,
        source=app,
        context={
            **_common(case, app),
            "ground": ground.label,
            "ground_item": GROUND_ITEMS.get(ground, ""),
            "reason": app.refusal_reason,
            "competent_organ": app.competent_organ,
            "reconsideration_organ": RECONSIDERATION_ORGAN,
        },
    )
