"""Reads of investigation records, with the case's access rule (404 for outsiders)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import Http404

from cases.selectors import case_for_user

from .models import KIND_MODELS, Record


def record_for_user(user: Any, pk: int, *, write: bool = False) -> Any:
    """The record as its kind's model, if `user` may see (write=True: change) its case."""
    base = Record.objects.filter(pk=pk).only("id", "case_id", "kind").first()
    if base is None:
        raise Http404("记录不存在")
    case = case_for_user(user, base.case_id, write=write)
    model = KIND_MODELS[base.kind]
    rec = (
        model.objects.select_related("maker", "finalised_by", "document", "corrects", "correction")
        .prefetch_related("officers", "items")
        .get(pk=pk)
    )
    rec.case = case
    return rec


def records_of_case(case: Any) -> QuerySet[Record]:
    return (
        Record.objects.filter(case=case).select_related("maker", "document", "correction").order_by("created_at", "pk")
    )


def attachments_of(owner: Any) -> QuerySet[Any]:
    from cases.models import Attachment

    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk
    ).select_related("uploaded_by")
