"""Read functions of the archive for other apps and the archive's own modules."""

from typing import Any

from cases.models import CaseState


def is_sealed(case: Any) -> bool:
    """The case file is sealed (已归档, 第二十八条): the case and its records are read-only; a
    correction is an approved addendum (archive.sealing)."""
    return case.state == CaseState.ARCHIVED
