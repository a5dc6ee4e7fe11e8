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
    # The 案卷 volume (archive:volume_pdf) for who may read case files (archivist, head, 法规科 as
    # 检查人), once the case has one (concluded: a draft before sealing; archive.volume.has_case_file).
    from .volume import has_case_file

    may_compile = policy.may_read_case_file(user, case) and has_case_file(case)
    return {"score": case_score(case), "may_compile": may_compile}


register(Panel("quality", "案卷评查", "archive/_quality_panel.html", _context, order=10, section="archive"))


def _consult_context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    # 第二十九条: the case's consultation requests, for who may read the case (panel shown to them).
    from accounts.models import Role
    from cases.models import Level

    from . import consultation
    from .selectors import archivists_for

    # The reading room is opened by the archivist attending the party, nobody else (README,
    # consultation): the head and the legal reviewers see who attends and the access log instead.
    return {
        "requests": consultation.requests_of(case),
        "may_record": consultation.may_record(user, case),
        "may_decide": policy.may_sign(user, case, Level.HEAD),
        "is_archivist": user.has_role(Role.ARCHIVIST),
        "may_answer": policy.reads_every_case(user) and case.state in _SHOWN,
        "sees_log": policy.reads_every_case(user),
        "attending": archivists_for(case),
    }


register(
    Panel("consultation", "查阅申请", "archive/consult/_panel.html", _consult_context, order=30, section="archive")
)
# --- 归档 (sealing, 第二十八条): the seal state, the review link, the override; after sealing the
# 档号, who/when and the addenda.


def _seal_context(case: Any, user: Any, request: Any) -> dict[str, Any] | None:
    if case.state not in (S.CONCLUDED, S.ARCHIVED):
        return None
    from deadlines.models import DeadlineKind
    from deadlines.selectors import case_deadline

    from .sealing import may_check, may_request_addendum, override_of
    from .selectors import addenda_of, seal_of

    seal = seal_of(case)
    deadline = case_deadline(case, DeadlineKind.ARCHIVE_FILE)
    return {
        "seal": seal,
        "due": deadline.due if deadline is not None and deadline.met_at is None else None,
        "override": override_of(case) if seal is None else None,
        "addenda": addenda_of(case) if seal is not None else [],
        "may_compile": policy.may_read_case_file(user, case),
        "may_check": seal is None and may_check(user, case),
        "may_override": seal is None and policy.works_head_queues(user) and policy.may_sign(user, case, "head"),
        "may_decide": policy.works_head_queues(user) and policy.may_sign(user, case, "head"),
        "may_request": seal is not None and may_request_addendum(user, case),
    }


register(Panel("seal", "归档", "archive/_seal_panel.html", _seal_context, order=5, section="archive"))
