"""Helpers of the delivery tests and of the tests of the apps whose documents are served through
delivery (review's notice): a complete attempt by each method, built from the method's declared
elements, and a scan to upload."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from delivery import actions
from delivery.methods import METHODS
from delivery.models import Carrier, DeliveryMethod, OrganKind, PostalKind, RecipientRelation
from tests.scans import scan_pdf


def scan(name: str = "送达回证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, scan_pdf(f"scan of {name}"), content_type="application/pdf")


def _moment(doc: Any, day: dt.date | None) -> dt.datetime:
    """A time on `day` (default: now) not before the document was made."""
    issued = doc.issued_at
    if day is None or day == timezone.localdate():
        return max(timezone.now() - dt.timedelta(minutes=1), issued)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    return max(moment, issued)


def complete_elements(method: str, doc: Any, *, by: Any, day: dt.date | None = None) -> dict[str, Any]:
    """Every element of `method` filled for document `doc` (its number on the mailing list),
    the service on `day` (default today). Keys: the action's kwargs; files under "files"."""
    day = day or timezone.localdate()
    when = _moment(doc, day)
    values: dict[str, Any] = {
        "delivered_at": when,
        "place": "临沂市兰山区工业大道18号当事人住所",
        "seal": True,
        "deliverers": [by.pk],
        "recipient_name": "王建国",  # the factory party's legal representative
        "recipient_relation": RecipientRelation.LEGAL_REP,
        "served_on": day,
        "postal_kind": PostalKind.EMS,
        "tracking_no": "EM123456789CN",
        "sent_on": day,
        "listed_documents": f"{doc.title} {doc.number}",
        "reason": "受送达人拒绝签收。" if method == DeliveryMethod.LIEN else "受送达人下落不明，其他方式无法送达。",
        "witnesses": "兰山区工业大道社区居委会 王主任",
        "organ_kind": METHODS[method].organ_kinds[0] if METHODS[method].organ_kinds else OrganKind.ADMIN_ORGAN,
        "organ_name": "临沂市兰山区科学技术局",
        "deliverer_name": "赵某（受委托机关工作人员）",
        "carrier": Carrier.NOTICE_BOARD,
        "published_on": day,
        "present_persons": "执法人员张三、李四，社区工作人员王某",
    }
    names = {e.name for e in METHODS[method].elements}
    out = {k: v for k, v in values.items() if k in names}
    out["files"] = {e.name: scan(f"{e.name}.pdf") for e in METHODS[method].elements if e.kind == "file"}
    return out


def serve(
    doc: Any, *, by: Any, method: str = DeliveryMethod.DIRECT, day: dt.date | None = None, party: Any = None
) -> Any:
    """Serve `doc` on the case's first party (or `party`) by `method`, every element given."""
    case = doc.case
    party = party or case.parties.order_by("pk").first()
    return actions.delivery_record(
        case_id=case.pk,
        by=by,
        document_id=doc.pk,
        method=method,
        party_id=party.pk,
        **complete_elements(method, doc, by=by, day=day),
    )
