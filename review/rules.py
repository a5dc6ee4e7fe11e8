"""What a decision draft must hold, by outcome (one check, used by the draft form and by the
actions: 《行政处罚法》第五十七、五十九条; 《行政许可法》第三十八条).

`draft_errors(case_kind, data)` returns {field: Chinese message}; empty when the draft is
complete. `data` holds the Decision's fields (outcome, facts, evidence, basis, kinds,
fine_yuan, confiscation_yuan, content, performance).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from cases.models import CaseKind

from .models import DecisionOutcome, PenaltyKind

Out = DecisionOutcome

OUTCOMES_BY_KIND: dict[str, tuple[DecisionOutcome, ...]] = {
    CaseKind.PENALTY: (Out.PENALTY, Out.NO_PENALTY_MINOR, Out.NO_PENALTY_UNPROVEN, Out.TRANSFER),
    CaseKind.LICENSING: (Out.LICENCE_GRANT, Out.LICENCE_REFUSAL),
}

# A basis cites an article: 第十四条, 第三十二条第一款第（二）项, 第5条.
ARTICLE_RE = re.compile(r"第[一二三四五六七八九十百千零〇两0-9]+条")

# The draft's text fields each outcome needs (《行政处罚法》第五十九条 for a penalty: facts and
# evidence, penalty and basis, manner and deadline of performance).
REQUIRED = {
    Out.PENALTY: ("facts", "evidence", "basis", "content", "performance"),
    Out.NO_PENALTY_MINOR: ("facts", "evidence", "basis", "content"),
    Out.NO_PENALTY_UNPROVEN: ("facts", "basis", "content"),
    Out.TRANSFER: ("facts", "evidence", "basis", "content"),
    Out.LICENCE_GRANT: ("facts", "basis", "content"),
    # 《行政许可法》第三十八条第二款: a refusal gives its reasons (content).
    Out.LICENCE_REFUSAL: ("facts", "basis", "content"),
}

LABELS = {
    "outcome": "处理结果",
    "facts": "违法事实（审查认定的事实）",
    "evidence": "证据",
    "basis": "法律依据",
    "kinds": "处罚种类",
    "fine_yuan": "罚款金额",
    "confiscation_yuan": "没收违法所得金额",
    "content": "处理内容",
    "performance": "履行方式和期限",
}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def draft_errors(case_kind: str, data: dict[str, Any]) -> dict[str, str]:
    """The draft's defects by field (see the module docstring)."""
    errors: dict[str, str] = {}
    outcome = data.get("outcome") or ""
    allowed = OUTCOMES_BY_KIND.get(case_kind, ())
    if outcome not in allowed:
        names = "、".join(o.label for o in allowed)
        errors["outcome"] = f"该类案件的处理结果只能是：{names}。"
        return errors
    for name in REQUIRED[Out(outcome)]:
        if _blank(data.get(name)):
            errors[name] = f"请填写{LABELS[name]}。"
    basis = data.get("basis") or ""
    if "basis" not in errors and not ARTICLE_RE.search(basis):
        errors["basis"] = "法律依据须写明法律、法规、规章的名称及条、款、项（如“第三十二条第一款第（二）项”）。"
    kinds = list(data.get("kinds") or [])
    fine, confiscation = data.get("fine_yuan"), data.get("confiscation_yuan")
    if outcome == Out.PENALTY:
        if not kinds:
            errors["kinds"] = "给予行政处罚须选择处罚种类（《行政处罚法》第九条）。"
        if PenaltyKind.FINE in kinds and (fine is None or Decimal(fine) <= 0):
            errors["fine_yuan"] = "处罚种类含罚款的，须填写大于零的罚款金额。"
        if PenaltyKind.FINE not in kinds and fine not in (None, ""):
            errors["fine_yuan"] = "处罚种类不含罚款，不应填写罚款金额。"
        if PenaltyKind.CONFISCATE_GAINS in kinds and (confiscation is None or Decimal(confiscation) <= 0):
            errors["confiscation_yuan"] = "处罚种类含没收违法所得的，须填写大于零的金额。"
    else:
        if kinds:
            errors["kinds"] = "只有给予行政处罚的决定才有处罚种类。"
        if fine not in (None, ""):
            errors["fine_yuan"] = "只有给予罚款的决定才有罚款金额。"
        if confiscation not in (None, ""):
            errors["confiscation_yuan"] = "只有给予没收的决定才有没收金额。"
    return errors
