"""The masked rendition of a document (副本): identity numbers (身份证号码) and unified social
credit codes (统一社会信用代码) masked as the case pages mask them (cases.models.mask_id),
for users who may not see them (cases.policy.may_see_identifiers; 第二十九条第二款:
personal privacy).

Masked wherever they appear in the frozen context: the values of the keys that hold them by
name (IDENTIFIER_KEYS), and any 18-character identifier with a valid check digit inside any
other text (a party's answer in an inquiry may quote one)."""

import re
from typing import Any

from cases.models import mask_id
from linke.idnumbers import valid_id_number, valid_uscc

# Context keys whose values are identifiers (records.presenters, cases.initiation_docs).
IDENTIFIER_KEYS = frozenset(
    {"party_id", "id_no", "id_number", "person_id_no", "complainant_id_number", "credit_code", "uscc"}
)
# 18 characters of the identifier alphabets, not part of a longer token.
_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Z]{17}[0-9A-Z](?![0-9A-Za-z])")


def _mask_free_text(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        value = m.group(0)
        return mask_id(value) if valid_id_number(value) or valid_uscc(value) else value

    return _CANDIDATE.sub(one, text)


def _mask_identifier_value(value: str) -> str:
    # "；"-joined lists of identifiers (several parties) keep their separators.
    return re.sub(r"[^；;、，,\s]+", lambda m: mask_id(m.group(0)), value)


def mask_context(value: Any, *, key: str = "") -> Any:
    """A copy of the JSON-able `value` with every identifier masked."""
    if isinstance(value, dict):
        return {k: mask_context(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_context(v, key=key) for v in value]
    if isinstance(value, str):
        if key in IDENTIFIER_KEYS:
            return _mask_identifier_value(value)
        return _mask_free_text(value)
    return value
