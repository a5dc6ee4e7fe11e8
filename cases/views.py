"""Pages of the cases app. Each view checks access (404 for outsiders), parses input, calls
one service and responds; the services check the workflow."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.selectors import entries_of_case
from linke.downloads import file_response
from linke.http import AuthedRequest, form_accepted, form_page, refusal
from linke.pagination import page_of

from . import forms, licensing, policy, requirements, selectors, services, signoffs, stages
from .models import Case, CaseOfficer, CaseOrigin, CaseState, Level, Party, SignOffStep
from .panels import OVERVIEW, SECTIONS, panels_for, section_url, tab_counts
from .timeline import people_labels, timeline_page

PAGE_SIZE = 25


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    mine = selectors.cases_handled_by(user).select_related("department").order_by("-updated_at")[:20]
    awaiting = selectors.cases_awaiting(user).select_related("department").order_by("updated_at")[:20]
    # The other stage apps' approvals (archive: 补充材料, 评查否决项放行, 查阅申请), each to its page.
    elsewhere_total, elsewhere = selectors.pending_approvals(user)
    return render(
        request,
        "cases/dashboard.html",
        {
            "mine": list(mine),
            "awaiting": list(awaiting),
            "awaiting_elsewhere": elsewhere,
            "counts": selectors.case_counts_by_state(user),
            "awaiting_total": selectors.cases_awaiting(user).count() + elsewhere_total,
            "can_create": user.has_role(Role.OFFICER),
            "is_head": policy.works_head_queues(user),
            # 第十三条、第十六条: the review app's approval queues (review:queue).
            "has_review_queue": user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD),
        },
    )


def _filtered(user: Any, form: forms.CaseFilterForm) -> Any:
    qs = selectors.cases_visible_to(user)
    if not form.is_valid():
        return qs
    d = form.cleaned_data
    if d.get("q"):
        q = d["q"].strip()
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(registration_number__icontains=q)
            | Q(title__icontains=q)
            | Q(pk__in=Party.objects.filter(name__icontains=q).values("case_id"))
        )
    if d.get("state"):
        qs = qs.filter(state=d["state"])
    if d.get("kind"):
        qs = qs.filter(kind=d["kind"])
    if d.get("officer"):
        qs = qs.filter(pk__in=CaseOfficer.objects.filter(officer=d["officer"]).values("case_id"))
    if d.get("date_from"):
        qs = qs.filter(created_at__date__gte=d["date_from"])
    if d.get("date_to"):
        qs = qs.filter(created_at__date__lte=d["date_to"])
    return qs


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    form = forms.CaseFilterForm(request.GET or None)
    qs = (
        _filtered(request.user, form)
        .select_related("department")
        .prefetch_related("assignments__officer", "parties")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "cases/case_list.html", {"form": form, "page": page, "query": params.urlencode()})


@login_required
def case_create_start(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_role(Role.OFFICER):
        raise Http404
    return render(request, "cases/create_start.html", {"origins": CaseOrigin.choices})


@login_required
def case_create(request: AuthedRequest, origin: str) -> HttpResponse:
    user = request.user
    if origin not in forms.ORIGIN_FORMS or not user.has_role(Role.OFFICER):
        raise Http404
    form_class = forms.ORIGIN_FORMS[origin]
    party_class = forms.OptionalPartyForm if origin == CaseOrigin.COMPLAINT else forms.PartyForm
    form = form_class(request.POST or None, user=user)
    party_form = party_class(request.POST or None, prefix="party")
    if request.method == "POST" and form.is_valid() and party_form.is_valid():
        d = dict(form.cleaned_data)
        common = {
            "by": user,
            "title": d.pop("title"),
            "summary": d.pop("summary"),
            "officers": d.pop("officers"),
            "confidentiality": d.pop("confidentiality") or "",
        }
        parties = [party_form.service_kwargs()]
        if isinstance(party_form, forms.OptionalPartyForm) and not party_form.has_party():
            parties = []
        register: Any = {
            "ex_officio": services.case_register_ex_officio,
            "complaint": services.case_register_complaint,
            "application": services.case_register_application,
        }[origin]
        try:
            case = register(parties=parties, **common, **d)
        except services.TransitionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"案件已登记，登记号 {case.registration_number}。")
            return redirect(case)
    basics = ("title", "summary", "officers", "confidentiality")
    return form_page(
        request,
        "cases/create.html",
        {
            "form": form,
            "party_form": party_form,
            "basics": [form[n] for n in basics],
            "specific": [f for f in form if f.name not in basics],
            "origin": origin,
            "origin_label": CaseOrigin(origin).label,
        },
    )


def _record_forms(case: Case, user: Any, bound: "_Bound | None" = None) -> list[dict[str, Any]]:
    """The record forms the case page offers in the case's current stage; the one `bound`
    names (posted with errors) takes its fresh form's place, open."""
    out: list[dict[str, Any]] = []
    filing = requirements._rel(case, "filing")
    complaint = requirements._rel(case, "complaint")
    ni = requirements._rel(case, "non_initiation")

    def add(key: str, title: str, form: Any, article: str) -> None:
        mine = bound is not None and bound.slot == ("record", key)
        out.append(
            {
                "key": key,
                "title": title,
                "form": bound.form if bound is not None and mine else form,
                "open": mine,
                "article": article,
                "url": reverse("cases:record", args=[case.pk, key]),
            }
        )

    # 第八条第一款: the filing opinions, each offered to who signs that level, while unsigned in
    # this round; the box starts empty (an opinion is the signer's own words).
    if case.state == CaseState.REGISTERED and filing is not None:
        for level, key, title in (
            (Level.OFFICER, "officer_opinion", "承办人意见"),
            (Level.UNIT, "unit_opinion", "承办机构意见"),
        ):
            if policy.may_sign(user, case, level) and signoffs.signed(case, SignOffStep.FILING, level) is None:
                add(key, title, forms.OpinionForm(), "第八条第一款")
    # 第八条第二款: not filing is the head's decision, with its own two texts (NotFileForm).
    # 撤销登记: the officer asks with a reason, the head decides with an opinion.
    if case.state == CaseState.REGISTERED and case.kind == "penalty":
        pending = services.withdrawal_pending(case)
        if pending is None and policy.may_sign(user, case, Level.OFFICER):
            add(
                "withdraw_request",
                "申请撤销登记",
                forms.WithdrawalRequestForm(),
                "登记错误的撤销（须经机关负责人批准）",
            )
        if pending is not None and policy.may_sign(user, case, Level.HEAD):
            add(
                "withdraw_decide",
                f"撤销登记审批（{pending.actor}申请：{pending.opinion}）",
                forms.WithdrawalDecisionForm(),
                "登记错误的撤销",
            )
    not_filing = case.kind == "penalty" and case.state in (CaseState.REGISTERED, CaseState.PENDING_FILING)
    if not_filing and policy.may_sign(user, case, Level.HEAD):
        add("not_file", "不予立案", forms.NotFileForm(), "第八条第二款、第九条第二款")
    if not policy.is_officer_of(user, case):
        return out
    if case.state == CaseState.REGISTERED:
        if filing is not None:
            add(
                "filing_info",
                "启动原因、案件来源和基本案情",
                forms.FilingInfoForm(
                    initial={
                        "cause": filing.cause,
                        "source": filing.source,
                        "source_detail": filing.source_detail,
                        "summary": case.summary,
                    }
                ),
                "第八条第一款",
            )
        if complaint is not None:
            add(
                "complaint_handling",
                "投诉举报处理情况",
                forms.ComplaintHandlingForm(initial={"handling": complaint.handling}),
                "第九条第一款",
            )
    if case.state == CaseState.APPLIED:
        app = requirements._rel(case, "application")
        add(
            "application_complete",
            "申请材料与口头申请记录",
            forms.ApplicationCompleteForm(
                initial={"materials": app.materials if app else "", "oral_record": app.oral_record if app else ""}
            ),
            "第七条",
        )
        add("application_event", "当场更正", forms.ApplicationEventForm(), "第七条")
        status = licensing.acceptance_status(case)
        if status is not None:
            if status.notice is None and not status.lapsed:
                add(
                    "supplement_notice",
                    "告知补正材料（出具补正材料通知书）",
                    forms.SupplementNoticeForm(),
                    f"第七条；{licensing.SUPPLEMENT_ARTICLE}",
                )
            if status.notice is not None and status.supplied is None:
                add("supplement_received", "收到补正材料", forms.SupplementReceivedForm(), "第七条")
        add(
            "reject_application",
            "不予受理（出具不予受理决定书）",
            forms.RejectApplicationForm(),
            "第七条；《行政许可法》第三十二条第一款",
        )
    if case.state in (
        CaseState.REGISTERED,
        CaseState.APPLIED,
        CaseState.PENDING_FILING,
        CaseState.INVESTIGATING,
        CaseState.ACCEPTED,
    ):
        add(
            "party_add",
            "添加申请人" if case.kind == "licensing" else "添加当事人",
            forms.PartyForm(prefix="party"),
            "第七条" if case.origin == CaseOrigin.APPLICATION else "第八条第一款",
        )
    if case.state != CaseState.ARCHIVED:
        add(
            "officers",
            "变更承办人",
            forms.OfficersForm(initial={"officers": [a.officer_id for a in case.assignments.all()]}),
            services.OFFICERS_ARTICLE[case.kind],  # type: ignore[index]
        )
    if case.state == CaseState.NOT_FILED and ni is not None:
        add(
            "notice",
            "告知当事人或向社会公示",
            forms.NoticeForm(initial={"method": ni.notice_method, "detail": ni.notice_detail}),
            "第八条第二款",
        )
        if complaint is not None and not complaint.anonymous:
            add(
                "complainant_notice",
                "告知实名投诉举报人",
                forms.NoticeForm(
                    initial={"method": ni.complainant_notice_method, "detail": ni.complainant_notice_detail}
                ),
                "第九条第二款",
            )
    return out


def _licensing_notes(case: Case, user: Any) -> dict[str, Any] | None:
    """What the page tells about accepting a received licensing application: the 5-working-day
    period (or that it lapsed and acceptance dates from receipt), and why an action is not
    offered to this user now. None for any other case."""
    status = licensing.acceptance_status(case)
    if status is None:
        return None
    why = []
    officer = policy.is_officer_of(user, case)
    if not officer:
        why.append("告知补正材料、受理、不予受理由本案执法人员办理。")
    elif status.notice is not None:
        why.append(f"补正材料已告知（{licensing.SUPPLEMENT_ARTICLE}：一次告知全部内容），不能再次告知。")
    elif status.lapsed:
        why.append("五个工作日内未告知补正，申请已依法视为自收到申请材料之日起受理，不能再告知补正。")
    return {"status": status, "why": why}


def _checklist(case: Case) -> list[requirements.CheckItem]:
    """The requirements of the stages up to the current one (ticked or missing), then those of
    later stages (marked "later"); other branches' and inapplicable ones are left out. Each
    item carries the URL of the section where it is recorded (Requirement.target)."""
    path = stages.stage_path(case)
    now = path.index(case.state) if case.state in path else len(path)
    items = []
    for item in requirements.checklist(case):
        stage = item.requirement.stage
        if item.status == "na" or stage not in path:
            continue
        if path.index(stage) > now:
            item = requirements.CheckItem(item.requirement, "later")
        item.url = requirements.target_url(item.requirement, case.pk)
        items.append(item)
    return items


def _owner_choices(case: Case) -> list[tuple[str, str]]:
    """The case's own records a file may belong to (第七条 materials, 第九条 letters …)."""
    out = []
    for name, label in (
        ("application", "申请记录"),
        ("complaint", "投诉举报记录"),
        ("filing", "立案审批记录"),
        ("non_initiation", "不予立案记录"),
    ):
        obj = requirements._rel(case, name)
        if obj is not None:
            out.append((f"{obj._meta.label_lower}:{obj.pk}", label))
    for ev in case.application_events.all():
        out.append((f"{ev._meta.label_lower}:{ev.pk}", f"{ev.get_kind_display()}（{ev.occurred_at:%Y-%m-%d}）"))
    return out


@dataclass(frozen=True)
class _Bound:
    """A form of the case page posted with errors. The page is rendered again with it in its
    place, open, showing what was typed and each error next to its field (issue 11, defect 6:
    nothing typed is lost). `slot` is ("record", key), ("action", transition name) or
    ("attachment", "")."""

    slot: tuple[str, str]
    form: Any


def _tabs(case: Case, current: str) -> list[dict[str, Any]]:
    """The case page's tab bar: each section with its URL, its count (all counted in one
    query, whatever the size of the case) and whether it is the one shown."""
    counts = tab_counts(case, attachments=case.attachments.all(), timeline=entries_of_case(case.pk))
    return [
        {
            "key": key,
            "title": s.title,
            "url": section_url(case.pk, key),
            "count": counts.get(key),
            "current": key == current,
        }
        for key, s in SECTIONS.items()
    ]


def _overview(request: AuthedRequest, case: Case, bound: _Bound | None) -> tuple[dict[str, Any], bool]:
    """The overview section's context (facts, checklist, actions, record forms, its panels)
    and whether `bound` has its place in it."""
    user = request.user
    checklist = _checklist(case)

    def _is(kind: str, key: str) -> bool:
        return bound is not None and bound.slot == (kind, key)

    actions = [
        {
            "t": t,
            "form": bound.form if bound and _is("action", t.name) else forms.TransitionForm(),
            "open": _is("action", t.name),
        }
        for t in stages.buttons_for(case, user)
    ]
    record_forms = _record_forms(case, user, bound)
    shown = any(a["open"] for a in actions) or any(rf["open"] for rf in record_forms)
    missing = [item for item in checklist if item.status == "missing" and item.requirement.stage == case.state]
    # The overview's 办理 buttons and 记录 forms are shown only to who may act: a missing item
    # recorded there by someone else is named without a link that would land nowhere.
    here = {f"record-{rf['key']}" for rf in record_forms} | ({"actions"} if actions else set())
    for item in missing:
        anchor = item.url.partition("#")[2]
        if (anchor == "actions" or anchor.startswith("record-")) and anchor not in here:
            item.url = ""
    return {
        "filing_signoffs": signoffs.current(case, SignOffStep.FILING),
        "checklist": checklist,
        "checklist_missing": missing,
        "actions": actions,
        "record_forms": record_forms,
        "licensing_notes": _licensing_notes(case, user),
    }, shown


def _attachments(request: AuthedRequest, case: Case, bound: _Bound | None) -> tuple[dict[str, Any], bool]:
    """The attachments section: a page of the case's files (each with the record it belongs
    to) and the upload form, or `bound`'s form posted with errors."""
    page = page_of(
        case.attachments.select_related("uploaded_by", "content_type").order_by("uploaded_at", "pk"), request
    )
    owner_choices = _owner_choices(case)
    owner_labels = dict(owner_choices)
    for att in page.object_list:
        ct = att.content_type
        if ct is not None:
            att.owner_label = owner_labels.get(f"{ct.app_label}.{ct.model}:{att.object_id}", ct.name)
    attachment_form = None
    mine = bound is not None and bound.slot == ("attachment", "")
    if case.state != CaseState.ARCHIVED and policy.may_write(request.user, case):
        attachment_form = bound.form if bound is not None and mine else forms.AttachmentForm()
    return {
        "page": page,
        "attachments": page.object_list,
        "attachment_form": attachment_form,
        "attachment_upload_url": reverse("cases:attachment_upload", args=[case.pk]),
        "owner_choices": owner_choices,
    }, attachment_form is not None and mine


def _timeline(request: AuthedRequest, case: Case, bound: _Bound | None) -> tuple[dict[str, Any], bool]:
    page, events = timeline_page(case, request)
    return {"page": page, "timeline": events}, False


# The sections the cases app renders itself; every other section is its apps' panels.
_OWN_SECTIONS = {"overview": _overview, "attachments": _attachments, "timeline": _timeline}


def _section_of(bound: _Bound | None) -> str:
    """The section holding the form `bound` names: an attachment is posted from 附件, every
    other case-page form from the overview."""
    return "attachments" if bound is not None and bound.slot[0] == "attachment" else OVERVIEW


def _case_page(
    request: AuthedRequest, case: Case, bound: _Bound | None = None, section: str | None = None
) -> HttpResponse:
    """One section of the case page (the overview by default; `bound`'s own section when it
    answers a POST with errors, status 400). Http404 for an unknown section. Each section
    costs a fixed number of queries whatever the size of the case: its lists are paged."""
    section = section or _section_of(bound)
    if section not in SECTIONS:
        raise Http404("没有这个栏目")
    user = request.user
    context: dict[str, Any] = {}
    shown = False
    if section in _OWN_SECTIONS:
        context, shown = _OWN_SECTIONS[section](request, case, bound)
    if bound is not None and not shown:
        # The form is not offered to this user in this stage (posted from an old page): the
        # errors go to the top of the page instead of disappearing.
        messages.error(request, _errors_text(bound.form))
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "section": section,
            "section_title": SECTIONS[section].title,
            "tabs": _tabs(case, section),
            "show_ids": policy.may_see_identifiers(user, case),
            "panels": panels_for(case, user, request, section),
            **context,
        },
        status=200 if bound is None else 400,
    )


def _errors_text(form: Any) -> str:
    """All of a form's errors as one Chinese sentence, each after its field's label."""
    return "填写有误：" + "；".join(
        f"{form.fields[f].label}：{'，'.join(e)}" if f in form.fields else "，".join(e) for f, e in form.errors.items()
    )


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _case_page(request, selectors.case_detail_for_user(request.user, pk))


@login_required
def case_section(request: AuthedRequest, pk: int, section: str) -> HttpResponse:
    """One section (tab) of the case page, a full page of its own (works without JS); 404
    for a case the user may not read and for an unknown section."""
    if section not in SECTIONS:
        raise Http404("没有这个栏目")
    if section == OVERVIEW:
        case = selectors.case_detail_for_user(request.user, pk)
    else:
        # The other sections show no one-to-one records of the case: the plain case suffices.
        case = selectors.case_for_user(request.user, pk)
    return _case_page(request, case, section=section)


@login_required
def case_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    entries = entries_of_case(case.pk)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    names = people_labels(e.actor_id for e in page if e.actor_id)
    for e in page:
        e.who = names.get(e.actor_id, e.actor_name) if e.actor_id else e.actor_name  # type: ignore[attr-defined]
    return render(request, "cases/case_timeline.html", {"case": case, "page": page})


@require_POST
@login_required
def case_action(request: AuthedRequest, pk: int, name: str) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    t = stages.get(name)
    if t is None or t.button is None:
        raise Http404
    form = forms.TransitionForm(request.POST)
    form_accepted(request, form, case)  # the opinion is optional: a sealed case is refused first
    try:
        stages.run_button(case_id=case.pk, name=name, by=request.user, opinion=form.cleaned_data.get("opinion", ""))
    except stages.TransitionError as exc:
        message = refusal(request, exc, case)  # a sealed case: 409 naming the 档号
        if t.needs_opinion:
            # The opinion typed stays in its box, the refusal next to it.
            form.add_error(None, message)
            return _case_page(request, selectors.case_detail_for_user(request.user, pk), _Bound(("action", name), form))
        messages.error(request, message)
    else:
        messages.success(request, f"已办理：{t.label}。")
    return redirect(_next(request, case.get_absolute_url()))


def _next(request: AuthedRequest, default: str) -> str:
    """The POSTed `next` if it is a local URL of this site (not `//evil`, `/\\evil`, …)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


# The case page's record forms, by key: the form that parses the POST. Each key's service call
# is in _record_run.
_RECORD_FORMS: dict[str, Any] = {
    "filing_info": forms.FilingInfoForm,
    "officer_opinion": forms.OpinionForm,
    "unit_opinion": forms.OpinionForm,
    "withdraw_request": forms.WithdrawalRequestForm,
    "withdraw_decide": forms.WithdrawalDecisionForm,
    "not_file": forms.NotFileForm,
    "complaint_handling": forms.ComplaintHandlingForm,
    "application_complete": forms.ApplicationCompleteForm,
    "application_event": forms.ApplicationEventForm,
    "party_add": partial(forms.PartyForm, prefix="party"),
    "officers": forms.OfficersForm,
    "notice": forms.NoticeForm,
    "complainant_notice": forms.NoticeForm,
    "supplement_notice": forms.SupplementNoticeForm,
    "supplement_received": forms.SupplementReceivedForm,
    "reject_application": forms.RejectApplicationForm,
}


def _record_run(case: Case, by: Any, key: str, form: Any) -> str:
    """Call the service of record form `key` with its valid form; the success message.
    TransitionError when the service refuses."""
    d = form.cleaned_data
    if key == "filing_info":
        services.filing_record_update(case_id=case.pk, by=by, **d)
        return "已保存立案信息。"
    if key in ("officer_opinion", "unit_opinion"):
        services.filing_opinion_record(case_id=case.pk, by=by, level=key.split("_")[0], opinion=d["opinion"])
        return "已记录意见及时间。"
    if key == "withdraw_request":
        services.registration_withdrawal_request(case_id=case.pk, by=by, **d)
        return "已申请撤销登记，待机关负责人审批。"
    if key == "withdraw_decide":
        services.case_withdraw_registration(
            case_id=case.pk, by=by, opinion=d["opinion"], approve=d["decision"] == "approve"
        )
        return "已撤销登记。" if d["decision"] == "approve" else "已签署不同意撤销登记的意见。"
    if key == "not_file":
        services.case_not_file(case_id=case.pk, by=by, **d)
        return "已决定不予立案。"
    if key == "supplement_notice":
        licensing.application_supplement_notice(
            case_id=case.pk, by=by, materials=d["materials"], notified_at=d["notified_at"]
        )
        return "已告知补正材料，补正材料通知书已出具。"
    if key == "supplement_received":
        licensing.application_supplement_receive(case_id=case.pk, by=by, **d)
        return "已登记收到补正材料。"
    if key == "reject_application":
        services.case_reject_application(case_id=case.pk, by=by, **d)
        return "已决定不予受理，不予受理决定书已出具。"
    if key == "complaint_handling":
        services.complaint_record_handling(case_id=case.pk, by=by, **d)
        return "已记录处理情况。"
    if key == "application_complete":
        services.application_update(case_id=case.pk, by=by, **d)
        return "已保存申请记录。"
    if key == "application_event":
        services.application_event_add(case_id=case.pk, by=by, **d)
        return "已记录。"
    if key == "party_add":
        services.party_add(case_id=case.pk, by=by, **form.service_kwargs())
        return "已添加当事人。"
    if key == "officers":
        services.case_assign_officers(case_id=case.pk, by=by, **d)
        return "已变更承办人。"
    if key == "notice":
        services.noninitiation_record_notice(case_id=case.pk, by=by, **d)
        return "已记录告知或公示情况。"
    services.noninitiation_record_complainant_notice(case_id=case.pk, by=by, **d)  # complainant_notice
    return "已记录告知投诉举报人情况。"


@require_POST
@login_required
def case_record(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    """Save one of the case page's record forms. Bad input or a refusal renders the case page
    again (400) with the form open, what was typed, and the errors next to the fields."""
    # Reading the case is enough to post here: each service checks who may record what
    # (cases.policy), e.g. a section chief signs 承办机构意见 but makes no other record.
    case = selectors.case_for_user(request.user, pk)
    if key not in _RECORD_FORMS:
        raise Http404
    form = _RECORD_FORMS[key](request.POST)
    if form_accepted(request, form, case):
        try:
            message = _record_run(case, request.user, key, form)
        except services.TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, message)
            return redirect(_next(request, case.get_absolute_url()))
    return _case_page(request, selectors.case_detail_for_user(request.user, pk), _Bound(("record", key), form))


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    """The head's filing approval queue (第八条第一款: 行政执法机关负责人意见)."""
    if not policy.works_head_queues(request.user):
        raise Http404
    qs = (
        selectors.cases_awaiting(request.user)
        .filter(state=CaseState.PENDING_FILING)
        .select_related("department", "filing")
        .prefetch_related("parties")
        .order_by("filing__submitted_at", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.signoffs_by_case([c.pk for c in page.object_list], SignOffStep.FILING)
    for c in page.object_list:
        c.filing_signoffs = rows.get(c.pk, {})
    return render(request, "cases/approvals.html", {"page": page, "form": forms.TransitionForm()})


# --- attachments ------------------------------------------------------------------------------


def _owner(case: Case, ref: str) -> Any:
    """Resolve "app_label.model:pk" to a record of this case, or None."""
    if not ref:
        return None
    label, _, pk = ref.rpartition(":")
    if label.lower() not in services.ATTACHMENT_OWNER_TYPES:
        # Only the case's own record types; never an arbitrary model (an audit entry …).
        raise services.TransitionError("附件只能属于本案的记录。")
    try:
        model = apps.get_model(label)
        obj = model._default_manager.get(pk=int(pk))
    except (ValueError, LookupError, TypeError) as exc:
        raise Http404 from exc
    except Exception as exc:  # the model's DoesNotExist
        raise Http404 from exc
    if getattr(obj, "case_id", None) != case.pk:
        raise Http404
    return obj


@require_POST
@login_required
def attachment_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    form = forms.AttachmentForm(request.POST, request.FILES)
    if form_accepted(request, form, case):
        d = form.cleaned_data
        try:
            att = services.attachment_add(
                case=case,
                file=d["file"],
                by=request.user,
                owner=_owner(case, d["owner"]),
                confidentiality=d["confidentiality"] or "",
                description=d["description"],
            )
        except services.TransitionError as exc:
            form.add_error(None, refusal(request, exc, case))
        else:
            messages.success(request, f"已上传 {att.original_name}（SHA-256 {att.sha256[:12]}…）。")
            return redirect(_next(request, case.get_absolute_url()))
    # The description and marking typed stay; a browser never re-fills a file input.
    return _case_page(request, selectors.case_detail_for_user(request.user, pk), _Bound(("attachment", ""), form))


@login_required
def attachment_download(request: AuthedRequest, pk: int, att_pk: int) -> FileResponse:
    att = selectors.attachment_for_user(request.user, pk, att_pk)
    services.attachment_downloaded(attachment=att, by=request.user)
    # Inline only for a server-sniffed safe type, never the browser's declared mime_type.
    fh = att.file.storage.open(att.file.name, "rb")
    return file_response(fh, filename=att.original_name, inline=request.GET.get("inline") == "1")
