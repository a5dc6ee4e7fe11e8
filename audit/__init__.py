"""The audit trail. Services call `audit.record(obj, "case.closed", actor=user, reason=...)`."""

from typing import Any


def record(target: Any, action: str, *, actor: Any = None, case: Any = None, **data: Any) -> Any:
    from .services import entry_append

    return entry_append(target, action, actor=actor, case=case, data=data)
