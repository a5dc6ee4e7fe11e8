"""Read functions of the archive for other apps and the archive's own modules."""

from typing import Any

from cases.models import CaseState


def is_sealed(case: Any) -> bool:
    """The case file is sealed (已归档, 第二十八条): the case and its records are read-only; a
    correction is an approved addendum (archive.sealing)."""
    return case.state == CaseState.ARCHIVED


def archivists_for(case: Any) -> list[Any]:
    """第二十八条第二款 (明确专人): who answers for archiving `case` — its department's designated
    archivist (archive.models.ArchiveDuty, set in the admin) while that user is an active
    archivist; otherwise every active archivist."""
    from accounts.models import Role
    from accounts.selectors import users_in_role

    from .models import ArchiveDuty

    archivists = users_in_role(Role.ARCHIVIST)
    duty = ArchiveDuty.objects.filter(department_id=case.department_id).first()
    if duty is not None:
        designated = list(archivists.filter(pk=duty.archivist_id))
        if designated:
            return designated
    return list(archivists)


def archive_period_days(kind: str) -> int:
    """The archiving period in calendar days for a case kind (第二十八条: 30 days, "法律、法规和规章
    对归档期限有特殊规定的，从其规定" — settings.ARCHIVE_PERIOD_DAYS overrides it per kind)."""
    from django.conf import settings

    return int(getattr(settings, "ARCHIVE_PERIOD_DAYS", {}).get(kind, 30))


def seal_of(case: Any) -> Any:
    """The case's Seal row (档号, who/when, 备考表), or None before sealing."""
    from .models import Seal

    return (
        Seal.objects.filter(case_id=case.pk)
        .select_related("sealed_by", "override__actor", "check_signoff__actor")
        .first()
    )


def addenda_of(case: Any, *, approved_only: bool = False) -> Any:
    """The case's addenda in order (QuerySet of archive.models.Addendum)."""
    from .models import Addendum, AddendumStatus

    qs = Addendum.objects.filter(case_id=case.pk).select_related("requested_by", "signoff__actor").order_by("number")
    return qs.filter(status=AddendumStatus.APPROVED) if approved_only else qs


def sealed_refusal(case: Any) -> str:
    """The Chinese message refusing a change to the sealed `case` (第二十八条), naming its 档号:
    "该案件已归档（档号 …），不能修改；更正请申请补充材料。" (archive.guard.SealedMiddleware's 409)."""
    from .sealing import already_sealed

    return already_sealed(case).removesuffix("。") + "，不能修改；更正请申请补充材料。"


def head_pending_approvals(user: Any, limit: int) -> tuple[int, list[Any]]:
    """The archive's items waiting for `user`'s sign-off as 机关负责人 (the dashboard's 待我审批,
    registered with cases.selectors.register_pending_approvals): (their total, at most `limit`
    of each kind, oldest first) as cases.selectors.PendingApproval rows, each linking to its
    decide page —
    - 补充材料审批 (第二十八条): addenda still pending (SignOffStep.ADDENDUM);
    - 评查否决项放行: concluded cases whose stored quality score (CaseScore) fails a veto item and
      that have no SEAL_OVERRIDE sign-off yet (the archivist cannot seal them without one);
    - 查阅审批 (第二十九条): consultation requests still pending (SignOffStep.CONSULTATION).
    Only for an active head, and never on a case they handle (policy.may_sign: nobody approves
    their own case); (0, []) for anyone else."""
    from django.urls import reverse

    from cases import policy
    from cases.models import SignOffStep
    from cases.selectors import PendingApproval, case_ids_handled_by, cases_visible_to

    from .models import Addendum, AddendumStatus
    from .models_consultation import ConsultationRequest, ConsultationStatus

    if not policy.works_head_queues(user):
        return 0, []
    own = case_ids_handled_by(user)
    addenda = (
        Addendum.objects.filter(status=AddendumStatus.PENDING)
        .exclude(case_id__in=own)
        .select_related("case")
        .order_by("requested_at", "pk")
    )
    vetoed = (
        cases_visible_to(user)
        .filter(state=CaseState.CONCLUDED, score__vetoed=True)
        .exclude(signoffs__step=SignOffStep.SEAL_OVERRIDE)
        .exclude(pk__in=own)
        .order_by("concluded_at", "pk")
    )
    consultations = (
        ConsultationRequest.objects.filter(status=ConsultationStatus.PENDING)
        .exclude(case_id__in=own)
        .select_related("case")
        .order_by("recorded_at", "pk")
    )
    items = [
        PendingApproval(f"补充材料审批（第{a.number}号）", a.case, reverse("archive:addendum_decide", args=[a.pk]))
        for a in addenda[:limit]
    ]
    items += [PendingApproval("评查否决项放行", c, reverse("archive:override", args=[c.pk])) for c in vetoed[:limit]]
    items += [
        PendingApproval(
            f"查阅申请审批（第{r.round}号，查阅人{r.requester_name}）",
            r.case,
            reverse("archive:consult_decide", args=[r.pk]),
        )
        for r in consultations[:limit]
    ]
    return addenda.count() + vetoed.count() + consultations.count(), items
