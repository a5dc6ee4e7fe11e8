"""第二十四条: applying to the court for enforcement, recorded with its result.

Law applied (《行政强制法》):
- 第三十五条: before applying, a written reminder (催告书): the deadline, manner, amount and
  payment method of performance, and the right to state and defend.
- 第三十六条: the party's statement and defence is recorded and re-checked.
- 第五十四条: the application may be made once 10 days (working days, 第六十九条) have passed
  since the reminder was served and the party still did not perform.
- 第五十三条: within 3 months after the periods for reconsideration (60 days, 《行政复议法》第二十条)
  and suit (6 months, 《行政诉讼法》第四十六条) counted from the decision's service have passed;
  after an approved deferral or instalments (《行政处罚法》第六十六条), from its end.
- 第五十五条: the materials (application signed by the head, the decision and its basis, the
  party's opinions and the reminders, what is to be enforced).
- 第五十六至五十八条: the court accepts, rules, and the enforcement has a result.

The reminder is a numbered document (DocTypeCode.ENFORCEMENT_REMINDER) served through delivery
(`delivery.selectors.service_date`); its `document_served` opens ENFORCEMENT_REMINDER (the
deadline it gives), ENFORCEMENT_OPENS (warns before the application opens) and
ENFORCEMENT_APPLICATION (reminds before it closes, escalates when missed).

Public API (each one transaction; TransitionError / TransitionDenied):
    window(case) -> Window
    reminder_issue(case_id, by, perform_by, manner, amount_yuan, payment_method) -> EnforcementReminder
    statement_record(reminder_id, by, stated, received_on, statement="", recheck="", adopted=None)
    application_file(case_id, by, court, subject, materials, opinion) -> EnforcementApplication
    court_accept(application_id, by, accepted_on, court_case_number)
    court_rule(application_id, by, ruled_on, enforce, ruling)
    court_result(application_id, by, result_on, outcome, result)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import audit
from accounts.models import User
from cases import policy, signoffs, stages
from cases.models import Case, CaseState, Level, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines import calendar
from deadlines.models import DeadlineKind
from deadlines.services import deadline_met, deadline_open
from documents.registry import DocTypeCode
from documents.services import document_issue
from linke.validators import ahead_error
from review.selectors import decision_of

from . import execution as ex
from .audit_actions import AuditAction
from .models_execution import CourtOutcome, EnforcementApplication, EnforcementReminder, ReminderStatement
from .selectors import service_date

S = CaseState
OPENS_AFTER_WORKING_DAYS = 10  # 《行政强制法》第五十四条 (working days, 第六十九条)
RECONSIDERATION_DAYS = 60  # 《行政复议法》第二十条
SUIT_MONTHS = 6  # 《行政诉讼法》第四十六条
APPLY_WITHIN_MONTHS = 3  # 《行政强制法》第五十三条
STATEMENT_WORKING_DAYS = 3  # the time the reminder gives to state and defend (unverified; agencies use 3)

# 《行政强制法》第五十五条: the application's materials, by key.
MATERIALS = {
    "application": "强制执行申请书（由机关负责人签名，加盖公章，注明日期）",
    "decision": "行政决定书及作出决定的事实、理由和依据",
    "opinions": "当事人的意见及行政机关催告情况",
    "subject": "申请强制执行标的情况",
}


@dataclass(frozen=True)
class Window:
    """When the case may apply to the court: after `opens_after` (the last of the 10 working days
    from the reminder's service) and until `closes_on` inclusive. None where not known yet."""

    opens_after: dt.date | None
    closes_on: dt.date | None
    periods_end: dt.date | None  # when the reconsideration and suit periods (or the deferral) end

    def state(self, today: dt.date) -> str:
        if self.opens_after is None or self.closes_on is None:
            return "unknown"
        if today <= self.opens_after:
            return "before"
        if today > self.closes_on:
            return "closed"
        return "open"


def periods_end(case: Case) -> dt.date | None:
    """The day the reconsideration (60 days) and suit (6 months) periods from the decision's
    service have both passed, or the end of an approved deferral / the last instalment when later
    (第五十三条)."""
    served = ex.decision_served_on(case)
    if served is None:
        return None
    end = max(served + dt.timedelta(days=RECONSIDERATION_DAYS), ex.add_months(served, SUIT_MONTHS))
    plan = ex.plan_of(case)
    if plan is not None:
        end = max(end, max(dt.date.fromisoformat(r["due"]) for r in plan.schedule))
    return end


def current_reminder(case: Case) -> EnforcementReminder | None:
    return EnforcementReminder.objects.filter(case=case).select_related("document").order_by("-pk").first()


def reminder_served_on(reminder: EnforcementReminder | None) -> dt.date | None:
    if reminder is None or reminder.document_id is None:
        return None
    return service_date(reminder.document_id)


def window(case: Case) -> Window:
    """The court-application window of the case (第五十三、五十四条)."""
    end = periods_end(case)
    served = reminder_served_on(current_reminder(case))
    opens = calendar.add_working_days(served, OPENS_AFTER_WORKING_DAYS).date if served else None
    closes = calendar.next_working_day(ex.add_months(end, APPLY_WITHIN_MONTHS)).date if end else None
    return Window(opens, closes, end)


def application_of(case: Case) -> EnforcementApplication | None:
    return (
        EnforcementApplication.objects.filter(case=case)
        .select_related("signoff__actor", "reminder")
        .order_by("-pk")
        .first()
    )


def statement_of(reminder: EnforcementReminder | None) -> ReminderStatement | None:
    if reminder is None:
        return None
    return ReminderStatement.objects.filter(reminder=reminder).first()


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- receivers ----------------------------------------------------------------------------------


def on_reminder_served(case: Case, document_id: int, served_on: dt.date) -> None:
    """`document_served` of a 催告书: the deadline it gives, and the court application's window."""
    reminder = EnforcementReminder.objects.filter(document_id=document_id).first()
    if reminder is None:
        return
    start = ex.start_of(served_on)
    officers = list(case.officers.all())
    deadline_open(
        case=case,
        kind=DeadlineKind.ENFORCEMENT_REMINDER,
        article="《行政强制法》第三十五条",
        label=f"催告履行期限（{_cn(reminder.perform_by)}前）",
        start=start,
        days=max((reminder.perform_by - served_on).days, 0),
        responsible=officers,
        target=reminder,
    )
    deadline_open(
        case=case,
        kind=DeadlineKind.ENFORCEMENT_OPENS,
        article="《行政强制法》第五十四条",
        label="催告书送达满十个工作日，可申请人民法院强制执行",
        start=start,
        working_days=OPENS_AFTER_WORKING_DAYS,
        responsible=officers,
        target=reminder,
    )
    closes = window(case).closes_on
    if closes is not None and closes >= served_on:
        deadline_open(
            case=case,
            kind=DeadlineKind.ENFORCEMENT_APPLICATION,
            article="《行政强制法》第五十三条",
            label="申请人民法院强制执行期限（复议、诉讼期限届满之日起三个月内）",
            start=start,
            days=(closes - served_on).days,
            responsible=officers,
        )


# --- actions ------------------------------------------------------------------------------------


@transaction.atomic
def reminder_issue(
    *,
    case_id: int,
    by: User,
    perform_by: dt.date | None,
    manner: str,
    amount_yuan: Decimal | None,
    payment_method: str,
) -> EnforcementReminder:
    """Issue the 催告书 (《行政强制法》第三十五条) once the party has not performed by the due date:
    the deadline (a day after today), the manner, the amount and payment method where money is
    owed, and the right to state and defend (printed). Officers of the case, 执行中."""
    case = stages.lock(case_id)
    ex._officer(case, by, "制作催告书")
    execution = ex._execution(case)
    status = ex.fine_status_of(case)
    if status is not None and status.settled:
        raise TransitionError("罚款及加处罚款已缴清，无需催告。")
    if status is not None and not status.overdue:
        raise TransitionError(
            f"《行政强制法》第五十四条：缴纳期限（{_cn(status.due or timezone.localdate())}）届满前不能催告。"
        )
    missing = []
    if perform_by is None:
        missing.append("履行期限")
    if not (manner or "").strip():
        missing.append("履行方式")
    if status is not None and not amount_yuan:
        missing.append("金额")
    if status is not None and not (payment_method or "").strip():
        missing.append("给付方式")
    if missing:
        raise TransitionError(f"《行政强制法》第三十五条：催告书缺少{'、'.join(missing)}。")
    assert perform_by is not None
    if error := ahead_error(perform_by, max_days=settings.AHEAD_MAX_DAYS, label="履行期限"):
        raise TransitionError(f"《行政强制法》第三十五条：{error}")
    earlier = current_reminder(case)
    earlier_served = reminder_served_on(earlier)
    if earlier is not None and earlier_served is not None:
        # 《行政强制法》第五十四条: the court-application window runs from the served 催告书; a new
        # one would hide that record and restart nothing the law restarts.
        raise TransitionError(
            f"《行政强制法》第五十四条：催告书{earlier.document.number if earlier.document else ''}已于"
            f"{_cn(earlier_served)}送达，申请强制执行的期间自该日起算，不能再制作催告书。"
        )
    if status is not None and amount_yuan and ex.yuan(amount_yuan) > status.outstanding + status.surcharge_owed:
        # 《行政强制法》第三十五条: the amount demanded is what the party owes, no more.
        raise TransitionError(
            f"《行政强制法》第三十五条：催告金额{ex.yuan(amount_yuan)}元超过当事人尚欠的罚款{status.outstanding}元"
            f"及加处罚款{status.surcharge_owed}元之和。"
        )
    reminder = EnforcementReminder.objects.create(
        case=case,
        perform_by=perform_by,
        manner=manner.strip(),
        amount_yuan=ex.yuan(amount_yuan) if amount_yuan else None,
        payment_method=(payment_method or "").strip(),
        issued_by=by,
    )
    decision = decision_of(case)
    party = case.parties.first()
    obligation = execution.rectification
    if status is not None:
        obligation = f"缴纳罚款人民币{status.outstanding}元" + (f"；{obligation}" if obligation else "")
    reminder.document = document_issue(
        case=case,
        doc_type=DocTypeCode.ENFORCEMENT_REMINDER,
        context={
            "party_name": party.name if party else "",
            "party_address": party.address if party else "",
            "decision_number": decision.document.number if decision and decision.document else "",
            "decided_on": _cn(timezone.localtime(decision.decided_at).date())
            if decision and decision.decided_at
            else "",
            "obligation": obligation,
            "perform_by": _cn(perform_by),
            "manner": reminder.manner,
            "amount": f"人民币{reminder.amount_yuan}元" if reminder.amount_yuan else "",
            "payment_method": reminder.payment_method,
            "surcharge_note": f"含加处罚款{status.surcharge_owed}元，按罚款数额每日百分之三计算，以罚款数额为限"
            if status is not None and status.surcharge_owed
            else "",
            "statement_days": STATEMENT_WORKING_DAYS,
        },
        by=by,
        source=reminder,
    )
    reminder.save(update_fields=["document"])
    audit.record(
        reminder,
        AuditAction.REMINDER_ISSUED,
        actor=by,
        case=case,
        number=reminder.document.number,
        perform_by=perform_by,
        amount_yuan=reminder.amount_yuan,
    )
    return reminder


@transaction.atomic
def statement_record(
    *,
    reminder_id: int,
    by: User,
    stated: bool,
    received_on: dt.date | None,
    statement: str = "",
    recheck: str = "",
    adopted: bool | None = None,
) -> ReminderStatement:
    """The party's statement and defence on the reminder, recorded and re-checked (《行政强制法》
    第三十六条), or that the party made none by `received_on` (the period ended). After the
    reminder was served; once per reminder."""
    case_id = EnforcementReminder.objects.values_list("case_id", flat=True).get(pk=reminder_id)
    case = stages.lock(case_id)
    ex._officer(case, by, "记录催告陈述申辩")
    reminder = EnforcementReminder.objects.get(pk=reminder_id)
    served = reminder_served_on(reminder)
    if served is None:
        raise TransitionError("催告书尚未送达：陈述申辩自送达之日起提出。")
    if ReminderStatement.objects.filter(reminder=reminder).exists():
        raise TransitionError("该催告书的陈述申辩情况已记录。")
    received_on = ex._day(received_on, label="日期", not_before=served, before_label="催告书送达日期")
    if stated:
        statement = ex._text(statement, "《行政强制法》第三十六条：请记录当事人陈述申辩的内容。")
        recheck = ex._text(recheck, "《行政强制法》第三十六条：请填写复核意见。")
        if adopted is None:
            raise TransitionError("《行政强制法》第三十六条：请注明当事人提出的事实、理由或证据是否成立并采纳。")
    else:
        window_end = calendar.add_working_days(served, STATEMENT_WORKING_DAYS).date
        if timezone.localdate() <= window_end:
            raise TransitionError(f"陈述申辩期限至{_cn(window_end)}届满，届满前不能记录为未陈述申辩。")
        statement, recheck, adopted = "", "", None
    row = ReminderStatement.objects.create(
        reminder=reminder,
        stated=stated,
        received_on=received_on,
        statement=statement,
        recheck=recheck,
        adopted=adopted,
        recorded_by=by,
    )
    audit.record(row, AuditAction.STATEMENT_RECORDED, actor=by, case=case, stated=stated, adopted=adopted)
    return row


@transaction.atomic
def application_file(
    *, case_id: int, by: User, court: str, subject: str, materials: list[str], opinion: str
) -> EnforcementApplication:
    """The head signs the application to the court (第二十四条; 《行政强制法》第五十五条: signed by
    the head, an ENFORCEMENT_APPLICATION sign-off) inside the window: after 10 working days from
    the reminder's service (第五十四条), within 3 months after the reconsideration and suit
    periods (第五十三条). Refused while a reconsideration or suit is pending, before the party's
    statement is recorded and re-checked (第三十六条), or without one of 第五十五条's materials.
    Meets ENFORCEMENT_OPENS and ENFORCEMENT_APPLICATION."""
    case = stages.lock(case_id)
    what = "申请人民法院强制执行"
    stages.require_state(case, (S.EXECUTING,), what)
    if not policy.may_sign(by, case, Level.HEAD):
        raise TransitionDenied("《行政强制法》第五十五条：强制执行申请书须由机关负责人（非本案承办人）签名。")
    if application_of(case) is not None:
        raise TransitionError("本案已申请人民法院强制执行。")
    reminder = current_reminder(case)
    if reminder is None or reminder_served_on(reminder) is None:
        raise TransitionError("《行政强制法》第五十四条：申请前应当催告当事人履行义务，催告书应已送达。")
    if statement_of(reminder) is None:
        raise TransitionError("《行政强制法》第三十六条：请先记录当事人对催告的陈述申辩及复核情况（或未陈述申辩）。")
    if ex.pending_pause(case) is not None:
        raise TransitionError(
            "《行政强制法》第五十三条：当事人申请的行政复议或提起的行政诉讼尚未终结，不能申请强制执行。"
        )
    today = timezone.localdate()
    w = window(case)
    state = w.state(today)
    if state == "before":
        assert w.opens_after is not None
        raise TransitionError(
            f"《行政强制法》第五十四条：催告书送达满十个工作日（{_cn(w.opens_after)}）后方可申请人民法院强制执行。"
        )
    if state == "closed":
        assert w.closes_on is not None
        raise TransitionError(
            f"《行政强制法》第五十三条：申请期限已于{_cn(w.closes_on)}届满（复议、诉讼期限届满之日起三个月内）。"
        )
    if state != "open":
        raise TransitionError("决定书或催告书的送达日期不明，不能计算申请期限。")
    court = ex._text(court, "请填写受理申请的人民法院。")
    subject = ex._text(subject, "《行政强制法》第五十五条：请填写申请强制执行标的情况。")
    lacking = [label for key, label in MATERIALS.items() if key not in set(materials)]
    if lacking:
        raise TransitionError(f"《行政强制法》第五十五条：申请材料缺少{'；'.join(lacking)}。")
    signoff = signoffs.signoff_record(
        case=case,
        step=SignOffStep.ENFORCEMENT_APPLICATION,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.ENFORCEMENT_APPLICATION),
    )
    application = EnforcementApplication.objects.create(
        case=case,
        reminder=reminder,
        court=court,
        applied_on=today,
        subject=subject,
        materials=sorted(set(materials) & set(MATERIALS)),
        signoff=signoff,
        recorded_by=by,
    )
    deadline_met(kind=DeadlineKind.ENFORCEMENT_OPENS, target=reminder)
    deadline_met(kind=DeadlineKind.ENFORCEMENT_REMINDER, target=reminder)
    deadline_met(kind=DeadlineKind.ENFORCEMENT_APPLICATION, case=case)
    audit.record(
        application,
        AuditAction.APPLIED,
        actor=by,
        case=case,
        court=court,
        applied_on=today,
        window=[w.opens_after, w.closes_on],
        signoff=signoff.pk,
    )
    return application


def _lock_application(application_id: int, by: User, what: str) -> tuple[Case, EnforcementApplication]:
    case_id = EnforcementApplication.objects.values_list("case_id", flat=True).get(pk=application_id)
    case = stages.lock(case_id)
    ex._officer(case, by, what)
    return case, EnforcementApplication.objects.get(pk=application_id)


@transaction.atomic
def court_accept(
    *, application_id: int, by: User, accepted_on: dt.date | None, court_case_number: str
) -> EnforcementApplication:
    """The court accepted the application (《行政强制法》第五十六条), with its case number."""
    case, app = _lock_application(application_id, by, "记录法院受理")
    if app.accepted_on is not None:
        raise TransitionError("法院受理情况已记录。")
    app.accepted_on = ex._day(accepted_on, label="受理日期", not_before=app.applied_on, before_label="申请日期")
    app.court_case_number = ex._text(court_case_number, "请填写法院案号。")
    app.save(update_fields=["accepted_on", "court_case_number"])
    audit.record(app, AuditAction.COURT_ACCEPTED, actor=by, case=case, accepted_on=app.accepted_on)
    return app


@transaction.atomic
def court_rule(
    *, application_id: int, by: User, ruled_on: dt.date | None, enforce: bool | None, ruling: str
) -> EnforcementApplication:
    """The court's ruling (《行政强制法》第五十七、五十八条): enforce or not, and its content."""
    case, app = _lock_application(application_id, by, "记录法院裁定")
    if app.accepted_on is None:
        raise TransitionError("请先记录法院受理情况。")
    if app.ruled_on is not None:
        raise TransitionError("法院裁定已记录。")
    app.ruled_on = ex._day(ruled_on, label="裁定日期", not_before=app.accepted_on, before_label="受理日期")
    if enforce is None:
        raise TransitionError("请选择法院是否裁定准予执行。")
    app.ruling_enforce = bool(enforce)
    app.ruling = ex._text(ruling, "请记录裁定内容。")
    app.save(update_fields=["ruled_on", "ruling_enforce", "ruling"])
    audit.record(app, AuditAction.COURT_RULED, actor=by, case=case, ruled_on=app.ruled_on, enforce=app.ruling_enforce)
    return app


@transaction.atomic
def court_result(
    *, application_id: int, by: User, result_on: dt.date | None, outcome: str, result: str
) -> EnforcementApplication:
    """The result of the enforcement (第二十四条: 强制执行结果)."""
    case, app = _lock_application(application_id, by, "记录强制执行结果")
    if app.ruled_on is None:
        raise TransitionError("请先记录法院裁定。")
    if app.outcome:
        raise TransitionError("强制执行结果已记录。")
    if outcome not in CourtOutcome.values:
        raise TransitionError("请选择强制执行结果。")
    if not app.ruling_enforce and outcome != CourtOutcome.NOT_ENFORCEABLE:
        raise TransitionError("法院裁定不予执行的，执行结果只能为终结执行（不能执行）。")
    app.result_on = ex._day(result_on, label="执行结果日期", not_before=app.ruled_on, before_label="裁定日期")
    app.outcome = outcome
    app.result = ex._text(result, "第二十四条：请记录强制执行结果。")
    app.save(update_fields=["result_on", "outcome", "result"])
    audit.record(app, AuditAction.COURT_RESULT, actor=by, case=case, outcome=outcome, result_on=app.result_on)
    return app


def court_default() -> str:
    return str(getattr(settings, "REVIEW_COURT", ""))


def materials_labels(keys: list[str]) -> list[str]:
    return [MATERIALS[k] for k in keys if k in MATERIALS]
