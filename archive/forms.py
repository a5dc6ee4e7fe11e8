"""Forms of the archive's sealing pages: input shape only; the workflow is archive.sealing's."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import User
from linke.validators import SCAN_TYPES_LABEL, ScanField

from .models import ADDENDUM_TEXT_MAX_LENGTH, BACK_DESCRIPTION_MAX, TITLE_MAX

DECISIONS = [("agree", "同意"), ("refuse", "不同意")]


class SealForm(forms.Form):
    """The 备考表 (DA/T 22: 说明, 立卷人, 检查人) filled when sealing: the 立卷人 is the sealing
    archivist (not a field); the 检查人 is chosen from `checkers` (archive.sealing.checkers_for)."""

    description = forms.CharField(
        label="案卷情况说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=BACK_DESCRIPTION_MAX,
        help_text=f"不超过{BACK_DESCRIPTION_MAX}字（备考表为一页）。",
    )
    checker: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="检查人",
        queryset=None,  # set per form: checkers_for(the compiler)
        empty_label="（请选择）",
        error_messages={
            "required": "请选择备考表的检查人。",
            "invalid_choice": "检查人须为立卷人以外的在职档案管理员、法规科人员或机关负责人，请从列表中选择。",
        },
    )

    def __init__(self, *args: Any, checkers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["checker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = checkers


class OpinionForm(forms.Form):
    """The head's decision with a reason (准予归档 / 补充材料审批)."""

    decision = forms.ChoiceField(label="意见", choices=DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AddendumForm(forms.Form):
    """A correction of a sealed file: its 题名 for the 卷内目录 (bounded like the catalogue's
    titles), the explanation, and an optional scan (linke.validators.validate_scan: PDF or
    image by content, within the size limit). A refused form keeps what was typed."""

    title = forms.CharField(
        label="题名",
        max_length=TITLE_MAX,
        help_text=f"列入卷内目录的题名，不超过{TITLE_MAX}字。",
    )
    text = forms.CharField(
        label="补充说明", widget=forms.Textarea(attrs={"rows": 4}), max_length=ADDENDUM_TEXT_MAX_LENGTH
    )
    scan = ScanField(label=f"扫描件（可选，{SCAN_TYPES_LABEL}）", required=False)
