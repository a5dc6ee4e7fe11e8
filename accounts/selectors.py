"""Reads of users for the other apps (they never query `User.objects` themselves)."""

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Department, Role, User


def users_in_role(role: Role) -> QuerySet[User]:
    """Active users holding `role` (its group), each once."""
    return users_in_roles([role])


def users_in_roles(roles: Iterable[Role]) -> QuerySet[User]:
    """Active users holding any of `roles` (their groups), each once."""
    return User.objects.filter(groups__name__in=[r.label for r in roles], is_active=True).distinct()


def certified_officers() -> QuerySet[User]:
    """Officers who may handle a case (《行政处罚法》第四十二条): active, in the officer role, with a
    执法证号; by department code, then username."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.OFFICER.label, cert_no__isnull=False)
        .select_related("department")
        .order_by("department__code", "username")
    )


def officer_by_cert_no(cert_no: str) -> User | None:
    """The active user holding 执法证号 `cert_no`, or None."""
    return User.objects.filter(cert_no=cert_no, is_active=True).first()


def staff_users() -> QuerySet[User]:
    """Active users holding at least one role, each once, by username."""
    return User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


def user_or_none(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk).first() if pk else None


def users_by_pk(ids: Iterable[int], *, with_roles: bool = False) -> QuerySet[User]:
    """The users with these ids; `with_roles` prefetches their groups (name_and_roles)."""
    qs = User.objects.filter(pk__in=set(ids))
    return qs.prefetch_related("groups") if with_roles else qs


def users_by_username(usernames: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(username__in=set(usernames))


def departments() -> QuerySet[Department]:
    """Every department (承办科室), in their model order."""
    return Department.objects.all()
