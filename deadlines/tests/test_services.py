import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from audit.models import Entry
from cases.models import CaseKind, CaseState
from cases.signals import case_transitioned
from cases.tests.factories import CaseFactory
from deadlines.models import CalendarOverride, Deadline, DeadlineKind
from deadlines.services import calendar_overrides_save, deadline_met, deadline_open

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _open(case, **kw):
    args = dict(
        case=case,
        kind=DeadlineKind.EVIDENCE_PRESERVATION,
        article="《行政处罚法》第五十六条",
        label="先行登记保存处理决定",
        start=dt.datetime(2026, 2, 10, 15, 0, tzinfo=SH),
        working_days=7,
    )
    args.update(kw)
    return deadline_open(**args)


def test_open_computes_due_at_end_of_day_in_shanghai_and_audits():
    case = CaseFactory()
    d = _open(case, responsible=case.officers.all())
    assert d.due == dt.datetime(2026, 2, 26, 23, 59, 59, 999999, tzinfo=SH)
    assert not d.provisional
    assert set(d.responsible.all()) == set(case.officers.all())
    assert Entry.objects.filter(case_id=case.pk, action="deadline.opened").count() == 1


def test_open_is_idempotent_per_kind_and_case_or_target():
    case = CaseFactory()
    first = _open(case)
    assert _open(case, working_days=3) == first
    # Another target of the same case gets its own deadline.
    other_target = CaseFactory()
    assert _open(case, target=other_target) != first
    assert Deadline.objects.filter(case=case).count() == 2
    # Once met, a new one may open.
    assert deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, case=case, target=None) == 2
    assert _open(case) != first


def test_open_needs_exactly_one_unit():
    with pytest.raises(ValueError):
        _open(CaseFactory(), days=3)
    with pytest.raises(ValueError):
        _open(CaseFactory(), working_days=None)


def test_met_closes_only_matching_target_and_audits():
    case = CaseFactory()
    t1, t2 = CaseFactory(), CaseFactory()
    _open(case, target=t1)
    _open(case, target=t2)
    assert deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, target=t1) == 1
    assert deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, target=t1) == 0
    assert Deadline.objects.filter(met_at__isnull=True).count() == 1
    assert Entry.objects.filter(case_id=case.pk, action="deadline.met").count() == 1


def test_filing_a_penalty_case_opens_the_90_day_period_and_decision_meets_it():
    case = CaseFactory(state=CaseState.INVESTIGATING, filed_at=dt.datetime(2026, 3, 10, 9, tzinfo=SH))
    case_transitioned.send(
        sender=type(case), case=case, from_state=CaseState.PENDING_FILING, to_state=CaseState.INVESTIGATING, by=None
    )
    d = Deadline.objects.get(case=case, kind=DeadlineKind.PENALTY_DECISION)
    # 《行政处罚法》第六十条: 90 days from 10 Mar 2026 end 8 Jun 2026 (Monday).
    assert d.due.astimezone(SH).date() == dt.date(2026, 6, 8)
    assert d.days == 90 and "第六十条" in d.article
    assert set(d.responsible.all()) == set(case.officers.all())
    case_transitioned.send(
        sender=type(case), case=case, from_state=CaseState.PENDING_DECISION, to_state=CaseState.DECIDED, by=None
    )
    d.refresh_from_db()
    assert d.met_at is not None


def test_accepting_a_licence_application_opens_20_working_days():
    case = CaseFactory(kind=CaseKind.LICENSING, state=CaseState.ACCEPTED)
    case_transitioned.send(
        sender=type(case), case=case, from_state=CaseState.APPLIED, to_state=CaseState.ACCEPTED, by=None
    )
    d = Deadline.objects.get(case=case, kind=DeadlineKind.LICENSING_DECISION)
    assert d.working_days == 20 and "第四十二条" in d.article
    assert not Deadline.objects.filter(case=case, kind=DeadlineKind.PENALTY_DECISION).exists()


def test_provisional_deadline_is_recomputed_when_the_year_is_imported(admin_user):
    case = CaseFactory()
    # 7 working days from Thu 24 Dec 2026: 25, 28, 29, 30, 31 Dec, then 2027 (fallback):
    # Fri 1 Jan, Mon 4 Jan.
    d = _open(case, start=dt.datetime(2026, 12, 24, 10, tzinfo=SH))
    assert d.provisional and d.due.astimezone(SH).date() == dt.date(2027, 1, 4)
    # The 2027 notice: 1 Jan (Fri) to 3 Jan off; suppose 4 Jan is off too.
    calendar_overrides_save(
        pairs=[
            (dt.date(2027, 1, 1), False),
            (dt.date(2027, 1, 2), False),
            (dt.date(2027, 1, 3), False),
            (dt.date(2027, 1, 4), False),
        ],
        source="国务院办公厅关于2027年部分节假日安排的通知",
        by=admin_user,
        year=2027,
    )
    d.refresh_from_db()
    assert not d.provisional
    assert d.due.astimezone(SH).date() == dt.date(2027, 1, 6)
    assert Entry.objects.filter(case_id=case.pk, action="deadline.recomputed").count() == 1


def test_a_single_override_in_an_uncovered_year_keeps_its_deadlines_provisional():
    case = CaseFactory()
    d = _open(case, start=dt.datetime(2026, 12, 24, 10, tzinfo=SH))
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, source="更正")
    d.refresh_from_db()
    assert d.due.astimezone(SH).date() == dt.date(2027, 1, 5)  # the override wins for its day
    assert d.provisional  # but the rest of 2027 is still the Mon–Fri guess
    other = _open(CaseFactory(), start=dt.datetime(2027, 3, 1, 10, tzinfo=SH))
    assert other.provisional


def test_single_override_saved_in_admin_recomputes_affected_deadlines():
    case = CaseFactory()
    d = _open(case, start=dt.datetime(2026, 3, 2, 10, tzinfo=SH), working_days=2)
    assert d.due.astimezone(SH).date() == dt.date(2026, 3, 4)
    CalendarOverride.objects.create(date=dt.date(2026, 3, 3), is_working_day=False, source="更正")
    d.refresh_from_db()
    assert d.due.astimezone(SH).date() == dt.date(2026, 3, 5)


def test_real_filing_and_decision_services_open_and_meet_the_penalty_period(head):
    from cases import services as case_services

    case = CaseFactory(state=CaseState.PENDING_FILING, filed_at=None)
    case_services.case_approve_filing(case_id=case.pk, by=head, opinion="同意立案")
    d = Deadline.objects.get(case=case, kind=DeadlineKind.PENALTY_DECISION)
    case.refresh_from_db()
    assert d.start == case.filed_at
    assert d.due.astimezone(SH).date() >= (case.filed_at + dt.timedelta(days=90)).astimezone(SH).date()


def test_met_locks_the_deadline_rows_only_never_the_shared_content_type_row():
    # The target filter joins django_content_type; FOR UPDATE without OF locked that row too and
    # deadlocked two ingest transactions (one closing a record's storage period, the other holding
    # the audit lock and checking its deferred foreign key to the same content type at commit).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case, target = CaseFactory(), CaseFactory()
    _open(case, target=target)
    with CaptureQueriesContext(connection) as q:
        assert deadline_met(kind=DeadlineKind.EVIDENCE_PRESERVATION, target=target) == 1
    locking = [x["sql"] for x in q.captured_queries if "FOR UPDATE" in x["sql"]]
    assert locking and all('FOR UPDATE OF "deadlines_deadline"' in sql for sql in locking), locking
    assert all("django_content_type" in sql for sql in locking)  # the join the lock must skip


def test_settle_marks_one_message_read_for_every_user_and_nothing_else(head, archivist):
    """notifications_settle matches `<key>:u<id>` exactly: not `<key>3:u<id>` (another message whose
    key merely starts alike), not another state unless asked for."""
    from deadlines.models import Notification
    from deadlines.selectors import unread_count
    from deadlines.services import notifications_settle, notify

    users = [head.pk, archivist.pk]
    notify(user_ids=users, text="待审批：甲", dedupe_key="t.ask:12")
    notify(user_ids=users, text="待审批：乙", dedupe_key="t.ask:123")
    notify(user_ids=users, text="待审批：丙", dedupe_key="t.ask:12:s1")
    notify(user_ids=users, text="待审批：丁", dedupe_key="t.ask:1")
    Notification.objects.filter(dedupe_key=f"t.ask:12:u{head.pk}").update(read_at=dt.datetime(2026, 1, 1, tzinfo=SH))

    assert notifications_settle(dedupe_key="t.ask:12") == 1  # the head had read his already
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("text", flat=True))
    assert unread == {"待审批：乙", "待审批：丙", "待审批：丁"}
    assert unread_count(head) == unread_count(archivist) == 3
    assert Notification.objects.filter(text="待审批：甲").count() == 2  # still in the list

    assert notifications_settle(dedupe_key="t.ask:1", any_state=True) == 0  # "t.ask:1:…" has none
    assert notifications_settle(dedupe_key="t.ask:12", any_state=True) == 2
    assert set(Notification.objects.filter(read_at__isnull=True).values_list("text", flat=True)) == {
        "待审批：乙",
        "待审批：丁",
    }
