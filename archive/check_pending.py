"""The 检查人's to-do (第二十八条): the case files waiting for a check, on the dashboard's 待我审批.

    check_candidates(user) -> QuerySet[Case]      concluded files `user` may check (may_check)
    cases_awaiting_check(user, limit) -> (n, [Case])  those with no current check, oldest first
    check_pending_approvals(user, limit)          the 待检查案卷 provider (cases.selectors registry)
    checkers_notify(case, by) -> int              the bell of the possible 检查人 after an arrangement

Before sealing, another archivist, a 法规科 reviewer or the head — not the archivist who
arranged the file, nor an officer handling the case — opens the volume PDF and signs the check
(archive.sealing.check_sign, on the seal page). The archivist's queue (/archive/) is not theirs
(法规科 has no queue there), so each of them finds the files here.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import User
from accounts.selectors import users_in_roles
from cases import policy
from cases.models import Case, SignOffStep
from cases.selectors import PendingApproval
from deadlines.services import notify

from .asks import check_ask_key
from .sealing import assemble, catalogue_digest, check_of, checkable_cases, may_check

LABEL = "待检查案卷"


def check_candidates(user: User) -> QuerySet[Case]:
    """The concluded (not sealed) cases whose file `user` may check (sealing.checkable_cases, the
    one rule may_check reads too) — every department's, oldest concluded first (the
    ARCHIVE_FILE period runs from conclusion). None for anyone else."""
    return checkable_cases(user).select_related("department").order_by("concluded_at", "pk")


def cases_awaiting_check(user: User, limit: int) -> tuple[int, list[Case]]:
    """(how many, at most `limit` oldest first) of check_candidates(user) still 待检查
    (sealing.Check.label): never checked, or checked on a catalogue since changed (stale). A file
    with a current check waits for no checker: agreed, the archivist seals it; returned, the
    archivist puts it right, which changes the catalogue and brings it back here.

    Bounded: never-checked files are counted in SQL; whether a check is stale needs the file
    assembled (check_of), so only the `limit` oldest checked candidates are examined (checked
    and still unsealed files are few: an agreed one is sealed soon after)."""
    candidates = check_candidates(user)
    checked = candidates.filter(signoffs__step=SignOffStep.ARCHIVE_CHECK).distinct()
    unchecked = candidates.exclude(pk__in=checked.order_by().values("pk"))
    stale = [c for c in checked[:limit] if check_of(c).label == "待检查"]
    rows = sorted([*unchecked[:limit], *stale], key=lambda c: (c.concluded_at or c.created_at, c.pk))
    return unchecked.count() + len(stale), rows[:limit]


def check_pending_approvals(user: User, limit: int) -> tuple[int, list[PendingApproval]]:
    """The 待检查案卷 provider of the dashboard's 待我审批 (cases.selectors.register_pending_approvals):
    cases_awaiting_check as PendingApproval rows labelled LABEL, each linking to the check form
    of the seal page (archive:seal #check-form). (0, []) for who checks nothing."""
    total, cases = cases_awaiting_check(user, limit)
    return total, [PendingApproval(LABEL, c, reverse("archive:seal", args=[c.pk]) + "#check-form") for c in cases]


def checkers_notify(case: Case, *, by: User) -> int:
    """Rings the bell (deadlines.services.notify) of everyone who may check `case`'s file now
    (sealing.may_check; never `by`, the archivist who arranged it) once the archivist saved its
    arrangement (sealing.arrangement_save): "待检查：<ref> <title>", linking to the check form.
    Once per case and catalogue (dedupe_key archive.check.asked:<case>:<catalogue_digest>): a
    new arrangement asks again, the same one does not; a signed check (sealing.check_sign) settles
    every ask of the case (asks.check_ask_key). Returns how many users were asked."""
    ids = [u.pk for u in users_in_roles(policy.EVERY_CASE_ROLES) if u.pk != by.pk and may_check(u, case)]
    digest = catalogue_digest(assemble(case))
    notify(
        user_ids=ids,
        text=f"待检查：{case.ref} {case.title} 案卷已整理，请查阅案卷PDF并签署检查意见（第二十八条）",
        link=reverse("archive:seal", args=[case.pk]) + "#check-form",
        dedupe_key=check_ask_key(case.pk, digest),
    )
    return len(ids)
