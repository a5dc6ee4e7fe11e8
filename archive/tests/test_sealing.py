"""Sealing (归档, 第二十八条): the archivist reviews the assembled file, fixes order and titles,
fills the 备考表 and seals; a veto (or anything missing) blocks it unless the head overrides with a
reason; sealing records 档号, score, who/when, meets ARCHIVE_FILE and is audited."""

from __future__ import annotations

import pytest

from archive import sealing
from archive.models import ItemArrangement, Seal
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
BACK = {"description": "案卷材料齐全，排列有序。", "compiler": "王立卷", "checker": "李检查"}


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
    sealing.seal(case_id=case.pk, by=archivist, **BACK)
    case.refresh_from_db()
    assert case.state == S.ARCHIVED
    return case


def _veto(case):
    """One handling officer loses the 执法证号 on record: the officers.certified veto fails."""
    officer = case.assignments.first().officer
    type(officer).objects.filter(pk=officer.pk).update(cert_no=None)


def test_seal_records_the_code_score_who_when_meets_the_deadline_and_audits(head, archivist):
    case = concluded_case(head)
    review = sealing.review(case)
    assert review.blockers == [] and review.may_seal
    row = sealing.seal(case_id=case.pk, by=archivist, **BACK)
    case.refresh_from_db()
    assert case.state == S.ARCHIVED and case.archived_at is not None
    assert row.archival_code == review.casefile.code and row.archival_code.startswith("0001-XZZF·")
    assert (row.score, row.vetoed, row.override) == (case_score(case).score, False, None)
    assert (row.sealed_by, row.description, row.compiler, row.checker) == (archivist, *BACK.values())
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.ARCHIVE_FILE)
    assert deadline.met_at == row.sealed_at
    entry = Entry.objects.get(case_id=case.pk, action="archive.sealed")
    assert entry.data["archival_code"] == row.archival_code and entry.actor_id == archivist.pk
    assert Entry.objects.filter(case_id=case.pk, action="case.archive").exists()


def test_seal_refused_to_anyone_but_an_archivist_and_outside_the_concluded_stage(head, archivist):
    case = concluded_case(head)
    for who in (head, case.created_by):
        with pytest.raises(TransitionDenied):
            sealing.seal(case_id=case.pk, by=who, **BACK)
    with pytest.raises(TransitionError, match="备考表"):
        sealing.seal(case_id=case.pk, by=archivist, **{**BACK, "checker": " "})
    sealing.seal(case_id=case.pk, by=archivist, **BACK)
    with pytest.raises(TransitionError, match="已归档"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)
    assert Seal.objects.count() == 1


def test_a_veto_blocks_sealing_and_the_heads_override_lets_it_through(head, archivist):
    case = concluded_case(head)
    _veto(case)
    review = sealing.review(case)
    assert review.score.vetoed and not review.may_seal
    assert any("否决项" in b and "执法证" in b for b in review.blockers)
    with pytest.raises(TransitionError, match="不能归档：否决项"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)
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
        sealing.seal(case_id=case.pk, by=archivist, **BACK)

    sealing.seal_override_sign(case_id=case.pk, by=head, agree=True, opinion="执法证已核实有效，准予归档。")
    row = sealing.seal(case_id=case.pk, by=archivist, **BACK)
    signoff = SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).order_by("-round").first()
    assert signoff.outcome == SignOffOutcome.AGREE and row.override == signoff
    assert (row.score, row.vetoed) == (0, True)


def test_a_document_not_rendered_blocks_sealing(head, archivist):
    case = served_case(head, **NO_PENALTY)
    co.conclude(case_id=case.pk, by=head, ending=Ending.NOTHING, opinion="同意结案。")
    review = sealing.review(case)
    assert any("尚未生成PDF" in b for b in review.blockers)
    with pytest.raises(TransitionError, match="尚未生成PDF"):
        sealing.seal(case_id=case.pk, by=archivist, **BACK)


def test_the_archivist_fixes_order_and_titles(head, archivist):
    case = concluded_case(head)
    items = sealing.review(case).casefile.items
    keys = [sealing.key_of(i) for i in items]
    assert len(keys) >= 2
    entries = [(k, n, "") for n, k in enumerate(reversed(keys))]
    entries[0] = (entries[0][0], 0, "送达回证（当事人签收）")
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=entries)
    after = sealing.review(case).casefile.items
    same_volume = all(i.volume == items[0].volume for i in items)
    if same_volume:
        assert [sealing.key_of(i) for i in after] == list(reversed(keys))
    assert after[0].title == "送达回证（当事人签收）" or not same_volume
    assert [i.number for i in after] == list(range(1, len(after) + 1))
    assert Entry.objects.filter(case_id=case.pk, action="archive.arranged").exists()
    with pytest.raises(TransitionError, match="卷内没有"):
        sealing.arrangement_save(case_id=case.pk, by=archivist, entries=[("doc:999999", 1, "")])
    with pytest.raises(TransitionDenied):
        sealing.arrangement_save(case_id=case.pk, by=head, entries=[])
    sealing.seal(case_id=case.pk, by=archivist, **BACK)
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
    sealing.arrangement_save(case_id=case.pk, by=archivist, entries=[(k, n, "") for n, k in enumerate(reversed(keys))])
    assert ItemArrangement.objects.filter(case=case).count() == len(keys)
    after = sealing.review(case).casefile.items
    for volume in {i.volume for i in items}:
        before_keys = [sealing.key_of(i) for i in items if i.volume == volume]
        assert [sealing.key_of(i) for i in after if i.volume == volume] == list(reversed(before_keys))
