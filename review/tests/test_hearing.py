"""第十五条: the hearing (《行政处罚法》第六十三至六十五条) — request period, 7-day notice, public or
closed, the chair (no investigator, a certificate), recusal, agents, the record and the report,
non-attendance, and 第六十五条 on the decision."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import SignOff, SignOffOutcome, SignOffStep
from cases.stages import TransitionDenied, TransitionError
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind
from delivery.tests.helpers import serve as deliver
from linke.clock import clock_at, on_day
from records.models import RecordKind
from records.tests.factories import make_record
from review import hearing
from review.checks import decision_refusals
from review.models import Decision, DecisionOutcome, PenaltyKind
from review.models_defence import Hearing, HearingStatus, RecordSignature
from review.tests import path
from review.tests.defence_helpers import (
    backdate,
    case_under_review,
    chair_user,
    heard_codes,
    issue,
    officer_of,
    pdf_text,
    schedule,
    serve,
)

pytestmark = pytest.mark.django_db


def _requested(case=None):
    case = case or case_under_review()
    notice = serve(issue(case))
    return hearing.hearing_request(
        notice_id=notice.pk, by=officer_of(case), requested_on=timezone.localdate(), request_form="书面申请"
    )


def _held_yesterday(h):
    """Set-up: the scheduled hearing took place yesterday (its notice a week before)."""
    yesterday = timezone.now() - dt.timedelta(days=1)
    Hearing.objects.filter(pk=h.pk).update(scheduled_at=yesterday.replace(hour=9, minute=0, second=0, microsecond=0))
    type(h.notice_document).objects.filter(pk=h.notice_document_id).update(
        issued_at=timezone.now() - dt.timedelta(days=10)
    )
    h.refresh_from_db()
    start = timezone.localtime(h.scheduled_at).replace(second=0, microsecond=0)
    return start, start + dt.timedelta(hours=1, minutes=30)


def _record(h, by, **over):
    start, end = _held_yesterday(h)
    case = h.notice.case
    data = {
        "started_at": start,
        "ended_at": end,
        "investigator_ids": [officer_of(case).pk],
        "party_attendees": "王建国（法定代表人）",
        "investigators_said": "调查人员陈述：当事人虚构研发费用，建议罚款十五万元。",
        "party_said": "当事人申辩：系会计差错，请求从轻。",
        "final_statements": "请求从轻处罚。",
        "signature": RecordSignature.SIGNED,
        "signature_note": "",
        "av_record_id": None,
        **over,
    }
    return hearing.hearing_record(hearing_id=h.pk, by=by, **data)


# --- the request -----------------------------------------------------------------------------------


def test_request_within_five_working_days_meets_the_period():
    h = _requested()
    assert h.status == HearingStatus.REQUESTED
    assert Deadline.objects.get(kind=DeadlineKind.HEARING_REQUEST, object_id=h.notice_id).met_at is not None
    assert Entry.objects.filter(action="review.hearing_requested", case_id=h.notice.case_id).exists()


def test_late_request_is_refused_with_the_last_day():
    case = case_under_review()
    notice = backdate(issue(case), 20)
    served = timezone.localdate() - dt.timedelta(days=15)
    serve(notice, served)
    last = add_working_days(served, 5).date
    with pytest.raises(TransitionError, match="第六十四条") as exc:
        hearing.hearing_request(
            notice_id=notice.pk, by=officer_of(case), requested_on=timezone.localdate(), request_form="书面申请"
        )
    assert f"{last.year}年{last.month}月{last.day}日届满" in str(exc.value)
    assert not Hearing.objects.exists()


def test_no_hearing_where_article_63_gives_none():
    case = case_under_review()
    notice = serve(issue(case, kinds=[PenaltyKind.WARNING], fine_yuan=None))
    with pytest.raises(TransitionError, match="第六十三条"):
        hearing.hearing_request(
            notice_id=notice.pk, by=officer_of(case), requested_on=timezone.localdate(), request_form="书面申请"
        )


# --- the hearing notice: 7 days, public, the chair ---------------------------------------------------


def test_hearing_notice_pdf_and_seven_working_days(django_capture_on_commit_callbacks):
    h = _requested()
    with django_capture_on_commit_callbacks(execute=True):
        h = schedule(h)
    assert h.status == HearingStatus.SCHEDULED and not h.short_notice_confirmed
    text = pdf_text(h.notice_document)
    for part in (
        "听证通知书",
        "临沂市华科新材料有限公司：",
        "三楼听证室",
        "公开举行",
        "鲁听证字第2024-0031号",
        "申请回避",
        "一至二人",
    ):
        assert part in text, part


def test_a_hearing_time_past_or_a_mistyped_year_is_refused():
    # linke.validators.ahead_error with settings.AHEAD_MAX_DAYS (a bound, not a legal period).
    h = _requested()
    past = timezone.now() - dt.timedelta(hours=1)
    far = timezone.now() + dt.timedelta(days=181)
    for when, message in ((past, "听证时间应晚于当前时间"), (far, "听证时间不能超过180日之后")):
        with pytest.raises(TransitionError, match=message):
            schedule(h, scheduled_at=when)
    h.refresh_from_db()
    assert h.status == HearingStatus.REQUESTED and h.scheduled_at is None


def test_short_notice_warns_and_needs_explicit_confirmation():
    h = _requested()
    soon = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(hearing.ShortNotice, match="第六十四条第（二）项") as exc:
        schedule(h, scheduled_at=soon)
    assert exc.value.earliest == add_working_days(timezone.localdate(), 7).date
    h.refresh_from_db()
    assert h.status == HearingStatus.REQUESTED
    h = schedule(h, scheduled_at=soon, confirm_short_notice=True)
    assert h.short_notice_confirmed


def test_closed_hearing_needs_one_of_the_three_reasons():
    h = _requested()
    with pytest.raises(TransitionError, match="第六十四条第（三）项"):
        schedule(h, public=False, closed_reason="")
    h = schedule(h, public=False, closed_reason="trade_secret")
    assert not h.public and h.closed_reason == "trade_secret"


def test_chair_needs_a_certificate_number():
    h = _requested()
    with pytest.raises(TransitionDenied, match="山东省行政执法监督条例第十一条"):
        schedule(h, chair_cert_no=" ")


def test_chair_who_investigated_is_refused():
    case = case_under_review()
    h = _requested(case)
    # An officer of the case.
    with pytest.raises(TransitionDenied, match="调查人员"):
        schedule(h, chair=officer_of(case))
    # Someone outside the case's officers who made or took part in one of its records.
    outsider = UserFactory(roles=[Role.OFFICER, Role.LEGAL_REVIEWER])
    make_record(RecordKind.OTHER, case=case, officers=[officer_of(case), outsider], finalise=True)
    with pytest.raises(TransitionDenied, match="调查人员"):
        schedule(h, chair=outsider)


# --- agents, recusal --------------------------------------------------------------------------------


def _agent(h, n: int, **over):
    data = {
        "name": f"代理人{n}",
        "id_number": "371302198001011239",
        "phone": "13800000000",
        "authority": "一般代理",
        **over,
    }
    return hearing.hearing_agent_add(hearing_id=h.pk, by=officer_of(h.notice.case), **data)


def test_one_or_two_agents_a_third_refused():
    h = _requested()
    _agent(h, 1)
    _agent(h, 2)
    with pytest.raises(TransitionError, match="一至二人"):
        _agent(h, 3)
    assert h.agents.count() == 2


def test_agent_identity_number_checked():
    h = _requested()
    with pytest.raises(TransitionError, match="居民身份证号码"):
        _agent(h, 1, id_number="371302198001011234")


def test_recusal_is_decided_by_the_head_with_reasons_and_blocks_the_record(head):
    h = schedule(_requested())
    case = h.notice.case
    r = hearing.hearing_recusal_request(
        hearing_id=h.pk,
        by=officer_of(case),
        target_id=h.chair_id,
        reason="主持人与当事人有亲属关系",
        requested_on=timezone.localdate(),
    )
    with pytest.raises(TransitionError, match="回避申请尚未决定"):
        _record(h, h.recorder)
    with pytest.raises(TransitionDenied):
        hearing.hearing_recusal_decide(recusal_id=r.pk, by=officer_of(case), granted=True, opinion="同意")
    r = hearing.hearing_recusal_decide(recusal_id=r.pk, by=head, granted=True, opinion="经核实确有亲属关系，同意回避。")
    row = SignOff.objects.get(pk=r.decision_id)
    assert (row.step, row.outcome, row.actor) == (SignOffStep.HEARING_RECUSAL, SignOffOutcome.AGREE, head)
    h.refresh_from_db()
    assert h.status == HearingStatus.REQUESTED  # scheduled again with another chair
    with pytest.raises(TransitionError, match="已被决定回避"):
        schedule(h, chair=h.chair)
    assert schedule(h).status == HearingStatus.SCHEDULED


# --- the record and the report ----------------------------------------------------------------------


def test_record_and_report_with_pdfs_complete_the_checklist(django_capture_on_commit_callbacks):
    case = case_under_review()
    h = _requested(case)
    _agent(h, 1)
    h = schedule(h)
    assert heard_codes(case) == [
        "review.defence",
        "review.hearing",
        "review.hearing_report",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        h = _record(h, h.recorder)
    assert h.status == HearingStatus.HELD
    text = pdf_text(h.record_document)
    for part in (
        "听证笔录",
        "三楼听证室",
        "陈主持",
        "刘记录",
        "王建国（法定代表人）",
        "代理人1",
        "虚构研发费用",
        "会计差错",
        "已核对并签名",
    ):
        assert part in text, part
    with pytest.raises(TransitionDenied, match="主持人"):
        hearing.hearing_report(hearing_id=h.pk, by=h.recorder, opinion="建议维持。")
    with django_capture_on_commit_callbacks(execute=True):
        h = hearing.hearing_report(hearing_id=h.pk, by=h.chair, opinion="事实清楚，证据充分，建议从轻罚款十万元。")
    text = pdf_text(h.report_document)
    for part in ("听证报告", "听证主持人意见", "建议从轻罚款十万元", h.record_document.number):
        assert part in text, part
    case.refresh_from_db()
    assert heard_codes(case) == []


@pytest.mark.parametrize(
    "over, match",
    [
        ({"party_said": ""}, "当事人的陈述、申辩和质证意见"),
        ({"investigators_said": " "}, "调查人员提出的违法事实"),
        ({"party_attendees": ""}, "当事人及出席人员"),
        ({"investigator_ids": []}, "出席听证的案件调查人员"),
        ({"signature": ""}, "笔录签字情况"),
        ({"signature": RecordSignature.REFUSED, "signature_note": ""}, "拒绝签字的"),
    ],
)
def test_record_elements_each_refused(over, match):
    h = schedule(_requested())
    with pytest.raises(TransitionError, match=match):
        _record(h, h.recorder, **over)


def test_record_times_validated():
    h = schedule(_requested())
    start, end = _held_yesterday(h)
    with pytest.raises(TransitionError, match="结束时间应晚于开始时间"):
        _record(h, h.recorder, ended_at=start - dt.timedelta(minutes=5))
    with pytest.raises(TransitionError, match="不能晚于当前时间"):
        _record(h, h.recorder, ended_at=timezone.now() + dt.timedelta(days=1))


def test_record_only_by_chair_or_recorder_and_investigators_are_case_officers():
    h = schedule(_requested())
    with pytest.raises(TransitionDenied):
        _record(h, officer_of(h.notice.case))
    with pytest.raises(TransitionError, match="本案承办人"):
        _record(h, h.recorder, investigator_ids=[chair_user().pk])


def test_refusal_to_sign_is_noted_in_the_record(django_capture_on_commit_callbacks):
    h = schedule(_requested())
    with django_capture_on_commit_callbacks(execute=True):
        h = _record(h, h.chair, signature=RecordSignature.REFUSED, signature_note="当事人拒绝签字，主持人注明。")
    assert "拒绝签字" in pdf_text(h.record_document)


def test_absence_waives_the_hearing_only_once_its_time_has_come():
    h = schedule(_requested())
    with pytest.raises(TransitionError, match="听证时间未到"):
        hearing.hearing_absent(hearing_id=h.pk, by=h.chair, note="当事人无正当理由未到场。")
    _held_yesterday(h)
    h = hearing.hearing_absent(hearing_id=h.pk, by=h.chair, note="当事人无正当理由未到场。")
    assert h.status == HearingStatus.ABSENT
    case = h.notice.case
    assert heard_codes(case) == []


# --- decision checks: 第六十二条 (requested hearing held) and 第六十五条 (cites the record) -------------


def _decision(case, **kw):
    data = {"outcome": DecisionOutcome.PENALTY, "kinds": [PenaltyKind.FINE], "fine_yuan": 100000}
    return Decision(case=case, drafted_by=officer_of(case), **{**data, **kw})


def test_art_62_a_requested_hearing_must_be_held_before_deciding():
    h = schedule(_requested())
    case = h.notice.case
    assert any("听证尚未举行" in r for r in decision_refusals(case, _decision(case)))


def test_art_65_the_decision_cites_the_hearing_record():
    h = schedule(_requested())
    case = h.notice.case
    path.discussed(case)  # the 150,000 yuan fine is heavy (第五十七条第二款): not the subject here
    h = _record(h, h.recorder)
    hearing.hearing_report(hearing_id=h.pk, by=h.chair, opinion="建议从轻。")
    refusals = decision_refusals(case, _decision(case, facts="当事人虚构研发费用。"))
    assert refusals == [
        "《行政处罚法》第六十五条：听证结束后应当根据听证笔录作出决定，决定的事实、证据或依据中应写明听证笔录。"
    ]
    cited = _decision(case, facts="当事人虚构研发费用。", evidence=f"听证笔录（{h.record_document.number}）")
    assert decision_refusals(case, cited) == []


# --- the AV record of the hearing, withdrawal, a new notice ------------------------------------------


def test_record_links_an_av_record_of_the_case_only():
    from avrecords.models import AVRecord

    h = schedule(_requested())
    case = h.notice.case
    elsewhere = AVRecord.objects.create(case=case_under_review(), filename="other.mp4")
    with pytest.raises(TransitionError, match="不属于本案"):
        _record(h, h.recorder, av_record_id=elsewhere.pk)
    own = AVRecord.objects.create(case=case, filename="hearing.mp4")
    assert _record(h, h.recorder, av_record_id=own.pk).av_record == own


def test_withdrawn_request_leaves_the_defence_to_be_recorded():
    h = schedule(_requested())
    case = h.notice.case
    with pytest.raises(TransitionError, match="撤回听证申请的情况"):
        hearing.hearing_withdraw(hearing_id=h.pk, by=officer_of(case), note="")
    h = hearing.hearing_withdraw(hearing_id=h.pk, by=officer_of(case), note="当事人提交书面撤回申请并签名。")
    assert h.status == HearingStatus.WITHDRAWN
    assert heard_codes(case) == ["review.defence"]


def test_a_new_notice_replaces_the_earlier_and_closes_its_periods():
    case = case_under_review()
    first = serve(issue(case))
    assert Deadline.objects.filter(object_id=first.pk, met_at__isnull=True).count() == 2
    second = issue(case, fine_yuan=120000, content="拟给予警告，并处罚款人民币壹拾贰万元整。")
    assert Deadline.objects.filter(object_id=first.pk, met_at__isnull=True).count() == 0
    with pytest.raises(TransitionError, match="已被新的告知书取代"):
        hearing.hearing_request(
            notice_id=first.pk, by=officer_of(case), requested_on=timezone.localdate(), request_form="书面申请"
        )
    assert hearing.hearing_for(case) is None and second.served_on is None


# --- the hearing notice served through 第五章 delivery (第十五条) ---------------------------------------


def _hold(h, by):
    """hearing_record on the scheduled day (the clock set to that morning)."""
    start = timezone.localtime(h.scheduled_at)
    with clock_at(start + dt.timedelta(hours=2)):
        return hearing.hearing_record(
            hearing_id=h.pk,
            by=by,
            started_at=start,
            ended_at=start + dt.timedelta(hours=1),
            investigator_ids=[officer_of(h.notice.case).pk],
            party_attendees="王建国（法定代表人）",
            investigators_said="调查人员陈述违法事实和证据。",
            party_said="当事人申辩。",
            final_statements="",
            signature=RecordSignature.SIGNED,
            signature_note="",
            av_record_id=None,
        )


def test_hearing_notice_service_date_comes_from_delivery_and_the_seven_days_count_from_it(client):
    """《行政处罚法》第六十四条第（二）项: scheduled 8 working days ahead five days ago, but served only
    today — less than 7 working days before the hearing: it cannot be held then; a new time and a
    new notice served in time."""
    with clock_at(on_day(timezone.localdate() - dt.timedelta(days=5))):
        h = _requested()
        h = schedule(h)
    assert h.notice_served_on is None
    deliver(h.notice_document, by=officer_of(h.notice.case))
    h.refresh_from_db()
    assert h.notice_served_on == timezone.localdate()
    assert hearing.short_notice(h) and not h.short_notice_confirmed
    entry = Entry.objects.get(action="review.hearing_notice_served", object_id=str(h.pk))
    assert entry.data["short_notice"] is True
    with pytest.raises(TransitionError, match="第六十四条第（二）项：听证通知书于.*送达，距听证不足7个工作日"):
        _hold(h, h.chair)
    h.refresh_from_db()
    assert h.status == HearingStatus.SCHEDULED
    client.force_login(officer_of(h.notice.case))
    page = client.get(f"/review/case/{h.notice.case_id}/defence/").content.decode()
    assert 'id="act-schedule"' in page  # the page offers a new time
    first = h.notice_document_id
    h = schedule(h, chair=h.chair, recorder=h.recorder)  # a new time, a new notice
    assert h.notice_document_id != first and h.notice_served_on is None
    deliver(h.notice_document, by=officer_of(h.notice.case))
    h.refresh_from_db()
    assert not hearing.short_notice(h)
    assert _hold(h, h.chair).status == HearingStatus.HELD


def test_hearing_notice_served_after_the_hearing_day_is_refused():
    h = schedule(_requested())
    h.refresh_from_db()
    Hearing.objects.filter(pk=h.pk).update(scheduled_at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(TransitionError, match="晚于听证日期"):
        deliver(h.notice_document, by=officer_of(h.notice.case))
    h.refresh_from_db()
    assert h.notice_served_on is None
