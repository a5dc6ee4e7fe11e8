"""The sealing pages (归档, 第二十八条): the archivist's queue, the review-and-seal page, the
head's override page, addenda. Each view: access (a selector or policy, 404 otherwise), a form,
one archive.sealing action, a response; a refused action shows its Chinese message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case as Case_
from django.db.models import Q, QuerySet, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Role
from cases import policy
from cases.models import Case, CaseState, SignOffStep
from cases.selectors import case_for_user, cases_visible_to
from cases.stages import TransitionError
from deadlines.models import DeadlineKind
from deadlines.selectors import MET_LATE, RED, case_deadline, deadline_state, reminder_threshold
from linke.downloads import file_response
from linke.http import AuthedRequest, form_page, refusal
from linke.pagination import page_of

from . import requests_notify, rounds, sealing
from .casefile import CaseFile
from .export import SealedPages, paginate_stored
from .forms import AddendumForm, CheckForm, OpinionForm, SealForm
from .models import Addendum
from .quality import case_score
from .sealed_volume import current_volume
from .selectors import addenda_of, is_sealed, seal_of
from .volume import has_case_file

RECENT_DAYS = 30  # "recently sealed" on the queue
POSITION_MAX = 100000  # the arrangement's positions: 0..POSITION_MAX
QUEUE_PER_PAGE = 25


def works_archive_queue(user: Any) -> bool:
    """The archivist (the 专人) and the head work the archive's queue."""
    return bool(user.is_active and (user.has_role(Role.ARCHIVIST) or user.has_role(Role.HEAD)))


def queue_cases(user: Any, now: dt.datetime | None = None) -> QuerySet[Case]:
    """Concluded cases awaiting sealing, earliest concluded first (the ARCHIVE_FILE period runs
    from conclusion), then cases sealed in the last RECENT_DAYS days, newest first."""
    now = now or timezone.now()
    waiting = Q(state=CaseState.CONCLUDED)
    recent = Q(state=CaseState.ARCHIVED, archived_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    return (
        cases_visible_to(user)
        .filter(waiting | recent)
        .select_related("department")
        .annotate(sealed=Case_(When(waiting, then=0), default=1))
        .order_by("sealed", "concluded_at", "-archived_at", "pk")
    )


@login_required
def queue(request: AuthedRequest) -> HttpResponse:
    """GET /archive/: the archivist's queue (archivists and the head; 404 for anyone else), 25 a
    page: the ARCHIVE_FILE due date (第二十八条) — a waiting case past it marked overdue (已逾期), a
    sealed one sealed after it marked late (逾期归档) — the score and each failing rule's link,
    and a waiting file's check (待检查, 已检查, 已退回 with the reason)."""
    if not works_archive_queue(request.user):
        raise Http404
    now = timezone.now()
    threshold = reminder_threshold(now)
    page = page_of(queue_cases(request.user, now), request, per_page=QUEUE_PER_PAGE)
    rows = []
    for c in page.object_list:
        deadline = case_deadline(c, DeadlineKind.ARCHIVE_FILE)
        state = deadline_state(deadline, now, threshold) if deadline is not None else None
        rows.append(
            {
                "case": c,
                "score": case_score(c),
                "due": deadline.due if deadline is not None else None,
                "overdue": state == RED,
                "late": state == MET_LATE,
                # 待检查/已检查/已退回 while waiting (第二十八条: the 检查人 signs before sealing)
                "check": sealing.check_of(c) if c.state == CaseState.CONCLUDED else None,
            }
        )
    return render(request, "archive/queue.html", {"page": page, "rows": rows})


def _case_file_case(request: AuthedRequest, pk: int) -> Case:
    """The case, for who may read its case file (policy.may_read_case_file); 404 otherwise."""
    case = case_for_user(request.user, pk)
    if not policy.may_read_case_file(request.user, case):
        raise Http404("案件不存在")
    return case


def _numbered(casefile: CaseFile) -> list[str]:
    """Number the catalogue's pages (archive.export.paginate_stored): a sealed case's as its
    stored volume marks them (the pages as sealed, 第二十八条; no item rendered or opened), else
    counted as the volume will number them. Returns a Chinese line per item that will not open."""
    stored = current_volume(casefile.case)
    sealed = SealedPages(stored) if stored is not None else None
    try:
        return paginate_stored(casefile, sealed)
    finally:
        if sealed is not None:
            sealed.close()


@require_http_methods(["GET", "POST"])
@login_required
def seal_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the review before sealing (items with order, titles and page numbers, the checklist
    gaps, the score and each failing rule, the override, the 检查人's check). POST
    action=arrange (order/title per item key), action=check (the 检查人's 检查意见: agree or
    return with a reason, bound to the catalogue shown) or action=seal (the 备考表's
    description; the archivist is the 立卷人, the check's signer the 检查人). Archivists arrange
    and seal; a checker (another archivist, 法规科, the head) checks; who may read the case file
    reads. A refused POST shows the page again with its Chinese error and everything as typed
    (nothing is lost)."""
    case = _case_file_case(request, pk)
    if not has_case_file(case):  # no case file before conclusion (第二十八条), as the volume
        return render(request, "archive/volume_not_concluded.html", {"case": case}, status=409)
    form = SealForm()
    check_form = CheckForm()
    typed: dict[str, tuple[str, str]] = {}  # key -> (position, title) as submitted
    may_act = request.user.has_role(Role.ARCHIVIST) and case.state == CaseState.CONCLUDED
    checker = sealing.may_check(request.user, case)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "check":
        check_form = CheckForm(request.POST)
        if not checker:
            messages.error(
                request,
                sealing.already_sealed(case)
                if case.state == CaseState.ARCHIVED
                else "只有立卷人以外的档案管理员、法规科人员或机关负责人可以签署已结案案件的检查意见。",
            )
            return redirect("archive:seal", pk)
        if check_form.is_valid():
            data = check_form.cleaned_data
            try:
                rounds.sign_in_round(  # a stale page's check overturns no newer one
                    case_id=case.pk,
                    step=SignOffStep.ARCHIVE_CHECK,
                    seen=rounds.seen_round(request.POST),
                    sign=lambda: sealing.check_sign(
                        case_id=case.pk,
                        by=request.user,
                        agree=data["decision"] == "agree",
                        opinion=data["opinion"],
                        digest=data["digest"],
                    ),
                )
            except TransitionError as exc:
                messages.error(request, refusal(request, exc, case, writes_case=False))
            else:
                messages.success(request, "检查意见已签署。")
                return redirect("archive:seal", pk)
    elif request.method == "POST":
        if not may_act:
            sealed = case.state != CaseState.CONCLUDED and seal_of(case) is not None
            # A second tab's POST after sealing: the case is sealed, whoever asks.
            messages.error(
                request, sealing.already_sealed(case) if sealed else "只有档案管理员可以对已结案的案件调整排列或归档。"
            )
            return redirect("archive:seal", pk)
        try:
            if action == "arrange":
                rows = _typed_rows(request.POST)
                typed = {key: (position, title) for key, position, title in rows}
                numbers = _row_numbers(request.POST)
                entries = _arrangement(rows, numbers)
                sealing.arrangement_save(case_id=case.pk, by=request.user, entries=entries)
                messages.success(request, "卷内排列与题名已保存。" + _arrangement_notes(typed, entries, numbers))
                return redirect("archive:seal", pk)
            form = SealForm(request.POST)
            if form.is_valid():
                row = sealing.seal(case_id=case.pk, by=request.user, **form.cleaned_data)
                messages.success(request, f"案卷已归档，档号 {row.archival_code}。")
                return redirect("archive:seal", pk)
        except TransitionError as exc:
            messages.error(request, refusal(request, exc, case, writes_case=False))
    review = sealing.review(case) if case.state == CaseState.CONCLUDED else None
    casefile = review.casefile if review else sealing.assemble(case)
    unreadable = _numbered(casefile)  # 页号 as the volume numbers them; these items will not open
    catalogue = []
    for item in casefile.items:
        key = sealing.key_of(item)
        position, title = typed.get(key, (str(item.number), item.title))
        catalogue.append({"item": item, "key": key, "position": position, "title": title})
    digest = sealing.catalogue_digest(casefile)
    ctx = {
        "case": case,
        "review": review,
        "catalogue": catalogue,
        "unreadable": unreadable,
        "form": form,
        "may_act": may_act,
        "may_check": checker,
        "check_form": check_form,
        "digest": digest,
        "round": rounds.latest_round(case, SignOffStep.ARCHIVE_CHECK),  # the check form's (archive.rounds)
        # 第二十八条: the 检查人 agrees only after opening the volume PDF of this arrangement.
        "volume_read": checker and sealing.volume_read_by(case, request.user, digest),
        # The archivist who signed the agreeing check may not also seal as 立卷人 (第二十八条).
        "own_check": bool(review and review.check and review.check.agreed_by(request.user)),
        "seal": seal_of(case),
        "addenda": addenda_of(case),
    }
    return form_page(request, "archive/seal.html", ctx)


def _typed_rows(post: Any) -> list[tuple[str, str, str]]:
    """The arrangement form's rows as typed: (key_N, position_N, title_N), in the order of N
    (the 件号 the page showed the row under). A key named by two rows stays twice, for
    arrangement_save to refuse."""
    rows = sorted((_row_number(name), name) for name in post if name.startswith("key_"))
    return [(post[name], post.get(f"position_{name[4:]}", ""), post.get(f"title_{name[4:]}", "")) for _, name in rows]


def _row_number(name: str) -> int:
    suffix = name[4:]
    return int(suffix) if suffix.isdigit() else 0


def _row_numbers(post: Any) -> dict[str, int]:
    """Each typed row's key -> N, the 件号 the page showed it under (key_N)."""
    return {post[name]: _row_number(name) for name in post if name.startswith("key_")}


def _arrangement_notes(
    typed: dict[str, tuple[str, str]], entries: list[tuple[str, int, str]], numbers: dict[str, int]
) -> str:
    """What arrangement_save did beyond the typed values, in Chinese ("" when nothing): a row
    whose title was left empty keeps its original title; rows typed with the same position
    keep their original order among themselves."""
    empty = [f"第{numbers.get(key, 0)}件" for key, (_, title) in typed.items() if not title.strip()]
    positions = [p for _, p, _ in entries]
    notes = []
    if empty:
        notes.append(f"{'、'.join(empty)}题名为空，已恢复为原题名")
    if len(set(positions)) < len(positions):
        notes.append("顺序重复的已按原次序排列")
    return "；".join(notes) + "。" if notes else ""


def _arrangement(rows: list[tuple[str, str, str]], numbers: dict[str, int]) -> list[tuple[str, int, str]]:
    """The typed rows (_typed_rows) as arrangement_save's entries (key, position, title).
    TransitionError (Chinese, naming each item; `numbers`: key -> the row's 件号) for an empty
    position or one that is not an integer from 0 to 100000; titles and repeated keys are
    checked by arrangement_save."""
    out, bad, empty = [], [], []
    for key, raw, title in rows:
        try:
            position = int(raw.strip())
        except ValueError:
            position = -1
        if not raw.strip():
            empty.append(f"第{numbers.get(key, 0)}件")
        elif not 0 <= position <= POSITION_MAX:
            bad.append(f"“{title.strip() or key}”的顺序“{raw}”")
        out.append((key, position, title))
    problems = [f"请填写{'、'.join(empty)}的顺序"] if empty else []
    if bad:
        problems.append(f"顺序须为0至{POSITION_MAX}之间的整数：{'、'.join(bad)}不是")
    if problems:
        raise TransitionError("；".join(problems) + "。")
    return out


def _sign_opinion(
    request: AuthedRequest, sign: Callable[[bool, str], object], *, success: str, then: str
) -> tuple[OpinionForm, HttpResponse | None]:
    """The head's opinion form (decision and reason, empty at first) and, on a valid POST, one
    `sign(agree, opinion)` call: a success message and a redirect to `then`; a refused
    action (TransitionError) shows its Chinese message on the form as typed. Returns the form
    and the redirect (None: render the page)."""
    form = OpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sign(form.cleaned_data["decision"] == "agree", form.cleaned_data["opinion"])
        except TransitionError as exc:
            messages.error(request, refusal(request, exc, writes_case=False))
        else:
            messages.success(request, success)
            return form, redirect(then)
    return form, None


def _archive_panel(case: Case) -> str:
    return reverse("cases:section", args=[case.pk, "archive"]) + "#panel-seal"


@require_http_methods(["GET", "POST"])
@login_required
def override_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The head's 准予归档 (SEAL_OVERRIDE) for a concluded case whose file is blocked; 404 for
    anyone but a head who may read the case."""
    case = case_for_user(request.user, pk)
    if not policy.works_head_queues(request.user):
        raise Http404("案件不存在")

    def sign(agree: bool, opinion: str) -> object:
        return rounds.sign_in_round(  # a stale page's opinion overturns no newer one
            case_id=case.pk,
            step=SignOffStep.SEAL_OVERRIDE,
            seen=rounds.seen_round(request.POST),
            sign=lambda: sealing.seal_override_sign(case_id=case.pk, by=request.user, agree=agree, opinion=opinion),
        )

    form, done = _sign_opinion(request, sign, success="意见已签署。", then=reverse("archive:override", args=[pk]))
    if done is not None:
        return done
    review = sealing.review(case) if case.state == CaseState.CONCLUDED else None
    ctx = {"case": case, "review": review, "form": form, "round": rounds.latest_round(case, SignOffStep.SEAL_OVERRIDE)}
    return form_page(request, "archive/override.html", ctx)


@require_POST
@login_required
def override_ask(request: AuthedRequest, pk: int) -> HttpResponse:
    """POST: the archivist asks the heads for 准予归档 (archive.requests_notify.seal_override_ask:
    the bell, once per case and blockers state, audited); back to the seal page with the outcome
    or the Chinese refusal. 404 for who may not read the case file."""
    case = _case_file_case(request, pk)
    try:
        asked = requests_notify.seal_override_ask(case_id=case.pk, by=request.user)
    except TransitionError as exc:  # TransitionDenied included
        messages.error(request, refusal(request, exc, case, writes_case=False))
    else:
        done = "已请求过，未重复提醒" if asked.repeated else "已提醒"
        messages.success(request, f"{done}{asked.heads}位机关负责人签署准予归档意见。")
    return redirect(reverse("archive:seal", args=[pk]) + "#blockers")


@require_http_methods(["GET", "POST"])
@login_required
def addendum_new(request: AuthedRequest, pk: int) -> HttpResponse:
    """An officer of the case or an archivist asks to add a correction to a sealed file: title,
    explanation, optional scan (checked by AddendumForm). A refused request keeps what was typed.
    On a case not yet sealed, 409 with the way to correct it (who may not see the case: 404)."""
    case = case_for_user(request.user, pk)
    if not is_sealed(case):
        return render(request, "archive/addendum_not_sealed.html", {"case": case}, status=409)
    if not sealing.may_request_addendum(request.user, case):
        raise Http404("案件不存在")
    form = AddendumForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = sealing.addendum_request(case_id=case.pk, by=request.user, **form.cleaned_data)
        except TransitionError as exc:
            messages.error(request, refusal(request, exc, case, writes_case=False))
        else:
            messages.success(request, f"补充材料{row.number}已提交，待机关负责人审批。")
            return redirect(_archive_panel(case))
    return form_page(request, "archive/addendum_form.html", {"case": case, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def addendum_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """The head approves or refuses an addendum with an opinion (SignOffStep.ADDENDUM); the page
    shows the title, the explanation and a link to the scan. 404 for anyone but a head who may
    read the case."""
    row = get_object_or_404(Addendum.objects.select_related("requested_by", "signoff__actor"), pk=pk)
    case = case_for_user(request.user, row.case_id)
    if not policy.works_head_queues(request.user):
        raise Http404("案件不存在")

    def sign(agree: bool, opinion: str) -> object:
        return sealing.addendum_decide(addendum_id=row.pk, by=request.user, approve=agree, opinion=opinion)

    form, done = _sign_opinion(request, sign, success="审批意见已签署。", then=_archive_panel(case))
    if done is not None:
        return done
    ctx = {
        "case": case,
        "addendum": row,
        "form": form,
        "scan_viewed": bool(row.scan) and sealing.scan_viewed_by(row, request.user),
    }
    return form_page(request, "archive/addendum_decide.html", ctx)


@never_cache
@require_GET
@login_required
def addendum_scan(request: AuthedRequest, pk: int) -> FileResponse:
    """GET: the addendum's scan, inline when its sniffed type is a PDF or an image
    (linke.downloads.file_response, as case attachments are served), audited (第二十九条).
    404 for anyone who may not read the case, or when there is no scan."""
    row = get_object_or_404(Addendum, pk=pk)
    case_for_user(request.user, row.case_id)
    if not row.scan:
        raise Http404("没有扫描件")
    sealing.addendum_scan_viewed(addendum=row, by=request.user)
    fh = row.scan.storage.open(row.scan.name, "rb")
    return file_response(fh, filename=row.scan_filename, inline=True)
