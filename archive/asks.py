"""The dedupe keys of the archive's task notifications (deadlines.services.notify): one function
per kind, used both where the bell rings and where the task is done
(deadlines.services.notifications_settle), so the two cannot drift apart.

    consult_request_key(request_id)   待审批 查阅申请 (第二十九条), settled by consultation_decide
    override_ask_key(case_id, state)  待审批 准予归档 (第二十八条), settled by seal_override_sign
    check_ask_key(case_id, digest)    待检查 案卷 (第二十八条), settled by check_sign
    addendum_request_key(addendum_id) 待审批 补充材料 (第二十八条), settled by addendum_decide

The override and check asks carry a state (the blockers, the catalogue): without it the key
names the case's family, which notifications_settle(any_state=True) matches whole.
"""

from __future__ import annotations


def consult_request_key(request_id: int) -> str:
    return f"archive.consult.request:{request_id}"


def override_ask_key(case_id: int, state: str = "") -> str:
    return f"archive.override.ask:{case_id}:{state}" if state else f"archive.override.ask:{case_id}"


def check_ask_key(case_id: int, digest: str = "") -> str:
    return f"archive.check.asked:{case_id}:{digest}" if digest else f"archive.check.asked:{case_id}"


def addendum_request_key(addendum_id: int) -> str:
    return f"archive.addendum.request:{addendum_id}"
