"""Reads of documents, with the case's access rule: an outsider gets 404."""

from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from cases import policy
from cases.selectors import case_for_user, refuse_if_sealed

from .models import Document


def document_for_user(user: Any, pk: int, *, write: bool = False) -> Document:
    """The document if `user` may see its case (else 404); with write=True, also only if
    the user may change the case (else 403: e.g. an archivist, who only reads; on a sealed case
    stages.CaseSealed, a 409 naming the 档号)."""
    doc = Document.objects.filter(pk=pk).select_related("issued_by").first()
    if doc is None:
        raise Http404("文书不存在")
    doc.case = case_for_user(user, doc.case_id)  # 404 for anyone who may not see the case
    if write and not policy.may_write(user, doc.case):
        refuse_if_sealed(user, doc.case)  # a sealed case: 409 naming the 档号 (第二十八条)
        raise PermissionDenied("无权处理本案文书")
    return doc


def document_source(doc: Document) -> Model | None:
    """The record the document was issued for, if it still resolves."""
    if not doc.source_type:
        return None
    try:
        model = apps.get_model(doc.source_type)
    except (LookupError, ValueError):
        return None
    return model._default_manager.filter(pk=doc.source_id).first()


def documents_for_source(source: Model) -> QuerySet[Document]:
    return Document.objects.filter(source_type=source._meta.label_lower, source_id=str(source.pk))


def documents_of_case(case: Any) -> QuerySet[Document]:
    return Document.objects.filter(case=case).order_by("issued_at", "pk")
