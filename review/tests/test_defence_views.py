"""The notice, defence and hearing page and panel: 404 outside the case, actions offered to who
may take them, a refusal shown next to the form with what was typed, the 7-day warning."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from cases.tests.pages import section_html
from review.models_defence import Hearing, HearingStatus, PenaltyNotice
from review.tests.defence_helpers import NOTICE, case_under_review, chair_user, far_enough, issue, officer_of, serve

pytestmark = pytest.mark.django_db


def _url(case, key=None):
    if key is None:
        return reverse("review:defence", args=[case.pk])
    return reverse("review:defence_act", args=[case.pk, key])


def _notice_post(case, **over):
    data = {
        "party": case.parties.first().pk,
        "facts": NOTICE["facts"],
        "evidence": NOTICE["evidence"],
        "basis": NOTICE["basis"],
        "kinds": ["warning", "fine"],
        "fine_yuan": "150000",
        "confiscation_yuan": "",
        "content": NOTICE["content"],
    }
    data.update(over)
    return data


def _requested(case):
    """The case's notice issued and served, and a hearing requested today."""
    return Hearing.objects.create(
        notice=serve(issue(case)),
        requested_on=timezone.localdate(),
        request_form="书面申请",
        requested_recorded_by=officer_of(case),
    )


def test_outsiders_get_404_on_page_and_actions(client):
    case = case_under_review()
    stranger = UserFactory(roles=[Role.OFFICER])
    client.force_login(stranger)
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case, "notice"), _notice_post(case)).status_code == 404
    assert not PenaltyNotice.objects.exists()


def test_officer_issues_the_notice_from_the_page(client):
    case = case_under_review()
    client.force_login(officer_of(case))
    page = client.get(_url(case)).content.decode()
    assert "制作行政处罚事先告知书" in page
    resp = client.post(_url(case, "notice"), _notice_post(case))
    assert resp.status_code == 302
    notice = PenaltyNotice.objects.get(case=case)
    assert notice.fine_yuan == 150000 and notice.hearing_right
    # The next step, serving it through 第五章 delivery, is linked on the page and the case page's panel.
    delivery_url = f"/delivery/case/{case.pk}/"
    for page in (client.get(_url(case)).content.decode(), section_html(client, case, "review")):
        assert "登记告知书的送达" in page and delivery_url in page


def test_missing_element_shows_next_to_the_field_and_keeps_what_was_typed(client):
    case = case_under_review()
    client.force_login(officer_of(case))
    resp = client.post(_url(case, "notice"), _notice_post(case, evidence="", facts="当事人虚构研发费用（已输入）"))
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "此项为必填项" in html and "当事人虚构研发费用（已输入）" in html
    resp = client.post(_url(case, "notice"), _notice_post(case, fine_yuan=""))
    assert "请填写拟罚款金额" in resp.content.decode()
    assert not PenaltyNotice.objects.exists()


def test_reviewer_sees_the_page_but_no_officer_action(client, reviewer):
    case = case_under_review()
    client.force_login(reviewer)
    page = client.get(_url(case)).content.decode()
    assert "您现在没有可进行的操作" in page
    resp = client.post(_url(case, "notice"), _notice_post(case))
    assert resp.status_code == 302 and not PenaltyNotice.objects.exists()


def test_short_notice_warning_is_visible_and_needs_the_tick(client):
    case = case_under_review()
    _requested(case)
    chair, recorder = chair_user(), UserFactory(roles=[Role.LEGAL_REVIEWER])
    soon = timezone.localtime(timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "scheduled_at": soon,
        "place": "听证室",
        "public": "on",
        "chair": chair.pk,
        "chair_cert_no": "鲁听证字第1号",
        "recorder": recorder.pk,
    }
    client.force_login(officer_of(case))
    resp = client.post(_url(case, "schedule"), data)
    html = resp.content.decode()
    assert resp.status_code == 400 and 'data-warning="short-notice"' in html and "7日（工作日）前" in html
    assert Hearing.objects.get().status == HearingStatus.REQUESTED
    resp = client.post(_url(case, "schedule"), {**data, "confirm_short_notice": "on"})
    assert resp.status_code == 302
    assert Hearing.objects.get().short_notice_confirmed


def test_chair_without_certificate_refused_on_the_form(client):
    case = case_under_review()
    _requested(case)
    client.force_login(officer_of(case))
    resp = client.post(
        _url(case, "schedule"),
        {
            "scheduled_at": far_enough().strftime("%Y-%m-%dT%H:%M"),
            "place": "听证室",
            "public": "on",
            "chair": chair_user().pk,
            "chair_cert_no": "",
            "recorder": officer_of(case).pk,
        },
    )
    assert resp.status_code == 400 and "此项为必填项" in resp.content.decode()


def test_head_decides_the_pending_recusal_on_the_page(client, head):
    from review import hearing
    from review.tests.defence_helpers import schedule

    case = case_under_review()
    notice = serve(issue(case))
    h = hearing.hearing_request(
        notice_id=notice.pk, by=officer_of(case), requested_on=timezone.localdate(), request_form="书面申请"
    )
    h = schedule(h)
    r = hearing.hearing_recusal_request(
        hearing_id=h.pk,
        by=officer_of(case),
        target_id=h.recorder_id,
        reason="记录员系当事人近亲属",
        requested_on=timezone.localdate(),
    )
    client.force_login(officer_of(case))
    assert "决定回避申请" not in client.get(_url(case)).content.decode()
    client.force_login(head)
    assert "决定回避申请" in client.get(_url(case)).content.decode()
    resp = client.post(_url(case, "recusal_decide"), {"recusal": 0, "granted": "no", "opinion": ""})
    assert resp.status_code == 400 and "此项为必填项" in resp.content.decode()
    resp = client.post(
        _url(case, "recusal_decide"), {"recusal": 0, "granted": "no", "opinion": "理由不成立，不予回避。"}
    )
    assert resp.status_code == 302
    r.refresh_from_db()
    assert r.granted is False and r.decision.actor == head


@pytest.mark.parametrize(
    "key,data,reason",
    [
        ("lapse", {}, "第十四条：本案尚未制作行政处罚事先告知书"),
        ("report", {"opinion": "建议维持拟处罚意见。"}, "第十五条：本案没有听证申请"),
        (
            "recusal_decide",
            {"recusal": "1", "granted": "yes", "opinion": "同意回避。"},
            "第十五条：没有待决定的回避申请",
        ),
    ],
)
def test_action_posted_out_of_turn_is_refused_in_chinese_not_500(client, key, data, reason):
    # No notice, no hearing, no recusal yet: a hand-made POST is refused with a reason.
    case = case_under_review()
    client.force_login(officer_of(case))
    resp = client.post(_url(case, key), data, follow=True)
    assert resp.status_code in (200, 400)
    assert reason in resp.content.decode()


def test_the_schedule_form_does_not_offer_the_cases_investigators_as_chair(client):
    # 《行政处罚法》第六十四条第（四）项: offered only who may chair; the action refuses the rest.
    case = case_under_review()
    _requested(case)
    chair = chair_user()
    client.force_login(officer_of(case))
    resp = client.get(_url(case))
    schedule = {key: form for key, _, form in resp.context["forms"]}["schedule"]
    offered = set(schedule.fields["chair"].queryset.values_list("pk", flat=True))
    assert chair.pk in offered
    assert not offered & set(case.officers.values_list("pk", flat=True))
    assert officer_of(case).pk in set(schedule.fields["recorder"].queryset.values_list("pk", flat=True))
