"""The execution, enforcement and conclusion page of a case (第二十三、二十四条, 结案). A view checks
access (404 for whoever may not see the case), parses a form, calls one action, and on a refusal
shows the page again with what was typed and the message next to the form (HTTP 400)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases import policy
from cases.models import CaseKind, CaseState, Level
from cases.selectors import case_for_user
from cases.stages import TransitionError, allowed
from documents.fonts import UnprintableText
from linke.http import AuthedRequest, form_accepted, refusal

from . import conclusion, enforcement
from . import execution as ex
from . import forms_execution as f

S = CaseState


class State:
    """What the page knows about the case's execution, enforcement and conclusion."""

    def __init__(self, case: Any) -> None:
        self.case = case
        self.today = timezone.localdate()
        self.execution = ex.execution_of(case)
        self.served_on = ex.decision_served_on(case)
        self.fine = ex.fine_status_of(case, self.today)
        self.payments = ex.payments_of(case) if self.execution else []
        self.pauses = ex.pauses_of(case)
        self.pending_pause = next((p for p in self.pauses if p.end is None), None)
        self.plan = ex.plan_of(case) if self.execution else None
        self.rectifications = ex.rectifications_of(case) if self.execution else []
        self.reminder = enforcement.current_reminder(case)
        self.reminder_served_on = enforcement.reminder_served_on(self.reminder)
        self.statement = enforcement.statement_of(self.reminder)
        self.window = enforcement.window(case) if self.reminder else None
        self.window_state = self.window.state(self.today) if self.window else ""
        self.application = enforcement.application_of(case)
        self.conclusion = conclusion.conclusion_of(case)
        self.executing = case.kind == CaseKind.PENALTY and case.state == S.EXECUTING

    @property
    def materials(self) -> list[str]:
        return enforcement.materials_labels(self.application.materials) if self.application else []

    def officer(self, user: Any) -> bool:
        return self.executing and policy.may_act(user, self.case, policy.ACTOR_OFFICER)

    def head(self, user: Any) -> bool:
        return policy.may_sign(user, self.case, Level.HEAD)


@dataclass(frozen=True)
class Act:
    title: str
    form: type[f.CaseForm]
    run: Callable[[State, Any, dict[str, Any]], Any]  # (state, user, action kwargs)
    done: str
    offered: Callable[[State, Any], bool]


def _app(s: State) -> int:
    assert s.application is not None
    return s.application.pk


ACTS: dict[str, Act] = {
    "start": Act(
        "进入执行",
        f.StartForm,
        lambda s, u, d: ex.execution_start(case_id=s.case.pk, by=u, **d),
        "案件已进入执行。",
        lambda s, u: allowed(s.case, ex.START_EXECUTION, u),
    ),
    "payment": Act(
        "记录罚款缴纳",
        f.PaymentForm,
        lambda s, u, d: ex.fine_payment_record(case_id=s.case.pk, by=u, **d),
        "已记录缴纳情况。",
        lambda s, u: s.officer(u) and s.fine is not None and not s.fine.settled,
    ),
    "pause_start": Act(
        "记录申请行政复议或提起行政诉讼",
        f.PauseStartForm,
        lambda s, u, d: ex.pause_start(case_id=s.case.pk, by=u, **d),
        "已记录；复议、诉讼期间加处罚款不予计算。",
        lambda s, u: (
            s.case.state in (S.DELIVERED, S.EXECUTING)
            and s.case.kind == CaseKind.PENALTY
            and policy.may_act(u, s.case, policy.ACTOR_OFFICER)
            and s.pending_pause is None
        ),
    ),
    "pause_end": Act(
        "记录复议或诉讼终结",
        f.PauseEndForm,
        lambda s, u, d: ex.pause_end(pause_id=s.pending_pause.pk, by=u, **d),  # type: ignore[union-attr]
        "已记录复议或诉讼终结。",
        lambda s, u: (
            s.case.state in (S.DELIVERED, S.EXECUTING)
            and policy.may_act(u, s.case, policy.ACTOR_OFFICER)
            and s.pending_pause is not None
        ),
    ),
    "plan": Act(
        "批准延期（分期）缴纳罚款",
        f.PlanForm,
        lambda s, u, d: ex.plan_approve(case_id=s.case.pk, by=u, **d),
        "已批准，缴纳期限已调整。",
        lambda s, u: s.executing and s.head(u) and s.fine is not None and s.fine.outstanding > 0,
    ),
    "rectification": Act(
        "记录责令改正核查情况",
        f.RectificationForm,
        lambda s, u, d: ex.rectification_record(case_id=s.case.pk, by=u, **d),
        "已记录核查情况。",
        lambda s, u: s.officer(u) and s.execution is not None and bool(s.execution.rectification),
    ),
    "reminder": Act(
        "制作催告书",
        f.ReminderForm,
        lambda s, u, d: enforcement.reminder_issue(case_id=s.case.pk, by=u, **d),
        "催告书已制作，请送达当事人。",
        lambda s, u: s.officer(u) and s.application is None and (s.fine is None or s.fine.overdue),
    ),
    "statement": Act(
        "记录催告陈述申辩及复核",
        f.StatementForm,
        lambda s, u, d: enforcement.statement_record(reminder_id=s.reminder.pk, by=u, **d),  # type: ignore[union-attr]
        "已记录。",
        lambda s, u: s.officer(u) and s.reminder_served_on is not None and s.statement is None,
    ),
    "application": Act(
        "申请人民法院强制执行",
        f.ApplicationForm,
        lambda s, u, d: enforcement.application_file(case_id=s.case.pk, by=u, **d),
        "已签署强制执行申请。",
        lambda s, u: s.executing and s.head(u) and s.reminder_served_on is not None and s.application is None,
    ),
    "accept": Act(
        "记录法院受理",
        f.AcceptForm,
        lambda s, u, d: enforcement.court_accept(application_id=_app(s), by=u, **d),
        "已记录法院受理。",
        lambda s, u: s.officer(u) and s.application is not None and s.application.accepted_on is None,
    ),
    "rule": Act(
        "记录法院裁定",
        f.RuleForm,
        lambda s, u, d: enforcement.court_rule(application_id=_app(s), by=u, **d),
        "已记录法院裁定。",
        lambda s, u: (
            s.officer(u)
            and s.application is not None
            and s.application.accepted_on is not None
            and s.application.ruled_on is None
        ),
    ),
    "result": Act(
        "记录强制执行结果",
        f.ResultForm,
        lambda s, u, d: enforcement.court_result(application_id=_app(s), by=u, **d),
        "已记录强制执行结果。",
        lambda s, u: (
            s.officer(u)
            and s.application is not None
            and s.application.ruled_on is not None
            and not s.application.outcome
        ),
    ),
    "conclude": Act(
        "结案审批",
        f.ConcludeForm,
        lambda s, u, d: conclusion.conclude(case_id=s.case.pk, by=u, **d),
        "已结案，案卷归档期限（30日）开始计算。",
        lambda s, u: allowed(s.case, conclusion.CONCLUDE, u) and s.head(u),
    ),
}


def offered(state: State, user: Any) -> list[str]:
    """The actions `user` may take now, by key, in the page's order."""
    return [key for key, act in ACTS.items() if act.offered(state, user)]


def _form(key: str, state: State, data: Any = None, files: Any = None) -> f.CaseForm:
    initial = None
    if key == "application":
        initial = {"court": enforcement.court_default()}
    # Several forms share a page: each its own field ids (the labels point at its own fields).
    return ACTS[key].form(data, files, initial=initial, case=state.case, auto_id=f"{key}_%s")


def _page(
    request: AuthedRequest, state: State, bound: dict[str, f.CaseForm] | None = None, status: int = 200
) -> HttpResponse:
    keys = offered(state, request.user)
    forms = {key: (bound or {}).get(key) or _form(key, state) for key in keys}
    return render(
        request,
        "delivery/execution_page.html",
        {"case": state.case, "s": state, "forms": [(key, ACTS[key].title, form) for key, form in forms.items()]},
        status=status,
    )


@login_required
def execution_page(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return _page(request, State(case))


@login_required
@require_POST
def execution_act(request: AuthedRequest, case_id: int, key: str) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if key not in ACTS:
        raise Http404("未知的操作")
    state = State(case)
    form = _form(key, state, request.POST, request.FILES)
    if form_accepted(request, form, case):
        try:
            ACTS[key].run(state, request.user, form.action_kwargs())
        except (TransitionError, UnprintableText) as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, ACTS[key].done)
            return redirect("delivery:execution", case_id=case.pk)
    if key not in offered(state, request.user):
        # Not offered now (another stage, another person): the page says what happened.
        messages.error(request, "；".join(str(e) for e in form.non_field_errors()) or "当前不能进行该操作。")
        return redirect("delivery:execution", case_id=case.pk)
    return _page(request, state, {key: form}, status=400)
