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

    return Seal.objects.filter(case_id=case.pk).select_related("sealed_by", "override__actor").first()


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

