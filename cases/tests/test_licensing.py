"""Licensing acceptance (第七条; 《行政许可法》第三十二条、第四十二条): the checklist cites the
Licensing Law, acceptance issues the 受理通知书, refusal the 不予受理决定书, a request for missing
material the 补正材料通知书 (once, within 5 working days), and after those 5 days lapse without a
notice the application counts as accepted from the day of receipt."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from cases import licensing, requirements, services
from cases.models import ApplicationEventKind, CaseState
from cases.tests.factories import CaseFactory, FilingRecordFactory, party_data
from cases.tests.test_services import _application, _ex_officio
from cases.views import _checklist
from deadlines.models import Deadline, DeadlineKind
from documents.models import Document, DocumentStatus
from documents.tests.test_services import pdf_text

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
# Monday 2 November 2026: its 5th working day after is Monday 9 November, its 20th Monday 30
# November (no holiday in between).
RECEIVED = dt.datetime(2026, 11, 2, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _text(doc: Document) -> str:
    return pdf_text(doc).replace("\n", "").replace(" ", "")


def _doc(case, doc_type: str) -> Document:
    doc = Document.objects.get(case=case, doc_type=doc_type)
    assert doc.status == DocumentStatus.FINAL
    return doc


def _cited(items) -> list[str]:
    return [f"{i.requirement.article}：{i.requirement.label}" for i in items]


# --- 1. the checklist cites the right law --------------------------------------------------------


def test_licensing_checklist_cites_no_penalty_law_and_penalty_checklist_does(officer, officer2, client):
    case = _application(officer, officer2, received_at=timezone.now())
    for stage_case in (case,):
        applicable = [i for i in requirements.checklist(stage_case) if i.status != "na"]
        assert applicable, "a licensing case has checklist lines"
        assert not [c for c in _cited(applicable) if "行政处罚法" in c]
        assert not [c for c in _cited(_checklist(stage_case)) if "行政处罚法" in c]
    assert "第七条；《行政许可法》第三十四条第三款：承办人两名以上且均为持有执法证的执法人员" in _cited(
        _checklist(case)
    )
    services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理")
    case.refresh_from_db()
    assert not [c for c in _cited(_checklist(case)) if "行政处罚法" in c]
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    checklist_html = page.split('id="checklist"', 1)[1].split("</section>", 1)[0]
    assert "行政许可法" in checklist_html and "行政处罚法" not in checklist_html

    penalty = CaseFactory(
        registration_number="临科登〔2026〕9001号",
        officers=[officer, officer2],
        department=officer.department,
        created_by=officer,
        state=CaseState.REGISTERED,
    )
    FilingRecordFactory(case=penalty)
    cited = _cited(_checklist(penalty))
    assert "《行政处罚法》第四十二条：承办人两名以上且均持有执法证" in cited
    assert not [c for c in cited if "行政许可法" in c]


def test_refused_application_checklist_cites_article_32(officer, officer2):
    case = _application(officer, officer2)
    services.case_reject_application(
        case_id=case.pk, by=officer, opinion="不属于本局", ground="not_required", notice_reason="该事项无需许可。"
    )
    case.refresh_from_db()
    cited = _cited(_checklist(case))
    assert any(c.startswith("第七条；《行政许可法》第三十二条第一款：不予受理的情形") for c in cited)
    assert not [c for c in cited if "行政处罚法" in c]


# --- 2. acceptance and refusal issue their documents ------------------------------------------------


def test_acceptance_issues_the_acceptance_notice(officer, officer2, django_capture_on_commit_callbacks):
    case = _application(officer, officer2, received_at=timezone.now() - dt.timedelta(minutes=5))
    supplement = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_SUPPLEMENT)
    assert supplement.working_days == 5 and supplement.met_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理（内部意见）")
    case.refresh_from_db()
    app = case.application
    assert case.number.startswith("临科许受") and not app.deemed_accepted
    assert timezone.localtime(app.accepted_at).date() == timezone.localdate()
    supplement.refresh_from_db()
    assert supplement.met_at is not None  # the decision answers the 5-day period

    decision = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_DECISION)
    assert decision.start == app.accepted_at and decision.working_days == 20
    doc = _doc(case, "acceptance_notice")
    assert doc.number.startswith("临科许受通〔") and doc.source_type == "cases.application"
    due = licensing.decision_due(app.accepted_at)
    assert timezone.localtime(decision.due).date() == due
    text = _text(doc)
    today = timezone.localdate()
    for expected in (
        "受理通知书",
        "申请人：临沂某某新材料有限公司",
        "技术合同认定登记",
        f"受理号：{case.number}",
        f"受理日期：{today.year}年{today.month}月{today.day}日",
        "二十个工作日内",
        f"{due.year}年{due.month}月{due.day}日前",
        "《中华人民共和国行政许可法》第四十二条",
    ):
        assert expected in text, expected
    assert "申请材料齐全、符合法定形式" in text and "第三十二条第一款第（五）项" in text
    assert "内部意见" not in text and "视为" not in text and "即为受理" not in text
    issued = Entry.objects.filter(case_id=case.pk, action="document.issued")
    assert [e.data["doc_type"] for e in issued] == ["acceptance_notice"]


def test_refusal_not_competent_names_the_organ_and_the_remedies(officer, officer2, django_capture_on_commit_callbacks):
    case = _application(officer, officer2)
    with pytest.raises(services.TransitionError, match="应当向其申请的行政机关"):
        services.case_reject_application(
            case_id=case.pk, by=officer, opinion="不属于本局", ground="not_competent", notice_reason="不属于本局职权"
        )
    with pytest.raises(services.TransitionError, match="不予受理的情形"):
        services.case_reject_application(
            case_id=case.pk, by=officer, opinion="不属于本局", ground="", notice_reason="不属于本局职权"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reject_application(
            case_id=case.pk,
            by=officer,
            opinion="经核，属省厅审批事项，拟不予受理（内部）",
            ground="not_competent",
            notice_reason="你单位申请的高新技术企业认定事项由省级主管部门办理。",
            competent_organ="山东省科学技术厅",
        )
    case.refresh_from_db()
    assert case.state == CaseState.REJECTED and case.number is None
    app = case.application
    assert (app.refusal_ground, app.competent_organ) == ("not_competent", "山东省科学技术厅")
    doc = _doc(case, "non_acceptance_decision")
    text = _text(doc)
    for expected in (
        "不予受理决定书",
        "申请人：临沂某某新材料有限公司",
        "申请事项依法不属于本机关职权范围",
        "第三十二条第一款第（二）项",
        "你单位申请的高新技术企业认定事项由省级主管部门办理。",
        "请你（单位）向山东省科学技术厅提出申请",
        "六十日内向临沂市人民政府申请行政复议",
        "六个月内依法向人民法院提起行政诉讼",
        case.registration_number,
    ):
        assert expected in text, expected
    assert "内部" not in text and "许受〔" not in text
    entry = Entry.objects.get(case_id=case.pk, action="case.reject_application")
    assert entry.data["competent_organ"] == "山东省科学技术厅" and entry.data["ground"] == "not_competent"


def test_refusal_on_another_ground_prints_no_organ(officer, officer2, django_capture_on_commit_callbacks):
    case = _application(officer, officer2)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reject_application(
            case_id=case.pk,
            by=officer,
            opinion="无需许可",
            ground="not_required",
            notice_reason="技术合同登记不属于行政许可事项，可直接办理。",
            competent_organ="某机关（不应印出）",
        )
    case.refresh_from_db()
    assert case.application.competent_organ == ""
    text = _text(_doc(case, "non_acceptance_decision"))
    assert "第三十二条第一款第（一）项" in text and "不应印出" not in text and "提出申请。" not in text


# --- 3. the 补正材料通知书 ----------------------------------------------------------------------


def test_supplement_notice_lists_every_material_once(officer, officer2, django_capture_on_commit_callbacks):
    received = timezone.now() - dt.timedelta(hours=2)
    case = _application(officer, officer2, received_at=received)
    with pytest.raises(services.TransitionError, match="至少一项"):
        licensing.application_supplement_notice(case_id=case.pk, by=officer, materials=" \n ", notified_at=received)
    with pytest.raises(services.TransitionError, match="告知时间"):
        licensing.application_supplement_notice(
            case_id=case.pk, by=officer, materials="营业执照", notified_at=timezone.now() + dt.timedelta(hours=1)
        )
    with pytest.raises(services.TransitionError, match="收到申请时间"):
        licensing.application_supplement_notice(
            case_id=case.pk, by=officer, materials="营业执照", notified_at=received - dt.timedelta(hours=1)
        )
    with pytest.raises(services.TransitionError, match="尚未告知申请人补正材料"):
        licensing.application_supplement_receive(case_id=case.pk, by=officer, supplied_at=received, content="x")

    notified = received + dt.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        event = licensing.application_supplement_notice(
            case_id=case.pk,
            by=officer,
            materials="技术合同原件（加盖双方公章）\n\n法定代表人身份证复印件\n技术交易额发票复印件",
            notified_at=notified,
        )
    assert event.kind == ApplicationEventKind.SUPPLEMENT_REQUEST
    assert Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_SUPPLEMENT).met_at == notified
    entry = Entry.objects.get(case_id=case.pk, action="application.supplement_request")
    assert entry.data["materials"] == [
        "技术合同原件（加盖双方公章）",
        "法定代表人身份证复印件",
        "技术交易额发票复印件",
    ]
    doc = _doc(case, "supplement_notice")
    assert doc.number.startswith("临科许补〔") and doc.source_id == str(event.pk)
    text = _text(doc)
    for expected in (
        "补正材料通知书",
        "申请人：临沂某某新材料有限公司",
        "第三十二条第一款第（四）项",
        "一次告知",
        "1技术合同原件（加盖双方公章）",
        "2法定代表人身份证复印件",
        "3技术交易额发票复印件",
    ):
        assert expected in text, expected

    # 一次告知: a second notice is refused, naming the article.
    with pytest.raises(services.TransitionError, match="一次告知需要补正的全部内容"):
        licensing.application_supplement_notice(
            case_id=case.pk, by=officer, materials="另一份材料", notified_at=notified
        )
    # Not accepted before the material arrives; the supply is not dated before the notice.
    with pytest.raises(services.TransitionError, match="补正更正材料的接收情况"):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="受理")
    with pytest.raises(services.TransitionError, match="告知补正时间"):
        licensing.application_supplement_receive(
            case_id=case.pk, by=officer, supplied_at=notified - dt.timedelta(minutes=1), content="合同原件"
        )
    licensing.application_supplement_receive(
        case_id=case.pk, by=officer, supplied_at=notified + dt.timedelta(minutes=30), content="收到全部补正材料"
    )
    with pytest.raises(services.TransitionError, match="已登记"):
        licensing.application_supplement_receive(case_id=case.pk, by=officer, supplied_at=notified, content="again")
    services.case_accept_application(case_id=case.pk, by=officer, opinion="补正后材料齐全，予以受理")
    case.refresh_from_db()
    # The 20 working days count from acceptance, not from receipt.
    assert not case.application.deemed_accepted and case.application.accepted_at > notified
    assert Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_DECISION).start == case.application.accepted_at


# --- the 5-working-day rule ---------------------------------------------------------------------


def test_five_working_days_lapsed_acceptance_counts_from_receipt(
    officer, officer2, client, django_capture_on_commit_callbacks
):
    case = _application(officer, officer2, received_at=RECEIVED)
    assert licensing.supplement_due(case.application) == dt.date(2026, 11, 9)
    deadline = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_SUPPLEMENT)
    assert timezone.localtime(deadline.due).date() == dt.date(2026, 11, 9)
    # On the 5th working day a notice is still in time; the day after it is not.
    assert not licensing.supplement_lapsed(case, case.application, dt.datetime(2026, 11, 9, 17, tzinfo=TZ))
    with pytest.raises(services.TransitionError, match="即为受理"):
        licensing.application_supplement_notice(
            case_id=case.pk, by=officer, materials="营业执照", notified_at=dt.datetime(2026, 11, 10, 9, tzinfo=TZ)
        )
    # The officer is told on the case page, and offered no notice.
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "未告知补正，依法自收到申请材料之日起即为受理" in page
    assert 'data-key="supplement_notice"' not in page and "不能再告知补正" in page

    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept_application(case_id=case.pk, by=officer, opinion="材料齐全，予以受理")
    case.refresh_from_db()
    app = case.application
    assert app.deemed_accepted and app.accepted_at == RECEIVED and case.filed_at == RECEIVED
    decision = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_DECISION)
    assert decision.start == RECEIVED and timezone.localtime(decision.due).date() == dt.date(2026, 11, 30)
    assert Entry.objects.get(case_id=case.pk, action="case.accept_application").data["deemed"] is True
    text = _text(_doc(case, "acceptance_notice"))
    assert "受理日期：2026年11月2日" in text and "自收到申请材料之日起即为受理" in text
    assert "申请材料齐全" not in text  # deemed acceptance asserts no examination that did not happen
    assert "2026年11月30日前" in text
    page = client.get(case.get_absolute_url()).content.decode()
    assert "2026-11-02" in page and "自收到申请材料之日起即为受理" in page


def test_notice_on_the_fifth_working_day_is_in_time(officer, officer2):
    case = _application(officer, officer2, received_at=RECEIVED)
    licensing.application_supplement_notice(
        case_id=case.pk, by=officer, materials="营业执照副本", notified_at=dt.datetime(2026, 11, 9, 16, tzinfo=TZ)
    )
    met = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_SUPPLEMENT)
    assert met.met_at is not None and met.met_at <= met.due


# --- 5. the case page: offered in the right stage to who may act; never on a penalty case -----------


def test_penalty_case_never_offers_licensing_actions(officer, officer2, head, client):
    case = _ex_officio(officer, officer2)
    for user in (officer, head):
        client.force_login(user)
        page = client.get(case.get_absolute_url()).content.decode()
        for key in ("supplement_notice", "supplement_received", "reject_application"):
            assert f'data-key="{key}"' not in page
        assert "补正材料通知书" not in page and 'data-action="accept_application"' not in page
    with pytest.raises(services.TransitionError, match="行政处罚案件没有"):
        licensing.application_supplement_notice(
            case_id=case.pk, by=officer, materials="材料", notified_at=timezone.now()
        )
    with pytest.raises(services.TransitionError, match="行政处罚案件没有"):
        services.case_reject_application(case_id=case.pk, by=officer, opinion="x", ground="other", notice_reason="x")
    client.force_login(officer)
    response = client.post(
        reverse("cases:record", args=[case.pk, "supplement_notice"]),
        {"materials": "材料", "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400 and "行政处罚案件没有" in response.content.decode()
    assert not Document.objects.filter(case=case).exists()


def test_licensing_actions_offered_to_officers_and_explained_to_others(officer, officer2, head, client):
    case = _application(officer, officer2)
    client.force_login(officer)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="supplement_notice"' in page and 'data-key="reject_application"' in page
    assert 'data-key="supplement_received"' not in page  # nothing asked for yet
    client.force_login(head)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="supplement_notice"' not in page and 'data-key="reject_application"' not in page
    assert "告知补正材料、受理、不予受理由本案执法人员办理。" in page
    with pytest.raises(services.TransitionDenied):
        licensing.application_supplement_notice(case_id=case.pk, by=head, materials="材料", notified_at=timezone.now())

    client.force_login(officer)
    licensing.application_supplement_notice(case_id=case.pk, by=officer, materials="材料", notified_at=timezone.now())
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-key="supplement_notice"' not in page and 'data-key="supplement_received"' in page
    assert "不能再次告知" in page


def test_refused_form_is_shown_again_with_what_was_typed(officer, officer2, client):
    case = _application(officer, officer2, received_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(officer)
    response = client.post(
        reverse("cases:record", args=[case.pk, "reject_application"]),
        {"opinion": "内部意见甲", "ground": "not_competent", "notice_reason": "写给申请人的理由乙"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "须告知申请人向哪个行政机关申请" in body and "内部意见甲" in body and "写给申请人的理由乙" in body
    case.refresh_from_db()
    assert case.state == CaseState.APPLIED

    response = client.post(
        reverse("cases:record", args=[case.pk, "supplement_notice"]),
        {"materials": "  \n", "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 400 and "每行一项" in response.content.decode()
    response = client.post(
        reverse("cases:record", args=[case.pk, "supplement_notice"]),
        {"materials": "营业执照副本\n章程", "notified_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    assert case.application_events.get(kind="supplement_request").content == "营业执照副本\n章程"


def test_registration_of_a_licensing_case_cites_the_licensing_rule_for_officers(officer):
    with pytest.raises(services.TransitionError) as exc:
        services.case_register_application(
            by=officer,
            title="申请",
            officers=[officer],
            parties=[party_data()],
            form="written",
            received_at=timezone.now(),
            matter="技术合同认定登记",
        )
    assert "行政许可法" in str(exc.value) and "行政处罚法" not in str(exc.value)
