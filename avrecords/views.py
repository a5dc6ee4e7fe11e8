"""Pages of the audio-visual records: the inbox, a record (player, 第二十六条 form, custody),
a case's records with the browser upload, and byte-range media serving."""

import io
import mimetypes
import re
from collections.abc import Iterator
from typing import IO, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role, User
from cases.selectors import case_for_user, cases_visible_to
from linke.downloads import OCTET, disposition, protect, safe_type
from linke.http import AuthedRequest, form_accepted

from . import selectors
from .audit_actions import AuditAction
from .forms import AssignForm, DescribeForm, LateReasonForm, OwnerForm
from .models import AVRecord, ExpectedRecord
from .services import (
    CONTENT_POINTS,
    AVError,
    expected_record_fulfil,
    finalise_missing,
    record_access,
    record_assign,
    record_describe,
    record_explain_late,
    record_finalise,
    record_played,
    record_set_owner,
    record_verify,
)
from .storage import CHUNK, original_open, original_open_seekable
from .tasks import record_verify_task

VERIFY_INLINE_MAX = 256 * 1024 * 1024


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    user = request.user
    mine = selectors.inbox_for(user)
    unmatched = selectors.admin_inbox() if user.has_role(Role.ADMIN) else None
    return render(request, "avrecords/inbox.html", {"records": mine, "unmatched": unmatched})


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, pk)
    record_access(record=record, by=request.user, action=AuditAction.VIEWED)
    return _detail_page(request, record)


def _detail_page(request: AuthedRequest, record: AVRecord, slot: str = "", bound: Any = None) -> HttpResponse:
    """The record page; with a `bound` form posted with errors, the same page (400) with that
    form in its place `slot` (e.g. "describe_form"), what was typed and the errors next to the
    fields (issue 11, defect 6: nothing typed is lost)."""
    editable = selectors.may_edit(request.user, record) and record.finalised_at is None
    ctx: dict[str, Any] = {
        "record": record,
        "editable": editable,
        "missing": finalise_missing(record),
        "points": [(code, label, code in record.content_points) for code, label in CONTENT_POINTS],
        "fixity": record.fixity_checks.select_related("by")[:10],
        "expectations": record.expectations.all(),
    }
    if editable:
        ctx["describe_form"] = DescribeForm(instance_record=record)
        ctx["late_form"] = LateReasonForm(initial={"reason": record.late_reason})
        ctx["assign_form"] = AssignForm(user=request.user, initial={"case": record.case_id})
        if record.case_id:
            ctx["open_expected"] = selectors.expected_open_for_case(record.case_id)
    if record.owner_id is None and request.user.has_role(Role.ADMIN):
        ctx["owner_form"] = OwnerForm()
    if bound is not None:
        if ctx.get(slot) is not None:
            ctx[slot] = bound
        else:  # not offered to this user now: the errors at the top of the page, not lost
            messages.error(request, "；".join(" ".join(e) for e in bound.errors.values()))
    return render(request, "avrecords/detail.html", ctx, status=200 if bound is None else 400)


def _act(request: AuthedRequest, record: AVRecord, fn: Any, ok: str, **kwargs: Any) -> HttpResponse:
    try:
        fn(record_id=record.pk, by=request.user, **kwargs)
    except AVError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ok)
    return redirect(record)


def _form_act(request: AuthedRequest, pk: int, slot: str, form: Any, fn: Any, ok: str) -> HttpResponse:
    """The record page's forms: check the form's shape, call the service with its data. Bad
    input or a refusal renders the page again with the form as typed and its errors."""
    record = selectors.record_for_user(request.user, pk, write=True)
    if form_accepted(request, form, record.case):
        try:
            fn(record_id=record.pk, by=request.user, **form.cleaned_data)
        except AVError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, ok)
            return redirect(record)
    return _detail_page(request, selectors.record_for_user(request.user, pk), slot, form)


@login_required
@require_POST
def describe(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, pk, write=True)
    form = DescribeForm(request.POST, instance_record=record)
    return _form_act(request, pk, "describe_form", form, record_describe, "已保存第二十六条、第十二条信息。")


@login_required
@require_POST
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    form = AssignForm(request.POST, user=request.user)
    return _form_act(request, pk, "assign_form", form, record_assign, "已归入案件。")


@login_required
@require_POST
def set_owner(request: AuthedRequest, pk: int) -> HttpResponse:
    if not request.user.has_role(Role.ADMIN):
        raise Http404
    return _form_act(request, pk, "owner_form", OwnerForm(request.POST), record_set_owner, "已分派给执法人员。")


@login_required
@require_POST
def explain_late(request: AuthedRequest, pk: int) -> HttpResponse:
    form = LateReasonForm(request.POST)
    return _form_act(request, pk, "late_form", form, record_explain_late, "已记录逾期说明。")


@login_required
@require_POST
def finalise(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, pk, write=True)
    return _act(request, record, record_finalise, "音像记录已定稿。")


@login_required
@require_POST
def fulfil(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, pk, write=True)
    try:
        expected_record_fulfil(expected_id=int(request.POST.get("expected", 0)), record_id=record.pk, by=request.user)
    except AVError as exc:
        messages.error(request, str(exc))
    except (ValueError, ExpectedRecord.DoesNotExist) as exc:
        raise Http404 from exc
    else:
        messages.success(request, "已确认为应到的音像记录。")
    return redirect(record)


@login_required
@require_POST
def verify(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_for_user(request.user, pk)
    if record.original_key and (record.size or 0) > VERIFY_INLINE_MAX:
        # A big original is re-hashed by a worker, not inside the request.
        record_verify_task.delay(record.pk, request.user.pk)
        messages.info(request, "原件较大，已提交后台核验，结果将显示在“完整性核验记录”中。")
        return redirect(record)
    try:
        check = record_verify(record_id=record.pk, by=request.user)
    except AVError as exc:
        messages.error(request, str(exc))
    else:
        if check.ok:
            messages.success(request, f"完整性核验通过：专用存储中的原件 SHA-256 为 {check.computed}，与入库时一致。")
        else:
            messages.error(
                request, f"完整性核验失败：应为 {check.expected}，实算 {check.computed or '（无法读取）'}。已告警。"
            )
    return redirect(record)


@login_required
@require_GET
def original(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    """Download the original from dedicated storage (streamed; an audit entry each time)."""
    record = selectors.record_for_user(request.user, pk)
    if not record.original_key:
        raise Http404("原件尚未入库")
    record_access(record=record, by=request.user, action=AuditAction.DOWNLOADED)

    def stream() -> Iterator[bytes]:
        with original_open(record.original_key, record.original_version) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    resp = StreamingHttpResponse(stream(), content_type=OCTET)
    resp["Content-Disposition"] = disposition(record.filename or f"{record.sha256}.bin")
    if record.size is not None:
        resp["Content-Length"] = str(record.size)
    return protect(resp)


_DERIVED = {"proxy": "proxy", "poster": "poster", "waveform": "waveform", "thumb": "thumbnail"}


@login_required
def derived(request: AuthedRequest, pk: int, which: str) -> HttpResponseBase:
    """Proxy, poster, waveform or thumbnail, with HTTP Range (the player seeks)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    record = selectors.record_for_user(request.user, pk)
    return media_response(request, record, which)


def media_response(request: AuthedRequest, record: AVRecord, which: str = "proxy") -> HttpResponseBase:
    """The record's browser copy (`which`: proxy, poster, waveform or thumb) with HTTP Range;
    the proxy of a record that plays its original is the original, read-only. The caller has
    checked access (`derived`; archive's 第二十九条 reading room). A proxy asked for whole is
    a download in the chain of custody. Http404 when there is no such copy."""
    if which == "proxy" and record.plays_original and record.original_key:
        # The original plays as it is (ProxyMethod.ORIGINAL): served read-only from
        # dedicated storage, the same access check, byte ranges and custody entries.
        name, copy = record.original_key, "original"
    else:
        name = getattr(record, _DERIVED.get(which, ""), "") if which in _DERIVED else ""
        copy = "proxy"
    if not name:
        raise Http404
    content_type = "video/mp4" if which == "proxy" else (mimetypes.guess_type(name)[0] or "application/octet-stream")
    if which == "proxy" and record.kind == "audio":
        content_type = "audio/mp4"
    if which == "proxy":
        log_whole_fetch(request, record, copy)
    if copy == "original":
        fh = original_open_seekable(record.original_key, record.original_version)
        size = fh.seek(0, io.SEEK_END)
        fh.seek(0)
        return ranged_response(request, fh, size, safe_type(content_type))
    return stored_response(request, name, content_type)


def log_whole_fetch(request: AuthedRequest, record: AVRecord, copy: str) -> None:
    """Chain of custody: a player always asks for byte ranges (preloading the metadata
    included, which is no play: plays are logged by `played`); the whole file asked for
    without a Range (a GET) is a copy leaving the system, a download (`av.downloaded` with
    `copy`: proxy, original, or consultation for the reading room's watermarked copy)."""
    if request.method == "GET" and not request.META.get("HTTP_RANGE"):
        record_access(record=record, by=request.user, action=AuditAction.DOWNLOADED, copy=copy)


def stored_response(request: HttpRequest, name: str, content_type: str) -> HttpResponseBase:
    """The file `name` of the default storage, whole or one byte range (ranged_response), as
    `content_type` (linke.downloads.safe_type). The caller has checked access: media_response,
    and archive's 第二十九条 reading room serving an item's watermarked copy."""
    fh, size = default_storage.open(name, "rb"), default_storage.size(name)
    return ranged_response(request, fh, size, safe_type(content_type))


@login_required
@require_POST
def played(request: AuthedRequest, pk: int) -> JsonResponse:
    """The player's `play` event (avrecords/player.js, CSRF-protected POST): playback started.
    One `av.played` entry per viewing token (a page view of the player), however often the
    viewer pauses and resumes. 400 with a Chinese message for a malformed token."""
    record = selectors.record_for_user(request.user, pk)
    try:
        logged = record_played(record_id=record.pk, by=request.user, viewing=request.POST.get("viewing", ""))
    except ValueError:
        return JsonResponse({"error": "播放标识无效，请刷新页面后重新播放。"}, status=400)
    return JsonResponse({"logged": logged})


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def ranged_response(request: HttpRequest, fh: IO[bytes], size: int, content_type: str) -> HttpResponseBase:
    """Serve `fh` whole or one byte range of it (RFC 9110 §14): 206 with Content-Range, 416
    when the range is outside the file. Streams in chunks."""
    header = request.META.get("HTTP_RANGE", "").strip()
    match = _RANGE.match(header) if header else None
    if not match or (not match[1] and not match[2]):
        whole = FileResponse(fh, content_type=content_type)
        whole["Content-Length"] = str(size)
        whole["Accept-Ranges"] = "bytes"
        return protect(whole)
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:  # suffix range: the last N bytes
        start, end = max(size - int(match[2]), 0), size - 1
    if start >= size or start > end:
        fh.close()
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return protect(refused)
    fh.seek(start)

    def body() -> Iterator[bytes]:
        left = end - start + 1
        try:
            while left > 0:
                chunk = fh.read(min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            fh.close()

    resp = StreamingHttpResponse(body(), status=206, content_type=content_type)
    resp["Content-Range"] = f"bytes {start}-{end}/{size}"
    resp["Content-Length"] = str(end - start + 1)
    resp["Accept-Ranges"] = "bytes"
    return protect(resp)


@login_required
@require_GET
def custody(request: AuthedRequest, pk: int) -> HttpResponse:
    """The chain-of-custody report (PDF): every audit entry about the record, in order."""
    from .reports import custody_pdf

    record = selectors.record_for_user(request.user, pk)
    record_access(record=record, by=request.user, action=AuditAction.CUSTODY_REPORT)
    resp = HttpResponse(custody_pdf(record, request.user), content_type="application/pdf")
    resp["Content-Disposition"] = disposition(f"custody-{record.pk}.pdf", inline=True)
    return protect(resp)


@login_required
@require_GET
def case_records(request: AuthedRequest, case_pk: int) -> HttpResponse:
    """A case's audio-visual records with the browser upload (the case page's panel, on a
    page of its own)."""
    case = case_for_user(request.user, case_pk)
    from .panels import panel_context

    return render(
        request, "avrecords/case_records.html", {"case": case, **(panel_context(case, request.user, request) or {})}
    )


def writable_cases(user: User) -> Any:
    """The cases a record may be put on (the choices of 归入案件): those in a stage that takes
    recordings (services.av_refusal); record_assign still checks the user on the chosen one."""
    from .services import AV_RECORDING_STATES

    return cases_visible_to(user).filter(state__in=AV_RECORDING_STATES).order_by("-created_at")


def upload_endpoint() -> str:
    return reverse("avrecords_api:uploads")
