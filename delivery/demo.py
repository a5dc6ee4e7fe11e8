"""Demo of 第五章 (run by seed_demo after every app's seed). Delivery: the decided demo case of
review (临沂蓝海…案) has its 行政处罚决定书 tried in person — nobody at the registered address —
and then served by announcement on the notice board (第二十二条): the announcement period runs,
its service date is computed and shown, and its deadline is open. Execution: a case in court
enforcement (demo_execution).

`serve_in_person` is what the other apps' demos use to serve a document (review's notice)
through the real action, with a generated scan of the signed 送达回证."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import User
from cases import selectors as case_selectors

from . import actions
from .models import AttemptOutcome, Carrier, DeliveryMethod, RecipientRelation
from .selectors import attempts_of_case


def _scan(name: str) -> ContentFile:
    """A real one-page PDF (A4, blank) standing for the signed paper's scan: the case file's
    volume and its export merge and check it (pypdf), so it must parse."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"演示扫描件：{name}"})
    out = io.BytesIO()
    writer.write(out)
    return ContentFile(out.getvalue(), name=name)


def _now_after(doc: Any) -> dt.datetime:
    return max(timezone.now().replace(second=0, microsecond=0), doc.issued_at)


def serve_in_person(doc: Any, *, by: User, party_id: int, recipient: str, relation: str) -> Any:
    """Serve `doc` today in person (第十八条), `by` delivering, the signer `recipient`."""
    return actions.delivery_record(
        case_id=doc.case_id,
        by=by,
        document_id=doc.pk,
        method=DeliveryMethod.DIRECT,
        party_id=party_id,
        delivered_at=_now_after(doc),
        place="当事人住所",
        seal=True,
        deliverers=[by.pk],
        recipient_name=recipient,
        recipient_relation=relation,
        served_on=timezone.localdate(),
        files={"receipt": _scan("送达回证.pdf")},
    )


def seed(stdout: Any, users: dict[str, User]) -> None:
    """Nothing before the other apps' seeds: the delivery demo works on review's decided case."""


def finish(stdout: Any, users: dict[str, User]) -> None:
    _announcement_demo(stdout, users)
    from .demo_execution import finish as execution_finish

    execution_finish(stdout, users)


def _announcement_demo(stdout: Any, users: dict[str, User]) -> None:
    from review import demo as review_demo
    from review.selectors import decision_of

    officer = users["officer"]
    case = case_selectors.cases_of_officer(officer).filter(title=review_demo.DECIDED_CASE).first()
    decision = decision_of(case) if case is not None else None
    if case is None or decision is None or decision.document is None:
        stdout.write("  送达：没有已决定的演示案件，跳过")
        return
    doc = decision.document
    if any(a.document_id == doc.pk for a in attempts_of_case(case.pk)):
        stdout.write("  送达：演示送达记录已存在")
        return
    party_id = case.parties.order_by("pk").values_list("pk", flat=True).first()
    actions.delivery_record(
        case_id=case.pk,
        by=officer,
        document_id=doc.pk,
        method=DeliveryMethod.DIRECT,
        party_id=party_id,
        outcome=AttemptOutcome.FAILED,
        failure_reason="到当事人注册地址送达，该地址已无人办公，当事人下落不明。",
        delivered_at=_now_after(doc),
        place="当事人注册地址",
        deliverers=[officer.pk, users["officer2"].pk],
    )
    actions.delivery_record(
        case_id=case.pk,
        by=officer,
        document_id=doc.pk,
        method=DeliveryMethod.ANNOUNCEMENT,
        party_id=party_id,
        reason="当事人注册地址无人办公，法定代表人电话无法接通，直接送达、邮寄送达均无法送达。",
        carrier=Carrier.NOTICE_BOARD,
        published_on=timezone.localdate(),
        place="临沂市科学技术局政务公开栏",
        present_persons="执法人员两名，办公室工作人员一名",
        files={"text": _scan("公告送达公告.pdf")},
    )
    stdout.write("  送达：演示案件的处罚决定书已公告送达（公告期间计算中）")


__all__ = ["serve_in_person", "RecipientRelation"]
