"""The pages of 法制审核, 专家论证 and 集体讨论: forms that call the actions, keep what was typed
when refused, and the case-page panel."""

import pytest

from cases.models import SignOffOutcome
from cases.tests.pages import section_html
from review.models import CollectiveDiscussion, LegalFinding, LegalReview, LegalReviewPoint, LegalReviewSituation

from .legal_helpers import penalty_case, qualified_reviewer, tick

pytestmark = pytest.mark.django_db


def _review_post(outcome=SignOffOutcome.AGREE, opinion="同意。", **override):
    data = {f"finding_{p.value}": LegalFinding.SOUND for p in LegalReviewPoint}
    data.update({"outcome": outcome, "opinion": opinion, **override})
    return data


def test_sheet_form_saves_the_switch(client):
    case = penalty_case()
    client.force_login(case.created_by)
    url = f"/review/case/{case.pk}/sheet/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"situations": [LegalReviewSituation.OTHER_BY_LAW], "expert_reason": "保留"})
    assert resp.status_code == 400 and "请写明法律、法规依据" in resp.content.decode()
    resp = client.post(url, {"situations": [LegalReviewSituation.MAJOR_RIGHTS]})
    assert resp.status_code == 302
    assert case.review_sheet.situations == [LegalReviewSituation.MAJOR_RIGHTS]


def test_legal_review_form_refusal_keeps_the_input(client):
    case = penalty_case()
    reviewer = qualified_reviewer()
    client.force_login(reviewer)
    url = f"/review/case/{case.pk}/legal-review/"
    assert client.get(url).status_code == 200
    flawed = {
        f"finding_{LegalReviewPoint.LAW}": LegalFinding.FLAWED,
        f"note_{LegalReviewPoint.LAW}": "裁量基准适用不当",
    }
    resp = client.post(url, _review_post(opinion="我的审核意见原文", **flawed))
    html = resp.content.decode()
    assert resp.status_code == 400 and "不能通过" in html and "我的审核意见原文" in html and "裁量基准适用不当" in html
    assert not LegalReview.objects.exists()
    resp = client.post(url, _review_post(SignOffOutcome.RETURN, "退回补充。", **flawed))
    assert resp.status_code == 302 and LegalReview.objects.get().passed is False


def test_unqualified_reviewer_sees_why_on_the_case_page(client):
    from accounts.models import Role
    from accounts.tests.factories import UserFactory

    case = penalty_case()
    tick(case, case.created_by, LegalReviewSituation.COMPLEX)
    client.force_login(UserFactory(username="novice2", roles=[Role.LEGAL_REVIEWER]))
    html = section_html(client, case, "review")
    assert 'data-why="legal_review"' in html and "第五十八条第二款" in html
    client.force_login(qualified_reviewer())
    html = section_html(client, case, "review")
    assert "进行法制审核 →" in html and "案件情况疑难复杂" in html


def test_discussion_form(client, head):
    case = penalty_case()
    client.force_login(head)
    url = f"/review/case/{case.pk}/discussion/"
    assert client.get(url).status_code == 200
    data = {
        "held_at": "2026-11-20T09:30",
        "place": "局会议室",
        "chair": head.pk,
        "recorder": "孙记录",
        "outcome": "penalty",
        "conclusion": "给予罚款。",
        "participant_1": "王局长",
        "position_1": "局长",
        "opinion_1": "同意。",
    }
    resp = client.post(url, data)
    assert resp.status_code == 400 and "至少两名" in resp.content.decode() and "王局长" in resp.content.decode()
    data.update({"participant_2": "李副局长", "position_2": "副局长", "opinion_2": "同意。"})
    resp = client.post(url, data)
    assert resp.status_code == 302
    assert list(CollectiveDiscussion.objects.get().opinions.values_list("participant", flat=True)) == [
        "王局长",
        "李副局长",
    ]
    html = section_html(client, case, "review")
    assert "李副局长（副局长）：同意。" in html
