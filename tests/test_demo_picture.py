"""`manage.py seed_demo` (what `make run` shows) gives a realistic picture across the apps:
a penalty case under investigation with finalised records and their PDFs and its 立案审批表,
open deadlines with an overdue one (red row, bell), an ingested AV record.
Tasks run in-process as in the embedded default."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from avrecords.models import AVRecord
from cases.models import Case, CaseKind, CaseState
from deadlines.models import Deadline, Notification
from delivery.demo_execution import ENFORCEMENT_CASE
from documents.models import Document, DocumentStatus
from documents.registry import DocTypeCode
from records.models import RecordStatus
from review import demo as review_demo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_seed_demo_shows_every_app_and_runs_twice(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())

    case = Case.objects.get(kind=CaseKind.PENALTY, state=CaseState.INVESTIGATING)
    assert case.records.filter(status=RecordStatus.FINAL).count() >= 2
    docs = dict(Document.objects.values_list("doc_type", "status"))
    assert docs["filing_approval"] == docs["inquiry"] == docs["inspection"] == DocumentStatus.FINAL
    assert Document.objects.filter(doc_type=DocTypeCode.FILING_APPROVAL, case=case).exists()
    # 第四章: a case waiting in 法规科's queue, untaken, and one decided and published with its
    # 行政处罚决定书 (the hearing demo case is 审查中 too).
    waiting = Case.objects.get(title=review_demo.WAITING_CASE)
    assert waiting.state == CaseState.UNDER_REVIEW
    assert not waiting.review_claims.exists() and waiting.review_rounds.get().task == "examine"
    decided = Case.objects.get(state=CaseState.DECIDED)
    assert decided.title == review_demo.DECIDED_CASE
    assert decided.penalty_notices.get().served_on is not None
    publication = decided.publications.get()
    assert publication.withdrawn_at is None and publication.decision_number == decided.decision.document.number
    assert docs["penalty_decision"] == DocumentStatus.FINAL
    assert Document.objects.get(doc_type=DocTypeCode.PENALTY_DECISION, case=decided).case == decided
    # 第五章: a second decided case is served and in court enforcement (delivery/demo_execution.py).
    assert Case.objects.get(title=ENFORCEMENT_CASE).state == CaseState.EXECUTING
    assert AVRecord.objects.filter(case=case).count() == 1  # (the archive demo's sealed case has its own)

    officer = case.officers.get(username="officer")
    open_deadlines = Deadline.objects.filter(met_at__isnull=True, responsible=officer)
    assert open_deadlines.count() >= 3
    overdue = open_deadlines.filter(case=case, due__lt=case.filed_at).get()
    assert Notification.objects.filter(user=officer, deadline=overdue, read_at__isnull=True).exists()
    assert Notification.objects.filter(user__username="head", deadline=overdue).exists()  # escalated

    client.force_login(officer)
    page = client.get(reverse("cases:dashboard")).content.decode()
    assert 'data-state="red"' in page and 'id="bell-count"' in page

    counts = (Case.objects.count(), Document.objects.count(), Deadline.objects.count(), Notification.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Case.objects.count(),
        Document.objects.count(),
        Deadline.objects.count(),
        Notification.objects.count(),
    ) == counts
