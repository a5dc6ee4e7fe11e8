"""Reads of cases. Who may see what is `cases.policy`; here its "no" becomes a 404, never a
403 that would confirm the case exists (第二十九条: secrets and privacy stay protected)."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.http import Http404

from accounts.models import Role, User

from . import policy
from .models import (
    Application,
    Attachment,
    Case,
    CaseKind,
    CaseOfficer,
    CaseState,
    Complaint,
    FilingRecord,
    Level,
    NonInitiation,
    Party,
    SignOff,
    SignOffOutcome,
    SignOffStep,
)
from .stages import CaseSealed


def _handled_by(user: User) -> Q:
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over a large table.
    return Q(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id"))


_ELSEWHERE_INLINE = 5000


def _officer_scope(user: User) -> Q:
    """Cases of the officer's department, plus those they handle in other departments.
    The latter are few and fetched as ids, so PostgreSQL ORs two index scans instead of
    filtering every case through a subquery (bench/pages.py)."""
    if not user.department_id:
        return _handled_by(user)
    # Once per request: the list, the dashboard and the panels may all ask.
    elsewhere = user.__dict__.get("_cases_elsewhere")
    if elsewhere is None:
        elsewhere = list(
            CaseOfficer.objects.filter(officer=user)
            .exclude(case__department_id=user.department_id)
            .values_list("case_id", flat=True)[: _ELSEWHERE_INLINE + 1]
        )
        user.__dict__["_cases_elsewhere"] = elsewhere
    cond = Q(department_id=user.department_id)
    if len(elsewhere) > _ELSEWHERE_INLINE:
        # Too many to inline: the subquery is slower but complete, so the list never
        # drops a case that the case page would show.
        return cond | _handled_by(user)
    return cond | Q(pk__in=elsewhere) if elsewhere else cond


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    # The same rule as policy.may_read, as a query.
    if policy.reads_every_case(user):
        return Case.objects.all()
    scope = Q(pk__in=[])
    if user.has_role(Role.OFFICER):
        scope |= _officer_scope(user)
    if user.has_role(Role.SECTION_CHIEF) and user.department_id:
        scope |= Q(department_id=user.department_id)
    return Case.objects.filter(scope)


def case_for_user(user: User, pk: int, *, write: bool = False) -> Case:
    """The case, if `user` may read it (policy.may_read; with write=True, may change its records:
    policy.may_write); else Http404 — or, for a write to a sealed case `user` may see,
    stages.CaseSealed (refuse_if_sealed: a 409 naming the 档号)."""
    case = Case.objects.filter(pk=pk).select_related("department", "created_by").first()
    if case is not None and write and not policy.may_write(user, case):
        refuse_if_sealed(user, case)
    if case is None or not (policy.may_write(user, case) if write else policy.may_read(user, case)):
        raise Http404("案件不存在")
    return case


def refuse_if_sealed(user: User, case: Case) -> None:
    """The one refusal of a write to a sealed case (已归档, 第二十八条): raises stages.CaseSealed
    carrying the case when policy.sealed_for(user, case) — archive.guard.SealedMiddleware answers
    it with 409 and "该案件已归档（档号 …），不能修改；更正请申请补充材料". Returns None otherwise
    (the caller's own rule then applies: 404 for who may not see the case)."""
    if policy.sealed_for(user, case):
        raise CaseSealed(case=case)


# The case's one-to-one records and the users they name, for the case page.
_DETAIL_RECORDS = {
    "application": (Application, ("recorded_by", "decided_by")),
    "filing": (FilingRecord, ()),
    "complaint": (Complaint, ("recorded_by", "handled_by")),
    "non_initiation": (NonInitiation, ("decided_by", "notice_by", "complainant_notice_by")),
}


def case_detail_for_user(user: User, pk: int) -> Case:
    """The case with everything its page shows, loaded in a fixed number of queries. Each
    one-to-one record is its own small query: one query joining all of them costs more to
    plan than the four together take to run."""
    case = case_for_user(user, pk)
    prefetch_related_objects([case], "assignments__officer", "parties", "application_events__recorded_by")
    for name, (model, users) in _DETAIL_RECORDS.items():
        if name == "application" and case.origin != "application" or name == "complaint" and case.origin != "complaint":
            obj = None
        else:
            obj = model._default_manager.filter(case_id=case.pk).select_related(*users).first()
        if obj is not None:
            obj.case = case  # type: ignore[attr-defined]  # every record here has a `case` FK
        getattr(Case, name).related.set_cached_value(case, obj)
    return case


def attachment_for_user(user: User, case_pk: int, pk: int) -> Attachment:
    """An attachment of a case the user may see; else Http404 (pages and downloads alike)."""
    case = case_for_user(user, case_pk)
    att = Attachment.objects.filter(case=case, pk=pk).select_related("uploaded_by").first()
    if att is None:
        raise Http404("附件不存在")
    return att


def cases_handled_by(user: User, *, window: int = 200) -> QuerySet[Case]:
    """Open cases `user` handles, among the `window` they were assigned most recently
    (dashboard: 我的案件). The window walks the (officer, case) index backwards, so an
    officer with thousands of old cases costs no more than one with ten."""
    recent = CaseOfficer.objects.filter(officer=user).order_by("-case_id").values("case_id")[:window]
    return Case.objects.filter(pk__in=recent).exclude(state=CaseState.ARCHIVED)


def _requests_open(step: str) -> QuerySet[SignOff]:
    """The officers' requests of `step` (承办人 rows) whose round has no head's signature yet."""
    head_signed = SignOff.objects.filter(
        case_id=OuterRef("case_id"), step=step, level=Level.HEAD, round=OuterRef("round")
    )
    return SignOff.objects.filter(step=step, level=Level.OFFICER).exclude(Exists(head_signed))


def signoffs_awaiting(user: User, step: str) -> QuerySet[SignOff]:
    """The officers' requests of `step` waiting for `user` to sign as 机关负责人 (先行登记保存审批,
    《行政处罚法》第五十六条): open requests of cases the head does not handle (policy.may_sign);
    none for anyone else. Oldest first."""
    if not (policy.reads_every_case(user) and user.has_role(Role.HEAD)):
        return SignOff.objects.none()
    return (
        _requests_open(step)
        .exclude(case_id__in=CaseOfficer.objects.filter(officer=user).values("case_id"))
        .select_related("case", "actor")
        .order_by("signed_at", "pk")
    )


def cases_awaiting(user: User) -> QuerySet[Case]:
    """Cases waiting for `user`'s sign-off (第八条第一款): the head signs filing (submitted cases),
    decides requests to withdraw a registration and requests to approve 先行登记保存 (《行政处罚法》
    第五十六条);
    a section chief signs 承办机构意见 on the registered penalty cases of their department that
    have no unit signature in the open round of the filing step."""
    if policy.reads_every_case(user) and user.has_role(Role.HEAD):
        # Filing to approve, requests to withdraw a registration (撤销登记) not yet decided, and
        # 先行登记保存 requests. The open requests are few (index signoff_requests) and fetched
        # first, so the case query is an OR of two index conditions (a bitmap scan), never a
        # scan of every case testing subqueries per row.
        withdrawal = (
            _requests_open(SignOffStep.WITHDRAWAL)
            .filter(case__state=CaseState.REGISTERED)
            .order_by()
            .values_list("case_id", flat=True)
        )
        preservation = signoffs_awaiting(user, SignOffStep.PRESERVATION).order_by().values_list("case_id", flat=True)
        requests = list(withdrawal.union(preservation))
        return Case.objects.filter(Q(state=CaseState.PENDING_FILING) | Q(pk__in=requests))
    if user.is_active and user.has_role(Role.SECTION_CHIEF) and user.department_id:
        returned_after = SignOff.objects.filter(
            case_id=OuterRef("case_id"),
            step=SignOffStep.FILING,
            level=Level.HEAD,
            outcome=SignOffOutcome.RETURN,
            round__gte=OuterRef("round"),
        )
        unit_open = SignOff.objects.filter(case_id=OuterRef("pk"), step=SignOffStep.FILING, level=Level.UNIT).exclude(
            Exists(returned_after)
        )
        return Case.objects.filter(
            state=CaseState.REGISTERED, kind=CaseKind.PENALTY, department_id=user.department_id
        ).exclude(Exists(unit_open))
    return Case.objects.none()


@dataclass(frozen=True)
class PendingApproval:
    """One item waiting for a head's sign-off that another stage app owns (待我审批): what it is
    (`label`, e.g. "补充材料审批"), its case and the page where it is decided (`url`)."""

    label: str
    case: Case
    url: str


# fn(user, limit) -> (how many wait for `user`, at most `limit` of them, oldest first).
PendingProvider = Callable[[User, int], tuple[int, list[PendingApproval]]]
_pending_providers: dict[str, PendingProvider] = {}


def register_pending_approvals(name: str, provider: PendingProvider) -> None:
    """A stage app (its AppConfig.ready) adds the approvals it owns to the dashboard's 待我审批
    (e.g. archive: 补充材料, 评查否决项放行, 查阅申请). Registering `name` again replaces it."""
    _pending_providers[name] = provider


def pending_approvals(user: User, *, limit: int = 20) -> tuple[int, list[PendingApproval]]:
    """The registered apps' items waiting for `user`: (their total, at most `limit` per app).
    Each provider answers (0, []) for a user who does not sign them."""
    total, items = 0, []
    for provider in _pending_providers.values():
        n, rows = provider(user, limit)
        total += n
        items.extend(rows[:limit])
    return total, items


def signoffs_by_case(case_ids: list[int], step: str) -> dict[int, dict[str, SignOff]]:
    """The latest round's signatures of `step` for each case, by level (one query; a queue page)."""
    rows = SignOff.objects.filter(case_id__in=case_ids, step=step).select_related("actor").order_by("round", "pk")
    latest: dict[int, int] = {}
    by_case: dict[int, dict[int, dict[str, SignOff]]] = defaultdict(lambda: defaultdict(dict))
    for r in rows:
        by_case[r.case_id][r.round][r.level] = r
        latest[r.case_id] = max(latest.get(r.case_id, 0), r.round)
    return {cid: dict(by_case[cid][rnd]) for cid, rnd in latest.items()}


def case_counts_by_state(user: User) -> list[dict[str, Any]]:
    rows = dict(cases_visible_to(user).order_by().values_list("state").annotate(n=Count("pk")))
    return [{"state": s.value, "label": s.label, "count": rows.get(s.value, 0)} for s in CaseState if rows.get(s.value)]


def licensing_accepted_at(case: Case) -> datetime | None:
    """The day a licensing application counts as accepted (`Application.accepted_at`: the day
    of receipt when the 5 working days of 《行政许可法》第三十二条第一款第（四）项 lapsed without a
    notice), from which the 20 working days of 第四十二条 run; None before acceptance."""
    return Application.objects.filter(case_id=case.pk).values_list("accepted_at", flat=True).first()


def case_by_ref(ref: str) -> Case | None:
    """The case a station or a form names by its 立案号 (`number`) or, before filing, its 登记号
    (`registration_number`); None when no case has it. No access check: the caller asks
    `cases.policy` before using it."""
    ref = ref.strip()
    if not ref:
        return None
    return Case.objects.filter(Q(number=ref) | Q(registration_number=ref)).first()


def case_of(case_id: int) -> Case:
    """The case by id, unlocked, no access check (actions check `cases.policy` on it; to write,
    lock it with `cases.stages.lock`). Raises Case.DoesNotExist."""
    return Case.objects.get(pk=case_id)


def heads_for(case: Case, *, heads: list[User] | None = None) -> list[User]:
    """The people who may sign for `case` as 机关负责人 (policy.may_sign at Level.HEAD: active
    heads who do not handle it). `heads` is the active heads when the caller already holds them
    (one query for many cases); else they are read here (one query)."""
    from accounts.selectors import users_in_role

    pool = list(users_in_role(Role.HEAD)) if heads is None else heads
    return [h for h in pool if policy.may_sign(h, case, Level.HEAD)]


def attachments_of(owner: Any) -> QuerySet[Attachment]:
    """The attachments filed under `owner` (a record of another app: a generic relation), with
    their uploaders."""
    from django.contrib.contenttypes.models import ContentType

    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(owner), object_id=owner.pk
    ).select_related("uploaded_by")


def attachments_of_case(case: Case) -> QuerySet[Attachment]:
    """Every attachment of the case (its own and its records'), oldest first, with uploaders
    (case file assembly, 第二十八条)."""
    return Attachment.objects.filter(case=case).select_related("uploaded_by").order_by("uploaded_at", "pk")


def cases_of_officer(user: User, state: str | None = None) -> QuerySet[Case]:
    """Cases `user` handles (optionally in `state`), oldest first (demo data)."""
    qs = Case.objects.filter(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id")).order_by("pk")
    return qs.filter(state=state) if state else qs


def signoffs_of(case: Case, steps: Iterable[str]) -> QuerySet[SignOff]:
    """The case's sign-off rows of these steps (every round), unordered."""
    return SignOff.objects.filter(case=case, step__in=list(steps))


def case_ids_handled_by(user: User) -> QuerySet[CaseOfficer, int]:
    """The ids of the cases `user` handles, as a subquery."""
    return CaseOfficer.objects.filter(officer=user).values_list("case_id", flat=True)


def all_cases() -> QuerySet[Case]:
    """Every case, without any user's scope: for the agency's aggregate statistics and batch
    jobs (archive.stats), never for a page that lists cases to a user (cases_visible_to)."""
    return Case.objects.all()


def parties_of(case: Case) -> QuerySet[Party]:
    """The case's recorded parties (第八条: 当事人基本情况), in the order recorded. No access check:
    the caller has checked `cases.policy` (archive.consultation checks a requester against them)."""
    return Party.objects.filter(case=case).order_by("pk")
