"""The case file (案卷) as one PDF volume, for the archivist, the head and 法规科 (第二十八条)."""

import re

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import audit
from cases import policy
from cases.models import Case
from cases.selectors import case_for_user
from linke.downloads import disposition
from linke.http import AuthedRequest

from . import sealing
from .audit_actions import AuditAction
from .sealed_volume import current_volume
from .selectors import seal_of
from .volume import VolumeIncomplete, has_case_file, rendered_volume


@never_cache
@require_GET
@login_required
def volume_pdf(request: AuthedRequest, pk: int) -> HttpResponse | FileResponse:
    """GET: the volume PDF (inline), audited; 404 to anyone who may not read the case or is
    neither archivist nor head; 409 with a Chinese page for a case not concluded (no case file
    yet: archive.volume.has_case_file), and with the missing items listed while one is not ready.
    A sealed case's stored volume (archive.sealed_volume, 第二十八条) is streamed as stored;
    rendered only while none is stored (before sealing, or until the task has run)."""
    case = case_for_user(request.user, pk)
    if not policy.may_read_case_file(request.user, case):
        raise Http404("案件不存在")
    if not has_case_file(case):
        return render(request, "archive/volume_not_concluded.html", {"case": case}, status=409)
    stored = current_volume(case)
    if stored is not None:
        audit.record(
            case,
            AuditAction.VOLUME_DOWNLOADED,
            actor=request.user,
            case=case,
            size=stored.size,
            version=stored.version,
            sha256=stored.sha256,
        )
        return FileResponse(stored.pdf.open("rb"), content_type="application/pdf", filename=volume_filename(case))
    try:
        data, shown = rendered_volume(case)
    except VolumeIncomplete as exc:
        return render(request, "archive/volume_incomplete.html", {"case": case, "missing": exc.missing}, status=409)
    # The catalogue the rendered file showed: a 检查人's agreement needs a read of it (第二十八条).
    sealing.volume_read(case=case, by=request.user, digest=sealing.catalogue_digest(shown), size=len(data))
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = disposition(volume_filename(case), inline=True)
    return resp


# Characters a file name may not carry on Windows, macOS or in a header.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def volume_filename(case: Case) -> str:
    """The volume PDF's download name: a sealed case's 档号 ("0001-XZZF·2026-D30-ZF1-0001.pdf",
    第二十八条), else "<案号 or 登记号>-案卷（草稿）.pdf"; characters no file name may hold become
    "-". Non-ASCII is sent as RFC 5987 (filename*=UTF-8'')."""
    seal = seal_of(case)
    name = (
        f"{seal.archival_code}.pdf"
        if seal is not None
        else f"{case.number or case.registration_number}-案卷（草稿）.pdf"
    )
    return _UNSAFE_NAME.sub("-", name)
