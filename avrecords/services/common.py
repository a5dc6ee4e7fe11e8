"""What the other parts share: the content points of 第十二条, AVError and flagging a problem."""

from accounts.models import User
from cases.models import Case

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


def _may_write_case(user: User, case: Case) -> bool:
    from cases import policy

    return policy.may_write(user, case)
