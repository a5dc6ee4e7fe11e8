"""Demo case of 第二十三、二十四条 (run by seed_demo's `finish`, after review's): a penalty case in
court enforcement, walked through the real actions with coherent dates, the clock set back
(`linke.clock.clock_at`) for each step: filed 10 working days before `walk_day()` (a working day
about 60 days ago), the inquiry 2 working days later, the 事先告知书 served and the defence waived 2
more working days later; on `walk_day()` reviewed, decided and published, and in the afternoon
the 行政处罚决定书 served in person through `delivery.actions.delivery_record` (so
`mark_delivered` moves it to 已送达 and the payment period runs from that day), 执行中 — the walk
every demo case shares (delivery.demo_walk). Today: the fine unpaid past its due date (the surcharge accruing),
the 催告书 issued and served, the party's statement recorded and re-checked; the court
application opens 10 working days later (《行政强制法》第五十四条). Records, documents (and the
dates their PDFs print), deadlines and audit entries all bear the walk's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors
from deadlines import calendar

from . import enforcement
from . import execution as ex
from .demo import serve_in_person
from .demo_walk import Walkers, walk_from_review, walk_to_review
from .demo_walk import working_days_before as working_days_before  # the tests count back with it
from .models import RecipientRelation

ENFORCEMENT_CASE = "临沂恒信检测技术有限公司涉嫌虚报科技计划项目研发费用案"
ORG = {
    "kind": "organisation",
    "name": "临沂恒信检测技术有限公司",
    "id_number": "91371302MA3P6W8X1M",
    "legal_rep": "赵立群",
    "address": "山东省临沂市兰山区金雀山路128号",
    "phone": "0539-8234567",
}
SERVED_DAYS_AGO = 60


def walk_day(today: dt.date | None = None) -> dt.date:
    """The working day on or before SERVED_DAYS_AGO days ago: the case is decided and its
    decision served that day."""
    day = (today or timezone.localdate()) - dt.timedelta(days=SERVED_DAYS_AGO)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def finish(stdout: Any, users: dict[str, User]) -> None:
    u = users
    if "reviewer2" not in u:
        stdout.write("  执行与强制执行：缺少第二名法规科人员，跳过")
        return
    if case_selectors.cases_of_officer(u["officer"]).filter(title=ENFORCEMENT_CASE).exists():
        stdout.write("  执行与强制执行：演示案件已存在")
        return
    officer = u["officer"]
    day = walk_day()
    case = walk_to_review(u, ENFORCEMENT_CASE, ORG, day)
    case = walk_from_review(case, Walkers.of(u), day=day)  # decided, served, 执行中
    party_id = case.parties.order_by("pk").values_list("pk", flat=True).get()
    today = timezone.localdate()
    status = ex.fine_status_of(case)
    assert status is not None
    reminder = enforcement.reminder_issue(
        case_id=case.pk,
        by=officer,
        perform_by=today + dt.timedelta(days=10),
        manner="自收到本催告书之日起十日内缴纳罚款及加处罚款",
        amount_yuan=status.outstanding + status.surcharge_owed,
        payment_method="通过山东省非税收入电子缴款系统或到中国工商银行临沂分行各网点缴纳",
    )
    assert reminder.document is not None
    serve_in_person(
        reminder.document,
        by=officer,
        party_id=party_id,
        recipient=ORG["legal_rep"],
        relation=RecipientRelation.LEGAL_REP,
    )
    enforcement.statement_record(
        reminder_id=reminder.pk,
        by=officer,
        stated=True,
        received_on=today,
        statement="公司资金周转困难，请求暂缓缴纳罚款。",
        recheck="当事人未提出延期或分期缴纳申请，所述理由不属于依法暂缓执行的情形，不予采纳。",
        adopted=False,
    )
    stdout.write("  执行与强制执行：新建演示案件 1 件（催告书已送达，待申请法院强制执行）")
