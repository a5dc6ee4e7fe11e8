"""The notice, defence and hearing page of a case (第十四、十五条). A view checks access (404 for
whoever may not see the case), parses a form, calls one action, and on a refusal shows the page
again with what was typed and the message next to the form."""

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
from cases.stages import TransitionError
from documents.fonts import UnprintableText
from linke.http import AuthedRequest, form_accepted, refusal

from . import defence, hearing
from . import forms_defence as f
from .models_defence import DefencePoint, HearingAgent, HearingRecusal, HearingStatus


@dataclass(frozen=True)
class Act:
    title: str
    form: type[f.CaseForm]
    run: Callable[[Any, Any, dict[str, Any]], Any]  # (state, user, action kwargs)
    done: str  # success message
    offered: Callable[[Any, Any], bool]  # (state, user): whether the page offers it now


class State:
    """What the page knows about the case's notice, defence and hearing (a few queries)."""

    def __init__(self, case: Any) -> None:
        self.case = case
        self.notice = defence.current_notice(case)
        self.defence = getattr(self.notice, "defence", None) if self.notice else None
        self.points = list(DefencePoint.objects.filter(defence=self.defence)) if self.defence else []
        self.hearing = hearing.hearing_for(case)
        self.agents = list(HearingAgent.objects.filter(hearing=self.hearing)) if self.hearing else []
        self.recusals = (
            list(HearingRecusal.objects.filter(hearing=self.hearing).select_related("target", "decision__actor"))
            if self.hearing
            else []
        )
        self.defence_due = defence.defence_due(self.notice) if self.notice else None
        self.in_stage = case.kind == CaseKind.PENALTY and case.state == CaseState.UNDER_REVIEW

    @property
    def pending_recusal(self) -> Any:
        return next((r for r in self.recusals if r.granted is None), None)

    def officer(self, user: Any) -> bool:
        return self.in_stage and policy.may_act(user, self.case, policy.ACTOR_OFFICER)

    def unheard(self, user: Any) -> bool:
        return self.officer(user) and bool(self.notice and self.notice.served_on) and self.defence is None

    def status(self, *statuses: str) -> bool:
        return self.hearing is not None and self.hearing.status in statuses

    def recorder_or_chair(self, user: Any) -> bool:
        return (
            self.in_stage and self.hearing is not None and user.pk in (self.hearing.chair_id, self.hearing.recorder_id)
        )


# An action posted out of turn (no notice yet, no hearing, no pending recusal) is refused with a
# reason, like any other refusal, never an exception (第十四、十五条).
def _n(s: State) -> int:
    if s.notice is None:
        raise TransitionError("第十四条：本案尚未制作行政处罚事先告知书。")
    return s.notice.pk


def _h(s: State) -> int:
    if s.hearing is None:
        raise TransitionError("第十五条：本案没有听证申请。")
    return s.hearing.pk


def _pending(s: State) -> int:
    if s.pending_recusal is None:
        raise TransitionError("第十五条：没有待决定的回避申请。")
    return int(s.pending_recusal.pk)


ACTS: dict[str, Act] = {
    "defence": Act(
        "记录陈述申辩及复核",
        f.DefenceForm,
        lambda s, u, d: defence.defence_record(notice_id=_n(s), by=u, **d),
        "已记录陈述申辩及复核意见。",
        lambda s, u: s.unheard(u),
    ),
    "waive": Act(
        "记录放弃陈述申辩",
        f.WaiveForm,
        lambda s, u, d: defence.defence_waive(notice_id=_n(s), by=u, **d),
        "已记录当事人放弃陈述申辩。",
        lambda s, u: s.unheard(u),
    ),
    "lapse": Act(
        "记录期限届满未陈述申辩",
        f.LapseForm,
        lambda s, u, d: defence.defence_lapse(notice_id=_n(s), by=u),
        "已记录陈述申辩期限届满未陈述申辩。",
        lambda s, u: s.unheard(u) and s.defence_due is not None and timezone.localdate() > s.defence_due,
    ),
    "hearing_request": Act(
        "登记听证申请",
        f.HearingRequestForm,
        lambda s, u, d: hearing.hearing_request(notice_id=_n(s), by=u, **d),
        "已登记听证申请。",
        lambda s, u: (
            s.officer(u) and bool(s.notice and s.notice.hearing_right and s.notice.served_on) and s.hearing is None
        ),
    ),
    "schedule": Act(
        "制作听证通知书",
        f.ScheduleForm,
        lambda s, u, d: hearing.hearing_schedule(hearing_id=_h(s), by=u, **d),
        "听证通知书已制作。",
        # Again, with a new time, when the notice was served under 7 working days before it.
        lambda s, u: (
            s.officer(u)
            and (
                s.status(HearingStatus.REQUESTED)
                or (s.status(HearingStatus.SCHEDULED) and s.hearing is not None and hearing.short_notice(s.hearing))
            )
        ),
    ),
    "agent": Act(
        "登记委托代理人",
        f.AgentForm,
        lambda s, u, d: hearing.hearing_agent_add(hearing_id=_h(s), by=u, **d),
        "已登记委托代理人。",
        lambda s, u: (
            s.officer(u)
            and s.status(HearingStatus.REQUESTED, HearingStatus.SCHEDULED)
            and len(s.agents) < hearing.MAX_AGENTS
        ),
    ),
    "recusal": Act(
        "登记回避申请",
        f.RecusalForm,
        lambda s, u, d: hearing.hearing_recusal_request(hearing_id=_h(s), by=u, **d),
        "已登记回避申请，待机关负责人决定。",
        lambda s, u: s.officer(u) and s.status(HearingStatus.SCHEDULED),
    ),
    "recusal_decide": Act(
        "决定回避申请",
        f.RecusalDecideForm,
        # The request decided is the case's pending one, whatever id was posted.
        lambda s, u, d: hearing.hearing_recusal_decide(by=u, **{**d, "recusal_id": _pending(s)}),
        "已对回避申请作出决定。",
        lambda s, u: s.in_stage and s.pending_recusal is not None and policy.may_sign(u, s.case, Level.HEAD),
    ),
    "record": Act(
        "制作听证笔录",
        f.HearingRecordForm,
        lambda s, u, d: hearing.hearing_record(hearing_id=_h(s), by=u, **d),
        "听证笔录已制作。",
        lambda s, u: s.recorder_or_chair(u) and s.status(HearingStatus.SCHEDULED) and s.pending_recusal is None,
    ),
    "absent": Act(
        "记录当事人未出席",
        f.AbsentForm,
        lambda s, u, d: hearing.hearing_absent(hearing_id=_h(s), by=u, **d),
        "已记录当事人未出席听证，视为放弃听证权利。",
        lambda s, u: (
            s.recorder_or_chair(u)
            and s.status(HearingStatus.SCHEDULED)
            and s.hearing.scheduled_at is not None
            and s.hearing.scheduled_at <= timezone.now()
        ),
    ),
    "withdraw": Act(
        "记录撤回听证申请",
        f.WithdrawForm,
        lambda s, u, d: hearing.hearing_withdraw(hearing_id=_h(s), by=u, **d),
        "已记录当事人撤回听证申请。",
        lambda s, u: s.officer(u) and s.status(HearingStatus.REQUESTED, HearingStatus.SCHEDULED),
    ),
    "report": Act(
        "制作听证报告",
        f.ReportForm,
        lambda s, u, d: hearing.hearing_report(hearing_id=_h(s), by=u, **d),
        "听证报告已制作。",
        lambda s, u: (
            s.in_stage
            and s.status(HearingStatus.HELD)
            and s.hearing.report_document_id is None
            and u.pk == s.hearing.chair_id
        ),
    ),
    "notice": Act(
        "制作行政处罚事先告知书",
        f.NoticeForm,
        lambda s, u, d: defence.notice_issue(case_id=s.case.pk, by=u, **d),
        "事先告知书已制作，正在生成文书。",
        # Offered again later: a heavier or changed penalty needs a new notice (第四十五条).
        lambda s, u: s.officer(u),
    ),
}


def offered(state: State, user: Any) -> list[str]:
    """The actions `user` may take now, by key, in the page's order."""
    return [key for key, act in ACTS.items() if act.offered(state, user)]


def _form(key: str, state: State, data: Any = None) -> f.CaseForm:
    kwargs: dict[str, Any] = {"case": state.case}
    if key == "recusal":
        kwargs["hearing"] = state.hearing
    initial = {"recusal": state.pending_recusal.pk} if key == "recusal_decide" and state.pending_recusal else None
    return ACTS[key].form(data, initial=initial, **kwargs)


def _page(
    request: AuthedRequest, state: State, bound: dict[str, f.CaseForm] | None = None, status: int = 200
) -> HttpResponse:
    keys = offered(state, request.user)
    forms = {key: (bound or {}).get(key) or _form(key, state) for key in keys}
    return render(
        request,
        "review/defence/page.html",
        {
            "case": state.case,
            "s": state,
            "forms": [(key, ACTS[key].title, form) for key, form in forms.items()],
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def defence_page(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    return _page(request, State(case))


@login_required
@require_POST
def defence_act(request: AuthedRequest, case_id: int, key: str) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    if key not in ACTS:
        raise Http404("未知的操作")
    state = State(case)
    form = _form(key, state, request.POST)
    if form_accepted(request, form, case):
        kwargs = form.action_kwargs() if hasattr(form, "action_kwargs") else dict(form.cleaned_data)
        try:
            ACTS[key].run(state, request.user, kwargs)
        except (TransitionError, UnprintableText) as exc:
            form.add_error(None, refusal(request, exc, case))
            if isinstance(exc, hearing.ShortNotice):
                form.short_notice = True  # type: ignore[attr-defined]
        else:
            messages.success(request, ACTS[key].done)
            return redirect("review:defence", case_id=case.pk)
    if key not in offered(state, request.user):
        # Not offered now (another stage, another person): the page says what happened.
        messages.error(request, "; ".join(str(e) for e in form.non_field_errors()) or "当前不能进行该操作。")
        return redirect("review:defence", case_id=case.pk)
    return _page(request, state, {key: form}, status=400)
