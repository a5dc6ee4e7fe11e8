"""Issue 11, defect 10 and its kind: an action is offered only to who may take it, in the stage
where it is allowed; a link shown works for the user it is shown to. Every role walks the case
page in every stage and takes what it offers (each in a transaction rolled back afterwards, so
the case stays in the stage under test); nothing offered is refused, and the actions that
refuse were not offered."""

import datetime as dt
import re
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import UserFactory
from avrecords.models import AVRecord, Upload
from avrecords.services import AVError, record_assign
from cases import policy
from cases.models import Application, Case, CaseState
from cases.tests.pages import case_page_html, section_html
from cases.tests.test_seams import no_requirements  # noqa: F401 - a fixture
from cases.tests.test_services import _application, _ex_officio
from records.services import RecordError, record_create

S = CaseState
LICENSING_STATES = {S.APPLIED, S.ACCEPTED, S.REJECTED}
# What a refusal says (cases.stages.require_roles / require_state, cases.signoffs, the records'
# and attachments' checks): who may do it, or in which stage. Input errors say other things.
REFUSAL = re.compile(r"无权|阶段|需由|须由|没有“")
_POSTED = re.compile(r'(?:action|formaction)="(/cases/\d+/(?:action|record)/[a-z_]+/)"')
_LINK = re.compile(r'href="(/[^"#]*)"')


def _flashed_errors(client) -> list[str]:
    """The error messages the last response flashed (read from the messages cookie, so no page
    has to be rendered for them), and forget them."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    cookie = client.cookies.pop(CookieStorage.cookie_name, None)
    storage: Any = CookieStorage(HttpRequest())
    stored = storage._decode(cookie.value) if cookie is not None and cookie.value else None
    return [str(m) for m in stored or [] if m.level == constants.ERROR]


class _Rollback(Exception):
    pass


@contextmanager
def _undone():
    """Run the block and undo everything it wrote (the case stays in its stage)."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def _payload(case: Case, officers: list) -> dict:
    """Valid input for each form the case page may offer (the fields of cases.forms)."""
    past = timezone.localtime(timezone.now() - dt.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")
    return {
        "opinion": "经审查，同意。",
        "reason": "登记时案由录入错误。",
        "decision": "approve",
        "notice_reason": "经核查，不符合立案条件。",
        "cause": "日常检查发现申报材料与实际不符",
        "source": "inspection",
        "source_detail": "",
        "summary": "当事人在科技项目申报中提供虚假财务报表。",
        "handling": "已核查，情况属实。",
        "materials": "申请表一份",
        "oral_record": "",
        "kind": "correction",
        "occurred_at": past,
        "content": "当场更正申请表笔误。",
        "party-kind": "organisation",
        "party-name": "临沂某科技有限公司",
        "officers": [u.pk for u in officers],
        "method": "direct",
        "notified_at": past,
        "detail": "当面告知当事人。",
        "ground": "not_required",
    }


def _case_in(state: str, officer, officer2) -> Case:
    case = (_application if state in LICENSING_STATES else _ex_officio)(officer, officer2)
    # Received an hour ago, so the forms' times (minutes ago) fall after it.
    Application.objects.filter(case=case).update(received_at=timezone.now() - dt.timedelta(hours=1))
    closed = {"concluded_at": timezone.now()} if state in (S.CONCLUDED, S.ARCHIVED) else {}
    Case.objects.filter(pk=case.pk).update(state=state, **closed)  # test setup: the stage under test
    case.refresh_from_db()
    return case


def _inbox_record(by) -> AVRecord:
    upload = Upload.objects.create(length=1, metadata={}, uploaded_by=by)
    return AVRecord.objects.create(upload=upload, filename="现场.mp4", owner=by)


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(CaseState))
def test_every_role_in_every_stage_is_offered_exactly_what_it_may_take(
    client, state, no_requirements, officer, officer2, section_chief, reviewer, head, archivist, admin_user
):
    colleague = UserFactory(department=officer.department, roles=[Role.OFFICER])
    people = {
        "承办人": officer,
        "同科室执法人员": colleague,
        "承办机构负责人": section_chief,
        "法规科": reviewer,
        "机关负责人": head,
        "档案管理员": archivist,
        "系统管理员": admin_user,
    }
    case = _case_in(state, officer, officer2)
    assert case.state == state
    url = case.get_absolute_url()
    payload = _payload(case, [officer, officer2])
    problems = []
    for who, user in people.items():
        client.force_login(user)
        page = client.get(url)
        if not policy.may_read(user, case):
            assert page.status_code == 404, who
            continue
        assert page.status_code == 200, who
        html = case_page_html(client, case)

        # 1. Transition buttons and the case page's forms: taken, none is refused.
        posted = set(_POSTED.findall(html))
        for target in sorted(posted):
            with _undone():
                resp = client.post(target, payload)
                status = resp.status_code
                refused = [m for m in _flashed_errors(client) if REFUSAL.search(m)]
                # A refusal shown in place (the page again, 400): the form's errors.
                refused += re.findall(r'<ul class="errorlist[^"]*">(.*?)</ul>', resp.content.decode(), re.S)
            if refused or status != 302:
                problems.append(f"{state} {who}: offered {target} but refused ({status}): {refused}")

        # 2. 新建调查取证记录 (records panel) ⇔ record_create accepts.
        offered = "新建调查取证记录" in html
        with _undone():
            try:
                record_create(case_id=case.pk, kind="inspection", by=user, data={})
                allowed = True
            except RecordError:
                allowed = False
        if offered != allowed:
            problems.append(f"{state} {who}: 新建调查取证记录 offered={offered} allowed={allowed}")

        # 3. The AV upload box ⇔ a recording can be put on the case (the upload's case
        #    matching and record_assign share services.av_refusal).
        offered = 'id="av-file"' in html
        with _undone():
            try:
                record_assign(record_id=_inbox_record(user).pk, case=case, by=user)
                allowed = True
            except AVError:
                allowed = False
        if offered != allowed:
            problems.append(f"{state} {who}: 音像上传 offered={offered} allowed={allowed}")
        if policy.may_write(user, case) and not offered and not re.search(r'data-why="avrecords">[^<]+', html):
            problems.append(f"{state} {who}: no upload and no reason given")

        # 4. The attachment form ⇔ an attachment is accepted.
        offered = f'action="/cases/{case.pk}/attachments/"' in html
        with _undone():
            file = SimpleUploadedFile("说明.txt", "补充材料".encode(), content_type="text/plain")
            resp = client.post(f"/cases/{case.pk}/attachments/", {"file": file})
            # Accepted: redirected; refused: 404 (not readable), or the page again (400) or a
            # flashed error (not offered here).
            allowed = resp.status_code == 302 and not _flashed_errors(client)
        if offered != allowed:
            problems.append(f"{state} {who}: 附件 offered={offered} allowed={allowed}")

        # 5. Every link of the page's content works for this user.
        main = html[html.index("<main") : html.index("</main>")]
        for link in sorted(set(_LINK.findall(main))):
            if link.startswith("/static/"):
                continue
            status = client.get(link).status_code
            if status not in (200, 302):
                problems.append(f"{state} {who}: link {link} answers {status}")
    assert problems == []


@pytest.mark.django_db
def test_every_dashboard_link_works_for_the_user_it_is_shown_to(
    client, officer, officer2, section_chief, reviewer, head, archivist, admin_user
):
    """The dashboard showed 进入立案审批队列 to section chiefs, who then got 404."""
    from cases import services
    from cases.tests.test_services import _complete_filing

    waiting_for_chief = _ex_officio(officer, officer2)
    submitted = _ex_officio(officer, officer2)
    _complete_filing(submitted, officer, section_chief)
    services.case_submit_for_filing(case_id=submitted.pk, by=officer)
    assert waiting_for_chief.state == S.REGISTERED
    people = [officer, officer2, section_chief, reviewer, head, archivist, admin_user]
    shown = {}
    for user in people:
        client.force_login(user)
        html = client.get("/", follow=True).content.decode()
        shown[user.username] = html
        for link in sorted(set(_LINK.findall(html))):
            if link.startswith("/static/"):
                continue
            assert client.get(link).status_code in (200, 302), (user.username, link)
    # The chief has something waiting, and is sent to the case page, not to the head's queue.
    chief_page = shown[section_chief.username]
    assert waiting_for_chief.get_absolute_url() in chief_page
    assert "/cases/approvals/" not in chief_page and "在案件页签署承办机构意见" in chief_page
    assert "/cases/approvals/" in shown[head.username]


@pytest.mark.django_db
@pytest.mark.parametrize("state", [S.REGISTERED, S.NOT_FILED, S.WITHDRAWN, S.PENDING_FILING, S.APPLIED])
def test_a_case_not_filed_offers_no_av_upload_and_says_why(client, state, officer, officer2):
    """第十一条: recordings are of investigation (after filing) and later on-site acts; a case
    not (yet) filed, withdrawn or not accepted takes none: no upload box, a reason instead, and
    record_assign refuses the same way."""
    case = _case_in(state, officer, officer2)
    client.force_login(officer)
    html = section_html(client, case, "av")
    assert 'id="av-file"' not in html
    assert f"案件处于“{CaseState(state).label}”阶段，不接收音像记录" in html
    with pytest.raises(AVError, match="不接收音像记录"):
        record_assign(record_id=_inbox_record(officer).pk, case=case, by=officer)
    Case.objects.filter(pk=case.pk).update(state=S.INVESTIGATING)
    case.refresh_from_db()
    html = section_html(client, case, "av")
    assert 'id="av-file"' in html and "不接收音像记录" not in html
    assert record_assign(record_id=_inbox_record(officer).pk, case=case, by=officer).case_id == case.pk
