"""The decision period (issue 14 item 6): 《行政处罚法》第六十条 extended with the head's approval;
《行政许可法》第四十二条 +10 working days; 第四十五条 excluded time moving the due date by the
interval's working days (the official calendar: 2026's Mid-Autumn and National Day holidays)."""

import datetime as dt

import pytest

from audit.models import Entry
from cases.models import SignOff, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from cases.tests.pages import section_html
from deadlines.models import Deadline, DeadlineKind
from deadlines.services import deadline_open, deadlines_recompute, local_date
from review.models import ExcludedInterval, ExclusionKind, PeriodExtension
from review.periods import period_exclude, period_extend_licensing, period_extend_penalty, working_days_between

from .legal_helpers import at, licensing_case, penalty_case

pytestmark = pytest.mark.django_db


def _penalty_with_period(start=dt.date(2026, 6, 1)):
    # As deadlines.signals opens it at 立案 (《行政处罚法》第六十条), from a fixed day.
    case = penalty_case()
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="行政处罚决定（立案之日起九十日内）",
        start=at(start),
        days=90,
        responsible=case.officers.all(),
    )
    return case


def _licensing_with_period(start=dt.date(2026, 9, 14)):
    # As deadlines.signals opens it at 受理 (《行政许可法》第四十二条), from a fixed day.
    case = licensing_case()
    deadline_open(
        case=case,
        kind=DeadlineKind.LICENSING_DECISION,
        article="《行政许可法》第四十二条",
        label="行政许可决定（受理之日起二十个工作日内）",
        start=at(start),
        working_days=20,
        responsible=case.officers.all(),
    )
    return case


def _due(case, kind):
    return local_date(Deadline.objects.get(case=case, kind=kind).due)


def test_penalty_extension_with_the_heads_approval(head):
    case = _penalty_with_period()
    # 2026-06-01 + 90 days = 2026-08-30, a Sunday: the period ends on Monday (第八十五条).
    assert _due(case, DeadlineKind.PENALTY_DECISION) == dt.date(2026, 8, 31)
    ext = period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 9, 30), reason="案情复杂，需补充鉴定。")
    assert _due(case, DeadlineKind.PENALTY_DECISION) == dt.date(2026, 9, 30)
    assert local_date(ext.old_due) == dt.date(2026, 8, 31) and local_date(ext.new_due) == dt.date(2026, 9, 30)
    row = SignOff.objects.get(pk=ext.signoff_id)
    assert (row.step, row.level, row.actor) == (SignOffStep.PERIOD_EXTENSION, "head", head)
    assert Entry.objects.filter(action="deadline.extended", case_id=case.pk).count() == 1
    assert Entry.objects.filter(action="review.period_extended", case_id=case.pk).count() == 1
    # A calendar recomputation keeps the extension (the new length is stored).
    deadlines_recompute(dates=[dt.date(2026, 9, 30)])
    assert _due(case, DeadlineKind.PENALTY_DECISION) == dt.date(2026, 9, 30)
    # A second extension is its own request (a new round of the step).
    ext2 = period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 10, 3), reason="鉴定未完成。")
    # 10-03 falls in the National Day holiday: the period ends on the next working day.
    assert local_date(ext2.new_due) == dt.date(2026, 10, 8)
    assert ext2.signoff.round == ext.signoff.round + 1


def test_penalty_extension_refused_without_the_head(head):
    case = _penalty_with_period()
    for who in (case.created_by,):
        with pytest.raises(TransitionDenied, match="机关负责人"):
            period_extend_penalty(case_id=case.pk, by=who, new_due=dt.date(2026, 9, 30), reason="理由")
    with pytest.raises(TransitionError, match="理由"):
        period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 9, 30), reason=" ")
    with pytest.raises(TransitionError, match="应晚于当前届满日"):
        period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 8, 31), reason="理由")
    assert _due(case, DeadlineKind.PENALTY_DECISION) == dt.date(2026, 8, 31)
    assert not PeriodExtension.objects.exists()
    assert not SignOff.objects.filter(step=SignOffStep.PERIOD_EXTENSION).exists()


def test_licensing_plus_ten_working_days_once(head):
    case = _licensing_with_period()
    # 20 working days after 2026-09-14, across 中秋 (09-25) and 国庆 (10-01..07, 10-10 worked).
    assert _due(case, DeadlineKind.LICENSING_DECISION) == dt.date(2026, 10, 16)
    with pytest.raises(TransitionError, match="告知申请人"):
        period_extend_licensing(case_id=case.pk, by=head, reason="需现场核查。", applicant_told=False)
    with pytest.raises(TransitionDenied, match="负责人"):
        period_extend_licensing(case_id=case.pk, by=case.created_by, reason="需现场核查。", applicant_told=True)
    ext = period_extend_licensing(case_id=case.pk, by=head, reason="需现场核查。", applicant_told=True)
    assert _due(case, DeadlineKind.LICENSING_DECISION) == dt.date(2026, 10, 30)
    assert ext.applicant_told and Deadline.objects.get(case=case).working_days == 30
    with pytest.raises(TransitionError, match="只能延长十日"):
        period_extend_licensing(case_id=case.pk, by=head, reason="再延长。", applicant_told=True)


def test_excluded_time_moves_the_due_date_by_its_working_days():
    case = _licensing_with_period()
    officer = case.created_by
    # 09-24 (Thu) .. 10-09 (Fri): 16 calendar days, of them working days 09-24, 28, 29, 30,
    # 10-08, 10-09 = 6 (中秋 09-25, a weekend, 国庆 10-01..07 are not).
    assert working_days_between(dt.date(2026, 9, 24), dt.date(2026, 10, 9)) == 6
    row = period_exclude(
        case_id=case.pk,
        by=officer,
        kind=ExclusionKind.APPRAISAL,
        start=dt.date(2026, 9, 24),
        end=dt.date(2026, 10, 9),
        told_in_writing_on=dt.date(2026, 9, 23),
    )
    assert row.working_days == 6
    # 10-16 moved by 6 working days: 10-19, 20, 21, 22, 23, 26.
    assert _due(case, DeadlineKind.LICENSING_DECISION) == dt.date(2026, 10, 26)
    assert Entry.objects.filter(action="review.period_excluded", case_id=case.pk).get().data["working_days"] == 6


def test_excluded_time_refusals(head):
    case = _licensing_with_period()
    officer = case.created_by
    base = {
        "case_id": case.pk,
        "by": officer,
        "kind": ExclusionKind.TESTING,
        "told_in_writing_on": dt.date(2026, 9, 20),
    }
    with pytest.raises(TransitionError, match="书面告知"):
        period_exclude(**{**base, "told_in_writing_on": None}, start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 22))
    with pytest.raises(TransitionError, match="不能早于开始日期"):
        period_exclude(**base, start=dt.date(2026, 9, 22), end=dt.date(2026, 9, 21))
    with pytest.raises(TransitionError, match="晚于今天"):
        period_exclude(**base, start=dt.date(2026, 9, 22), end=dt.date.today() + dt.timedelta(days=3))
    with pytest.raises(TransitionDenied):
        period_exclude(**{**base, "by": head}, start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 22))
    period_exclude(**base, start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 22))
    with pytest.raises(TransitionError, match="重叠"):
        period_exclude(**base, start=dt.date(2026, 9, 22), end=dt.date(2026, 9, 23))
    assert ExcludedInterval.objects.count() == 1
    penalty = _penalty_with_period()
    with pytest.raises(TransitionError, match="仅适用于行政许可"):
        period_exclude(**{**base, "case_id": penalty.pk}, start=dt.date(2026, 9, 21), end=dt.date(2026, 9, 22))


def test_case_page_shows_the_period_and_its_history(client, head):
    case = _penalty_with_period()
    period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 9, 30), reason="案情复杂，需补充鉴定。")
    client.force_login(case.created_by)
    html = section_html(client, case, "review")
    assert 'data-panel="review_periods"' in html
    assert "2026-09-30" in html and "案情复杂，需补充鉴定。" in html and "2026-08-31" in html
    # The officer is offered no extension; the head is.
    assert "延长办理期限（负责人批准）" not in html
    client.force_login(head)
    assert "延长办理期限（负责人批准）" in section_html(client, case, "review")


def test_extension_form_keeps_input_on_refusal(client, head):
    case = _penalty_with_period()
    client.force_login(head)
    url = f"/review/case/{case.pk}/period/extend/"
    resp = client.post(url, {"new_due": "2026-08-01", "reason": "需要补充调查的理由"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "应晚于当前届满日" in html and "需要补充调查的理由" in html
    resp = client.post(url, {"new_due": "2026-09-30", "reason": "需要补充调查的理由"})
    assert resp.status_code == 302 and _due(case, DeadlineKind.PENALTY_DECISION) == dt.date(2026, 9, 30)


def test_outsider_gets_404(client, officer):
    case = _penalty_with_period()  # officer belongs to another department
    client.force_login(officer)
    for url in (f"/review/case/{case.pk}/period/extend/", f"/review/case/{case.pk}/period/exclude/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x"}).status_code == 404


def test_deadline_extend_keeps_the_unit_and_never_shortens():
    from deadlines.services import deadline_extend

    case = _licensing_with_period()
    with pytest.raises(ValueError, match="unit"):
        deadline_extend(case=case, kind=DeadlineKind.LICENSING_DECISION, by=None, reason="x", days=40)
    with pytest.raises(ValueError, match="shorten"):
        deadline_extend(case=case, kind=DeadlineKind.LICENSING_DECISION, by=None, reason="x", working_days=19)
    assert _due(case, DeadlineKind.LICENSING_DECISION) == dt.date(2026, 10, 16)


def test_licensing_case_page_offers_excluded_time_to_its_officers(client, head):
    case = _licensing_with_period()
    period_exclude(
        case_id=case.pk,
        by=case.created_by,
        kind=ExclusionKind.EXPERT_REVIEW,
        start=dt.date(2026, 9, 28),
        end=dt.date(2026, 9, 29),
        told_in_writing_on=dt.date(2026, 9, 27),
    )
    client.force_login(case.created_by)
    html = section_html(client, case, "review")
    assert "记录不计入期限的时间" in html and "专家评审 2026-09-28至2026-09-29" in html and "顺延 2 个工作日" in html
    assert "2026-10-20" in html  # 10-16 moved by two working days


def test_the_queue_row_follows_the_period(reviewer, head):
    # The queues sort by a copy of the due time (review_round_waiting): an extension, excluded
    # time and a calendar change re-sort them.
    from review import selectors

    from .test_core import in_review

    case = in_review()
    assert selectors.queue_for(reviewer).get(case_id=case.pk).due is None
    deadline_open(
        case=case,
        kind=DeadlineKind.PENALTY_DECISION,
        article="《行政处罚法》第六十条",
        label="行政处罚决定（立案之日起九十日内）",
        start=at(dt.date(2026, 6, 1)),
        days=90,
    )
    row = selectors.queue_for(reviewer).get(case_id=case.pk)
    assert local_date(row.due) == dt.date(2026, 8, 31)
    period_extend_penalty(case_id=case.pk, by=head, new_due=dt.date(2026, 9, 30), reason="案情复杂，需补充鉴定。")
    row = selectors.queue_for(reviewer).get(case_id=case.pk)
    assert local_date(row.due) == dt.date(2026, 9, 30)
    assert row.due == Deadline.objects.get(case=case, kind=DeadlineKind.PENALTY_DECISION).due


def test_excluded_time_told_before_the_acceptance_is_refused():
    # Accepted 2026-09-14: the applicant cannot have been told of the time needed on 09-10.
    case = _licensing_with_period()
    with pytest.raises(TransitionError, match="书面告知日期：日期不能早于受理日期（2026-09-14）"):
        period_exclude(
            case_id=case.pk,
            by=case.created_by,
            kind=ExclusionKind.TESTING,
            start=dt.date(2026, 9, 21),
            end=dt.date(2026, 9, 22),
            told_in_writing_on=dt.date(2026, 9, 10),
        )
    assert not ExcludedInterval.objects.exists()
