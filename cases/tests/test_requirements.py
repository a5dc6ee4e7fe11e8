"""The 第二章 checklist: each element applies when the Measures say so and is ticked when recorded."""

import pytest
from django.utils import timezone

from cases import requirements, services, stages
from cases.models import CaseState
from cases.tests.factories import ApplicationFactory, CaseFactory, ComplaintFactory, FilingRecordFactory, PartyFactory

pytestmark = pytest.mark.django_db


def _status(case):
    return {item.requirement.code: item.status for item in requirements.checklist(case)}


def test_every_requirement_cites_an_article():
    for req in requirements.all_requirements():
        assert req.article.startswith(("第", "《")), req.code
        assert req.stage in CaseState.values, req.code


def test_ex_officio_elements():
    filing = FilingRecordFactory()
    case = filing.case
    status = _status(case)
    assert status["ex_officio.cause"] == "done"
    assert status["ex_officio.party"] == "missing"  # no party yet
    assert status["complaint.content"] == "na" and status["application.form"] == "na"
    PartyFactory(case=case)
    case.refresh_from_db()
    assert requirements.missing(case, CaseState.REGISTERED) == []


def test_complaint_elements_named_and_anonymous():
    named = ComplaintFactory(complainant_phone="", complainant_address="")
    assert _status(named.case)["complaint.complainant"] == "missing"  # a name but no way to reach them
    anonymous = ComplaintFactory(anonymous=True, complainant_name="", complainant_phone="")
    status = _status(anonymous.case)
    assert status["complaint.complainant"] == "done"
    assert status["complaint.handling"] == "missing"
    assert status["complaint.notice"] == "na"  # not refused (yet), and anonymous anyway


def test_application_elements():
    app = ApplicationFactory(form="oral", oral_record="")
    status = _status(app.case)
    assert status["application.oral_record"] == "missing"
    assert status["application.supplement"] == "na"
    assert status["ex_officio.cause"] == "na"


def test_case_page_checklist_marks_later_stages(client, officer, officer2):
    case = CaseFactory(
        officers=[officer, officer2],
        department=officer.department,
        created_by=officer,
        state=CaseState.REGISTERED,
        filed_at=None,
    )
    FilingRecordFactory(case=case)
    client.force_login(officer)
    body = client.get(case.get_absolute_url()).content.decode()
    assert '第八条第一款：行政执法机关负责人意见及时间 <span class="small muted">（待立案审批阶段）' in body
    assert "第八条第二款" not in body  # the not-filed branch does not apply


def test_stage_path_follows_the_branch(officer, officer2, head):
    case = CaseFactory(
        officers=[officer, officer2],
        department=officer.department,
        created_by=officer,
        state=CaseState.REGISTERED,
        filed_at=None,
    )
    assert CaseState.INVESTIGATING in stages.stage_path(case)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="不予立案")
    case.refresh_from_db()
    assert stages.stage_path(case) == ["registered", "pending_filing", "not_filed", "archived"]
    case.state, case.concluded_at = CaseState.ARCHIVED, timezone.now()
    assert stages.stage_path(case)[2] == "not_filed"
