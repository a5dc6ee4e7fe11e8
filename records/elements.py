"""What each kind of record must contain (第十条), element by element.

Used three ways: `record_finalise` refuses a record while an element is missing, the record
page shows the list ticked, and records/requirements.py puts them on the case checklist.
`check(record)` gets the kind's model instance with `officers` and `items` loaded.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Confirmation, RecordKind


@dataclass(frozen=True)
class Element:
    code: str
    label: str
    check: Callable[[Any], bool]


def _filled(*fields: str) -> Callable[[Any], bool]:
    return lambda r: all(str(getattr(r, f) or "").strip() for f in fields)


def _officers(n: int) -> Callable[[Any], bool]:
    # 《行政处罚法》第四十二条: at least two officers, each holding a 执法证号.
    def check(r: Any) -> bool:
        people = list(r.officers.all())
        return len(people) >= n and all(p.cert_no for p in people)

    return check


def _confirmed(r: Any) -> bool:
    return r.confirmation == Confirmation.SIGNED or (
        r.confirmation == Confirmation.REFUSED and bool(r.confirmation_note.strip())
    )


def _items(*fields: str) -> Callable[[Any], bool]:
    def check(r: Any) -> bool:
        items = list(r.items.all())
        return bool(items) and all(str(getattr(i, f) or "").strip() for i in items for f in fields)

    return check


def _party(r: Any) -> bool:
    from documents.services import case_party_names

    return bool(r.party_name.strip()) or bool(case_party_names(r.case))


def _qa(r: Any) -> bool:
    text = r.transcript or ""
    return "问" in text and "答" in text


TIME = Element("time", "时间", lambda r: r.started_at is not None)
PLACE = Element("place", "地点", _filled("place"))
TWO_OFFICERS = Element("officers", "执法人员（不少于两人，均有执法证号）", _officers(2))
ONE_OFFICER = Element("officers", "承办执法人员（有执法证号）", _officers(1))
CONFIRMATION = Element("confirmation", "当事人（被询问人）核对签名，或拒绝签名的情况", _confirmed)
PARTY = Element("party", "当事人", _party)

ELEMENTS: dict[str, list[Element]] = {
    RecordKind.INQUIRY: [
        TIME,
        PLACE,
        TWO_OFFICERS,
        Element("person", "被询问人身份（姓名、身份证件号码）", _filled("person_name", "person_id_no")),
        Element("transcript", "询问内容（问答）", _qa),
        Element("confirmation", "被询问人核对签名，或拒绝签名的情况", _confirmed),
    ],
    RecordKind.EVIDENCE_COLLECTION: [
        TIME,
        ONE_OFFICER,
        Element("holder", "被调取证据的单位或个人", _filled("holder_name")),
        Element("reason", "调取事由", _filled("reason")),
        Element("provide_by", "提供期限", lambda r: r.provide_by is not None),
        Element("items", "调取证据清单", _items("name")),
    ],
    RecordKind.INSPECTION: [
        TIME,
        PLACE,
        TWO_OFFICERS,
        PARTY,
        Element("present", "在场人员", _filled("present_persons")),
        Element("findings", "检查（勘验）情况", _filled("findings")),
        CONFIRMATION,
    ],
    RecordKind.SAMPLING: [
        TIME,
        PLACE,
        TWO_OFFICERS,
        PARTY,
        Element("items", "抽样物品、数量及样品标识", _items("name", "quantity", "sample_mark")),
        Element("witness", "见证人", _filled("witness")),
        CONFIRMATION,
    ],
    RecordKind.PRESERVATION: [
        TIME,
        PLACE,
        TWO_OFFICERS,
        PARTY,
        Element("reason", "先行登记保存理由（证据可能灭失或者以后难以取得）", _filled("reason")),
        Element("items", "先行登记保存物品清单", _items("name", "quantity")),
        Element("storage", "保存地点", _filled("storage_place")),
        Element("approval", "机关负责人批准", lambda r: r.approved_by_id is not None),
        CONFIRMATION,
    ],
    RecordKind.COMMISSION: [
        TIME,
        ONE_OFFICER,
        Element("body", "受托的法定机构", _filled("body_name")),
        Element("subject", "委托事项", _filled("subject")),
    ],
    RecordKind.OTHER: [
        TIME,
        ONE_OFFICER,
        Element("activity", "活动名称", _filled("activity")),
        Element("description", "活动情况的文字记录", _filled("description")),
    ],
}


def checked(record: Any) -> list[tuple[Element, bool]]:
    return [(e, bool(e.check(record))) for e in ELEMENTS[record.kind]]


def missing(record: Any) -> list[Element]:
    return [e for e, ok in checked(record) if not ok]
