"""The export of a sealed case's archival package (第二十八条): requested by the archivist or the
head (policy.may_compile_case_file); progress and download for who may read the case file
(policy.may_read_case_file: 法规科 too); 404 for anyone else."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

import audit
from cases import policy
from cases.models import Case
from cases.selectors import case_for_user
from linke.downloads import file_response
from linke.http import AuthedRequest

from .audit_actions import AuditAction
from .export import ExportRefused
from .models_export import ACTIVE, ExportJob, ExportStatus
from .selectors import is_sealed
from .tasks import export_request, export_token


def _case(request: AuthedRequest, pk: int) -> Case:
    case = case_for_user(request.user, pk)
    if not policy.may_read_case_file(request.user, case):
        raise Http404("案件不存在")
    return case


def _job(request: AuthedRequest, job_id: int) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise Http404("导出任务不存在")
    _case(request, job.case_id)
    return job


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def export_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the case's exports with the running one's progress; POST: request an export (a
    repeated request while one runs shows that one)."""
    case = _case(request, pk)
    may_request = policy.may_compile_case_file(request.user, case)
    if request.method == "POST":
        if not may_request:
            messages.error(request, "只有档案管理员或机关负责人可以申请导出电子案卷。")
            return redirect("archive:export", pk=case.pk)
        try:
            job, created = export_request(case, request.user, token=request.POST.get("token", ""))
        except ExportRefused as exc:
            messages.error(request, str(exc))
        else:
            if created:
                messages.info(request, "已开始导出电子案卷。")
            elif job.status in ACTIVE:
                messages.info(request, "该案卷正在导出，请等待其完成。")
            else:  # the same form submitted again (a double click, a reload)
                messages.info(request, f"该导出申请已提交过（{job.get_status_display()}），未重复导出。")
        return redirect("archive:export", pk=case.pk)
    jobs = ExportJob.objects.filter(case=case).order_by("-created_at")[:10]
    return render(
        request,
        "archive/export.html",
        {
            "case": case,
            "jobs": jobs,
            "sealed": is_sealed(case),
            "may_request": may_request,
            "token": export_token(),
        },
    )


@never_cache
@require_GET
@login_required
def export_status(request: AuthedRequest, job_id: int) -> JsonResponse:
    """{"status", "status_label", "percent", "bytes_done", "bytes_total", "message", "download"}."""
    from django.urls import reverse

    job = _job(request, job_id)
    done = job.status == ExportStatus.DONE
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.percent,
            "bytes_done": job.bytes_done,
            "bytes_total": job.bytes_total,
            "message": job.message,
            "download": reverse("archive:export_download", args=[job.pk]) if done else "",
        }
    )


@never_cache
@require_GET
@login_required
def export_download(request: AuthedRequest, job_id: int) -> FileResponse:
    """The finished bag as one tar, streamed from disk; audited. 404 while not finished."""
    job = _job(request, job_id)
    path = Path(job.result) if job.result else None
    if job.status != ExportStatus.DONE or path is None or not path.is_file():
        raise Http404("导出结果不存在")
    audit.record(
        job, AuditAction.EXPORT_DOWNLOADED, actor=request.user, case=job.case, job=job.pk, size=job.result_size
    )
    # FileResponse streams the open file in blocks and closes it when sent.
    return file_response(path.open("rb"), filename=f"case-{job.case_id}-bag.tar")
