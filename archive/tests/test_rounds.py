"""A resubmitted stale sign-off page never silently overturns a decision (第二十八条; trial: the
head's 同意 was replaced by a back-and-resubmitted 不同意): the override and check forms carry the
round they showed (archive.rounds); a stale one is refused naming the newer round, a fresh one is
a new round that counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import rounds, sealing
from archive.casefile import assemble
from archive.tests.test_sealing import CHECKED, _veto, concluded_case
from cases.models import SignOff, SignOffOutcome, SignOffStep

pytestmark = pytest.mark.django_db


def _overrides(case):
    return list(SignOff.objects.filter(case=case, step=SignOffStep.SEAL_OVERRIDE).order_by("round"))


def test_a_stale_override_page_is_refused_and_a_fresh_one_accepted(client, head):
    case = concluded_case(head)
    _veto(case)
    url = reverse("archive:override", args=[case.pk])
    client.force_login(head)
    page = client.get(url)
    assert page.context["round"] == 0 and 'name="round" value="0"' in page.content.decode()
    assert client.post(url, {"decision": "agree", "opinion": "已核实，准予归档。", "round": "0"}).status_code == 302
    # browser back, 不同意, resubmit: the page showed round 0, round 1 is signed since
    stale = client.post(url, {"decision": "refuse", "opinion": "再议。", "round": "0"})
    html = stale.content.decode()
    (first,) = _overrides(case)
    when = timezone.localtime(first.signed_at).strftime("%Y-%m-%d")
    assert stale.status_code == 400 and f"该意见已由{head}于{when}" in html
    assert "签署（第1轮），页面已过期，请刷新后再签署" in html
    assert "再议。" in html and 'name="round" value="1"' in html  # the form as typed, now on round 1
    assert first.outcome == SignOffOutcome.AGREE and sealing.review(case).overridden
    # a fresh page (round 1 shown) may decide anew: the latest counts
    assert client.get(url).context["round"] == 1
    assert client.post(url, {"decision": "refuse", "opinion": "再议。", "round": "1"}).status_code == 302
    assert [r.outcome for r in _overrides(case)] == [SignOffOutcome.AGREE, SignOffOutcome.REFUSE]
    assert not sealing.review(case).overridden


def test_a_stale_check_page_is_refused_and_a_fresh_one_accepted(client, head, reviewer):
    case = concluded_case(head)
    url = reverse("archive:seal", args=[case.pk])
    client.force_login(reviewer)
    page = client.get(url)
    digest = page.context["digest"]
    assert page.context["round"] == 0 and 'name="round" value="0"' in page.content.decode()
    client.get(reverse("archive:volume_pdf", args=[case.pk]))  # the 检查人 reads the volume
    post = {"action": "check", "digest": digest}
    assert client.post(url, {**post, "decision": "agree", "opinion": CHECKED, "round": "0"}).status_code == 302
    stale = client.post(url, {**post, "decision": "return", "opinion": "第1件题名有误。", "round": "0"})
    html = stale.content.decode()
    assert stale.status_code == 400 and f"该意见已由{reviewer}于" in html and "（第1轮），页面已过期" in html
    assert "第1件题名有误。" in html
    assert sealing.check_of(case).agreed
    assert (
        client.post(url, {**post, "decision": "return", "opinion": "第1件题名有误。", "round": "1"}).status_code == 302
    )
    assert sealing.check_of(case).returned


def test_the_round_is_checked_under_the_case_lock_before_signing(head, reviewer):
    case = concluded_case(head)
    digest = sealing.catalogue_digest(assemble(case))

    def sign():
        return sealing.check_sign(case_id=case.pk, by=reviewer, agree=False, opinion="退回。", digest=digest)

    step = SignOffStep.ARCHIVE_CHECK
    assert rounds.sign_in_round(case_id=case.pk, step=step, seen=0, sign=sign).round == 1
    for seen in (0, 2, -1):
        with pytest.raises(rounds.StaleRound, match="第1轮"):
            rounds.sign_in_round(case_id=case.pk, step=step, seen=seen, sign=sign)
    assert rounds.latest_round(case, step) == 1


@pytest.mark.parametrize(("raw", "seen"), [("", 0), ("3", 3), (" 2 ", 2), ("x", -1), ("-1", -1), ("9" * 30, -1)])
def test_the_round_a_page_carried(raw, seen):
    assert rounds.seen_round({"round": raw}) == seen
    assert rounds.seen_round({}) == 0
