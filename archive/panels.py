"""The quality-review panel of the case page (section 归档与评查): the score and each failing
rule with its source and a link to where the record is made. Shown for penalty cases (the sheet
grades penalty case files) from 已决定 on."""

from __future__ import annotations

from typing import Any

from cases import policy
from cases.models import CaseKind, CaseState
from cases.panels import Panel, register

from .quality import case_score

S = CaseState
_SHOWN = (S.DECIDED, S.DELIVERED, S.EXECUTING, S.CONCLUDED, S.ARCHIVED)


def _context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.kind != CaseKind.PENALTY or case.state not in _SHOWN:
        return None
    # The 案卷 volume (archive:volume_pdf) for who compiles case files (archivist, head).
    return {"score": case_score(case), "may_compile": policy.may_compile_case_file(user, case)}


register(Panel("quality", "案卷评查", "archive/_quality_panel.html", _context, order=10, section="archive"))
