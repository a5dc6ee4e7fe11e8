from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cases import policy
from cases.models import Level, mask_id
from cases.panels import section_url
from cases.selectors import case_for_user
from cases.services import TransitionError
from documents.fonts import UnprintableText
from linke.http import AuthedRequest, form_accepted, refusal

from . import elements
from .forms import (
    FIELDS,
    ApproveForm,
    AttachForm,
    CorrectForm,
    DecideForm,
    ItemFormSet,
    OpinionForm,
    RequestForm,
    items_from,
    record_form_class,
)
from .models import KINDS_WITH_ITEMS, RecordImmutable, RecordKind
from .presenters import fmt
from .selectors import attachments_of, preservations_awaiting, record_for_user, records_of_case
from .services import (
    RecordError,
    commission_opinion_record,
    may_decide_as_head,
    may_record,
    preservation_approve,
    preservation_decide,
    preservation_refuse,
    preservation_request,
    preservation_request_pending,
    record_attach,
    record_correct,
    record_create,
    record_finalise,
    record_refusal_reason,
    record_update,
)

# cases.services.TransitionError: attachment_add refuses (archived case, no right to upload).
# UnprintableText: finalising issues the document, refused when its text has a character
# no document font prints (the message names it and the field).
REFUSED = (RecordError, RecordImmutable, TransitionError, UnprintableText)


def _kind(kind: str) -> str:
    try:
        return RecordKind(kind)
    except ValueError:
        raise Http404("未知的记录类别") from None


@login_required
def case_records(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = case_for_user(request.user, case_id)
    # New records are offered only to who may make them now (the check record_create makes).
    can_write = may_record(request.user, case)
    why_not = record_refusal_reason(request.user, case) if policy.may_write(request.user, case) else ""
    return render(
        request,
        "records/case_records.html",
        {
            "case": case,
            "records": records_of_case(case),
            "kinds": RecordKind.choices if can_write else [],
            "why_not": why_not + "。" if why_not else "",
        },
    )


def _form_page(
    request: AuthedRequest, case: Any, kind: str, form: Any, items: Any, record: Any = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "records/record_form.html",
        {
            "case": case,
            "kind": kind,
            "kind_label": RecordKind(kind).label,
            "form": form,
            "items": items,
            "record": record,
        },
        status=status,
    )


def _party_initial(case: Any) -> str:
    from documents.services import case_party_names

    return "、".join(case_party_names(case))


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: AuthedRequest, case_id: int, kind: str) -> HttpResponse:
    case = case_for_user(request.user, case_id, write=True)
    kind = _kind(kind)
    form_class = record_form_class(kind)
    with_items = kind in KINDS_WITH_ITEMS
    if not may_record(request.user, case):
        # Not in a stage where investigation is recorded: say so before anything is typed.
        messages.error(request, record_refusal_reason(request.user, case) + "。")
        return redirect(section_url(case.pk, "records"))
    if request.method == "GET":
        form = form_class(case=case, initial={"party_name": _party_initial(case), "officers": [request.user.pk]})
        return _form_page(request, case, kind, form, ItemFormSet(prefix="items") if with_items else None)
    form = form_class(request.POST, case=case)
    items = ItemFormSet(request.POST, prefix="items") if with_items else None
    if not form_accepted(request, form, case) or (items is not None and not items.is_valid()):
        return _form_page(request, case, kind, form, items, status=400)
    try:
        rec = record_create(
            case_id=case.pk,
            kind=kind,
            by=request.user,
            data=form.data_for_service(),
            officers=form.cleaned_data["officers"],
            items=items_from(items) if items else None,
        )
    except REFUSED as exc:
        messages.error(request, refusal(request, exc, case))
        return _form_page(request, case, kind, form, items, status=400)
    messages.success(request, f"已保存{rec.get_kind_display()}草稿。")
    return redirect(rec)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    rec = record_for_user(request.user, pk, write=True)
    if rec.is_final:
        messages.error(request, "记录已定稿，不得修改；如有错误请制作更正记录。")
        return redirect(rec)
    form_class = record_form_class(rec.kind)
    with_items = rec.kind in KINDS_WITH_ITEMS
    if request.method == "GET":
        items = (
            ItemFormSet(
                prefix="items",
                initial=[
                    {f: getattr(i, f) for f in ("name", "spec", "quantity", "sample_mark", "remarks")}
                    for i in rec.items.all()
                ],
            )
            if with_items
            else None
        )
        return _form_page(request, rec.case, rec.kind, form_class(instance=rec, case=rec.case), items, rec)
    form = form_class(request.POST, instance=rec, case=rec.case)
    items = ItemFormSet(request.POST, prefix="items") if with_items else None
    if not form_accepted(request, form, rec.case) or (items is not None and not items.is_valid()):
        return _form_page(request, rec.case, rec.kind, form, items, rec, status=400)
    try:
        record_update(
            record_id=rec.pk,
            by=request.user,
            data=form.data_for_service(),
            officers=form.cleaned_data["officers"],
            items=items_from(items) if items else None,
        )
    except REFUSED as exc:
        # As record_new: the form again as typed, the refusal above it (nothing typed is lost).
        messages.error(request, refusal(request, exc, rec.case))
        return _form_page(request, rec.case, rec.kind, form, items, rec, status=400)
    messages.success(request, "已保存。")
    return redirect(rec)


@login_required
def record_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail_page(request, record_for_user(request.user, pk))


def _detail_page(request: AuthedRequest, rec: Any, slot: str = "", bound: Any = None) -> HttpResponse:
    """The record page; with a `bound` form posted with errors, the same page (400) with that
    form in its place `slot` (the context name, e.g. "correct_form"), what was typed and the
    errors next to the fields (issue 11, defect 6: nothing typed is lost)."""
    base = rec.base()
    chain_back, r = [], rec.corrects
    while r is not None:
        chain_back.append(r)
        r = r.corrects
    can_write = may_record(request.user, rec.case)
    corrected_by = rec.correction if hasattr(rec, "correction") else None
    opinion = rec.opinion if hasattr(rec, "opinion") else None
    context = {
        "record": rec,
        "fields": _display_fields(rec, show_ids=policy.may_see_identifiers(request.user, rec.case)),
        "case": rec.case,
        "elements": elements.checked(rec),
        "attachments": attachments_of(base),
        "opinion_attachments": attachments_of(rec.opinion) if hasattr(rec, "opinion") else [],
        "corrected_by": corrected_by,
        "corrects_chain": chain_back,
        "decision": rec.decision if hasattr(rec, "decision") else None,
        "opinion": opinion,
        # Each form only where the page shows it (so a bound form with errors is always seen).
        "correct_form": CorrectForm() if rec.is_final and not corrected_by and can_write else None,
        "attach_form": AttachForm() if not rec.is_final and can_write else None,
        "opinion_form": OpinionForm()
        if rec.kind == RecordKind.COMMISSION and rec.is_final and not opinion and can_write
        else None,
        "can_write": can_write,
        "why_not": record_refusal_reason(request.user, rec.case) + "。"
        if policy.may_write(request.user, rec.case) and not can_write
        else "",
        **(_preservation_context(request.user, rec) if rec.kind == RecordKind.PRESERVATION else {}),
    }
    if bound is not None:
        if context.get(slot) is not None:
            context[slot] = bound
        else:  # not offered to this user now: the errors at the top of the page, not lost
            messages.error(request, "；".join(" ".join(e) for e in bound.errors.values()))
    return render(request, "records/record_detail.html", context, status=200 if bound is None else 400)


def _preservation_context(user: Any, rec: Any) -> dict[str, Any]:
    """What the 先行登记保存 card offers, each action only to who may take it (cases.policy)."""
    pending = preservation_request_pending(rec)
    head = may_decide_as_head(user, rec.case)
    open_ = not rec.is_final and not rec.approved_by_id
    return {
        "pending_request": pending,
        "approval_late": rec.approved_after_act,
        "request_form": RequestForm()
        if open_ and pending is None and policy.may_sign(user, rec.case, Level.OFFICER) and may_record(user, rec.case)
        else None,
        "approve_form": ApproveForm() if open_ and pending is not None and head else None,
        "decide_form": DecideForm() if rec.is_final and not hasattr(rec, "decision") and head else None,
    }


def _display_fields(rec: Any, *, show_ids: bool) -> list[tuple[str, Any]]:
    """Label and value of each field the record's form has; identity numbers masked for
    those who do not need them (第二十九条: personal privacy)."""
    out = []
    for name in FIELDS[rec.kind]:
        if name == "officers":
            continue
        field = type(rec)._meta.get_field(name)
        if field.choices:
            value = getattr(rec, f"get_{name}_display")()
        elif field.get_internal_type() == "BooleanField":
            value = "是" if getattr(rec, name) else "否"
        else:
            value = fmt(getattr(rec, name))
        if name == "person_id_no" and not show_ids:
            value = mask_id(value)
        out.append((field.verbose_name, value))
    return out


# The record page's forms by class: the context name each has on the page.
_SLOTS = {
    CorrectForm: "correct_form",
    AttachForm: "attach_form",
    OpinionForm: "opinion_form",
    RequestForm: "request_form",
    ApproveForm: "approve_form",
    DecideForm: "decide_form",
}


def _act(request: AuthedRequest, pk: int, form_class: Any, action: Any, ok: str, follow: bool = False) -> HttpResponse:
    """Run one service on the record; back to the record page, or with follow=True to what
    the service returned (a correction's new record). Bad input or a refusal renders the record
    page again with the form as typed and the errors in it. Reading the case is enough to post:
    the service asks cases.policy who may do what (e.g. the head approves, officers finalise)."""
    rec = record_for_user(request.user, pk)
    form = form_class(request.POST, request.FILES) if form_class else None
    # A sealed case: 409 naming the 档号 (第二十八条), before the form is read; with no form too.
    if not form_accepted(request, form, rec.case):
        return _detail_page(request, rec, _SLOTS[form_class], form)
    try:
        result = action(rec, form.cleaned_data if form is not None else {})
    except REFUSED as exc:
        message = refusal(request, exc, rec.case)  # a sealed case: 409 naming the 档号
        if form is None:  # nothing typed (定稿): the message is enough
            messages.error(request, message)
            return redirect(rec)
        form.add_error(None, message)
        return _detail_page(request, record_for_user(request.user, pk), _SLOTS[form_class], form)
    messages.success(request, ok)
    return redirect(result if follow else rec)


@login_required
@require_POST
def record_finalise_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, None, lambda r, d: record_finalise(record_id=r.pk, by=request.user), "已定稿，执法文书正在生成。"
    )


@login_required
@require_POST
def record_correct_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        CorrectForm,
        lambda r, d: record_correct(record_id=r.pk, by=request.user, **d),
        "已创建更正记录草稿，原记录保留。",
        follow=True,
    )


@login_required
@require_POST
def record_attach_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, AttachForm, lambda r, d: record_attach(record_id=r.pk, by=request.user, **d), "附件已上传。"
    )


@login_required
@require_POST
def preservation_request_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        RequestForm,
        lambda r, d: preservation_request(record_id=r.pk, by=request.user, **d),
        "已报请机关负责人批准先行登记保存。",
    )


def _approve_or_refuse(user: Any, rec: Any, d: dict[str, Any]) -> Any:
    if d["decision"] == "approve":
        return preservation_approve(record_id=rec.pk, by=user, opinion=d["opinion"], late_reason=d["late_reason"])
    return preservation_refuse(record_id=rec.pk, by=user, opinion=d["opinion"])


@login_required
@require_POST
def preservation_approve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    ok = "已签署审批意见。" if request.POST.get("decision") == "refuse" else "已批准先行登记保存。"
    return _act(request, pk, ApproveForm, lambda r, d: _approve_or_refuse(request.user, r, d), ok)


@login_required
def preservation_queue(request: AuthedRequest) -> HttpResponse:
    """The head's queue of 先行登记保存: requests to approve, and preserved evidence awaiting the
    处理决定 (《行政处罚法》第五十六条). 404 for anyone who is not a head."""
    if not policy.works_head_queues(request.user):
        raise Http404
    requests, undecided = preservations_awaiting(request.user)
    return render(request, "records/preservation_queue.html", {"requests": requests, "undecided": undecided})


@login_required
@require_POST
def preservation_decide_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        DecideForm,
        lambda r, d: preservation_decide(record_id=r.pk, by=request.user, **d),
        "已作出处理决定，处理决定书正在生成。",
    )


@login_required
@require_POST
def commission_opinion_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        OpinionForm,
        lambda r, d: commission_opinion_record(record_id=r.pk, by=request.user, **d),
        "已登记返回的意见。",
    )
