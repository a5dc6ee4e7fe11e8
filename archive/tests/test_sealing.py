"""Sealing (归档, 第二十八条): the archivist reviews the assembled file, fixes order and titles,
fills the 备考表 and seals; a veto (or anything missing) blocks it unless the head overrides with a
reason; sealing records 档号, score, who/when, meets ARCHIVE_FILE and is audited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from archive import sealing
from archive.casefile import MAIN, SUBSIDIARY, archival_code, assemble
from archive.models import TITLE_MAX, ItemArrangement, Seal
from archive.quality import case_score
from audit.models import Entry
from cases.models import CaseState, SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines.models import Deadline, DeadlineKind
from delivery import conclusion as co
from delivery.models import Ending
from delivery.tests.execution_helpers import NO_PENALTY, served_case
from documents.selectors import documents_of_case
from documents.services import document_render

pytestmark = pytest.mark.django_db
S = CaseState
BACK = {"description": "案卷材料齐全，排列有序。"}


def a_checker():
    """The 备考表's 检查人: a legal-affairs (法规科) user, not the archivist who compiles (one per
    test database)."""
    return User.objects.filter(username="checker1").first() or UserFactory(
        username="checker1", last_name="李", first_name="检查", roles=[Role.LEGAL_REVIEWER]
    )


def back(**changes):
    """seal()'s 备考表 argument: the description (BACK unless changed)."""
    return {**BACK, **changes}


CHECKED = "案卷材料齐全，排列有序，同意归档。"


def checked(case, by=None, *, agree=True, opinion=CHECKED):
    """The 检查人 (a_checker unless `by`) signs a check of the file as it is now."""
    digest = sealing.catalogue_digest(assemble(case))
    by = by or a_checker()
    sealing.volume_read(case=case, by=by, digest=digest, size=0)  # the 检查人 read the volume
    return sealing.check_sign(case_id=case.pk, by=by, agree=agree, opinion=opinion, digest=digest)


def seal_checked(case, *, by, **changes):
    """seal() by `by` with BACK (or `changes`), after a_checker's agreeing check of the file as it
    is now (signed unless one is current; none once the case left 已结案)."""
    case.refresh_from_db()
    if case.state == S.CONCLUDED and not sealing.check_of(case).agreed:
        checked(case)
    return sealing.seal(case_id=case.pk, by=by, **back(**changes))


def concluded_case(head):
    """A penalty case walked through review and delivery and concluded by `head` (nothing to
    execute): 已结案, its documents rendered, its ARCHIVE_FILE deadline open."""
    case = served_case(head, **NO_PENALTY)
    co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    for doc in documents_of_case(case):
        if not doc.is_final:
            document_render(document_id=doc.pk)
    case.refresh_from_db()
    assert case.state == S.CONCLUDED
    return case


def sealed_case(head, archivist):
    case = concluded_case(head)
    seal_checked(case, by=archivist, **back())
    case.refresh_from_db()
    assert case.state == S.ARCHIVED
    return case


def _veto(case):
    """One handling officer's assignment has no 执法证号 on record: the officers.certified veto
    fails (set below the services, which refuse such an assignment)."""
    type(case.assignments.first()).objects.filter(pk=case.assignments.first().pk).update(cert_no="")


def test_seal_records_the_code_score_who_when_meets_the_deadline_and_audits(head, archivist):
    case = concluded_case(head)
    review = sealing.review(case)
    assert review.blockers == [] and review.may_seal
    row = seal_checked(case, by=archivist, **back())
    case.refresh_from_db()
    assert case.state == S.ARCHIVED and case.archived_at is not None
    assert review.casefile.code == ""  # no 档号 before sealing
    assert row.archival_code == archival_code(case, 1) and row.archival_code.startswith("0001-XZZF·")
    assert (row.score, row.vetoed, row.override) == (case_score(case).score, False, None)
    checker = a_checker()
    assert (row.sealed_by, row.checked_by, row.description) == (archivist, checker, BACK["description"])
    assert (row.compiler, row.checker) == (archivist.display_name, "李检查")
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)
    assert deadline.met_at == row.sealed_at
    entry = Entry.objects.get(case_id=case.pk, action="archive.sealed")
    assert entry.data["archival_code"] == row.archival_code and entry.actor_id == archivist.pk
    assert Entry.objects.filter(case_id=case.pk, action="case.archive").exists()


def test_seal_refused_to_anyone_but_an_archivist_and_outside_the_concluded_stage(head, archivist):
    case = concluded_case(head)
    for who in (head, case.created_by):
        with pytest.raises(TransitionDenied):
            seal_checked(case, by=who)
    with pytest.raises(TransitionError, match="备考表"):
        seal_checked(case, by=archivist, **back(description=" "))
    seal_checked(case, by=archivist, **back())
    with pytest.raises(TransitionError, match="已归档"):
        seal_checked(case, by=archivist, **back())
    assert Seal.objects.count() == 1


def test_a_veto_blocks_sealing_and_the_heads_override_lets_it_through(head, archivist):
    case = concluded_case(head)
    _veto(case)
    review = sealing.review(case)
    assert review.score.vetoed and not review.may_seal
    assert any("否决项" in b and "执法证" in b for b in review.blockers)
    with pytest.raises(TransitionError, match="不能归档：否决项"):
        seal_checked(case, by=archivist, **back())
    case.refresh_from_db()
    assert case.state == S.CONCLUDED and not Seal.objects.exists()

    # Only a head not handling the case signs the override, and a refusal keeps the block.
    with pytest.raises(TransitionDenied):
        sealing.seal_override_sign(case_id=case.pk, by=archivist, agree=True, opinion="准予归档。")
    with pytest.raises(TransitionError, match="意见"):
        sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion=" ")
    sealing.seal_override_sign(case_id=case.pk, by=head, agree=False, opinion="先补正执法证信息。")
    assert not sealing.review(case).may_seal
    with pytest.raises(TransitionError):
        seal_checked(case, by=archivist, **back())

    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="执法证已核实有效，准予归档。")
    row = seal_checked(case, by=archivist, **back())
    signoff = SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).order_by("-round").first()
    assert signoff.outcome == SignOffOutcome.AGREE and row.override == signoff
    assert (row.score, row.vetoed) == (0, True)


def test_a_document_not_rendered_blocks_sealing(head, archivist):
    case = served_case(head, **NO_PENALTY)
    co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    review = sealing.review(case)
    assert any("尚未生成PDF" in b for b in review.blockers)
    with pytest.raises(TransitionError, match="尚未生成PDF"):
        seal_checked(case, by=archivist, **back())


def reversed_within_volumes(items):
    """Arrangement entries (key, position, "") that reverse each volume's items, 正卷 before 副卷."""
    entries = []
    for volume in dict.fromkeys(i.volume for i in items):
        keys = [sealing.key_of(i) for i in items if i.volume == volume and i.source is not None]
        entries += [(k, len(entries) + n, "") for n, k in enumerate(reversed(keys))]
    return entries


def test_the_archivist_fixes_order_and_titles(head, archivist):
    case = concluded_case(head)
    items = sealing.review(case).casefile.items
    keys = [sealing.key_of(i) for i in items]
    assert len(keys) >= 2
    entries = reversed_within_volumes(items)
    entries[0] = (entries[0][0], 0, "送达回证（当事人签收）")
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    after = sealing.review(case).casefile.items
    assert [sealing.key_of(i) for i in after] == [k for k, _, _ in entries]
    assert after[0].title == "送达回证（当事人签收）"
    assert [i.number for i in after] == list(range(1, len(after) + 1))
    assert Entry.objects.filter(case_id=case.pk, action="archive.arranged").exists()
    with pytest.raises(TransitionError, match="卷内没有"):
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=[("doc:999999", 1, "")])
    with pytest.raises(TransitionDenied):
        sealing.arrangement_save(case_id=case.pk, by=head, entries=[])
    seal_checked(case, by=archivist, **back())
    with pytest.raises(TransitionError):
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=[])
    assert ItemArrangement.objects.filter(case=case).count() == len(keys)


def test_every_item_has_its_own_key_and_the_whole_file_can_be_arranged(head, archivist, tmp_path):
    """The generated record pages (案件来源登记表, 案件审批表, …) render rows of several models
    whose primary keys overlap: each item still has its own arrangement key, so arranging the
    whole file is no IntegrityError (a 500 on the review page before)."""
    from .factories_export import concluded_case_with_records

    case = concluded_case_with_records(head, tmp_path)
    items = sealing.review(case).casefile.items
    keys = [sealing.key_of(i) for i in items if i.source is not None]
    assert any(k.startswith("rec:") for k in keys)
    assert len(keys) == len(set(keys))
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=reversed_within_volumes(items))
    assert ItemArrangement.objects.filter(case=case).count() == len(keys)
    after = sealing.review(case).casefile.items
    for volume in {i.volume for i in items}:
        before_keys = [sealing.key_of(i) for i in items if i.volume == volume]
        assert [sealing.key_of(i) for i in after if i.volume == volume] == list(reversed(before_keys))


def test_a_title_over_the_limit_is_refused_naming_the_item_never_cut(head, archivist):
    """Trial defect 6: a title over 200 characters was cut silently; it is refused, the item
    named, and nothing of the arrangement saved. The limit is the model field's."""
    case = concluded_case(head)
    items = sealing.review(case).casefile.items
    entries = [(sealing.key_of(i), i.number, "") for i in items if i.source is not None]
    assert ItemArrangement._meta.get_field("title").max_length == TITLE_MAX
    target = items[1]
    entries[1] = (entries[1][0], entries[1][1], "长" * (TITLE_MAX + 1))
    with pytest.raises(TransitionError) as exc:
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    assert f"第{target.number}件“{target.title}”的题名超过{TITLE_MAX}字（现为{TITLE_MAX + 1}字）" in str(exc.value)
    assert not ItemArrangement.objects.filter(case=case).exists()
    entries[1] = (entries[1][0], entries[1][1], " " + "长" * TITLE_MAX + " ")  # exactly the limit, trimmed
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    assert ItemArrangement.objects.get(case=case, key=entries[1][0]).title == "长" * TITLE_MAX


def test_moving_an_item_into_the_other_volume_is_refused_naming_it(head, archivist):
    """Trial defect 7: a position that put an item among the other volume's was ignored. The
    volume follows from the item's kind (ARCHIVE_VOLUME_ORDER), so such a move is refused, naming
    the item moved (not the ones it passed); ordering within a volume still works."""
    case = concluded_case(head)
    items = sealing.review(case).casefile.items
    main = [i for i in items if i.volume == MAIN]
    sub = [i for i in items if i.volume == SUBSIDIARY]
    assert len(main) >= 2 and sub, "the concluded case is expected to have both volumes"
    entries = [(sealing.key_of(i), i.number, "") for i in items]
    moved = main[0]
    entries[0] = (entries[0][0], len(items) + 5, "")  # the first 正卷 item after the whole 副卷
    with pytest.raises(TransitionError) as exc:
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    message = str(exc.value)
    assert f"第{moved.number}件“{moved.title}”属于正卷，不能按顺序排入副卷" in message
    assert all(f"第{i.number}件“" not in message for i in items if i is not moved)
    assert not ItemArrangement.objects.filter(case=case).exists()
    # A 副卷 item put first: named as moving into the 正卷.
    entries = [(sealing.key_of(i), i.number, "") for i in items]
    last = len(entries) - 1
    entries[last] = (entries[last][0], 0, "")
    with pytest.raises(TransitionError, match=f"第{sub[-1].number}件“.*”属于副卷，不能按顺序排入正卷"):
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    # Within its volume the same item moves freely.
    entries = [(sealing.key_of(i), i.number * 10, "") for i in items]
    entries[0] = (entries[0][0], len(main) * 10 + 5, "")  # after the other 正卷 items, before the 副卷
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    after = sealing.review(case).casefile.items
    assert sealing.key_of(after[len(main) - 1]) == sealing.key_of(moved)


def test_the_checker_is_another_active_archivist_reviewer_or_head(head, archivist, reviewer):
    """Trial defect 12: 立卷人 = 检查人 was accepted as two typed names. The 检查人 is who signed the
    agreeing check: an active archivist, 法规科 or head, never an officer, and never the 立卷人."""
    case = concluded_case(head)
    officer = case.created_by
    other_archivist = UserFactory(username="archivist2", roles=[Role.ARCHIVIST])
    gone = UserFactory(username="reviewer_gone", roles=[Role.LEGAL_REVIEWER], is_active=False)
    for who in (officer, gone):
        with pytest.raises(TransitionDenied, match="检查人"):
            checked(case, who)
    assert not SignOff.objects.filter(step=SignOffStep.ARCHIVE_CHECK).exists()
    checked(case, other_archivist)
    row = sealing.seal(case_id=case.pk, by=archivist, **back())
    assert (row.sealed_by, row.checked_by) == (archivist, other_archivist)
    assert (row.compiler, row.checker) == (archivist.display_name, other_archivist.display_name)
    # The database refuses the same person too (a write that bypasses seal()).
    with pytest.raises(IntegrityError), transaction.atomic():
        Seal.objects.filter(pk=row.pk).update(checked_by=archivist)
