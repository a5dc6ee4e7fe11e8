"""Typed request for views behind `login_required` (the seam between Django's request and our
`User`): `request.user` is an `accounts.models.User`, never `AnonymousUser`. The one status
rule of a form page (`form_page`), the one order of a form posted to a case (`form_accepted`:
the seal's refusal first) and the one message of a refused action (`refusal`)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # narrowed: login_required ran before the view


def form_page(request: HttpRequest, template: str, ctx: dict[str, Any]) -> HttpResponse:
    """`template` rendered with `ctx`: status 400 after a POST, 200 otherwise. A form view
    redirects after an accepted POST, so a POST that renders the page is a refusal (an invalid
    form or a refused action, shown with its Chinese message and everything as typed)."""
    return render(request, template, ctx, status=400 if request.method == "POST" else 200)


def refusal(request: HttpRequest, exc: Exception, case: Any = None, *, writes_case: bool = True) -> str:
    """The Chinese message of a refused action (`exc`: a TransitionError, or an app's own refusal)
    for the page that shows it — unless the seal refused it (已归档, 第二十八条), which raises
    cases.stages.CaseSealed carrying `case` instead, so archive.guard.SealedMiddleware answers 409
    naming the 档号, the same from every view:

    - `exc` is a CaseSealed (the model guard, refuse_if_sealed): raised again with `case` when it
      carries none;
    - `writes_case` (a stage's write, refused on a sealed case whatever it says) and `case` is sealed
      now (its state read again: another tab may have sealed it meanwhile) and `request.user` may
      see it (cases.selectors.refuse_if_sealed). Views whose action is allowed on a sealed case
      (addenda, consultation, the seal pages) pass writes_case=False.

    `case` is one the view has checked access to (who may not see it learns nothing)."""
    from cases.stages import CaseSealed

    if isinstance(exc, CaseSealed):
        if exc.case is None and case is not None:
            raise CaseSealed(str(exc), case=case) from exc
        raise exc
    if writes_case and case is not None:
        _refuse_if_sealed(request, case)
    return str(exc)


def form_accepted(request: HttpRequest, form: Any, case: Any = None, *, writes_case: bool = True) -> bool:
    """`form.is_valid()` of a form posted to write `case` (True for None: an action with nothing
    typed), after the seal's refusal: when
    `writes_case` and `case` is sealed (its state read again) and `request.user` may see it,
    cases.stages.CaseSealed carrying the case — archive.guard.SealedMiddleware's 409 naming the
    档号 — whatever the form holds, so an invalid form is not a 400 where a valid one is a 409
    (第二十八条). Every form view that writes a case validates through it; `writes_case` as in
    `refusal` (False for the actions allowed on a sealed case)."""
    if writes_case and case is not None:
        _refuse_if_sealed(request, case)
    return form is None or bool(form.is_valid())


def _refuse_if_sealed(request: HttpRequest, case: Any) -> None:
    from cases.selectors import refuse_if_sealed

    case.refresh_from_db(fields=["state"])  # another tab may have sealed it meanwhile
    refuse_if_sealed(request.user, case)  # type: ignore[arg-type]
