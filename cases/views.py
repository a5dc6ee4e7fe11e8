"""Pages of the cases app. Each view checks access (404 for outsiders), parses input, calls
one service and responds; the services check the workflow."""

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
from audit.models import Entry
from linke.downloads import file_response
from linke.http import AuthedRequest

from . import forms, policy, requirements, selectors, services, signoffs, stages
from .models import Case, CaseOfficer, CaseOrigin, CaseState, Level, Party, SignOffStep
from .panels import panels_for
from .timeline import people_labels, timeline_for

PAGE_SIZE = 25


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    user = request.user
    mine = selectors.cases_handled_by(user).select_related("department").order_by("-updated_at")[:20]
    awaiting = selectors.cases_awaiting(user).select_related("department").order_by("updated_at")[:20]
    return render(
        request,
        "cases/dashboard.html",
        {
            "mine": list(mine),
            "awaiting": list(awaiting),
            "counts": selectors.case_counts_by_state(user),
            "awaiting_total": selectors.cases_awaiting(user).count(),
            "can_create": user.has_role(Role.OFFICER),
            "is_head": user.has_role(Role.HEAD),
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
    return render(
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
        status=400 if request.method == "POST" else 200,
    )


def _record_forms(case: Case, user: Any) -> list[dict[str, Any]]:
    """The record forms the case page offers in the case's current stage."""
    out: list[dict[str, Any]] = []
    filing = requirements._rel(case, "filing")
    complaint = requirements._rel(case, "complaint")
    ni = requirements._rel(case, "non_initiation")

    def add(key: str, title: str, form: Any, article: str) -> None:
        out.append(
            {
                "key": key,
                "title": title,
                "form": form,
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
        add("application_event", "当场更正、补正材料", forms.ApplicationEventForm(), "第七条")
    if case.state in (
        CaseState.REGISTERED,
        CaseState.APPLIED,
        CaseState.PENDING_FILING,
        CaseState.INVESTIGATING,
        CaseState.ACCEPTED,
    ):
        add("party_add", "添加当事人", forms.PartyForm(prefix="party"), "第八条第一款")
    if case.state != CaseState.ARCHIVED:
        add(
            "officers",
            "变更承办人",
            forms.OfficersForm(initial={"officers": [a.officer_id for a in case.assignments.all()]}),
            "《行政处罚法》第四十二条",
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


def _checklist(case: Case) -> list[requirements.CheckItem]:
    """The requirements of the stages up to the current one (ticked or missing), then those of
    later stages (marked "later"); other branches' and inapplicable ones are left out."""
    path = stages.stage_path(case)
    now = path.index(case.state) if case.state in path else len(path)
    items = []
    for item in requirements.checklist(case):
        stage = item.requirement.stage
        if item.status == "na" or stage not in path:
            continue
        if path.index(stage) > now:
            item = requirements.CheckItem(item.requirement, "later")
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


@login_required
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_detail_for_user(request.user, pk)
    user = request.user
    checklist = _checklist(case)
    attachments = list(case.attachments.select_related("uploaded_by", "content_type").order_by("uploaded_at", "pk"))
    owner_choices = _owner_choices(case)
    owner_labels = dict(owner_choices)
    for att in attachments:
        ct = att.content_type
        if ct is not None:
            att.owner_label = owner_labels.get(  # type: ignore[attr-defined]
                f"{ct.app_label}.{ct.model}:{att.object_id}", ct.name
            )
    can_attach = case.state != CaseState.ARCHIVED and policy.may_write(user, case)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "show_ids": policy.may_see_identifiers(user, case),
            "filing_signoffs": signoffs.current(case, SignOffStep.FILING),
            "checklist": checklist,
            "checklist_missing": [
                item for item in checklist if item.status == "missing" and item.requirement.stage == case.state
            ],
            "actions": [{"t": t, "form": forms.TransitionForm()} for t in stages.buttons_for(case, user)],
            "record_forms": _record_forms(case, user),
            "timeline": timeline_for(case, limit=100),
            "attachments": attachments,
            "attachment_form": forms.AttachmentForm() if can_attach else None,
            "attachment_upload_url": reverse("cases:attachment_upload", args=[case.pk]),
            "owner_choices": owner_choices,
            "panels": panels_for(case, user, request),
        },
    )


@login_required
def case_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    entries = Entry.objects.filter(case_id=case.pk).order_by("-seq")
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
    form.is_valid()
    try:
        stages.run_button(case_id=case.pk, name=name, by=request.user, opinion=form.cleaned_data.get("opinion", ""))
    except stages.TransitionError as exc:
        messages.error(request, str(exc))
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


class _Invalid(Exception):
    def __init__(self, form: Any) -> None:
        errors = "；".join(
            f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{'，'.join(e)}"
            for f, e in form.errors.items()
        )
        super().__init__(f"填写有误：{errors}")


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise _Invalid(form)
    return form.cleaned_data


def _record(request: AuthedRequest, case: Case, key: str) -> str:
    by, post = request.user, request.POST
    if key == "filing_info":
        services.filing_record_update(case_id=case.pk, by=by, **_valid(forms.FilingInfoForm(post)))
        return "已保存立案信息。"
    if key in ("officer_opinion", "unit_opinion"):
        services.filing_opinion_record(
            case_id=case.pk, by=by, level=key.split("_")[0], opinion=_valid(forms.OpinionForm(post))["opinion"]
        )
        return "已记录意见及时间。"
    if key == "withdraw_request":
        services.registration_withdrawal_request(case_id=case.pk, by=by, **_valid(forms.WithdrawalRequestForm(post)))
        return "已申请撤销登记，待机关负责人审批。"
    if key == "withdraw_decide":
        d = _valid(forms.WithdrawalDecisionForm(post))
        services.case_withdraw_registration(
            case_id=case.pk, by=by, opinion=d["opinion"], approve=d["decision"] == "approve"
        )
        return "已撤销登记。" if d["decision"] == "approve" else "已签署不同意撤销登记的意见。"
    if key == "not_file":
        services.case_not_file(case_id=case.pk, by=by, **_valid(forms.NotFileForm(post)))
        return "已决定不予立案。"
    if key == "complaint_handling":
        services.complaint_record_handling(case_id=case.pk, by=by, **_valid(forms.ComplaintHandlingForm(post)))
        return "已记录处理情况。"
    if key == "application_complete":
        services.application_update(case_id=case.pk, by=by, **_valid(forms.ApplicationCompleteForm(post)))
        return "已保存申请记录。"
    if key == "application_event":
        services.application_event_add(case_id=case.pk, by=by, **_valid(forms.ApplicationEventForm(post)))
        return "已记录。"
    if key == "party_add":
        form = forms.PartyForm(post, prefix="party")
        _valid(form)
        services.party_add(case_id=case.pk, by=by, **form.service_kwargs())
        return "已添加当事人。"
    if key == "officers":
        services.case_assign_officers(case_id=case.pk, by=by, **_valid(forms.OfficersForm(post)))
        return "已变更承办人。"
    if key == "notice":
        services.noninitiation_record_notice(case_id=case.pk, by=by, **_valid(forms.NoticeForm(post)))
        return "已记录告知或公示情况。"
    if key == "complainant_notice":
        services.noninitiation_record_complainant_notice(case_id=case.pk, by=by, **_valid(forms.NoticeForm(post)))
        return "已记录告知投诉举报人情况。"
    raise Http404


@require_POST
@login_required
def case_record(request: AuthedRequest, pk: int, key: str) -> HttpResponse:
    # Reading the case is enough to post here: each service checks who may record what
    # (cases.policy), e.g. a section chief signs 承办机构意见 but makes no other record.
    case = selectors.case_for_user(request.user, pk)
    try:
        messages.success(request, _record(request, case, key))
    except (services.TransitionError, _Invalid) as exc:
        messages.error(request, str(exc))
    return redirect(_next(request, case.get_absolute_url()))


@login_required
def approvals(request: AuthedRequest) -> HttpResponse:
    """The head's filing approval queue (第八条第一款: 行政执法机关负责人意见)."""
    if not request.user.has_role(Role.HEAD):
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
    back = _next(request, case.get_absolute_url())
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
        return redirect(back)
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
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已上传 {att.original_name}（SHA-256 {att.sha256[:12]}…）。")
    return redirect(back)


@login_required
def attachment_download(request: AuthedRequest, pk: int, att_pk: int) -> FileResponse:
    att = selectors.attachment_for_user(request.user, pk, att_pk)
    services.attachment_downloaded(attachment=att, by=request.user)
    # Inline only for a server-sniffed safe type, never the browser's declared mime_type.
    fh = att.file.storage.open(att.file.name, "rb")
    return file_response(fh, filename=att.original_name, inline=request.GET.get("inline") == "1")
