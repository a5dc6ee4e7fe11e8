"""Reads and access checks for cases. Anything a user may not see is a 404, never a 403
that would confirm the case exists (第二十九条: secrets and privacy stay protected)."""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Role, User

from .models import Attachment, Case, CaseOfficer, CaseState

# Roles that see every case: the legal-affairs section reviews them, the head approves
# them, the archivist archives them.
_ALL_CASES_ROLES = (Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST)


def _handled_by(user: User) -> Q:
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over a large table.
    return Q(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id"))


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_superuser or any(user.has_role(r) for r in _ALL_CASES_ROLES):
        return Case.objects.all()
    if user.has_role(Role.OFFICER):
        cond = _handled_by(user)
        if user.department_id:
            cond |= Q(department_id=user.department_id)
        return Case.objects.filter(cond)
    return Case.objects.none()


def case_for_user(user: User, pk: int, *, write: bool = False) -> Case:
    """The case, if `user` may see it (and, with write=True, change it); else Http404."""
    qs = cases_visible_to(user)
    if write and not user.is_superuser and not (user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD)):
        # Officers write to the cases they handle or that belong to their department.
        qs = qs.filter(_handled_by(user) | Q(department_id=user.department_id))
    case = qs.filter(pk=pk).select_related("department", "created_by").first()
    if case is None:
        raise Http404("案件不存在")
    return case


def case_detail_for_user(user: User, pk: int) -> Case:
    """The case with everything its page shows, loaded in a fixed number of queries."""
    qs = cases_visible_to(user).filter(pk=pk).select_related(
        "department", "created_by",
        "application", "application__recorded_by", "application__decided_by",
        "filing", "filing__officer_opinion_by", "filing__unit_opinion_by", "filing__head_opinion_by",
        "complaint", "complaint__recorded_by", "complaint__handled_by",
        "non_initiation", "non_initiation__decided_by", "non_initiation__notice_by",
        "non_initiation__complainant_notice_by",
    ).prefetch_related("assignments__officer", "parties", "application_events__recorded_by")
    case = qs.first()
    if case is None:
        raise Http404("案件不存在")
    return case


def attachment_for_user(user: User, case_pk: int, pk: int) -> Attachment:
    """An attachment of a case the user may see; else Http404 (pages and downloads alike)."""
    case = case_for_user(user, case_pk)
    att = Attachment.objects.filter(case=case, pk=pk).select_related("uploaded_by").first()
    if att is None:
        raise Http404("附件不存在")
    return att


def can_see_identifiers(user: User, case: Case) -> bool:
    """Full ID numbers / credit codes (personal information, 第二十九条第二款) are for the
    case's own handling officers, the legal reviewers and the head; others see them masked."""
    if user.is_superuser or user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD):
        return True
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is not None:
        return any(a.officer_id == user.pk for a in assignments)
    return CaseOfficer.objects.filter(case=case, officer=user).exists()


def cases_handled_by(user: User) -> QuerySet[Case]:
    """Open cases `user` handles (dashboard: 我的案件)."""
    return Case.objects.filter(_handled_by(user)).exclude(state=CaseState.ARCHIVED)


def cases_awaiting(user: User) -> QuerySet[Case]:
    """Cases waiting for `user`'s approval: the head approves filing (第八条第一款)."""
    if user.has_role(Role.HEAD):
        return Case.objects.filter(state=CaseState.PENDING_FILING)
    return Case.objects.none()


def case_counts_by_state(user: User) -> list[dict[str, Any]]:
    rows = dict(cases_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    return [{"state": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in CaseState
            if rows.get(s.value)]
