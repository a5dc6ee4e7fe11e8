"""第十条 on the case checklist: what the investigation records of a case must contain
before the case leaves investigation (investigating -> under_review is refused while an
applicable line is missing).

Per kind of record: applies when the case has a current record of that kind (one that no
finalised correction replaces); satisfied when every such record is finalised with all its
elements (records/elements.py). Plus: a penalty case has at least one finalised record,
no record is left as a draft, preserved evidence has its decision (《行政处罚法》第五十六条)
and a commission has its returned opinion.
"""

from collections.abc import Callable
from typing import Any

from cases.models import CaseKind, CaseState
from cases.requirements import Requirement, memo, register

from .elements import ELEMENTS, missing
from .models import KIND_MODELS, Record, RecordKind, RecordStatus

STAGE = CaseState.INVESTIGATING
_ITEM = {
    RecordKind.INQUIRY: "第十条第（一）（二）项",
    RecordKind.EVIDENCE_COLLECTION: "第十条第（三）项",
    RecordKind.INSPECTION: "第十条第（四）项",
    RecordKind.SAMPLING: "第十条第（五）项",
    RecordKind.PRESERVATION: "第十条第（六）项",
    RecordKind.COMMISSION: "第十条第（七）项",
    RecordKind.OTHER: "第十条第（八）项",
}


def _load(case: Any) -> list[Record]:
    children = [m.__name__.lower() for m in KIND_MODELS.values()]
    rows = (
        Record.objects.filter(case_id=case.pk)
        .select_related(*children, "preservation__decision", "commission__opinion", "correction", "case")
        .prefetch_related("officers", "items", "case__parties")
    )
    out = []
    for row in rows:
        rec = row.specific()
        # The child shares the parent's prefetched rows.
        rec._prefetched_objects_cache = getattr(row, "_prefetched_objects_cache", {})  # type: ignore[attr-defined]
        rec.case = row.case
        out.append(rec)
    return out


def _current(case: Any) -> list[Record]:
    records = _load(case)
    replaced = {r.corrects_id for r in records if r.corrects_id and r.status == RecordStatus.FINAL}
    return [r for r in records if r.pk not in replaced]


def current_records(case: Any) -> list[Record]:
    """The case's records (all kinds, drafts included) minus those a finalised correction
    replaces. Read once per checklist evaluation (cases.requirements.memo): 3 queries."""
    return memo(case, "records.current", lambda: _current(case))  # type: ignore[return-value]


def _of_kind(case: Any, kind: str) -> list[Record]:
    return [r for r in current_records(case) if r.kind == kind]


def _kind_complete(kind: str) -> Callable[[Any], bool]:
    def satisfied(case: Any) -> bool:
        return all(r.status == RecordStatus.FINAL and not missing(r) for r in _of_kind(case, kind))

    return satisfied


def _kind_present(kind: str) -> Callable[[Any], bool]:
    return lambda case: bool(_of_kind(case, kind))


def _has_records(case: Any) -> bool:
    return bool(current_records(case))


register(
    Requirement(
        "records.any",
        "第十条",
        "调查取证的文字记录（至少一份已定稿的调查取证记录）",
        STAGE,
        applies=lambda c: c.kind == CaseKind.PENALTY,
        satisfied=lambda c: any(r.status == RecordStatus.FINAL for r in current_records(c)),
        order=100,
        target="records#panel-records",
    ),
    Requirement(
        "records.no_drafts",
        "第十条",
        "调查取证记录均已定稿（无未完成的草稿或更正）",
        STAGE,
        applies=_has_records,
        satisfied=lambda c: all(r.status == RecordStatus.FINAL for r in current_records(c)),
        order=101,
        target="records#panel-records",
    ),
    *[
        Requirement(
            f"records.{kind}",
            _ITEM[kind],
            f"{kind.label}：" + "、".join(e.label for e in ELEMENTS[kind]),
            STAGE,
            applies=_kind_present(kind),
            satisfied=_kind_complete(kind),
            order=102 + i,
            target="records#panel-records",
        )
        for i, kind in enumerate(RecordKind)
    ],
    Requirement(
        "records.preservation_decision",
        "《行政处罚法》第五十六条",
        "先行登记保存的证据在七个工作日内作出处理决定",
        STAGE,
        applies=lambda c: any(r.is_final for r in _of_kind(c, RecordKind.PRESERVATION)),
        satisfied=lambda c: all(hasattr(r, "decision") for r in _of_kind(c, RecordKind.PRESERVATION) if r.is_final),
        order=120,
        target="records#panel-records",
    ),
    Requirement(
        "records.commission_opinion",
        "第十条第（七）项",
        "受托机构出具的检验、检测、检疫、鉴定或专家评审意见",
        STAGE,
        applies=lambda c: any(r.is_final for r in _of_kind(c, RecordKind.COMMISSION)),
        satisfied=lambda c: all(hasattr(r, "opinion") for r in _of_kind(c, RecordKind.COMMISSION) if r.is_final),
        order=121,
        target="records#panel-records",
    ),
)
