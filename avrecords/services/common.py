"""What the other parts share: the content points of 第十二条, AVError and flagging a problem."""

from accounts.models import User
from cases.models import Case, CaseState

from ..media import scrub
from ..models import (
    AVRecord,
)

# 第十二条: what a recording of the scene should cover.
CONTENT_POINTS = [
    ("scene", "执法现场的环境"),
    ("persons", "当事人、证人、第三人等现场有关人员的体貌特征和言行举止"),
    ("evidence", "重要涉案物品等相关证据及其主要特征"),
    ("measures", "执法人员对有关人员、财物采取措施的情况"),
    ("delivery", "执法人员现场送达执法文书的情况"),
    ("other", "其他应当记录的内容"),
]
CONTENT_POINTS_ORDER = [code for code, _ in CONTENT_POINTS]

RECORDER_METHOD = "执法记录仪现场录制"


# Problems with the bytes themselves make a record FLAGGED; the others (unknown recorder,
# officer or case, unreadable times) are notes for whoever sorts the inbox.
CONTENT_PROBLEMS = frozenset(
    {
        "sha256_mismatch",
        "size_mismatch",
        "empty",
        "not_media",
        "no_streams",
        "derive_failed",
        "staging_lost",
        "ingest_failed",
    }
)


class AVError(Exception):
    """A refused action; the message is shown to the user (Chinese)."""


def _problem(record: AVRecord, code: str, reason: str, detail: str = "") -> bool:
    """Add a problem once (steps are redone after a crash). True if it was new. `reason` is
    what the officer reads (Chinese); `detail` the technical cause (ffmpeg's output), kept
    for the custody trail. Neither ever shows where a file lies on the server."""
    if any(p.get("code") == code for p in record.problems):
        return False
    problem = {"code": code, "reason": scrub(reason)}
    if detail:
        problem["detail"] = scrub(detail)
    record.problems = [*record.problems, problem]
    return True


# The stages that take audio-visual records. 第十一条: the scene of an inspection, an inquiry,
# a preservation or a sampling is recorded, i.e. investigation after filing (the stages of
# records.services.RECORDING_STATES, licensing's on-site check of an accepted application);
# 第十二条（五）: the on-site delivery of documents, through the review, decision, delivery and
# execution stages; and 第二十七条 gives a recording 2 working days to reach storage, so one
# made before the case moved on, or before it concluded, still arrives. A case not (yet) filed,
# withdrawn, refused or archived (第二十八条: the case file is closed) takes none.
AV_RECORDING_STATES = frozenset(
    {
        CaseState.INVESTIGATING,
        CaseState.UNDER_REVIEW,
        CaseState.PENDING_DECISION,
        CaseState.DECIDED,
        CaseState.DELIVERED,
        CaseState.EXECUTING,
        CaseState.CONCLUDED,
        CaseState.ACCEPTED,
    }
)


def av_refusal(user: User | None, case: Case) -> tuple[str, str] | None:
    """Why a recording may not be put on `case` now, as (problem code, Chinese reason), or None
    when it may. `user` is who puts it there (None: a collection station, which names the case
    and leaves the decision to the stage). The one rule behind the case page's upload box, the
    upload API's case matching and record_assign: what is offered is what is accepted."""
    from cases import policy

    if case.state == CaseState.ARCHIVED:
        return "case_archived", "案件已归档，不再接收音像记录"
    if case.state not in AV_RECORDING_STATES:
        return (
            "case_not_recording",
            f"案件处于“{case.get_state_display()}”阶段，不接收音像记录（第十一条：立案后的调查取证、送达、执行阶段才记录）",
        )
    if user is not None and not policy.may_write(user, case):
        return "case_not_allowed", "无权将记录归入该案件：需由本案执法人员办理"
    return None
