"""Read-only after sealing (第二十八条 归档保存; issue 16 item 4): ONE mechanism for every record of a
sealed case, whoever writes it — services, views, tasks or the Django admin.

- The model layer: `install()` (archive's AppConfig.ready) connects pre_save, pre_delete and
  m2m_changed receivers for every model with a path of foreign keys to `cases.Case`
  (`guarded_models()`, found by walking the models, so a new model cannot escape). A write to a
  row whose case is sealed (archive.selectors.is_sealed: 已归档) — as stored or as being written —
  raises `CaseSealed` (cases.stages), a `TransitionError` whose str() is the Chinese message: views
  that already catch TransitionError show it; `SealedMiddleware` turns one that escapes into a 409
  page (never a 500).
- The admin: `install()` wraps every registered ModelAdmin of a guarded model (and its inlines)
  so a sealed case's rows are shown read-only (no change, no delete, no add under them).
- `cases.policy.may_write` is False on a sealed case, so forms are not offered.

Exempt (`EXEMPT`): the bookkeeping that goes on after sealing — deadlines and their
notifications (meeting ARCHIVE_FILE), the archive's own rows (addenda, consultation, exports:
every model of the `archive` app except the sealed file's own Seal and ItemArrangement), the
ADDENDUM and CONSULTATION sign-offs (第二十九条), AV fixity checks and the fixity fields they
update, and 行政执法公示 after the file is closed: a decision revoked or changed later (a
reconsideration or a court, 《行政处罚法》第四十八条第二款) is recorded as a new DecisionChange row and
the publication withdrawn (only its withdrawal fields), and a decision still within its
publication period is published — events after sealing, not corrections of the sealed record. The audit trail has no foreign key to Case (and its table refuses UPDATE/DELETE itself).

Not covered: QuerySet.update()/bulk_update() and raw SQL send no signals; no service uses them on
case records (test_guard checks the services' refusals, not these paths).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, pre_delete, pre_save
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from cases.models import Case, CaseState, SignOffStep
from cases.stages import SEALED_MESSAGE, CaseSealed

MESSAGE = SEALED_MESSAGE

# The archive's own rows that ARE the sealed file (read-only with it); its other models are exempt.
_ARCHIVE_SEALED = {"archive.seal", "archive.itemarrangement"}

# Always exempt: bookkeeping that goes on after sealing.
EXEMPT_MODELS = {
    "deadlines.deadline",
    "deadlines.deadline_responsible",
    "deadlines.notification",
    "avrecords.fixitycheck",
}
# Exempt rows: label -> predicate(instance, update_fields).
_FIXITY_FIELDS = {"last_fixity_at", "fixity_ok", "sm3", "updated_at"}  # sm3: avrecords.services.record_sm3
_WITHDRAWAL_FIELDS = {"withdrawn_at", "withdrawn_by", "withdrawal_reason"}
EXEMPT_ROWS: dict[str, Callable[[Any, Iterable[str] | None], bool]] = {
    "avrecords.avrecord": lambda obj, fields: fields is not None and set(fields) <= _FIXITY_FIELDS,
    "cases.signoff": lambda obj, fields: obj.step in (SignOffStep.ADDENDUM, SignOffStep.CONSULTATION),
    # 《行政处罚法》第四十八条: new rows only (a publication, a later change); of a stored
    # publication only its withdrawal.
    "review.decisionchange": lambda obj, fields: obj._state.adding,
    "review.publication": lambda obj, fields: (
        obj._state.adding or (fields is not None and set(fields) <= _WITHDRAWAL_FIELDS)
    ),
}


__all__ = ["MESSAGE", "CaseSealed", "SealedMiddleware", "install"]


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def is_exempt(model: type[models.Model], obj: Any = None, update_fields: Iterable[str] | None = None) -> bool:
    """Whether a write to `model` is allowed on a sealed case: always (obj None: the model as a
    whole), or for this row and these fields."""
    label = _label(model)
    if (label.startswith("archive.") and label not in _ARCHIVE_SEALED) or label in EXEMPT_MODELS:
        return True
    rule = EXEMPT_ROWS.get(label)
    return obj is not None and rule is not None and rule(obj, update_fields)


def path_to_case(model: type[models.Model], depth: int = 4) -> str | None:
    """The shortest chain of forward foreign keys from `model` to Case ("case", "record__case";
    "" for Case itself), or None when there is none. Breadth-first over concrete relation fields."""
    if model is Case:
        return ""
    queue: deque[tuple[type[models.Model], str]] = deque([(model, "")])
    seen = {model}
    while queue:
        current, prefix = queue.popleft()
        if prefix.count("__") >= depth:
            continue
        for f in current._meta.concrete_fields:
            related = f.related_model
            if not f.is_relation or related is None or isinstance(related, str):
                continue
            path = f"{prefix}__{f.name}" if prefix else f.name
            if related is Case:
                return path
            if related not in seen:
                seen.add(related)
                queue.append((related, path))
    return None


@cache
def guarded_models() -> dict[type[models.Model], str]:
    """Every model (auto-created m2m tables included) with a path to Case: model -> path."""
    out = {}
    for model in apps.get_models(include_auto_created=True):
        path = path_to_case(model)
        if path is not None:
            out[model] = path
    return out


def _sealed_q(path: str) -> dict[str, Any]:
    return {f"{path}__state" if path else "state": CaseState.ARCHIVED}


def belongs_to_sealed_case(obj: Any, path: str | None = None) -> bool:
    """Whether `obj` (a row of a guarded model) belongs to a sealed case, as stored or as it is
    being written (a row moved to or from a sealed case counts). One or two queries."""
    model = type(obj)
    path = guarded_models().get(model) if path is None else path
    if path is None:
        return False
    cases = Case._meta.base_manager  # the guard walks every model generically, Case included
    if model is Case:
        return obj.pk is not None and cases.filter(pk=obj.pk, state=CaseState.ARCHIVED).exists()
    first, _, rest = path.partition("__")
    field = model._meta.get_field(first)
    target_id = getattr(obj, field.attname)
    if target_id is not None:
        related = field.related_model
        if related is Case:
            if cases.filter(pk=target_id, state=CaseState.ARCHIVED).exists():
                return True
        elif related._meta.default_manager.filter(pk=target_id, **_sealed_q(rest)).exists():
            return True
    if obj.pk is not None and not obj._state.adding:
        return model._base_manager.filter(pk=obj.pk, **_sealed_q(path)).exists()
    return False


def _on_save(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or sender not in guarded_models():  # fixtures (loaddata) are not a change
        return
    if is_exempt(sender, instance, kwargs.get("update_fields")):
        return
    if belongs_to_sealed_case(instance):
        raise CaseSealed()


def _on_delete(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    if sender not in guarded_models() or is_exempt(sender, instance, None):
        return
    if belongs_to_sealed_case(instance):
        raise CaseSealed()


def _on_m2m(
    sender: type[models.Model], instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kw: Any
) -> None:
    if not action.startswith("pre_") or sender not in guarded_models() or is_exempt(sender):
        return
    if not reverse:
        if belongs_to_sealed_case(instance):
            raise CaseSealed()
        return
    # Reverse side (e.g. user.records.add(record)): the rows in pk_set carry the case.
    owners = model._base_manager.filter(pk__in=pk_set) if pk_set else None
    if owners is None:
        return
    path = guarded_models().get(model)
    if path is not None and owners.filter(**_sealed_q(path)).exists():
        raise CaseSealed()


# --- the admin ------------------------------------------------------------------------------


def _sealed_obj(obj: Any) -> bool:
    return (
        obj is not None
        and type(obj) in guarded_models()
        and not is_exempt(type(obj), obj)
        and belongs_to_sealed_case(obj)
    )


def _wrap_admin(ma: Any) -> None:
    """Make one ModelAdmin (or inline) read-only for rows of a sealed case. For an inline, `obj`
    is the parent row."""
    if getattr(ma, "_sealed_guard", False):
        return
    for name in ("has_change_permission", "has_delete_permission", "has_add_permission"):
        original = getattr(ma, name)

        # ModelAdmin.has_add_permission(request); the others (and inlines') take obj too.
        def wrapped(request: HttpRequest, *args: Any, _original: Any = original) -> bool:
            obj = args[0] if args else None
            if obj is not None and _sealed_obj(obj):
                return False
            return bool(_original(request, *args))

        setattr(ma, name, wrapped)
    original_inlines = getattr(ma, "get_inline_instances", None)
    if original_inlines is None:  # an inline: its permissions are wrapped above, it has no inlines
        ma._sealed_guard = True
        return

    def inlines(request: HttpRequest, obj: Any = None) -> list[Any]:
        out = original_inlines(request, obj)
        for inline in out:
            _wrap_admin(inline)
        return out

    ma.get_inline_instances = inlines
    ma._sealed_guard = True


def wrap_admin_site(site: Any = None) -> list[Any]:
    """Wrap every registered ModelAdmin of a guarded, non-exempt model; returns them."""
    from django.contrib import admin

    site = site or admin.site
    wrapped = []
    for model, ma in site._registry.items():
        if model in guarded_models() and not is_exempt(model):
            _wrap_admin(ma)
            wrapped.append(ma)
    return wrapped


def install() -> None:
    """Connect the receivers (once) and wrap the admin. Called from ArchiveConfig.ready."""
    pre_save.connect(_on_save, dispatch_uid="archive.guard.pre_save")
    pre_delete.connect(_on_delete, dispatch_uid="archive.guard.pre_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="archive.guard.m2m")
    from django.contrib import admin

    admin.autodiscover()  # idempotent: the admin modules are imported once
    wrap_admin_site()


class SealedMiddleware:
    """A CaseSealed that escapes a view (a write refused by cases.selectors.refuse_if_sealed, a
    form the page should not have offered, the admin) becomes a 409 with the Chinese message —
    naming the 档号 when the exception carries its case (archive.selectors.sealed_refusal) —
    as a page, or as JSON {"error": message} for the API (/api/) and requests that accept JSON
    only. Never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, CaseSealed):
            return None
        from .selectors import sealed_refusal

        message = sealed_refusal(exception.case) if exception.case is not None else str(exception)
        accept = request.headers.get("Accept", "")
        if request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept):
            return JsonResponse({"error": message}, status=409)
        resp = TemplateResponse(request, "archive/sealed_refused.html", {"message": message}, status=409)
        return resp.render()
