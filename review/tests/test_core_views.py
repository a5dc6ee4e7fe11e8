"""The queue pages, the case page's review panel and the review views: 404 for whoever may
not see the case or has no queue, refusals shown as messages, nothing typed lost."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import DepartmentFactory, UserFactory
from cases.models import CaseState, SignOff, SignOffStep
from cases.tests.factories import CaseFactory
from cases.tests.pages import section_html
from review import actions
from review.models import Decision, ReviewClaim
from review.tests.test_core import PENALTY_DRAFT, in_review

pytestmark = pytest.mark.django_db


def test_queue_is_404_without_a_queue_and_linked_only_for_who_has_one(client, officer, reviewer, head, archivist):
    for user in (officer, archivist):
        client.force_login(user)
        assert client.get(reverse("review:queue")).status_code == 404
        assert reverse("review:queue") not in client.get(reverse("cases:dashboard")).content.decode()
    for user in (reviewer, head):
        client.force_login(user)
        assert client.get(reverse("review:queue")).status_code == 200
        assert reverse("review:queue") in client.get(reverse("cases:dashboard")).content.decode()


def test_reviewer_takes_from_the_queue_and_signs_on_the_case_page(client, reviewer, django_assert_max_num_queries):
    case = in_review()
    client.force_login(reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert case.ref in page and "审理" in page and "未领取" in page
    resp = client.post(reverse("review:take", args=[case.pk]), {"back": "queue"})
    assert resp.status_code == 302 and resp["Location"] == reverse("review:queue")
    assert ReviewClaim.objects.get(case=case).claimed_by == reviewer
    assert str(reviewer) in client.get(reverse("review:queue") + "?claim=mine").content.decode()
    detail = section_html(client, case, "review")
    assert (
        'id="review-sign-form"' in detail
        and '<textarea id="review-opinion" name="opinion" rows="3" required></textarea>' in detail
    )
    client.post(reverse("review:sign", args=[case.pk]), {"opinion": "事实清楚，同意。"})
    assert SignOff.objects.get(case=case, step=SignOffStep.EXAMINATION).opinion == "事实清楚，同意。"


def test_queue_query_count_does_not_grow_with_rows(client, reviewer, calendar_held):
    client.force_login(reviewer)
    actions.claim_take(case_id=in_review().pk, by=reviewer)  # a claimant to load, as on the bigger page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("review:queue"))
    for _ in range(4):
        c = in_review()
        actions.claim_take(case_id=c.pk, by=reviewer)
    with CaptureQueriesContext(connection) as five:
        client.get(reverse("review:queue"))
    assert len(five.captured_queries) == len(one.captured_queries)


def test_outsiders_get_404_and_roles_that_may_not_act_are_refused(client, reviewer):
    case = in_review()
    stranger = UserFactory(department=DepartmentFactory(), roles=[Role.OFFICER])
    client.force_login(stranger)
    for name in ("take", "sign", "decide", "release", "reassign"):
        assert client.post(reverse(f"review:{name}", args=[case.pk]), {"opinion": "x"}).status_code == 404
    assert client.get(reverse("review:decision", args=[case.pk])).status_code == 404
    client.force_login(reviewer)  # reads every case, changes no records
    assert client.get(reverse("review:decision", args=[case.pk])).status_code == 404
    client.force_login(case.created_by)  # an officer of the case: may not sign it
    resp = client.post(reverse("review:sign", args=[case.pk]), {"opinion": "同意。"}, follow=True)
    assert "无权签署" in resp.content.decode()
    assert not SignOff.objects.filter(case=case, step=SignOffStep.EXAMINATION).exists()


def test_refused_opinion_or_handover_is_shown_again_with_what_was_typed(client, reviewer):
    case = in_review()
    # A refusal of the action: the officer of the case may not sign; the opinion stays.
    client.force_login(case.created_by)
    resp = client.post(reverse("review:sign", args=[case.pk]), {"opinion": "经审理，事实清楚（已输入）。"})
    html = resp.content.decode()
    assert resp.status_code == 400 and "无权签署" in html and "经审理，事实清楚（已输入）。" in html
    # Bad input: no one to hand over to; the reason typed stays.
    client.force_login(reviewer)
    actions.claim_take(case_id=case.pk, by=reviewer)
    resp = client.post(reverse("review:reassign", args=[case.pk]), {"to": "", "reason": "本人出差（已输入）"})
    html = resp.content.decode()
    assert resp.status_code == 400 and "这个字段是必填项" in html and "本人出差（已输入）" in html
    assert ReviewClaim.objects.get(case=case).claimed_by == reviewer


def test_panel_offers_only_what_the_viewer_may_do_and_says_why(client, reviewer, head):
    case = in_review()
    client.force_login(head)
    page = section_html(client, case, "review")
    assert 'id="review-sign-form"' not in page and 'data-why="review"' in page
    client.force_login(case.created_by)
    page = section_html(client, case, "review")
    assert 'id="decision-edit"' in page and 'id="review-take"' not in page
    actions.review_sign(case_id=case.pk, by=reviewer, opinion="同意。")
    page = section_html(client, case, "review")
    assert 'id="decision-edit"' not in page and "草稿不得再改" in page


def test_draft_form_keeps_what_was_typed_and_names_the_field(client):
    case = CaseFactory(state=CaseState.INVESTIGATING)
    client.force_login(case.created_by)
    form = client.get(reverse("review:decision", args=[case.pk])).content.decode()
    assert "给予行政处罚" in form and "准予行政许可" not in form
    data = {**PENALTY_DRAFT, "fine_yuan": "", "confiscation_yuan": ""}
    resp = client.post(reverse("review:decision", args=[case.pk]), data)
    body = resp.content.decode()
    assert resp.status_code == 200 and "须填写大于零的罚款金额" in body and "提供虚假的研发费用材料" in body
    assert not Decision.objects.filter(case=case).exists()
    data["fine_yuan"] = "5000"
    resp = client.post(reverse("review:decision", args=[case.pk]), data)
    assert resp.status_code == 302
    assert Decision.objects.get(case=case).fine_yuan == Decimal("5000")
