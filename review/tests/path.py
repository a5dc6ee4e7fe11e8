"""The whole legal path of a penalty case in 审查中, shared by the review tests: what each part
of 第四章 requires before the case may leave 审查中 and be decided.

- 第十四条 / 《行政处罚法》第四十四、四十五、六十二条: a 事先告知书 matching the drafted penalty,
  served, and the party heard (here: an express written waiver);
- 《行政处罚法》第五十八条: the review sheet saved (by default with no situation ticked);
- 《行政处罚法》第五十七条第二款: a collective discussion where the penalty is heavy (settings).

Plain functions, not fixtures; a test about one of these steps leaves it out and calls the others."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.models import CaseKind
from review import defence
from review.legal import discussion_record, heavy_penalty, review_sheet_save
from review.models import Decision, DecisionOutcome, PenaltyKind
from review.models_defence import PenaltyNotice, WaiverForm

NOTICE = {
    "facts": "当事人在2025年度科技项目申报中提供虚假的研发费用材料，骗取项目资格。",
    "evidence": "1.询问笔录；2.现场检查笔录；3.抽样取证凭证；4.财务凭证复印件。",
    "basis": "《山东省科学技术奖励办法》第三十条第一款第（二）项",
    "kinds": [PenaltyKind.WARNING, PenaltyKind.FINE],
    "fine_yuan": Decimal("150000.00"),
    "confiscation_yuan": None,
    "content": "拟给予警告，并处罚款人民币壹拾伍万元整。",
}


def draft_of(case: Any) -> Decision | None:
    return Decision.objects.filter(case=case).first()


def notice_matching(case: Any, **overrides: Any) -> PenaltyNotice:
    """A 事先告知书 to the case's first party that announces exactly the drafted penalty (or the
    defence tests' NOTICE where nothing is drafted), issued by the case's officer."""
    draft = draft_of(case)
    data: dict[str, Any] = dict(NOTICE)
    if draft is not None and draft.outcome == DecisionOutcome.PENALTY:
        data.update(
            facts=draft.facts,
            evidence=draft.evidence,
            basis=draft.basis,
            kinds=list(draft.kinds),
            fine_yuan=draft.fine_yuan,
            confiscation_yuan=draft.confiscation_yuan,
            content=draft.content,
        )
    data.update(overrides)
    return defence.notice_issue(case_id=case.pk, by=case.created_by, party_id=case.parties.first().pk, **data)


def served(notice: PenaltyNotice) -> PenaltyNotice:
    """The notice served in person today through 第五章 delivery (review records the date)."""
    from delivery.tests.helpers import serve

    serve(notice.document, by=notice.case.created_by)
    notice.refresh_from_db()
    return notice


def waived(notice: PenaltyNotice) -> Any:
    return defence.defence_waive(
        notice_id=notice.pk,
        by=notice.case.created_by,
        received_on=notice.served_on,
        waiver_form=WaiverForm.WRITTEN,
        waiver_note="当事人书面声明放弃陈述、申辩，并签名确认。",
    )


def heard(case: Any, **overrides: Any) -> PenaltyNotice:
    """Notice issued, served today, defence expressly waived (第十四条; 《行政处罚法》第六十二条)."""
    notice = served(notice_matching(case, **overrides))
    waived(notice)
    return notice


def sheet_saved(case: Any, *situations: str, by: Any = None, **kw: Any) -> Any:
    """The 第五十八条 sheet answered (no situation: no mandatory 法制审核)."""
    return review_sheet_save(case_id=case.pk, by=by or case.created_by, situations=list(situations), **kw)


def discussed(case: Any, *, head: Any = None, outcome: str = DecisionOutcome.PENALTY) -> Any:
    """集体讨论 chaired by a head (第五十七条第二款), two opinions, deciding `outcome`."""
    head = head or UserFactory(roles=[Role.HEAD], last_name="周", first_name="局长")
    return discussion_record(
        case_id=case.pk,
        by=head,
        held_at=timezone.now(),
        place="临沂市科学技术局三楼会议室",
        chair=head,
        recorder="法规科 李明",
        outcome=outcome,
        conclusion="同意拟处理意见。",
        opinions=[
            (f"{head.last_name}{head.first_name}", "局长", "同意。"),
            ("王副局长", "副局长", "同意拟处理意见。"),
        ],
    )


def legal_path(case: Any, *, notice: bool = True, sheet: bool = True, head: Any = None) -> None:
    """Everything the notice, defence and legal-review parts require of a penalty case in 审查中
    besides the sign-offs: the party heard where a penalty is drafted (or nothing is drafted yet),
    the sheet saved, and the collective discussion when the drafted penalty is heavy. A licensing
    case needs none of it."""
    if case.kind != CaseKind.PENALTY:
        return
    draft = draft_of(case)
    if notice and (draft is None or draft.outcome == DecisionOutcome.PENALTY):
        heard(case)
    if sheet:
        sheet_saved(case)
    if draft is not None and heavy_penalty(draft):
        discussed(case, head=head)
