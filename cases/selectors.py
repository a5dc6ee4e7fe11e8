"""Reads and access checks for cases. Anything a user may not see is a 404, never a 403
that would confirm the case exists (第二十九条: secrets and privacy stay protected)."""

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Role, User

from .models import Case

# Roles that see every case: the legal-affairs section reviews them, the head approves
# them, the archivist archives them.
_ALL_CASES_ROLES = (Role.LEGAL_REVIEWER, Role.HEAD, Role.ARCHIVIST)


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if user.is_superuser or any(user.has_role(r) for r in _ALL_CASES_ROLES):
        return Case.objects.all()
    if user.has_role(Role.OFFICER):
        cond = Q(assignments__officer=user)
        if user.department_id:
            cond |= Q(department_id=user.department_id)
        return Case.objects.filter(cond).distinct()
    return Case.objects.none()


def case_for_user(user: User, pk: int, *, write: bool = False) -> Case:
    """The case, if `user` may see it (and, with write=True, change it); else Http404."""
    qs = cases_visible_to(user)
    if write and not user.is_superuser and not (user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD)):
        # Officers write to the cases they handle or that belong to their department.
        qs = qs.filter(Q(assignments__officer=user) | Q(department_id=user.department_id)).distinct()
    case = qs.filter(pk=pk).select_related("department", "created_by").first()
    if case is None:
        raise Http404("案件不存在")
    return case
