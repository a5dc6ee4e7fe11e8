"""The archive's transition: 归档 (sealing), 已结案 → 已归档 (第二十八条), run by archive.sealing."""

from accounts.models import Role
from cases import stages
from cases.models import CaseKind, CaseState
from cases.stages import Transition

SEAL = stages.declare(
    Transition(
        name="archive",  # audit action case.archive (cases.audit_actions)
        label="归档",
        owner="archive",
        kinds=(CaseKind.PENALTY, CaseKind.LICENSING),
        sources=(CaseState.CONCLUDED,),
        target=CaseState.ARCHIVED,
        roles=(Role.ARCHIVIST,),
        stamp="archived_at",
        order=90,
    )
)
