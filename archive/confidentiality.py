"""An item's confidentiality mark (第二十九条第二款): the strictest of its own mark (an
attachment's), the mark of the record a document was issued for (documents carry none of their
own: a finalised document never changes) and the case's mark. The one rule, read by the case
file (archive.casefile: the 卷内目录, the seal page, the bag, the answer package) and by
consultation (archive.consultation: what a party may be given).

    strictest(*marks) -> str              国家秘密 > 商业秘密 > 个人隐私 > "" (none)
    item_confidentiality(case, source) -> str   the mark of a document, attachment, addendum or AV record
"""

from __future__ import annotations

from typing import Any

from cases.models import Case, Confidentiality
from documents.selectors import document_source

C = Confidentiality
_SEVERITY = {C.NONE: 0, C.PRIVACY: 1, C.TRADE_SECRET: 2, C.STATE_SECRET: 3}


def strictest(*marks: str) -> str:
    """The strictest of confidentiality marks (国家秘密 > 商业秘密 > 个人隐私 > none)."""
    return max((m or "" for m in marks), key=lambda m: _SEVERITY.get(C(m), 0), default="")


def item_confidentiality(case: Case, source: Any) -> str:
    """The mark of a document or attachment (or addendum, AV record) of `case`: the strictest
    of its own, its document's record's and the case's (module docstring)."""
    own = getattr(source, "confidentiality", "") or ""
    if hasattr(source, "doc_type"):
        origin = document_source(source)
        own = strictest(own, getattr(origin, "confidentiality", "") or "")
    return strictest(own, case.confidentiality)
