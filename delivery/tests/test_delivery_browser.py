"""第十九条、第二十三条 and 结案 in the browser: an officer serves the 行政处罚决定书 by post with
every attachment (the mailing registration, the postage receipt, the mailing list; then the return
receipt), the case moves to 已送达; the officer starts execution and records the fine paid with
the receipt's scan; the head concludes the case (结案审批), and the case page shows it."""

import pytest
from django.utils import timezone

from cases.models import CaseState, SignOff, SignOffStep
from deadlines.models import Deadline, DeadlineKind
from delivery.models import AttemptOutcome, DeliveryAttempt, DeliveryMethod, Ending, FinePayment
from delivery.tests.execution_helpers import FINE, decided_case
from review.selectors import decision_of
from tests.scans import scan_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _pdf(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": scan_pdf(name)}


def test_officer_posts_the_decision_records_the_fine_paid_and_the_head_concludes(live_server, login, head):
    case = decided_case(head)
    officer = case.created_by
    doc = decision_of(case).document
    party = case.parties.first()
    today = timezone.localdate().isoformat()
    base = live_server.url

    page = login(officer)
    # 第十九条: registered post / EMS with its registration, postage receipt and mailing list.
    page.goto(f"{base}/delivery/case/{case.pk}/?method=postal")
    page.select_option("#id_document", str(doc.pk))
    page.select_option("#id_party", str(party.pk))
    page.select_option("#id_postal_kind", "ems")
    page.fill("#id_tracking_no", "EM987654321CN")
    page.fill("#id_sent_on", today)
    page.fill("#id_listed_documents", f"{doc.title} {doc.number}")
    page.set_input_files("#id_registration", _pdf("邮寄送达登记.pdf"))
    page.set_input_files("#id_postage_receipt", _pdf("付邮凭证.pdf"))
    page.set_input_files("#id_mailing_list", _pdf("邮寄清单.pdf"))
    page.click("#attempt-form button[type=submit]")
    assert "已登记邮寄送达" in page.inner_text(".messages")
    attempt = DeliveryAttempt.objects.get(document=doc)
    assert attempt.outcome == AttemptOutcome.PENDING and attempt.method == DeliveryMethod.POSTAL
    case.refresh_from_db()
    assert case.state == CaseState.DECIDED  # 送达中: not served until the return receipt is back
    # The return receipt comes back: its date is the service date.
    form = f"#complete-{attempt.pk}"
    page.fill(f"#complete{attempt.pk}_served_on", today)
    page.set_input_files(f"#complete{attempt.pk}_return_receipt", _pdf("邮件回执.pdf"))
    page.click(f"{form} button[type=submit]")
    attempt.refresh_from_db()
    case.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.SERVED and str(attempt.served_on) == today
    assert attempt.files.count() == 4
    assert case.state == CaseState.DELIVERED  # mark_delivered

    # 第二十三条: execution, the fine paid with the receipt's scan.
    page.goto(f"{base}/delivery/case/{case.pk}/execution/")
    page.click("#act-start button[type=submit]")
    assert "案件已进入执行" in page.inner_text(".messages")
    page.fill("#act-payment [name=amount_yuan]", str(FINE))
    page.fill("#act-payment [name=paid_on]", today)
    page.set_input_files("#act-payment [name=receipt]", _pdf("缴款凭证.pdf"))
    page.click("#act-payment button[type=submit]")
    assert "已记录缴纳情况" in page.inner_text(".messages")
    payment = FinePayment.objects.get(case=case)
    assert payment.amount_yuan == FINE and payment.receipt is not None
    page.click("button:has-text('退出')")

    # 结案: the head's approval.
    page = login(head)
    page.goto(f"{base}/delivery/case/{case.pk}/execution/")
    assert page.input_value("#act-conclude [name=opinion]") == ""  # an opinion starts empty
    page.select_option("#act-conclude [name=ending]", Ending.PAID)
    page.fill("#act-conclude [name=opinion]", "罚款已缴清，同意结案。")
    page.click("#act-conclude button[type=submit]")
    assert "已结案" in page.inner_text(".messages")
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    signoff = SignOff.objects.get(case=case, step=SignOffStep.CONCLUSION)
    assert signoff.actor == head and signoff.opinion == "罚款已缴清，同意结案。"
    assert Deadline.objects.filter(case=case, kind=DeadlineKind.ARCHIVE_FILE, met_at__isnull=True).exists()

    page.goto(f"{base}/cases/{case.pk}/s/delivery/")  # the case page's 送达与执行 section
    shown = page.inner_text("body")
    assert case.get_state_display() in shown
    assert f"{doc.title}（{doc.number}）：已于{today}送达" in shown
    assert "罚款已缴清" in shown and "罚款已缴清，同意结案。" in shown
    assert "缴款凭证" in shown
