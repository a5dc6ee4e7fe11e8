"""Delivery in the case's flow: the decision served moves the case 已决定 → 已送达 (mark_delivered)
and meets 《行政处罚法》第六十一条's period opened when it was decided; the 事先告知书 served through
delivery starts review's periods from the service date; the checklist lines; the pages (a form
per method, 400 with Chinese errors keeping the input, 404 outside the case's reach); the demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases.models import CaseState
from cases.requirements import missing
from cases.tests.pages import section_html
from deadlines.calendar import add_working_days
from deadlines.models import Deadline, DeadlineKind
from delivery import actions
from delivery.models import AttemptOutcome, DeliveryAttempt, DeliveryMethod
from delivery.tests.helpers import complete_elements, scan, serve
from delivery.tests.test_delivery_methods import a_document
from review import demo as review_demo
from review.models_defence import PenaltyNotice
from review.tests.defence_helpers import backdate, case_under_review, issue
from review.tests.test_core import decided, in_review

pytestmark = pytest.mark.django_db
S = CaseState


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def reviewer2(db):
    return UserFactory(username="reviewer2", roles=[Role.LEGAL_REVIEWER])


# --- the decision: 第六十一条's period, mark_delivered ----------------------------------------------


def test_decision_opens_the_delivery_period_and_serving_it_marks_the_case_delivered(reviewer, reviewer2, head):
    case = in_review()
    decision = decided(case, reviewer, reviewer2, head)
    case.refresh_from_db()
    assert case.state == S.DECIDED
    period = Deadline.objects.get(case=case, kind=DeadlineKind.DECISION_DELIVERY)
    assert period.working_days == 7 and period.met_at is None
    assert timezone.localtime(period.due).date() == add_working_days(timezone.localdate(), 7).date
    assert [r.code for r in missing(case, S.DECIDED)] == ["delivery.decision_served"]

    attempt = serve(decision.document, by=case.created_by, method=DeliveryMethod.POSTAL)
    case.refresh_from_db()
    period.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.SERVED
    assert case.state == S.DELIVERED and period.met_at is not None
    assert Entry.objects.filter(action="case.mark_delivered", case_id=case.pk).exists()


def test_a_pending_postal_delivery_of_the_decision_leaves_the_case_decided(reviewer, reviewer2, head):
    case = in_review()
    decision = decided(case, reviewer, reviewer2, head)
    doc = decision.document
    kw = complete_elements(DeliveryMethod.POSTAL, doc, by=case.created_by)
    kw["files"].pop("return_receipt")
    kw["served_on"] = None
    attempt = actions.delivery_record(
        case_id=case.pk,
        by=case.created_by,
        document_id=doc.pk,
        method=DeliveryMethod.POSTAL,
        party_id=case.parties.first().pk,
        **kw,
    )
    case.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.PENDING and case.state == S.DECIDED
    actions.delivery_complete(
        attempt_id=attempt.pk, by=case.created_by, served_on=timezone.localdate(), files={"return_receipt": scan()}
    )
    case.refresh_from_db()
    assert case.state == S.DELIVERED
    assert "delivery.attempts_complete" not in [r.code for r in missing(case, S.DELIVERED)]


def test_pending_attempts_block_leaving_delivered():
    doc = a_document()
    kw = complete_elements(DeliveryMethod.ANNOUNCEMENT, doc, by=doc.case.created_by)
    actions.delivery_record(
        case_id=doc.case_id,
        by=doc.case.created_by,
        document_id=doc.pk,
        method=DeliveryMethod.ANNOUNCEMENT,
        party_id=doc.case.parties.first().pk,
        **kw,
    )
    doc.case.state = S.DELIVERED
    assert "delivery.attempts_complete" in [r.code for r in missing(doc.case, S.DELIVERED)]


# --- the notice: review's periods from the delivery's service date -----------------------------------


def test_notice_served_through_delivery_starts_the_periods_from_the_service_date():
    case = case_under_review()
    notice = backdate(issue(case), 10)
    served_on = timezone.localdate() - dt.timedelta(days=4)
    attempt = serve(notice.document, by=case.created_by, method=DeliveryMethod.POSTAL, day=served_on)
    notice = PenaltyNotice.objects.get(pk=notice.pk)
    assert attempt.served_on == notice.served_on == served_on
    defence_period = Deadline.objects.get(case=case, kind=DeadlineKind.DEFENCE)
    assert timezone.localtime(defence_period.start).date() == served_on
    assert timezone.localtime(defence_period.due).date() == add_working_days(served_on, notice.defence_days).date
    assert Deadline.objects.filter(case=case, kind=DeadlineKind.HEARING_REQUEST).exists()


def test_a_notice_that_review_refuses_is_not_recorded_as_served():
    """review's receiver refuses (the case left 审查中): the delivery is rolled back with it."""
    from cases.stages import TransitionError

    case = case_under_review()
    notice = issue(case)
    type(case).objects.filter(pk=case.pk).update(state=S.INVESTIGATING)
    with pytest.raises(TransitionError, match="审查中"):
        serve(notice.document, by=case.created_by)
    assert not DeliveryAttempt.objects.filter(document=notice.document).exists()
    assert PenaltyNotice.objects.get(pk=notice.pk).served_on is None


# --- pages ------------------------------------------------------------------------------------------


def _url(case, *parts):
    if not parts:
        return reverse("delivery:page", args=[case.pk])
    return reverse(f"delivery:{parts[0]}", args=[case.pk, *parts[1:]])


def test_page_lists_attempts_and_offers_a_form_showing_only_its_methods_elements(client):
    doc = a_document()
    officer = doc.case.created_by
    serve(doc, by=officer, method=DeliveryMethod.LIEN)
    client.force_login(officer)
    page = client.get(_url(doc.case)).content.decode()
    assert "留置送达" in page and doc.number in page and timezone.localdate().isoformat() in page
    postal = client.get(_url(doc.case) + "?method=postal").content.decode()
    assert 'name="return_receipt"' in postal and 'name="tracking_no"' in postal
    assert 'name="recipient_relation"' not in postal and 'name="carrier"' not in postal
    assert 'enctype="multipart/form-data"' in postal
    case_page = section_html(client, doc.case, "delivery")
    assert "data-delivery-panel" in case_page and "已于" in case_page


def test_missing_element_is_a_400_with_the_article_and_keeps_the_input(client):
    doc = a_document()
    officer = doc.case.created_by
    client.force_login(officer)
    data = {
        "document": doc.pk,
        "party": doc.case.parties.first().pk,
        "outcome": "served",
        "reason": "受送达人拒绝签收。",
        "place": "临沂市兰山区工业大道18号",
        "delivered_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "deliverers": [officer.pk],
    }
    resp = client.post(_url(doc.case, "record", "lien"), data)
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "第二十条" in body and "见证人" in body and "临沂市兰山区工业大道18号" in body
    data["witnesses"] = "社区居委会 王主任"
    assert client.post(_url(doc.case, "record", "lien"), data).status_code == 302
    assert DeliveryAttempt.objects.get(document=doc).outcome == AttemptOutcome.SERVED


def test_bad_date_is_a_400_not_a_500(client):
    doc = a_document()
    client.force_login(doc.case.created_by)
    resp = client.post(
        _url(doc.case, "record", "direct"),
        {"document": doc.pk, "party": doc.case.parties.first().pk, "outcome": "served", "served_on": "2026-13-45"},
    )
    assert resp.status_code == 400 and "请输入有效日期" in resp.content.decode()


def test_postal_form_with_plain_file_inputs_and_the_completion(client):
    doc = a_document()
    officer = doc.case.created_by
    client.force_login(officer)
    today = timezone.localdate().isoformat()
    data = {
        "document": doc.pk,
        "party": doc.case.parties.first().pk,
        "outcome": "served",
        "postal_kind": "ems",
        "tracking_no": "EM123456789CN",
        "sent_on": today,
        "listed_documents": f"{doc.title} {doc.number}",
        "registration": scan("登记.pdf"),
        "postage_receipt": scan("付邮凭证.pdf"),
        "mailing_list": scan("邮寄清单.pdf"),
    }
    assert client.post(_url(doc.case, "record", "postal"), data).status_code == 302
    attempt = DeliveryAttempt.objects.get(document=doc)
    assert attempt.outcome == AttemptOutcome.PENDING
    resp = client.post(_url(doc.case, "complete", attempt.pk), {"outcome": "served", "served_on": today})
    assert resp.status_code == 400 and "邮件回执" in resp.content.decode()
    resp = client.post(
        _url(doc.case, "complete", attempt.pk), {"outcome": "served", "served_on": today, "return_receipt": scan()}
    )
    assert resp.status_code == 302
    attempt.refresh_from_db()
    assert attempt.outcome == AttemptOutcome.SERVED and attempt.files.count() == 4


def test_outsiders_get_404_and_readers_no_form(client, reviewer):
    doc = a_document()
    outsider = UserFactory(roles=[Role.OFFICER])  # another department
    client.force_login(outsider)
    assert client.get(_url(doc.case)).status_code == 404
    assert client.post(_url(doc.case, "record", "direct"), {}).status_code == 404
    assert client.post(_url(doc.case, "address"), {}).status_code == 404
    client.force_login(reviewer)
    page = client.get(_url(doc.case) + "?method=direct").content.decode()
    assert 'id="attempt-form"' not in page
    assert client.post(_url(doc.case, "record", "direct"), {}).status_code == 302
    assert not DeliveryAttempt.objects.exists()


def test_service_receipt_is_issued_for_a_document_and_refused_once_served(client):
    from documents.models import Document

    doc = a_document()
    officer = doc.case.created_by
    client.force_login(officer)
    party = doc.case.parties.first()
    assert client.post(_url(doc.case, "receipt"), {"document": doc.pk}).status_code == 400
    assert client.post(_url(doc.case, "receipt"), {"document": doc.pk, "party": party.pk}).status_code == 302
    receipt = Document.objects.get(case=doc.case, doc_type="service_receipt")
    assert receipt.context["doc_number"] == doc.number and receipt.context["party_name"] == party.name
    assert receipt.source_id == str(doc.pk)
    page = client.get(_url(doc.case) + "?method=direct").content.decode()
    assert f'<option value="{receipt.pk}"' not in page  # a receipt is not itself served
    serve(doc, by=officer)
    from cases.stages import TransitionError

    with pytest.raises(TransitionError, match="已于"):
        actions.receipt_issue(case_id=doc.case_id, by=officer, document_id=doc.pk, party_id=party.pk)


def test_address_confirmation_from_the_page(client):
    doc = a_document()
    client.force_login(doc.case.created_by)
    data = {
        "party": doc.case.parties.first().pk,
        "postal_address": "临沂市兰山区工业大道18号",
        "phone": "12",
        "electronic_consent": "on",
        "electronic_address": "huake@example.com",
        "signed_on": timezone.localdate().isoformat(),
        "scan": scan(),
    }
    resp = client.post(_url(doc.case, "address"), data)
    assert resp.status_code == 400 and "联系电话格式不正确" in resp.content.decode()
    data["phone"] = "0539-8123456"
    data["scan"] = scan()
    assert client.post(_url(doc.case, "address"), data).status_code == 302
    page = client.get(_url(doc.case)).content.decode()
    assert "huake@example.com" in page


# --- seed_demo -----------------------------------------------------------------------------------------


def test_seed_demo_has_a_decision_delivered_by_announcement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
    decisions = DeliveryAttempt.objects.filter(
        document__doc_type="penalty_decision", case__title=review_demo.DECIDED_CASE
    ).order_by("pk")
    attempts = list(decisions)
    assert [(a.method, a.outcome) for a in attempts] == [("direct", "failed"), ("announcement", "pending")]
    assert attempts[1].served_on == attempts[1].published_on + dt.timedelta(days=30)
    assert Deadline.objects.filter(kind=DeadlineKind.ANNOUNCEMENT, met_at__isnull=True).exists()
    # The notices of the demo cases were served through delivery.
    assert all(n.served_on for n in PenaltyNotice.objects.all())
    call_command("seed_demo", stdout=io.StringIO())
    assert decisions.count() == 2
