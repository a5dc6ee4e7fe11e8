"""Who may do what with a case: the one access policy (DESIGN.md, "One access policy").

Every function is a plain `bool` question about one user and one case. Callers turn "no" into
their own refusal: selectors raise `Http404` (a user who may not see a case learns nothing of
it, 第二十九条), actions raise `cases.stages.TransitionDenied` with a Chinese message. No action
catches `Http404`.

The system administrator (superuser) administers users and settings in Django admin; being a
superuser grants nothing here. A person acts as officer, section chief, reviewer, head or
archivist only when given that role.

Roles, as the Measures and the Administrative Penalty Law use them:
- 执法人员 (officer): handles the cases assigned to them and those of their department.
- 承办机构负责人 (section chief, 科长): signs 承办机构意见 for the cases of their department (第八条).
- 法规科 (legal reviewer): reviews every case (第十三条).
- 机关负责人 (head): approves filing, decisions, preservation, consultation (第八、十六、二十九条).
- 档案管理员 (archivist, the 专人 of 第二十八条): reads every case, changes none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Role, User

from .models import CaseState, Level

if TYPE_CHECKING:
    from .models import Case


def _active(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def handles(user: User, case: Case) -> bool:
    """`user` is one of the case's assigned handling officers (承办人)."""
    if not _active(user) or not user.has_role(Role.OFFICER):
        return False
    assignments = getattr(case, "_prefetched_objects_cache", {}).get("assignments")
    if assignments is not None:
        return any(a.officer_id == user.pk for a in assignments)
    from .models import CaseOfficer

    return CaseOfficer.objects.filter(case_id=case.pk, officer_id=user.pk).exists()


def is_officer_of(user: User, case: Case) -> bool:
    """`user` acts as an officer of the case: an officer who handles it or belongs to its
    department (colleagues of the department record investigation together)."""
    if not _active(user) or not user.has_role(Role.OFFICER):
        return False
    if user.department_id is not None and user.department_id == case.department_id:
        return True
    return handles(user, case)


def is_section_chief_of(user: User, case: Case) -> bool:
    """`user` heads the unit (承办机构) that handles the case: a section chief of its department."""
    return (
        _active(user)
        and user.has_role(Role.SECTION_CHIEF)
        and user.department_id is not None
        and user.department_id == case.department_id
    )


# The roles that see every case: 法规科 reviews, the head approves, the archivist archives. They
# are also who may check a case file as the 备考表's 检查人 (第二十八条).
EVERY_CASE_ROLES = (Role.ARCHIVIST, Role.LEGAL_REVIEWER, Role.HEAD)


def reads_every_case(user: User) -> bool:
    """The roles that see every case (EVERY_CASE_ROLES)."""
    return _active(user) and any(user.has_role(r) for r in EVERY_CASE_ROLES)


def works_head_queues(user: User) -> bool:
    """`user` works the 机关负责人's queues (立案审批, 先行登记保存审批; 第八条第一款, 《行政处罚法》
    第五十六条): an active head. Their pages answer 404 to anyone else, so nobody else is shown
    their links."""
    return _active(user) and user.has_role(Role.HEAD)


def may_read(user: User, case: Case) -> bool:
    """`user` may see the case and its records (pages, documents, media)."""
    return reads_every_case(user) or is_officer_of(user, case) or is_section_chief_of(user, case)


def may_compile_case_file(user: User, case: Case) -> bool:
    """`user` may assemble and download the case file (案卷, 第二十八条): the archivist (the
    专人) and the head."""
    return _active(user) and (user.has_role(Role.ARCHIVIST) or user.has_role(Role.HEAD))


def may_read_case_file(user: User, case: Case) -> bool:
    """`user` may read the case file (案卷, 第二十八条: the volume, the review-and-seal page, the
    exports): who compiles it (may_compile_case_file) and who may check it as the 备考表's 检查人
    (法规科 too: EVERY_CASE_ROLES)."""
    return may_compile_case_file(user, case) or reads_every_case(user)


def may_write(user: User, case: Case) -> bool:
    """`user` may make and change the case's records (parties, investigation records, media,
    attachments): its officers. Reviewers, the head and the archivist sign or read, they do not
    make records. Whether the case's stage allows the change is the action's own check. Nobody
    writes to a sealed case (已归档, 第二十八条; archive.guard refuses it at the model layer)."""
    return case.state != CaseState.ARCHIVED and is_officer_of(user, case)


def sealed_for(user: User, case: Case) -> bool:
    """A write by `user` to the case is refused because the case is sealed (已归档, 第二十八条),
    not because of who they are: the case is sealed and `user` may see it. Who may not see it
    learns nothing (404, 第二十九条); who may is told the 档号 and the way to correct (补充材料)."""
    return case.state == CaseState.ARCHIVED and may_read(user, case)


def may_see_identifiers(user: User, case: Case) -> bool:
    """Full ID numbers and credit codes (personal information, 第二十九条第二款): the case's own
    handling officers, the legal reviewers and the head; everyone else sees them masked."""
    if not _active(user):
        return False
    return user.has_role(Role.LEGAL_REVIEWER) or user.has_role(Role.HEAD) or handles(user, case)


def may_sign(user: User, case: Case, level: str) -> bool:
    """`user` holds the role that signs at `level` for this case. Whether they already signed
    another level of the same step is `cases.signoffs`' check (it needs the step's rows).
    - 承办人: a handling officer of the case.
    - 承办机构负责人: a section chief of the case's department.
    - 法规科 / 机关负责人: the role, and not a handling officer of the case (nobody approves
      their own case).
    - 检查人 (the case file's check, 第二十八条): an archivist, 法规科 or the head, not a handling
      officer of the case; that the 立卷人 does not check their own file is archive.sealing's."""
    if not _active(user):
        return False
    if level == Level.OFFICER:
        return handles(user, case)
    if level == Level.UNIT:
        return is_section_chief_of(user, case)
    if level == Level.LEGAL:
        return user.has_role(Role.LEGAL_REVIEWER) and not handles(user, case)
    if level == Level.HEAD:
        return user.has_role(Role.HEAD) and not handles(user, case)
    if level == Level.CHECK:
        return reads_every_case(user) and not handles(user, case)
    return False


# The roles a transition names: "officer" is an officer of the case, the others are roles.
ACTOR_OFFICER = "officer"


def may_act(user: User, case: Case, role: str) -> bool:
    """`user` may act in `role` on this case: "officer" = an officer of the case; a role value
    (法规科, 机关负责人, 档案管理员, 承办机构负责人) = holds that role (for the section chief: of the
    case's department)."""
    if not _active(user):
        return False
    if role == ACTOR_OFFICER:
        return is_officer_of(user, case)
    if role == Role.SECTION_CHIEF:
        return is_section_chief_of(user, case)
    return user.has_role(role)


ROLE_LABELS = {
    ACTOR_OFFICER: "本案执法人员",
    Role.SECTION_CHIEF: "承办机构负责人",
    Role.LEGAL_REVIEWER: "法规科",
    Role.HEAD: "机关负责人",
    Role.ARCHIVIST: "档案管理员",
}
