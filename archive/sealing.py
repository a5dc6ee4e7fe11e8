"""Sealing the case file (归档, 第二十八条) and what comes after it (issue 16 item 4).

    review(case) -> Review                         what the archivist checks before sealing
    arrangement_save(case_id, by, entries)         the order and titles of the items (卷内排列)
    seal_override_sign(case_id, by, agree, opinion)  the head lets a blocked file be sealed, or not
    check_sign(case_id, by, agree, opinion, digest)  the 检查人 checks the file: agree or return
    check_of(case) -> Check                        the latest check, and whether it is current
    seal(case_id, by, description) -> Seal         已结案 → 已归档 (by: the 立卷人; 检查人: the check's)
    addendum_request(case_id, by, title, text, scan) -> Addendum  after sealing: a correction
    addendum_decide(addendum_id, by, approve, opinion) -> Addendum   the head's ADDENDUM sign-off
    addendum_scan_viewed(addendum, by)             audits a read of its scan
    apply_arrangement(casefile)                    called at the end of archive.casefile.assemble

Sealing is refused while the assembled file has `missing` items, a stage's checklist still
lacks something, or a veto rule of the quality review fails — unless the head (not handling the
case) signed SignOffStep.SEAL_OVERRIDE agreeing, with a reason (the latest such sign-off
counts) — and until the 检查人 (another archivist, 法规科 or the head, not the 立卷人) signed an
agreeing check of the catalogue as it is now. After sealing every record of the case is
read-only (archive.guard).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone

import audit
from accounts.models import Role, User
from accounts.selectors import users_in_role
from audit.selectors import case_ids_recorded, recorded
from avrecords.selectors import records_not_stored
from cases import policy, requirements, signoffs, stages
from cases.models import Case, CaseKind, CaseState, Level, SignOff, SignOffOutcome, SignOffStep
from cases.selectors import case_ids_handled_by, cases_visible_to, heads_for
from cases.stages import Transition, TransitionDenied, TransitionError
from deadlines.models import DeadlineKind
from deadlines.services import deadline_met, notifications_settle, notify
from linke.fields import fit
from linke.validators import check_scan_content, text_error, validate_scan
from numbering.services import number_next

from . import record_pages, rounds
from .asks import addendum_request_key, check_ask_key, override_ask_key
from .audit_actions import AuditAction
from .casefile import (
    MAIN,
    SUBSIDIARY,
    CaseFile,
    Item,
    archival_code,
    archival_series,
    assemble,
    date8,
    frozen_catalogue,
    key_of,
)
from .models import (
    ADDENDUM_TEXT_MAX_LENGTH,
    BACK_DESCRIPTION_LINES,
    BACK_DESCRIPTION_MAX,
    OVERRIDE_REASON_MAX,
    TITLE_MAX,
    Addendum,
    AddendumStatus,
    ArchiveDuty,
    ItemArrangement,
    RuleKind,
    Seal,
)
from .quality import Score, case_score
from .selectors import archivists_for, is_sealed, seal_of
from .tasks import volume_store_task
from .verifier import verify_bag

# 已结案 → 已归档 (第二十八条), the archivist's; declared here, where it is run (cases.stages).
SEAL = stages.declare(
    Transition(
        name="archive",  # audit action case.archive (cases.audit_actions)
        label="归档",
        owner="archive",
        kinds=(CaseKind.PENALTY, CaseKind.LICENSING),
        sources=(CaseState.CONCLUDED,),
        target=CaseState.ARCHIVED,
        roles=(Role.ARCHIVIST,),
        stamp="archived_at",
        order=90,
    )
)


def _addendum_item(addendum: Addendum, ordinal: int) -> Item:
    """An approved addendum as the file's item: its generated page (record_pages.addendum_page:
    text, requester, the head's approval and the dates, then the scan's pages), titled with the
    addendum's own title; `ordinal` is its place among the approved addenda (no gaps where one
    was refused)."""
    signoff = addendum.signoff
    approved = f"，经机关负责人{signoff.actor}批准" if signoff is not None else ""
    page = record_pages.addendum_page(addendum, ordinal)
    return Item(
        volume=SUBSIDIARY,
        title=addendum.title,
        date=date8(page.date),
        remarks=f"归档后补充第{ordinal}件{approved}",
        source=addendum,
        record=page,
        appended=True,
    )


def apply_arrangement(casefile: CaseFile) -> CaseFile:
    """The archivist's arrangement (ItemArrangement rows) applied to an assembled file in place:
    within each volume (正卷 then 副卷), arranged items by their position, the rest after them in
    the order assembled; titles replaced where the archivist wrote one. Then the approved addenda
    follow the sealed items (副卷) in the order approved, and the items are numbered again
    from 1 (append_addenda)."""
    case = casefile.case
    rows = {a.key: a for a in ItemArrangement.objects.filter(case_id=case.pk)}
    rank = {v: n for n, v in enumerate(dict.fromkeys(i.volume for i in casefile.items))}

    def order(pair: tuple[int, Item]) -> tuple[int, int, int]:
        index, item = pair
        row = rows.get(key_of(item)) if item.source is not None else None
        return (rank[item.volume], 0 if row else 1, row.position if row else index)

    items = [item for _, item in sorted(enumerate(casefile.items), key=order)]
    for item in items:
        row = rows.get(key_of(item)) if item.source is not None else None
        if row is not None and row.title:
            item.title = row.title
    casefile.items[:] = items
    return append_addenda(casefile)


def append_addenda(casefile: CaseFile) -> CaseFile:
    """The approved addenda appended after the file's items (副卷), in the order approved (each
    stored version of the volume keeps the earlier ones' numbering), and the items numbered
    again from 1. In place; returns `casefile`."""
    case = casefile.case
    items = list(casefile.items)
    items += [_addendum_item(a, n) for n, a in enumerate(_approved_addenda(case), start=1)]
    for n, item in enumerate(items, start=1):
        item.number = n
    casefile.items[:] = items
    return casefile


def _approved_addenda(case: Case) -> Any:
    """The case's approved addenda in the order approved: each stored version of the volume
    keeps the earlier ones' numbering."""
    approved = Addendum.objects.filter(case_id=case.pk, status=AddendumStatus.APPROVED)
    return approved.select_related("signoff__actor", "requested_by").order_by("signoff__signed_at", "signoff_id")


def addendum_entry(addendum: Addendum) -> Item | None:
    """The approved `addendum`'s item of its sealed file (件号 and generated page) — after the
    sealed catalogue's items (Seal.catalogue) and the addenda approved before it — without
    assembling the file; None when it is not approved. A seal without a frozen catalogue (made
    before it was kept) is assembled instead."""
    case = addendum.case
    ordinal = next((n for n, a in enumerate(_approved_addenda(case), start=1) if a.pk == addendum.pk), None)
    if ordinal is None:
        return None
    sealed = seal_of(case)
    if sealed is None or not sealed.catalogue:
        return next((i for i in assemble(case).items if i.source == addendum), None)
    item = _addendum_item(addendum, ordinal)
    item.number = len(sealed.catalogue["items"]) + ordinal
    return item


@dataclass
class Review:
    """What the archivist reviews before sealing. `blockers`: Chinese lines that refuse sealing
    (unless `override` agrees): items not ready for the volume, failing veto rules; `gaps`: the
    checklist items still missing from every stage (shown, not blocking); `check`: the 检查人's
    latest check (check_of; sealing also needs it agreeing and current)."""

    casefile: CaseFile
    score: Score
    gaps: list[requirements.Requirement] = field(default_factory=list)
    override: SignOff | None = None
    blockers: list[str] = field(default_factory=list)
    check: Check | None = None

    @property
    def overridden(self) -> bool:
        return self.override is not None and self.override.outcome == SignOffOutcome.AGREE

    @property
    def may_seal(self) -> bool:
        return not self.blockers or self.overridden


def override_of(case: Case) -> SignOff | None:
    """The latest SEAL_OVERRIDE sign-off of the case (each decision is its own round)."""
    return rounds.latest(case, SignOffStep.SEAL_OVERRIDE)


def review(case: Case) -> Review:
    """The assembled file, the checklist gaps of every stage, the quality score, the head's
    override if any, and the blockers (assembly `missing`, AV records not yet in dedicated
    storage, failing vetoes)."""
    casefile = assemble(case)
    score = case_score(case)
    gaps = [c.requirement for c in requirements.checklist(case) if c.status == "missing"]
    # The stage checklists' gaps are shown to the archivist; what refuses sealing is an item that
    # cannot go into the volume and a failing veto rule (issue 16 item 3).
    blockers = list(casefile.missing)
    # An AV record not yet in dedicated storage is no item of the file (casefile.assemble), and
    # a sealed catalogue is fixed: sealing waits for it (第二十六、二十七条), or the head overrides.
    blockers += [
        f"音像记录“{r.filename or r.uuid}”尚未存入专用存储（{r.get_status_display()}），入库后方能列入卷内"
        for r in records_not_stored(case.pk)
    ]
    blockers += [f"否决项：{f.message}（{f.source}）" for f in score.failures if f.kind == RuleKind.VETO]
    return Review(casefile, score, gaps, override_of(case), blockers, check_of(case, casefile))


def _require_compiler(case: Case, by: User, what: str) -> None:
    if not (by.has_role(Role.ARCHIVIST) and policy.may_compile_case_file(by, case)):
        raise TransitionDenied(f"无权{what}：需由档案管理员办理。")


@transaction.atomic
def arrangement_save(*, case_id: int, by: User, entries: list[tuple[str, int, str]]) -> int:
    """Replace the case's arrangement with `entries` (key, position, title; title "" keeps the
    assembled one). Only keys of the file's items. Before sealing, by an archivist. Returns the
    number of rows. TransitionError (Chinese, naming the items) for an unknown key, a sealed
    case, a title over TITLE_MAX characters, or positions that would move an item into the other
    volume (arrangement_problems); nothing is saved then."""
    case = stages.lock(case_id)
    _require_compiler(case, by, "调整卷内排列")
    if is_sealed(case):
        raise TransitionError("案卷已归档，卷内排列不能再调整。")
    items = {key_of(i): i for i in assemble(case).items if i.source is not None}
    unknown = [k for k, _, _ in entries if k not in items]
    if unknown:
        raise TransitionError(f"卷内没有这些材料：{'、'.join(unknown)}。")
    entries = [(k, p, t.strip()) for k, p, t in entries]
    problems = arrangement_problems(items, entries)
    if problems:
        raise TransitionError("；".join(problems) + "。")
    ItemArrangement.objects.filter(case=case).delete()
    ItemArrangement.objects.bulk_create([ItemArrangement(case=case, key=k, position=p, title=t) for k, p, t in entries])
    audit.record(case, AuditAction.ARRANGED, actor=by, case=case, entries=[list(e) for e in entries])
    from .check_pending import checkers_notify  # (it reads this module)

    checkers_notify(case, by=by)  # the possible 检查人 are asked to check (第二十八条)
    return len(entries)


def arrangement_problems(items: dict[str, Item], entries: list[tuple[str, int, str]]) -> list[str]:
    """Chinese lines, one per refused entry of an arrangement (`items`: the file's items by key;
    `entries`: key, position, title):

    - an item named by more than one entry (a crafted form: which title or place counts?);
    - a title longer than TITLE_MAX characters (the catalogue's 题名 column; never cut), or with
      a line break or another control character (linke.validators.text_error: one line);
    - an item whose position puts it into the other volume. The 正卷/副卷 of an item follows from
      its kind (settings.ARCHIVE_VOLUME_ORDER; the 副卷's internal records are not offered for
      consultation, 第二十九条), so the archivist orders items within their volume only: sorted
      by position, the entries must run 正卷 then 副卷; the fewest items whose removal restores
      that order are named."""
    keys = [k for k, _, _ in entries]
    problems = [
        f"第{items[k].number}件“{items[k].title}”在排列中出现了{keys.count(k)}次，每件材料只能排列一次"
        for k in dict.fromkeys(keys)
        if keys.count(k) > 1
    ]
    problems += [
        f"第{items[k].number}件“{items[k].title}”的题名超过{TITLE_MAX}字（现为{len(t)}字），请精简"
        for k, _, t in entries
        if len(t) > TITLE_MAX
    ]
    problems += [
        f"第{items[k].number}件“{items[k].title}”的{error.rstrip('。')}"
        for k, _, t in entries
        if (error := text_error(t, label="题名"))
    ]
    ranked = [items[k] for _, _, k in sorted((p, n, k) for n, (k, p, _) in enumerate(entries))]
    volumes = [i.volume == MAIN for i in ranked]

    def misplaced(cut: int) -> int:  # the first `cut` entries taken as the 正卷
        return volumes[:cut].count(False) + volumes[cut:].count(True)

    cut = min(range(len(ranked) + 1), key=misplaced)
    for n, item in enumerate(ranked):
        if (item.volume == MAIN) != (n < cut):
            other = SUBSIDIARY if item.volume == MAIN else MAIN
            problems.append(
                f"第{item.number}件“{item.title}”属于{item.volume}，不能按顺序排入{other}"
                "（卷别由材料类别决定，只能在本卷内调整顺序）"
            )
    return problems


@transaction.atomic
def seal_override_sign(*, case_id: int, by: User, agree: bool, opinion: str) -> SignOff:
    """The head (not handling the case) lets the file be sealed despite its blockers, or refuses,
    with a reason of at most OVERRIDE_REASON_MAX characters (the 备考表 prints it, on its one
    page): a SEAL_OVERRIDE sign-off, its own round each time (the latest counts). Only while the
    case is concluded and not sealed. TransitionDenied / TransitionError."""
    case = stages.lock(case_id)
    stages.require_state(case, SEAL.sources, "签署归档意见")
    reason = (opinion or "").strip()
    if len(reason) > OVERRIDE_REASON_MAX:
        raise TransitionError(
            f"准予归档的理由不能超过{OVERRIDE_REASON_MAX}字（现为{len(reason)}字），以便备考表为一页。"
        )
    row = signoffs.signoff_record(
        case=case,
        step=SignOffStep.SEAL_OVERRIDE,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE if agree else SignOffOutcome.REFUSE,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.SEAL_OVERRIDE),
    )
    # A head answered (agreeing or not): every ask of the case, whatever its blockers, is read.
    notifications_settle(dedupe_key=override_ask_key(case.pk), any_state=True)
    return row


def catalogue_digest(casefile: CaseFile) -> str:
    """The SHA-256 (64 hex digits) of the file's catalogue as arranged: each item's volume,
    key, 文号, title, date and remarks, in order. A check is bound to it: a later arrangement
    (order or title) or a new item changes it and makes the check stale."""
    rows = [[i.volume, key_of(i), i.doc_number, i.title, i.date, i.remarks] for i in casefile.items]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


@dataclass
class Check:
    """The case file's latest 检查意见 (an ARCHIVE_CHECK sign-off; each check is its own round,
    the latest counts) and whether the catalogue is still the one it was signed on."""

    signoff: SignOff | None
    current: bool = False

    @property
    def agreed(self) -> bool:
        """Signed agreeing on the catalogue as it is now: sealing may name its signer 检查人."""
        return self.signoff is not None and self.current and self.signoff.outcome == SignOffOutcome.AGREE

    @property
    def returned(self) -> bool:
        return self.signoff is not None and self.current and self.signoff.outcome == SignOffOutcome.RETURN

    @property
    def label(self) -> str:
        """待检查 (none yet, or stale: the catalogue changed since), 已检查, 已退回."""
        return "已检查" if self.agreed else "已退回" if self.returned else "待检查"

    @property
    def stale(self) -> bool:
        return self.signoff is not None and not self.current

    def agreed_by(self, user: User) -> bool:
        """`user` signed this agreeing, current check: they are the 检查人 and may not also seal
        as the 立卷人 (第二十八条; seal refuses it with NOT_COMPILER)."""
        return self.agreed and self.signoff is not None and self.signoff.actor_id == user.pk


def check_of(case: Case, casefile: CaseFile | None = None) -> Check:
    """The latest ARCHIVE_CHECK of `case` against its catalogue now (`casefile`: the assembled
    file when the caller has it; assembled otherwise)."""
    row = rounds.latest(case, SignOffStep.ARCHIVE_CHECK)
    if row is None:
        return Check(None)
    return Check(row, row.digest == catalogue_digest(casefile or assemble(case)))


def compiled_by(user: User, case: Case) -> bool:
    """`user` compiled the file: arranged its items (an archive.arranged entry by them)."""
    return recorded(case, AuditAction.ARRANGED, actor=user)


def sole_compiler(user: User, case: Case) -> bool:
    """`user` is the only archivist who may seal `case` (archive.selectors.archivists_for: its
    department's 专人, else the one active archivist): they will be its 立卷人, so they cannot be
    its 检查人 (第二十八条) even before arranging it."""
    return user.has_role(Role.ARCHIVIST) and [u.pk for u in archivists_for(case)] == [user.pk]


def checkable_cases(user: User) -> QuerySet[Case]:
    """The concluded (not sealed) cases whose file `user` may check now, unordered — THE rule of
    the 检查人 (第二十八条), in SQL, for may_check and the to-do (archive.check_pending): `user`
    signs at Level.CHECK (policy.may_sign: an archivist, 法规科 or the head — EVERY_CASE_ROLES —
    not a handling officer of the case: policy.handles, so only while they hold the officer
    role), did not arrange its file (compiled_by: the 立卷人) and is not the only archivist who
    may seal it (sole_compiler: its department's active 专人, else the one active archivist).
    check_sign's refusals say why for each part. None for anyone else."""
    cases = cases_visible_to(user).filter(state=CaseState.CONCLUDED)
    if not policy.reads_every_case(user):
        return cases.none()
    if user.has_role(Role.OFFICER):  # policy.handles
        cases = cases.exclude(pk__in=case_ids_handled_by(user))
    if user.has_role(Role.ARCHIVIST):  # sole_compiler
        if not users_in_role(Role.ARCHIVIST).exclude(pk=user.pk).exists():
            return cases.none()
        cases = cases.exclude(department_id__in=ArchiveDuty.objects.filter(archivist=user).values("department_id"))
    return cases.exclude(pk__in=case_ids_recorded(AuditAction.ARRANGED, actor=user))  # compiled_by


def may_check(user: User, case: Case) -> bool:
    """`user` may sign the 检查意见 of the concluded case's file now: the case is one of
    checkable_cases(user) (one query; none when the case is not concluded)."""
    return case.state == CaseState.CONCLUDED and checkable_cases(user).filter(pk=case.pk).exists()


NOT_COMPILER = "检查人不能是立卷人本人：请由另一位档案管理员、法规科人员或机关负责人检查。"
SOLE_COMPILER = "您是本案唯一可归档的档案管理员（立卷人），检查人须为另一人：请由法规科人员或机关负责人检查。"


@transaction.atomic
def check_sign(*, case_id: int, by: User, agree: bool, opinion: str, digest: str) -> SignOff:
    """The 检查人's 检查意见 on the file (第二十八条): agree, or return with a reason the archivist
    sees — an ARCHIVE_CHECK sign-off at Level.CHECK, its own round each time (the latest
    counts), bound to `digest`, the catalogue_digest of the page the checker read. Only while the
    case is concluded and not sealed. TransitionDenied for anyone but an archivist, 法规科 or the
    head not handling the case, and for the archivist who arranged the file (its 立卷人);
    TransitionError for an empty opinion, when the catalogue changed since the page was read
    (`digest` no longer current: read it again), and for an agreement by a signer who has not
    opened the volume PDF of this catalogue (volume_read_by: VOLUME_NOT_READ)."""
    case = stages.lock(case_id)
    stages.require_state(case, SEAL.sources, "签署检查意见")
    if compiled_by(by, case):
        raise TransitionDenied(NOT_COMPILER)
    if sole_compiler(by, case):
        raise TransitionDenied(SOLE_COMPILER)
    if digest != catalogue_digest(assemble(case)):
        raise TransitionError("卷内排列或题名已变化，请刷新页面、重新检查案卷后再签署检查意见。")
    if agree and not volume_read_by(case, by, digest):
        raise TransitionError(VOLUME_NOT_READ)
    row = signoffs.signoff_record(
        case=case,
        step=SignOffStep.ARCHIVE_CHECK,
        level=Level.CHECK,
        by=by,
        outcome=SignOffOutcome.AGREE if agree else SignOffOutcome.RETURN,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.ARCHIVE_CHECK),
        digest=digest,
    )
    # Checked on the catalogue as it is: the asks of this and any earlier catalogue are read.
    notifications_settle(dedupe_key=check_ask_key(case.pk), any_state=True)
    return row


NO_CHECK = "请先由检查人审核案卷并签署检查意见"
VOLUME_NOT_READ = "请先打开案卷PDF通读卷内文件，再签署同意归档的检查意见（第二十八条）。"


def volume_read(*, case: Case, by: User, digest: str, size: int) -> None:
    """Audits `by`'s read of the case's volume PDF as rendered before sealing (archive.views
    volume_pdf): archive.volume_downloaded with `catalogue`, the catalogue_digest of the file it
    showed, so a check can tell which arrangement its signer read (volume_read_by)."""
    audit.record(case, AuditAction.VOLUME_DOWNLOADED, actor=by, case=case, size=size, catalogue=digest)


def volume_read_by(case: Case, by: User, digest: str) -> bool:
    """Whether `by` opened the volume PDF of the catalogue `digest` (volume_read): the 检查人
    agrees only to a file they have read (第二十八条), as the head approves an addendum only
    after opening its scan (scan_viewed_by)."""
    return recorded(case, AuditAction.VOLUME_DOWNLOADED, actor=by, catalogue=digest)


def _require_check(check: Check, by: User) -> SignOff:
    """The agreeing, current check that names the 检查人; TransitionError (Chinese) otherwise."""
    row = check.signoff
    if row is None:
        raise TransitionError(f"{NO_CHECK}。")
    if not check.current:
        raise TransitionError(f"{NO_CHECK}：{row.actor}检查后卷内排列或题名已调整，须重新检查。")
    if row.outcome != SignOffOutcome.AGREE:
        raise TransitionError(f"{NO_CHECK}：检查人{row.actor}已退回（{row.opinion}），请整改后再送检查。")
    if row.actor_id == by.pk:
        raise TransitionError(NOT_COMPILER)
    return row


@transaction.atomic
def seal(*, case_id: int, by: User, description: str) -> Seal:
    """已结案 → 已归档 (第二十八条): the archivist seals the file with its 备考表 — the description,
    `by` as the 立卷人 and, as the 检查人, the signer of the case's agreeing current check
    (check_of; their display names printed, the check's date the 检查时间). Records the catalogue
    as checked (Seal.catalogue, casefile.frozen_catalogue: a sealed file is assembled from it),
    the 档号 — its
    案卷号 the next number of the case's series (casefile.archival_series,
    numbering.services.number_next) — the score, the check, who and when; meets the ARCHIVE_FILE
    deadline; audited. TransitionError (Chinese) without a description, without an agreeing check
    on the catalogue as it is now (NO_CHECK), when `by` signed that check, (the blockers named)
    while `review(case).may_seal` is False, and when the 档号 is already another Seal's (the
    unique constraint seal_archival_code_unique: nothing is saved, the number is given back);
    TransitionDenied for anyone but an archivist."""
    case = stages.lock(case_id)
    if is_sealed(case):
        raise TransitionError(already_sealed(case))
    stages.require_actor(case, by, SEAL)
    _require_compiler(case, by, "归档")
    description = (description or "").strip()
    if not description:
        raise TransitionError("请填写备考表的案卷情况说明。")
    if len(description) > BACK_DESCRIPTION_MAX:
        raise TransitionError(
            f"备考表的案卷情况说明不能超过{BACK_DESCRIPTION_MAX}字（现为{len(description)}字），以便备考表为一页。"
        )
    lines = len(description.splitlines())
    if lines > BACK_DESCRIPTION_LINES:
        raise TransitionError(
            f"备考表的案卷情况说明不能超过{BACK_DESCRIPTION_LINES}行（现为{lines}行），以便备考表为一页。"
        )
    r = review(case)
    if not r.may_seal:
        raise TransitionError(f"不能归档：{'；'.join(r.blockers)}。如确需归档，须由机关负责人签署准予归档意见。")
    assert r.check is not None  # review() always reads it
    check = _require_check(r.check, by)
    checker = check.actor
    now = timezone.now()
    # The 案卷号: the next number of the case's series, assigned now (第二十八条), never shown
    # before; the series' counter stays locked until this transaction ends, and a refusal below
    # gives the number back.
    code = archival_code(case, number_next(*archival_series(case)))
    try:
        with transaction.atomic():
            row = Seal.objects.create(
                case=case,
                archival_code=code,
                score=r.score.score,
                vetoed=r.score.vetoed,
                override=r.override if r.blockers else None,
                description=description,
                compiler=by.display_name,
                checker=checker.display_name,
                sealed_by=by,
                checked_by=checker,
                check_signoff=check,
                sealed_at=now,
                # The catalogue as checked and sealed: the file is assembled from it from now on.
                catalogue=frozen_catalogue(r.casefile),
            )
    except IntegrityError:
        # seal_archival_code_unique: a Seal row made outside the series holds this number.
        if not Seal.objects.filter(archival_code=code).exists():
            raise
        raise TransitionError(f"档号 {code} 已被其他案卷使用，请联系管理员核对档号序列。") from None
    deadline_met(kind=DeadlineKind.ARCHIVE_FILE, case=case, met_at=now)
    audit.record(
        row,
        AuditAction.SEALED,
        actor=by,
        case=case,
        archival_code=row.archival_code,
        score=row.score,
        vetoed=row.vetoed,
        override=row.override_id,
        compiler=by.pk,
        checker=checker.pk,
        check=check.pk,
        items=r.casefile.item_count,
    )
    stages.advance(case, SEAL, by=by, archival_code=row.archival_code)
    volume_store_task.delay_on_commit(case.pk)  # the volume as sealed, rendered once (第二十八条)
    return row


def already_sealed(case: Case) -> str:
    """The Chinese message for an action on a case already sealed (a second tab's seal or
    arrangement POST): names the 档号 (第二十八条)."""
    row = Seal.objects.filter(case_id=case.pk).only("archival_code").first()
    return f"该案件已归档（档号 {row.archival_code}）。" if row is not None else "该案件已归档。"


def may_request_addendum(user: User, case: Case) -> bool:
    """An officer of the case or an archivist, on a sealed case."""
    return is_sealed(case) and (policy.is_officer_of(user, case) or policy.may_act(user, case, Role.ARCHIVIST))


@transaction.atomic
def addendum_request(*, case_id: int, by: User, title: str, text: str, scan: UploadedFile | None = None) -> Addendum:
    """A correction of a sealed file (第二十八条), as an addendum awaiting the head's approval:
    `title` (its 题名 in the 卷内目录, at most TITLE_MAX characters), `text` (the
    explanation, at most ADDENDUM_TEXT_MAX_LENGTH), an optional scan (a PDF or an image by
    content, within the size limit: linke.validators.validate_scan). Numbered from 1 per case
    (the request's number). TransitionError before sealing, for a missing or too long title or
    text or a refused scan; TransitionDenied for anyone but an officer of the case or an
    archivist. The heads who may sign it are notified (its decide page)."""
    case = stages.lock(case_id)
    if not is_sealed(case):
        raise TransitionError("案卷尚未归档，请直接在案件中更正记录。")
    if not may_request_addendum(by, case):
        raise TransitionDenied("无权申请补充材料：需由本案执法人员或档案管理员提出。")
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise TransitionError("请填写补充材料的题名。")
    if error := text_error(title, label="补充材料的题名") or text_error(text, label="补充材料的说明", multiline=True):
        raise TransitionError(error)
    if len(title) > TITLE_MAX:
        raise TransitionError(f"补充材料的题名不能超过{TITLE_MAX}字。")
    if not text:
        raise TransitionError("请填写补充材料的说明。")
    if len(text) > ADDENDUM_TEXT_MAX_LENGTH:
        raise TransitionError(f"补充材料的说明不能超过{ADDENDUM_TEXT_MAX_LENGTH}字。")
    try:
        validate_scan(scan)
    except ValidationError as exc:
        raise TransitionError("；".join(exc.messages)) from None
    same = pending_duplicate(case, by, title, text, scan)
    if same is not None:
        raise TransitionError(
            f"补充材料{same.number}（题名、说明{'、扫描件' if same.scan else ''}相同）已提交，正待机关负责人审批，"
            "未重复登记。"
        )
    number = (Addendum.objects.filter(case=case).aggregate(n=Max("number"))["n"] or 0) + 1
    row = Addendum(case=case, number=number, title=title, text=text, requested_by=by)
    if scan is not None:
        row.scan_name = fit(Addendum, "scan_name", (scan.name or "").rsplit("/", 1)[-1])
        row.scan_sha256 = _digest(scan)  # as uploaded: the export checks the stored scan against it
        row.scan.save(scan.name, scan, save=False)
    row.save()
    audit.record(
        row, AuditAction.ADDENDUM_REQUESTED, actor=by, case=case, number=number, title=title, scan=row.scan.name or ""
    )
    # The heads who may sign it (not handling the case) are told, as for other approvals (待我审批).
    notify(
        user_ids=[h.pk for h in heads_for(case)],
        text=f"待审批：{case.ref} 补充材料{number}“{title}”，{by}申请（第二十八条）",
        link=reverse("archive:addendum_decide", args=[row.pk]),
        dedupe_key=addendum_request_key(row.pk),
    )
    return row


def _digest(fh: Any) -> str:
    """The SHA-256 of a whole scan, left at its start for the next reader."""
    fh.seek(0)
    digest = verify_bag.stream_digests(fh, ("sha256",))["sha256"]
    fh.seek(0)
    return digest


def pending_duplicate(case: Case, by: User, title: str, text: str, scan: UploadedFile | None) -> Addendum | None:
    """The pending addendum of `case` that a new request would repeat (a double submission):
    the same requester, title and text (stripped), and a scan of the same SHA-256 content or
    no scan on both; None otherwise."""
    rows = Addendum.objects.filter(
        case_id=case.pk, requested_by=by, title=title, text=text, status=AddendumStatus.PENDING
    ).order_by("number")
    wanted = _digest(scan) if scan is not None else None
    for row in rows:
        if not row.scan:
            if wanted is None:
                return row
            continue
        if wanted is not None:
            with row.scan.storage.open(row.scan.name, "rb") as fh:
                if _digest(fh) == wanted:
                    return row
    return None


def scan_viewed_by(addendum: Addendum, by: User) -> bool:
    """Whether `by` has opened the addendum's scan (an archive.addendum_scan_viewed entry on
    the trail)."""
    return recorded(addendum, AuditAction.ADDENDUM_SCAN_VIEWED, actor=by)


def addendum_scan_viewed(*, addendum: Addendum, by: User) -> None:
    """Every read of an addendum's scan is on the trail (第二十九条), like a case attachment's."""
    audit.record(addendum, AuditAction.ADDENDUM_SCAN_VIEWED, actor=by, case=addendum.case_id, number=addendum.number)


def scan_problem(addendum: Addendum) -> str:
    """Why the stored scan of `addendum` cannot go into the sealed volume (the upload check,
    linke.validators.check_scan_content, run again on the stored bytes: a scan stored before
    that check, or a file changed in storage), in Chinese ending with "。"; "" when it opens."""
    try:
        with addendum.scan.storage.open(addendum.scan.name, "rb") as fh:
            data = fh.read()
        check_scan_content(data)
    except ValidationError as exc:
        return "".join(exc.messages)
    except OSError:
        return "扫描件文件无法读取。"
    return ""


@transaction.atomic
def addendum_decide(*, addendum_id: int, by: User, approve: bool, opinion: str) -> Addendum:
    """The head (not handling the case) approves or refuses a pending addendum with an opinion
    (an ADDENDUM sign-off, one round per addendum). An approved one is appended to the file after
    the sealed items; the sealed rows are not touched. TransitionError when not pending, and for
    an approval of an addendum with a scan that `by` has not opened (scan_viewed_by: the head
    approves what he has seen, 第二十八条), or with a scan that will not go into the volume
    (scan_problem: nothing is signed then); a refusal needs no reading."""
    case_id = Addendum.objects.values_list("case_id", flat=True).get(pk=addendum_id)
    case = stages.lock(case_id)
    row = Addendum.objects.select_for_update().get(pk=addendum_id)
    if row.status != AddendumStatus.PENDING:
        raise TransitionError(f"补充材料{row.number}已审批（{row.get_status_display()}），不能再次审批。")
    if approve and row.scan and not scan_viewed_by(row, by):
        raise TransitionError(f"请先查看补充材料{row.number}的扫描件，再批准。")
    if approve and row.scan and (problem := scan_problem(row)):
        # Refused before the sign-off: an approved addendum goes into the sealed volume, which a
        # scan that will not render would break for good (第二十八条).
        raise TransitionError(
            f"补充材料{row.number}的扫描件无法编入案卷，不能批准：{problem}请作出不予批准的决定，由申请人重新提交。"
        )
    signoff = signoffs.signoff_record(
        case=case,
        step=SignOffStep.ADDENDUM,
        level=Level.HEAD,
        by=by,
        outcome=SignOffOutcome.AGREE if approve else SignOffOutcome.REFUSE,
        opinion=opinion,
        round=signoffs.next_round(case, SignOffStep.ADDENDUM),
    )
    row.status = AddendumStatus.APPROVED if approve else AddendumStatus.REFUSED
    row.signoff = signoff
    row.save(update_fields=["status", "signoff"])
    action = AuditAction.ADDENDUM_APPROVED if approve else AuditAction.ADDENDUM_REFUSED
    audit.record(row, action, actor=by, case=case, number=row.number, signoff=signoff.pk)
    notifications_settle(dedupe_key=addendum_request_key(row.pk))  # decided: the other heads' 待审批 too
    if approve:  # the next version of the sealed volume; the earlier ones are kept
        volume_store_task.delay_on_commit(case.pk)
    return row
