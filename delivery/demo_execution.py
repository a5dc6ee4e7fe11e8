"""Demo case of 第二十三、二十四条 (run by seed_demo's `finish`, after review's): a penalty case in
court enforcement. Walked through the real actions: filed, investigated, heard, reviewed and
decided (review.demo's helpers), the 行政处罚决定书 served 60 days ago, 执行中, the fine unpaid past
its due date (the surcharge accruing), the 催告书 issued and served today, the party's statement
recorded and re-checked; the court application opens 10 working days later (《行政强制法》第五十四条).

The decision reaches 已送达 through part A's delivery (`mark_delivered`); until it is installed
the demo case is skipped (`_delivery_ready`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors
from cases import stages
from cases.models import Case, CaseState
from review import actions
from review.demo import _filed_with_inquiry, _heard
from review.selectors import decision_of

from . import enforcement
from . import execution as ex
from .models import AttemptOutcome, DeliveryAttempt, DeliveryMethod
from .signals import document_served

ENFORCEMENT_CASE = "临沂恒信检测技术有限公司涉嫌虚报科技计划项目研发费用案"
ORG = {
    "kind": "organisation",
    "name": "临沂恒信检测技术有限公司",
    "id_number": "91371302MA3P6W8X1D",
    "legal_rep": "赵立群",
    "address": "山东省临沂市兰山区金雀山路128号",
    "phone": "0539-8234567",
}
SERVED_DAYS_AGO = 60


def _delivery_ready() -> bool:
    """Part A's transition 已决定 → 已送达 is installed."""
    return stages.get("mark_delivered") is not None


def served_directly(case: Case, document: Any, by: User, served_on: dt.date) -> DeliveryAttempt:
    """`document` served directly on `served_on`: a successful attempt and `document_served`, as
    part A's delivery action records them (swap for that action after the merge)."""
    attempt = DeliveryAttempt.objects.create(
        case=case,
        document=document,
        method=DeliveryMethod.DIRECT,
        outcome=AttemptOutcome.SERVED,
        served_on=served_on,
        recorded_by=by,
    )
    document_served.send(
        sender=DeliveryAttempt,
        case_id=case.pk,
        document_id=document.pk,
        doc_type=document.doc_type,
        served_on=served_on,
        by=by,
    )
    return attempt


def finish(stdout: Any, users: dict[str, User]) -> None:
    u = users
    if "reviewer2" not in u or not _delivery_ready():
        stdout.write("  执行与强制执行：送达部分尚未安装，跳过")
        return
    if case_selectors.cases_of_officer(u["officer"]).filter(title=ENFORCEMENT_CASE).exists():
        stdout.write("  执行与强制执行：演示案件已存在")
        return
    officer, head = u["officer"], u["head"]
    case = _filed_with_inquiry(u, ENFORCEMENT_CASE, ORG)
    _heard(case, officer, ORG)
    actions.review_sign(case_id=case.pk, by=u["reviewer"], opinion="事实清楚，证据确实充分，同意拟处理意见。")
    actions.review_sign(case_id=case.pk, by=u["reviewer2"], opinion="经审核，程序合法，适用依据正确，处罚适当。")
    actions.review_complete(case_id=case.pk, by=u["reviewer2"])
    actions.review_sign(case_id=case.pk, by=head, opinion="同意法规科审查意见。")
    actions.review_decide(case_id=case.pk, by=head, opinion="同意，签发。")
    today = timezone.localdate()
    decision = decision_of(case)
    assert decision is not None and decision.document is not None
    served_directly(case, decision.document, officer, today - dt.timedelta(days=SERVED_DAYS_AGO))
    case = case_selectors.case_of(case.pk)  # part A's receivers move it to 已送达
    if case.state != CaseState.DELIVERED:
        stdout.write("  执行与强制执行：决定书送达后案件未进入“已送达”，跳过")
        return
    ex.execution_start(case_id=case.pk, by=officer)
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
    served_directly(case, reminder.document, officer, today)
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
