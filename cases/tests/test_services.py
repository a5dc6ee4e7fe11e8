import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from audit.models import Entry
from cases import services, stages
from cases.models import (
    Application,
    ApplicationDecision,
    ApplicationEventKind,
    Case,
    CaseKind,
    CaseOrigin,
    CaseSource,
    CaseState,
    Complaint,
    Level,
    NonInitiation,
    NoticeMethod,
)
from cases.requirements import describe_missing, missing
from cases.signals import case_transitioned
from cases.tests.factories import CaseFactory, party_data
from review.actions import review_submit

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _actions(case):
    return list(Entry.objects.filter(case_id=case.pk).order_by("seq").values_list("action", flat=True))


def _ex_officio(officer, officer2, **kw):
    args = dict(
        by=officer,
        title="某公司涉嫌提供虚假材料骗取科技项目资金案",
        officers=[officer, officer2],
        parties=[party_data()],
        cause="日常检查发现申报材料与实际不符",
        source=CaseSource.INSPECTION,
        summary="当事人在2026年度科技项目申报中提供虚假财务报表。",
    )
    args.update(kw)
    return services.case_register_ex_officio(**args)


def _complete_filing(case, officer, chief=None):
    """承办人意见 by `officer`, 承办机构意见 by the section chief of the case's department."""
    chief = chief or UserFactory(department=case.department, roles=[Role.SECTION_CHIEF])
    services.filing_opinion_record(case_id=case.pk, by=officer, level="officer", opinion="建议立案调查")
    services.filing_opinion_record(case_id=case.pk, by=chief, level="unit", opinion="同意立案，报局领导审批")


def _archivable(case):
    """What archiving will wait for (第二十八条; the archive app owns the action): the
    requirements of the stage the case ends in. Raises TransitionError naming the articles."""
    case = Case.objects.get(pk=case.pk)
    gaps = missing(case, case.state)
    if gaps:
        raise services.TransitionError(describe_missing(gaps))


# --- registration and numbering ---------------------------------------------------------------


def test_ex_officio_registration_numbers_and_audits(officer, officer2):
    first = _ex_officio(officer, officer2)
    second = _ex_officio(officer, officer2)

    # A registration takes a 登记号 only; the 立案号 waits for the head's approval.
    assert (first.registration_number, first.number) == (f"临科登〔{YEAR}〕1号", None)
    assert (second.registration_number, second.number) == (f"临科登〔{YEAR}〕2号", None)
    assert (first.kind, first.origin, first.state) == (CaseKind.PENALTY, CaseOrigin.EX_OFFICIO, CaseState.REGISTERED)
    assert set(first.officers.all()) == {officer, officer2}
    assert first.assignments.get(is_lead=True).officer == officer
    assert first.parties.get().name == "临沂某某新材料有限公司"
    assert first.filing.cause == "日常检查发现申报材料与实际不符"
    assert _actions(first)[:3] == ["case.registered", "party.added", "filing.opened"]


def test_licensing_numbers_have_their_own_sequence(officer, officer2):
    _ex_officio(officer, officer2)
    case = services.case_register_application(
        by=officer,
        title="技术合同认定登记",
        officers=[officer, officer2],
        parties=[party_data()],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表",
    )
    assert (case.registration_number, case.number) == (f"临科登〔{YEAR}〕2号", None)
    assert case.state == CaseState.APPLIED
    services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理")
    case.refresh_from_db()
    assert case.number == f"临科许受〔{YEAR}〕1号"


def test_filing_number_is_taken_on_approval_only(officer, officer2, section_chief, head):
    """Unfiled and not-filed cases hold no 立案号; the series counts filed cases only."""
    not_filed = _ex_officio(officer, officer2)
    services.case_not_file(case_id=not_filed.pk, by=head, opinion="同意不予立案。", notice_reason="违法事实不成立")
    filed = _ex_officio(officer, officer2)
    _complete_filing(filed, officer, section_chief)
    services.case_submit_for_filing(case_id=filed.pk, by=officer)
    filed.refresh_from_db()
    assert filed.number is None
    services.case_approve_filing(case_id=filed.pk, by=head, opinion="同意立案")
    filed.refresh_from_db()
    not_filed.refresh_from_db()
    assert filed.number == f"临科罚立〔{YEAR}〕1号" and not_filed.number is None
    assert filed.ref == filed.number and not_filed.ref == not_filed.registration_number
    approve = Entry.objects.get(case_id=filed.pk, action="case.approve_filing")
    assert approve.data["number"] == filed.number


def test_an_officer_without_certificate_cannot_be_assigned(officer, department):
    uncertified = UserFactory(department=department, roles=[Role.OFFICER])
    uncertified.cert_no = None
    uncertified.save()
    with pytest.raises(services.TransitionError, match="执法证号.*第四十二条"):
        _ex_officio(officer, uncertified)


def test_one_officer_is_not_enough(officer):
    with pytest.raises(services.TransitionError, match="不得少于两人"):
        _ex_officio(officer, officer)


def test_reassigning_keeps_two_certified_officers(officer, officer2, department):
    case = _ex_officio(officer, officer2)
    third = UserFactory(department=department, roles=[Role.OFFICER])
    services.case_assign_officers(case_id=case.pk, officers=[third, officer], by=officer2)
    assert set(case.officers.all()) == {third, officer}
    assert case.assignments.get(is_lead=True).officer == third
    with pytest.raises(services.TransitionError):
        services.case_assign_officers(case_id=case.pk, officers=[third], by=officer)


# --- 第八条: filing approval ------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing, article",
    [
        ("officer", "第八条第一款：承办人意见及时间"),
        ("unit", "第八条第一款：承办机构意见及时间"),
    ],
)
def test_submit_for_filing_refused_while_an_opinion_is_missing(officer, officer2, section_chief, missing, article):
    case = _ex_officio(officer, officer2)
    for level, by in (("officer", officer), ("unit", section_chief)):
        if level != missing:
            services.filing_opinion_record(case_id=case.pk, by=by, level=level, opinion="同意")
    with pytest.raises(services.TransitionError) as exc:
        services.case_submit_for_filing(case_id=case.pk, by=officer)
    assert article in str(exc.value)
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED


@pytest.mark.parametrize(
    "field, article",
    [
        ("cause", "第八条第一款：启动原因"),
        ("summary", "第八条第一款：基本案情"),
    ],
)
def test_each_filing_element_blocks_submission(officer, officer2, field, article):
    case = _ex_officio(officer, officer2, **{field: ""})
    _complete_filing(case, officer)
    with pytest.raises(services.TransitionError, match=article):
        services.case_submit_for_filing(case_id=case.pk, by=officer)


def test_missing_party_blocks_submission(officer, officer2):
    case = _ex_officio(officer, officer2, parties=[])
    _complete_filing(case, officer)
    with pytest.raises(services.TransitionError, match="第八条第一款：当事人基本情况"):
        services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.party_add(
        case_id=case.pk,
        by=officer,
        **party_data(name="张三", kind="person", legal_rep="", id_number="371302199001011233"),
    )
    services.case_submit_for_filing(case_id=case.pk, by=officer)


def test_head_approves_filing(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    seen = []

    def receiver(sender, **kw):
        seen.append((kw["from_state"], kw["to_state"], kw["by"]))

    case_transitioned.connect(receiver)
    try:
        services.case_submit_for_filing(case_id=case.pk, by=officer)
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案")
    finally:
        case_transitioned.disconnect(receiver)

    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert case.filed_at is not None
    row = case.signoffs.get(step="filing", level=Level.HEAD)
    assert (row.opinion, row.actor, row.outcome, row.round) == ("同意立案", head, "agree", 1)
    assert seen == [
        (CaseState.REGISTERED, CaseState.PENDING_FILING, officer),
        (CaseState.PENDING_FILING, CaseState.INVESTIGATING, head),
    ]
    actions = [a for a in _actions(case) if a.startswith("case.")]
    assert actions[-2:] == ["case.submit_for_filing", "case.approve_filing"]


def test_only_the_head_approves_filing(officer, officer2, reviewer):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    for user in (officer, reviewer):
        with pytest.raises(PermissionDenied, match="机关负责人"):
            services.case_approve_filing(case_id=case.pk, by=user, opinion="同意")


def test_approval_needs_pending_state(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    with pytest.raises(services.TransitionError, match="待立案审批"):
        services.case_approve_filing(case_id=case.pk, by=head, opinion="同意")


def test_head_returns_filing_for_more(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_reject_filing(case_id=case.pk, by=head, opinion="请补充当事人财务资料")
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED
    row = case.signoffs.get(step="filing", level=Level.HEAD)
    assert (row.outcome, row.opinion) == ("return", "请补充当事人财务资料")


def test_officer_of_another_department_cannot_act(officer, officer2):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    outsider = UserFactory(roles=[Role.OFFICER])
    with pytest.raises(services.TransitionDenied):
        services.case_submit_for_filing(case_id=case.pk, by=outsider)


# --- 第八条第二款: not filing -------------------------------------------------------------------


def test_not_filing_needs_the_notice_before_archiving(officer, officer2, head, archivist):
    case = _ex_officio(officer, officer2)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="违法事实不成立")
    case.refresh_from_db()
    assert case.state == CaseState.NOT_FILED and case.concluded_at is not None
    assert case.non_initiation.reason == "违法事实不成立"

    with pytest.raises(services.TransitionError, match="第八条第二款：告知当事人或者向社会公示的情况"):
        _archivable(case)

    services.noninitiation_record_notice(
        case_id=case.pk,
        by=officer,
        method=NoticeMethod.WRITTEN,
        notified_at=timezone.now(),
        detail="送达不予立案告知书",
    )
    _archivable(case)


# --- 第九条: complaints -------------------------------------------------------------------------


def _complaint(officer, officer2, **kw):
    args = dict(
        by=officer,
        title="举报某公司虚报科技成果",
        officers=[officer, officer2],
        parties=[party_data()],
        channel="phone",
        received_at=timezone.now(),
        content="举报人反映该公司伪造检测报告。",
        complainant_name="赵某",
        complainant_phone="13900000000",
        summary="举报反映伪造检测报告。",
    )
    args.update(kw)
    return services.case_register_complaint(**args)


def test_complaint_registration_records_the_complainant(officer, officer2):
    case = _complaint(officer, officer2)
    assert case.origin == CaseOrigin.COMPLAINT and case.state == CaseState.REGISTERED
    assert case.complaint.complainant_name == "赵某"
    assert case.complaint.recorded_by == officer
    assert case.filing.source == CaseSource.COMPLAINT


def test_anonymous_complaint_keeps_no_identity(officer, officer2):
    case = _complaint(officer, officer2, anonymous=True)
    assert case.complaint.anonymous and case.complaint.complainant_name == ""


def test_named_complaint_needs_a_name(officer, officer2):
    with pytest.raises(services.TransitionError, match="匿名"):
        _complaint(officer, officer2, complainant_name="")


def test_complaint_needs_handling_and_filing_elements(officer, officer2, head):
    case = _complaint(officer, officer2)
    _complete_filing(case, officer)
    services.filing_record_update(case_id=case.pk, by=officer, cause="举报线索经初查属实")
    with pytest.raises(services.TransitionError, match="第九条第一款：投诉、举报处理情况"):
        services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.complaint_record_handling(case_id=case.pk, by=officer, handling="经初查，拟立案调查")
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    services.case_approve_filing(case_id=case.pk, by=head, opinion="同意")
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING


def test_named_complaint_not_filed_needs_the_complainant_told(officer, officer2, head, archivist):
    case = _complaint(officer, officer2)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="不属于本机关管辖")
    case.refresh_from_db()
    assert case.complaint.handling.startswith("经审查，不予立案")
    services.noninitiation_record_notice(
        case_id=case.pk, by=officer, method=NoticeMethod.PUBLIC, notified_at=timezone.now(), detail="在门户网站公示"
    )
    with pytest.raises(services.TransitionError, match="第九条第二款"):
        _archivable(case)
    services.noninitiation_record_complainant_notice(
        case_id=case.pk,
        by=officer,
        method=NoticeMethod.PHONE,
        notified_at=timezone.now(),
        detail="电话告知赵某不予立案及理由",
    )
    _archivable(case)
    assert "non_initiation.complainant_notice" in _actions(case)


def test_anonymous_complaint_not_filed_needs_no_complainant_notice(officer, officer2, head, archivist):
    case = _complaint(officer, officer2, anonymous=True)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="线索不具体，无法查证")
    with pytest.raises(services.TransitionError, match="不是实名"):
        services.noninitiation_record_complainant_notice(
            case_id=case.pk, by=officer, method="phone", notified_at=timezone.now(), detail="-"
        )
    services.noninitiation_record_notice(
        case_id=case.pk, by=officer, method=NoticeMethod.PUBLIC, notified_at=timezone.now(), detail="公示"
    )
    _archivable(case)


# --- 第七条: applications -----------------------------------------------------------------------


def _application(officer, officer2, **kw):
    args = dict(
        by=officer,
        title="技术合同认定登记申请",
        officers=[officer, officer2],
        parties=[party_data()],
        form="written",
        received_at=timezone.now(),
        matter="技术合同认定登记",
        materials="申请表一份、合同文本一份",
    )
    args.update(kw)
    return services.case_register_application(**args)


def test_oral_application_needs_the_written_record(officer, officer2):
    case = _application(officer, officer2, form="oral")
    with pytest.raises(services.TransitionError, match="第七条：口头申请的文字记录"):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理")
    services.application_update(case_id=case.pk, by=officer, oral_record="申请人口述：申请技术合同认定登记……")
    services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理")
    case.refresh_from_db()
    assert case.state == CaseState.ACCEPTED
    assert case.application.decision == ApplicationDecision.ACCEPTED and case.application.decided_at


def test_missing_materials_block_acceptance(officer, officer2):
    case = _application(officer, officer2, materials="")
    with pytest.raises(services.TransitionError, match="第七条：申请事项及申请材料"):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="受理")


def test_supplement_requested_must_be_received_before_acceptance(officer, officer2):
    now = timezone.now() - timezone.timedelta(days=3)
    case = _application(officer, officer2, received_at=now)
    services.application_event_add(
        case_id=case.pk,
        by=officer,
        kind=ApplicationEventKind.CORRECTION,
        occurred_at=now,
        content="申请人当场更正合同金额笔误",
    )
    services.application_event_add(
        case_id=case.pk,
        by=officer,
        kind=ApplicationEventKind.SUPPLEMENT_REQUEST,
        occurred_at=now,
        content="一次性告知补正：技术合同原件",
    )
    with pytest.raises(services.TransitionError, match="补正更正材料的接收情况"):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="受理")
    services.application_event_add(
        case_id=case.pk,
        by=officer,
        kind=ApplicationEventKind.SUPPLEMENT_RECEIVED,
        occurred_at=now + timezone.timedelta(days=2),
        content="收到技术合同原件",
    )
    services.case_accept_application(case_id=case.pk, by=officer, opinion="补正后材料齐全，予以受理")


def test_rejecting_an_application_records_the_reason(officer, officer2, archivist):
    case = _application(officer, officer2)
    services.case_reject_application(
        case_id=case.pk,
        by=officer,
        opinion="申请事项不属于本机关职权范围",
        ground="not_competent",
        notice_reason="你单位申请的事项由省级科技主管部门办理。",
        competent_organ="山东省科学技术厅",
    )
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED
    assert case.application.decision == ApplicationDecision.REJECTED
    assert case.application.decision_reason == "申请事项不属于本机关职权范围"
    _archivable(case)


def test_rejecting_needs_a_reason(officer, officer2):
    case = _application(officer, officer2)
    with pytest.raises(services.TransitionError, match="不予受理意见"):
        services.case_reject_application(
            case_id=case.pk, by=officer, opinion=" ", ground="other", notice_reason="申请事项不符合受理条件"
        )
    with pytest.raises(services.TransitionError, match="不予受理理由（告知申请人）"):
        services.case_reject_application(
            case_id=case.pk, by=officer, opinion="不予受理", ground="other", notice_reason=""
        )


def test_penalty_transition_refused_on_licensing_case(officer, officer2):
    case = _application(officer, officer2)
    with pytest.raises(services.TransitionError, match="没有"):
        services.case_submit_for_filing(case_id=case.pk, by=officer)


# --- every element blocks its own transition -----------------------------------------------------


def _filed_complaint_ready(officer, officer2, head, archivist):
    case = _complaint(officer, officer2)
    _complete_filing(case, officer)
    services.filing_record_update(case_id=case.pk, by=officer, cause="举报线索经初查属实")
    services.complaint_record_handling(case_id=case.pk, by=officer, handling="经初查，拟立案调查")
    return case, lambda: services.case_submit_for_filing(case_id=case.pk, by=officer)


def _not_filed_ready(officer, officer2, head, archivist):
    case = _ex_officio(officer, officer2)
    services.case_not_file(case_id=case.pk, by=head, opinion="同意不予立案。", notice_reason="违法事实不成立")
    services.noninitiation_record_notice(
        case_id=case.pk,
        by=officer,
        method=NoticeMethod.WRITTEN,
        notified_at=timezone.now(),
        detail="送达不予立案告知书",
    )
    return case, lambda: _archivable(case)


def _application_ready(officer, officer2, head, archivist):
    case = _application(officer, officer2)
    return case, lambda: services.case_accept_application(case_id=case.pk, by=officer, opinion="予以受理")


def _rejected_ready(officer, officer2, head, archivist):
    case = _application(officer, officer2)
    services.case_reject_application(
        case_id=case.pk,
        by=officer,
        opinion="申请事项不属于本机关职权范围",
        ground="not_competent",
        notice_reason="你单位申请的事项由省级科技主管部门办理。",
        competent_organ="山东省科学技术厅",
    )
    return case, lambda: _archivable(case)


@pytest.mark.parametrize(
    ("code", "ready", "model", "blank", "article"),
    [
        (
            "non_initiation.decision",
            _not_filed_ready,
            NonInitiation,
            {"reason": ""},
            "第八条第二款：不启动执法程序的决定及理由",
        ),
        ("complaint.content", _filed_complaint_ready, Complaint, {"content": ""}, "第九条第一款：投诉、举报的内容"),
        (
            "application.form",
            _application_ready,
            Application,
            {"form": ""},
            "第七条：文字申请或口头申请（申请方式、时间）",
        ),
        (
            "application.rejection",
            _rejected_ready,
            Application,
            {"refusal_reason": ""},
            "第七条；《行政许可法》第三十二条第一款：不予受理的情形、告知申请人的理由及时间",
        ),
    ],
)
def test_each_missing_element_blocks_its_transition(
    officer, officer2, head, archivist, code, ready, model, blank, article
):
    case, transition = ready(officer, officer2, head, archivist)
    state = Case.objects.get(pk=case.pk).state
    model.objects.filter(case=case).update(**blank)  # the element is missing (e.g. lost in a migration)
    with pytest.raises(services.TransitionError, match=re.escape(article)):
        transition()
    assert Case.objects.get(pk=case.pk).state == state
    assert code in {r.code for r in missing(Case.objects.get(pk=case.pk), state)}


def test_complaint_recorder_is_required_by_the_database_and_by_the_checklist(officer, officer2, head, archivist):
    # 第九条第一款 记录人情况: the column is NOT NULL, so it cannot go missing in the database;
    # the requirement still names it for a complaint without one, which blocks the transition.
    case, _ = _filed_complaint_ready(officer, officer2, head, archivist)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(case=case).update(recorded_by=None)
    case = Case.objects.get(pk=case.pk)
    assert "complaint.recorder" not in {r.code for r in missing(case, CaseState.REGISTERED)}
    case.complaint.recorded_by_id = None
    assert "第九条第一款：记录人情况" in describe_missing(missing(case, CaseState.REGISTERED))


# --- later stages ------------------------------------------------------------------------------


@pytest.fixture
def only_chapter_two():
    """The stage machine alone: other apps' checklists (第十条 …) are tested by those apps."""
    from cases.requirements import _registry

    saved = dict(_registry.items)
    _registry.items = {k: v for k, v in saved.items() if v.applies.__module__ == "cases.requirements"}
    yield
    _registry.items = saved


def test_requirements_of_other_apps_block_their_stage(only_chapter_two, officer, officer2):
    from cases.requirements import Requirement, _registry, register

    case = CaseFactory(officers=[officer, officer2], department=officer.department, created_by=officer)
    register(
        Requirement(
            "test.report", "第十条", "调查终结报告", "investigating", applies=lambda c: True, satisfied=lambda c: False
        )
    )
    try:
        with pytest.raises(services.TransitionError, match="第十条：调查终结报告") as exc:
            review_submit(case_id=case.pk, by=officer)
        assert [r.code for r in exc.value.missing] == ["test.report"]
    finally:
        _registry.items.pop("test.report")


def test_generic_button_runs_the_owning_action(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    stages.run_button(case_id=case.pk, name="submit_for_filing", by=officer)
    stages.run_button(case_id=case.pk, name="approve_filing", by=head, opinion="同意")
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING


# --- every 第二章 element blocks its transition, naming its article -------------------------------


@pytest.mark.parametrize(
    "override, article",
    [
        ({"source": ""}, "第八条第一款：案件来源"),
        ({"cause": ""}, "第八条第一款：启动原因"),
    ],
)
def test_filing_form_elements(officer, officer2, override, article):
    case = _ex_officio(officer, officer2, **override)
    _complete_filing(case, officer)
    with pytest.raises(services.TransitionError, match=article):
        services.case_submit_for_filing(case_id=case.pk, by=officer)


def test_complaint_without_contact_blocks_filing(officer, officer2):
    case = _complaint(officer, officer2, complainant_phone="", complainant_address="")
    _complete_filing(case, officer)
    services.filing_record_update(case_id=case.pk, by=officer, cause="举报线索")
    services.complaint_record_handling(case_id=case.pk, by=officer, handling="拟立案")
    with pytest.raises(services.TransitionError, match="第九条第一款：投诉、举报人基本情况"):
        services.case_submit_for_filing(case_id=case.pk, by=officer)


def test_application_without_applicant_blocks_acceptance(officer, officer2):
    case = _application(officer, officer2, parties=[])
    with pytest.raises(services.TransitionError, match="第七条：申请人基本情况"):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="受理")


def test_head_must_write_an_opinion(officer, officer2, head):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    with pytest.raises(services.TransitionError, match="机关负责人意见"):
        services.case_approve_filing(case_id=case.pk, by=head, opinion="  ")


def test_starting_records_are_fixed_after_submission(officer, officer2):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    with pytest.raises(services.TransitionError, match="待立案审批"):
        services.filing_opinion_record(case_id=case.pk, by=officer, level="unit", opinion="改")


# --- 撤销登记 (issue 11, defect 4) --------------------------------------------------------------


def test_a_mistaken_registration_is_withdrawn_with_the_heads_approval(officer, officer2, head, section_chief):
    case = _ex_officio(officer, officer2)
    with pytest.raises(services.TransitionError, match="尚未申请"):
        services.case_withdraw_registration(case_id=case.pk, by=head, opinion="同意", approve=True)
    with pytest.raises(services.TransitionError, match="理由"):
        services.registration_withdrawal_request(case_id=case.pk, by=officer, reason=" ")
    with pytest.raises(services.TransitionDenied):  # only a handling officer asks
        services.registration_withdrawal_request(case_id=case.pk, by=section_chief, reason="重复登记")
    services.registration_withdrawal_request(case_id=case.pk, by=officer, reason="与临科登〔2026〕3号重复登记")
    with pytest.raises(services.TransitionError, match="待机关负责人审批"):
        services.registration_withdrawal_request(case_id=case.pk, by=officer2, reason="再申请")
    with pytest.raises(services.TransitionDenied, match="机关负责人"):
        services.case_withdraw_registration(case_id=case.pk, by=officer2, opinion="同意", approve=True)
    # Refused first: it stays registered, and a new request opens the next round.
    services.case_withdraw_registration(case_id=case.pk, by=head, opinion="请先核实是否重复", approve=False)
    case.refresh_from_db()
    assert case.state == CaseState.REGISTERED and services.withdrawal_pending(case) is None
    services.registration_withdrawal_request(case_id=case.pk, by=officer, reason="经核实，与临科登〔2026〕3号重复")
    services.case_withdraw_registration(case_id=case.pk, by=head, opinion="同意撤销登记。", approve=True)
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and case.number is None
    assert case.registration_number == f"临科登〔{YEAR}〕1号"
    rows = list(case.signoffs.filter(step="withdrawal").values_list("round", "level", "outcome"))
    assert rows == [(1, "officer", "agree"), (1, "head", "return"), (2, "officer", "agree"), (2, "head", "agree")]
    entry = Entry.objects.get(case_id=case.pk, action="case.withdraw_registration")
    assert entry.data["reason"] == "经核实，与临科登〔2026〕3号重复" and entry.data["opinion"] == "同意撤销登记。"
    # Nothing more happens to a withdrawn case.
    with pytest.raises(services.TransitionError):
        services.case_submit_for_filing(case_id=case.pk, by=officer)


def test_withdrawal_only_before_filing(officer, officer2, section_chief):
    case = _ex_officio(officer, officer2)
    _complete_filing(case, officer, section_chief)
    services.case_submit_for_filing(case_id=case.pk, by=officer)
    with pytest.raises(services.TransitionError, match="已登记"):
        services.registration_withdrawal_request(case_id=case.pk, by=officer, reason="登记错误")


def test_application_events_and_notices_keep_the_order_of_events(officer, officer2, head):
    """linke.validators.period_errors through the services: nothing before the event it follows,
    nothing in the future (issue 11, defect 6)."""
    case = _application(officer, officer2, received_at=timezone.now() - timezone.timedelta(hours=2))
    with pytest.raises(services.TransitionError, match="不能早于申请时间"):
        services.application_event_add(
            case_id=case.pk,
            by=officer,
            kind=ApplicationEventKind.CORRECTION,
            occurred_at=timezone.now() - timezone.timedelta(days=1),
            content="更正",
        )
    with pytest.raises(services.TransitionError, match="不能晚于当前时间"):
        services.application_event_add(
            case_id=case.pk,
            by=officer,
            kind=ApplicationEventKind.CORRECTION,
            occurred_at=timezone.now() + timezone.timedelta(days=1),
            content="更正",
        )
    penalty = _complaint(officer, officer2)
    services.case_not_file(case_id=penalty.pk, by=head, opinion="同意不予立案。", notice_reason="不属于本机关管辖")
    with pytest.raises(services.TransitionError, match="不能早于不予立案决定时间"):
        services.noninitiation_record_complainant_notice(
            case_id=penalty.pk,
            by=officer,
            method=NoticeMethod.PHONE,
            notified_at=timezone.now() - timezone.timedelta(days=2),
            detail="电话告知",
        )
