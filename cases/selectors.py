"""Reads and access checks for cases. Anything a user may not see is a 404, never a 403
that would confirm the case exists (第二十九条: secrets and privacy stay protected)."""

from typing import Any

from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from accounts.models import Role, User

from .models import Application, Attachment, Case, CaseOfficer, CaseState, Complaint, FilingRecord, NonInitiation

# Roles that see every case: the legal-affairs section reviews them, the head approves
# them, the archivist archives them.
_ALL_CASES_ROLES = (Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST)


def _handled_by(user: User) -> Q:
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over a large table.
    return Q(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id"))


_ELSEWHERE_INLINE = 5000


def _officer_scope(user: User) -> Q:
    """Cases of the officer's department, plus those they handle in other departments.
    The latter are few and fetched as ids, so PostgreSQL ORs two index scans instead of
    filtering every case through a subquery (bench/pages.py)."""
    if not user.department_id:
        return _handled_by(user)
    # Once per request: the list, the dashboard and the panels may all ask.
    elsewhere = user.__dict__.get("_cases_elsewhere")
    if elsewhere is None:
        elsewhere = list(
            CaseOfficer.objects.filter(officer=user)
            .exclude(case__department_id=user.department_id)
            .values_list("case_id", flat=True)[: _ELSEWHERE_INLINE + 1]
        )
        user.__dict__["_cases_elsewhere"] = elsewhere
    cond = Q(department_id=user.department_id)
    if len(elsewhere) > _ELSEWHERE_INLINE:
        # Too many to inline: the subquery is slower but complete, so the list never
        # drops a case that the case page would show.
        return cond | _handled_by(user)
    return cond | Q(pk__in=elsewhere) if elsewhere else cond


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_superuser or any(user.has_role(r) for r in _ALL_CASES_ROLES):
        return Case.objects.all()
    if user.has_role(Role.OFFICER):
        return Case.objects.filter(_officer_scope(user))
    return Case.objects.none()


def can_see_case(user: User, case: Case, *, write: bool = False) -> bool:
    """The same rule as cases_visible_to, for one case already loaded (no scan)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD):
        return True
    if not write and user.has_role(Role.ARCHIVIST):
        return True
    if not user.has_role(Role.OFFICER):
        return False
    if user.department_id and case.department_id == user.department_id:
        return True
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is not None:
        return any(a.officer_id == user.pk for a in assignments)
    return CaseOfficer.objects.filter(case=case, officer=user).exists()


def case_for_user(user: User, pk: int, *, write: bool = False) -> Case:
    """The case, if `user` may see it (and, with write=True, change it); else Http404.
    Officers write to the cases they handle or that belong to their department."""
    case = Case.objects.filter(pk=pk).select_related("department", "created_by").first()
    if case is None or not can_see_case(user, case, write=write):
        raise Http404("案件不存在")
    return case


# The case's one-to-one records and the users they name, for the case page.
_DETAIL_RECORDS = {
    "application": (Application, ("recorded_by", "decided_by")),
    "filing": (FilingRecord, ("officer_opinion_by", "unit_opinion_by", "head_opinion_by")),
    "complaint": (Complaint, ("recorded_by", "handled_by")),
    "non_initiation": (NonInitiation, ("decided_by", "notice_by", "complainant_notice_by")),
}


def case_detail_for_user(user: User, pk: int) -> Case:
    """The case with everything its page shows, loaded in a fixed number of queries. Each
    one-to-one record is its own small query: one query joining all of them costs more to
    plan than the four together take to run."""
    case = case_for_user(user, pk)
    prefetch_related_objects([case], "assignments__officer", "parties", "application_events__recorded_by")
    for name, (model, users) in _DETAIL_RECORDS.items():
        if name == "application" and case.origin != "application" or name == "complaint" and case.origin != "complaint":
            obj = None
        else:
            obj = model.objects.filter(case_id=case.pk).select_related(*users).first()
        if obj is not None:
            obj.case = case
        getattr(Case, name).related.set_cached_value(case, obj)
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


def cases_handled_by(user: User, *, window: int = 200) -> QuerySet[Case]:
    """Open cases `user` handles, among the `window` they were assigned most recently
    (dashboard: 我的案件). The window walks the (officer, case) index backwards, so an
    officer with thousands of old cases costs no more than one with ten."""
    recent = CaseOfficer.objects.filter(officer=user).order_by("-case_id").values("case_id")[:window]
    return Case.objects.filter(pk__in=recent).exclude(state=CaseState.ARCHIVED)


def cases_awaiting(user: User) -> QuerySet[Case]:
    """Cases waiting for `user`'s approval: the head approves filing (第八条第一款)."""
    if user.has_role(Role.HEAD):
        return Case.objects.filter(state=CaseState.PENDING_FILING)
    return Case.objects.none()


def case_counts_by_state(user: User) -> list[dict[str, Any]]:
    rows = dict(cases_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    return [{"state": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in CaseState if rows.get(s.value)]
