"""Views of 第二十九条 consultation and the reconsideration answer package. Each checks access
(404 for who may not), parses a form, calls one service, responds."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

import audit
from avrecords.views import log_whole_fetch, stored_response
from cases import policy
from cases.selectors import case_for_user, parties_of
from cases.stages import TransitionDenied, TransitionError
from linke.clientip import client_ip
from linke.downloads import file_response
from linke.http import AuthedRequest, form_page, refusal

from . import consultation as svc
from .answer import AnswerUnavailable, answer_package
from .audit_actions import AuditAction
from .forms_consultation import DecisionForm, RequestForm
from .models_consultation import ConsultationItem, ConsultationRequest, ConsultationStatus, RenditionStatus
from .rendition import CONTENT_TYPES, RENDITION_GONE, rendition_failed, renditions_queue
from .watermark import NotViewable

log = logging.getLogger(__name__)


def _case_page(case_pk: int) -> str:
    return reverse("cases:section", args=[case_pk, "archive"])


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def consult_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a party's request (archivist or an officer of the case; 404 for anyone else)."""
    case = case_for_user(request.user, pk)
    if not svc.may_record(request.user, case):
        raise Http404("案件不存在")
    choices = [
        (c.key, f"{c.title}（{c.confidentiality_label}）" if c.confidentiality else c.title)
        for c in svc.candidates(case)
    ]
    form = RequestForm(request.POST or None, request.FILES or None, choices=choices, parties=list(parties_of(case)))
    if request.method == "POST" and form.is_valid():
        try:
            svc.consultation_request(case_id=case.pk, by=request.user, **form.cleaned_data)
        except (TransitionError, TransitionDenied) as exc:
            form.add_error(None, refusal(request, exc, case, writes_case=False))
        else:
            messages.success(request, "查阅申请已登记，待机关负责人审批。")
            return redirect(_case_page(case.pk))
    ctx = {
        "case": case,
        "form": form,
        "title": "登记查阅申请",
        "submit": "登记",
        "note": "第二十九条：经机关负责人同意后方可查阅。",
    }
    return form_page(request, "archive/consult/form.html", ctx)


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def consult_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """The head decides a request (404 for anyone who may not sign it). A decided request shows
    its decision and no form (trial defect 11); a decision posted to it (a page loaded before
    another decided it) is refused, 400, showing the opinion typed so nothing is lost."""
    req = svc.request_for_decision(request.user, pk)
    items = list(req.items.select_related("document", "attachment"))
    if req.status != ConsultationStatus.PENDING:
        ctx = {
            "case": req.case,
            "req": req,
            "items": items,
            "title": "查阅申请审批",
            "posted": request.method == "POST",
            "refused": f"该查阅申请已审批（{req.get_status_display()}），本次提交未保存。",
            "typed": (request.POST.get("opinion") or "").strip(),
        }
        return form_page(request, "archive/consult/decided.html", ctx)
    form = DecisionForm(request.POST or None, request.FILES or None, items=items)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        treatments = {
            i.pk: svc.Treatment(data.get(f"t_{i.pk}") or "", data.get(f"r_{i.pk}") or "", data.get(f"f_{i.pk}"))
            for i in items
        }
        try:
            svc.consultation_decide(
                request_id=req.pk,
                by=request.user,
                approve=data["approve"],
                opinion=data["opinion"],
                valid_from=data.get("valid_from"),
                valid_until=data.get("valid_until"),
                treatments=treatments,
            )
        except (TransitionError, TransitionDenied) as exc:
            form.add_error(None, refusal(request, exc, req.case, writes_case=False))
        else:
            messages.success(request, "查阅申请已审批。")
            return redirect(_case_page(req.case_id))
    ctx = {"case": req.case, "req": req, "form": form, "title": "查阅申请审批", "submit": "签署"}
    return form_page(request, "archive/consult/form.html", ctx)


@never_cache
@require_GET
@login_required
def consult_authorisation(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """GET: the 授权委托书 of an agent's request (第二十九条), inline when its sniffed type is a
    PDF or an image (linke.downloads.file_response), audited. Only who may decide or record the
    request (svc.authorisation_for_user); 404 for anyone else, or when there is none."""
    req = svc.authorisation_for_user(request.user, pk)
    svc.authorisation_viewed(req, by=request.user)
    fh = req.authorisation.storage.open(req.authorisation.name, "rb")
    return file_response(fh, filename=req.authorisation_name or "授权委托书", inline=True)


def _closed(request: AuthedRequest, exc: svc.ReadingClosed) -> HttpResponse:
    """The archivist's page for a link outside its period: 410 once expired, 403 before it begins."""
    ctx = {"req": exc.req, "case": exc.req.case, "message": exc.message, "expired": exc.expired}
    return render(request, "archive/consult/closed.html", ctx, status=410 if exc.expired else 403)


@never_cache
@require_GET
@login_required
def reading_room(request: AuthedRequest, token: str) -> HttpResponse:
    """The approved items of a request, for the archivist attending the party (第二十九条); outside
    the period a page saying it has expired (or not begun); 404 for anyone else."""
    try:
        req = svc.request_for_reading(request.user, token)
    except svc.ReadingClosed as exc:
        return _closed(request, exc)
    items = [i for i in req.items.all() if i.provided]
    return render(request, "archive/consult/reading_room.html", {"req": req, "items": items, "case": req.case})


@never_cache
@require_GET
@login_required
def reading_item(request: AuthedRequest, token: str, item: int) -> HttpResponse:
    """One approved item as a watermarked PDF; logged and audited (404 outside the approval; the
    expired page outside the period)."""
    try:
        req = svc.request_for_reading(request.user, token)
    except svc.ReadingClosed as exc:
        return _closed(request, exc)
    row = svc.item_for_reading(req, item)
    if row.av_record_id is not None:  # played on its page, not a PDF
        return redirect("archive:reading_av", token=token, item=row.pk)
    try:
        data = svc.item_view(
            req, row, viewer=request.user, ip=client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
    except NotViewable as exc:
        return render(request, "archive/consult/not_viewable.html", {"req": req, "message": str(exc)}, status=415)
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="consult-{req.pk}-{row.pk}.pdf"'
    return resp


def _av_item(request: AuthedRequest, token: str, item: int) -> tuple[ConsultationRequest, ConsultationItem]:
    """The request and its provided AV item behind a reading-room link (svc.request_for_reading,
    svc.item_for_reading); Http404 for an item that is not an AV record. ReadingClosed as there."""
    req = svc.request_for_reading(request.user, token)
    row = svc.item_for_reading(req, item)
    if row.av_record is None:
        raise Http404("材料不存在")
    return req, row


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def reading_av(request: AuthedRequest, token: str, item: int) -> HttpResponse:
    """An approved AV item played in the reading room (第二十九条): its copy with the watermark
    burnt in (archive.rendition: the requester's name and the day of approval), under the same
    watermark laid over the player by CSS. While the copy is being made the page says so (and
    an item approved before copies were made has its copy asked for now); a failed copy says why
    and a POST asks for it again. Each view of the copy is logged and audited as a document's
    view is. 404 / the expired page as for documents."""
    try:
        req, row = _av_item(request, token, item)
    except svc.ReadingClosed as exc:
        return _closed(request, exc)
    if request.method == "POST" or row.rendition_status == "":
        renditions_queue([row])
        if request.method == "POST":
            messages.info(request, "已重新提交生成带水印的查阅副本。")
            return redirect("archive:reading_av", token=token, item=row.pk)
        row.refresh_from_db()  # made at once where tasks run eagerly
    ready = row.rendition_status == RenditionStatus.READY
    if ready:
        ua = request.headers.get("User-Agent", "")
        svc.log_view(req, row, viewer=request.user, ip=client_ip(request), user_agent=ua)
    ctx = {
        "req": req,
        "case": req.case,
        "item": row,
        "record": row.av_record,
        "watermark": svc.watermark_text(req),
        "ready": ready,
        "failed": row.rendition_status == RenditionStatus.FAILED,
    }
    return render(request, "archive/consult/reading_av.html", ctx)


@never_cache
@login_required
def reading_media(request: AuthedRequest, token: str, item: int) -> HttpResponseBase:
    """The bytes the reading room's player (or a photo's picture) asks for, with byte ranges
    (avrecords.views.stored_response): the item's copy with the watermark burnt in
    (archive.rendition), never the record's own copy; the whole file asked for without a
    range is a download in the record's chain of custody. 409 while the copy is not ready; 404
    for anything but a provided AV item of a request in its period."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        _req, row = _av_item(request, token, item)
    except svc.ReadingClosed as exc:
        return _closed(request, exc)
    record = row.av_record
    assert record is not None
    if row.rendition_status != RenditionStatus.READY or not row.rendition:
        return HttpResponse("带水印的查阅副本尚未生成。", status=409, content_type="text/plain; charset=utf-8")
    try:
        resp = stored_response(request, row.rendition, CONTENT_TYPES.get(record.kind, "video/mp4"))
    except OSError:  # the copy's file is gone from storage: failed, to be made again on request
        log.warning("consultation item %s: rendition %s not in storage", row.pk, row.rendition)
        rendition_failed(row.pk, RENDITION_GONE, ready=True)
        return HttpResponse(RENDITION_GONE, status=409, content_type="text/plain; charset=utf-8")
    if record.kind != "photo":
        log_whole_fetch(request, record, "consultation")
    return resp


@never_cache
@require_GET
@login_required
def answer_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The reconsideration answer package (《行政复议法》第四十八条) as one PDF, for the head, the
    legal reviewers and the archivist; audited. 404 for anyone else; 409 when unavailable."""
    case = case_for_user(request.user, pk)
    if not policy.reads_every_case(request.user):
        raise Http404("案件不存在")
    try:
        data = answer_package(case)
    except AnswerUnavailable as exc:
        return render(request, "archive/consult/not_viewable.html", {"case": case, "message": str(exc)}, status=409)
    audit.record(case, AuditAction.ANSWER_EXPORTED, actor=request.user, case=case, size=len(data))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'attachment; filename="case-{case.pk}-answer.pdf"'
    return resp
