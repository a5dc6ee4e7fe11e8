from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import policy
from linke.downloads import file_response
from linke.http import AuthedRequest

from .models import DocumentImmutable
from .selectors import document_for_user, document_source
from .services import document_downloaded, document_rerender


@require_GET
@login_required
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = document_for_user(request.user, pk)
    return render(
        request,
        "documents/document_detail.html",
        {
            "doc": doc,
            "case": doc.case,
            "source": document_source(doc),
            "may_write": policy.may_write(request.user, doc.case),
        },
    )


@never_cache
@require_GET
@login_required
def status(request: AuthedRequest, pk: int) -> JsonResponse:
    doc = document_for_user(request.user, pk)
    return JsonResponse(
        {
            "status": doc.status,
            "label": doc.get_status_display(),
            "progress": doc.progress,
            "error": doc.error,
            "download": reverse("documents:download", args=[doc.pk]) if doc.is_final else None,
        }
    )


@require_GET
@login_required
def download(request: AuthedRequest, pk: int) -> FileResponse:
    """The original PDF to who may see identifiers (cases.policy.may_see_identifiers: the
    case's officers, legal reviewers, the head); everyone else, or anyone asking for
    ?rendition=masked, gets the masked copy (副本). Each download audited with its rendition."""
    doc = document_for_user(request.user, pk)
    if not doc.is_final:
        raise Http404("文书尚未生成")
    masked = request.GET.get("rendition") == "masked" or not policy.may_see_identifiers(request.user, doc.case)
    if masked:
        if not doc.masked_pdf:
            # Rendered before copies existed: nothing to serve to who may not see identifiers.
            raise Http404("该文书没有遮盖证件号码的副本")
        document_downloaded(document=doc, by=request.user, rendition="masked")
        return file_response(doc.masked_pdf.open("rb"), filename=f"{doc.title}{doc.number}（副本）.pdf")
    document_downloaded(document=doc, by=request.user, rendition="original")
    return file_response(doc.pdf.open("rb"), filename=f"{doc.title}{doc.number}.pdf")


@require_POST
@login_required
def rerender(request: AuthedRequest, pk: int) -> HttpResponse:
    doc = document_for_user(request.user, pk, write=True)
    try:
        document_rerender(document_id=doc.pk, by=request.user)
        messages.success(request, "已重新排队生成。")
    except DocumentImmutable as exc:
        messages.error(request, str(exc))
    return redirect(doc)
