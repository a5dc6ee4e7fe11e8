"""The audit trail. Actions call `audit.record(obj, AuditAction.FINALISED, actor=user, reason=...)`
with a member of their app's `audit_actions.AuditAction`; an action no app declares is refused
(`audit.vocabulary.UndeclaredAuditAction`)."""

from typing import TYPE_CHECKING, Any

from django.db.models import Model

if TYPE_CHECKING:
    from .models import Entry


def record(target: Model | None, action: str, *, actor: Any = None, case: Any = None, **data: Any) -> "Entry":
    """Append one entry about `target` (None: about nobody, e.g. a failed sign-in) to the chain,
    in the caller's transaction; `data` is its JSON payload. Returns the `audit.models.Entry`.

    Raises UndeclaredAuditAction when no installed app's `audit_actions.AuditAction` declares
    `action` (第三条: every entry is named for the people who read the trail)."""
    from .services import entry_append

    return entry_append(target, action, actor=actor, case=case, data=data)


def appends_deferred() -> Any:
    """A context manager: entries recorded inside it are appended together at its end, so the
    chain's lock is taken last and held only to the commit (see `audit.services.appends_deferred`)."""
    from .services import appends_deferred as deferred

    return deferred()
