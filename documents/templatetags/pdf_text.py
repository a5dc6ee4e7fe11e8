"""Tags of the document templates (documents/templates/documents/pdf/)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def matter(title: str, party_name: str = "") -> str:
    """The case's title as it reads before "一案" in a document's text: without a trailing "案"
    (no "……案一案") and, when `party_name` is given and the title starts with it, without the
    party's name the sentence has already said (no "当事人甲公司甲公司涉嫌……").
    E.g. `{% matter case.title party_name %}` with ("甲公司涉嫌虚报研发费用案", "甲公司") →
    "涉嫌虚报研发费用". A tag, not a filter: a context without `party_name` renders, not fails."""
    text = str(title or "").strip()
    party_name = str(party_name or "")
    if party_name and text.startswith(party_name) and len(text) > len(party_name):
        text = text[len(party_name) :]
    if text.endswith("案") and len(text) > 1:
        text = text[:-1]
    return text
