"""Reads of investigation records, with the case's access rule (404 for outsiders)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Role
from cases import policy
from cases.models import SignOffStep
from cases.selectors import case_for_user, signoffs_awaiting

from .models import KIND_MODELS, Preservation, Record, RecordStatus


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
    from cases.selectors import attachments_of as filed_under

    return filed_under(owner)


def preservations_awaiting(user: Any) -> tuple[QuerySet[Preservation], QuerySet[Preservation]]:
    """The head's 先行登记保存 queue (《行政处罚法》第五十六条): (records whose officer's request for
    approval waits for `user`, oldest request first; finalised records with no 处理决定 yet, of cases
    `user` does not handle, oldest first). Both empty for anyone who may not sign as head."""
    requests = signoffs_awaiting(user, SignOffStep.PRESERVATION)
    pending = (
        Preservation.objects.filter(approval_request__in=requests.values("pk"), approved_by__isnull=True)
        .select_related("case", "approval_request__actor", "maker")
        .order_by("approval_request__signed_at", "pk")
    )
    if policy.reads_every_case(user) and user.has_role(Role.HEAD):
        undecided = (
            Preservation.objects.filter(status=RecordStatus.FINAL, decision__isnull=True)
            .exclude(case__assignments__officer=user)
            .select_related("case", "maker")
            .order_by("finalised_at", "pk")
        )
    else:
        undecided = Preservation.objects.none()
    return pending, undecided


def investigator_ids(case: Any) -> set[int]:
    """The people who investigated the case on record: makers and officers of its written
    records (a hearing is chaired by someone else, 《行政处罚法》第六十四条)."""
    records = Record.objects.filter(case=case)
    makers = set(records.values_list("maker_id", flat=True))
    officers = set(Record.officers.through.objects.filter(record__case=case).values_list("user_id", flat=True))
    return makers | officers
