"""Forms of the archive's sealing pages: input shape only; the workflow is archive.sealing's."""

from __future__ import annotations

from django import forms

from linke.validators import SCAN_TYPES_LABEL, ScanField

from .models import ADDENDUM_TEXT_MAX_LENGTH, BACK_DESCRIPTION_MAX, TITLE_MAX

DECISIONS = [("agree", "同意"), ("refuse", "不同意")]


class SealForm(forms.Form):
    """The 备考表 (DA/T 22: 说明, 立卷人, 检查人) filled when sealing: the description. The 立卷人 is
    the sealing archivist, the 检查人 who signed the file's check (archive.sealing.check_of):
    neither is a field."""

    description = forms.CharField(
        label="案卷情况说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=BACK_DESCRIPTION_MAX,
        help_text=f"不超过{BACK_DESCRIPTION_MAX}字（备考表为一页）。",
    )


CHECK_DECISIONS = [("agree", "同意归档"), ("return", "退回整改")]


class CheckForm(forms.Form):
    """The 检查人's 检查意见 (第二十八条): agree or return, the opinion (a return's reason, which the
    archivist sees), and the digest of the catalogue the page showed (hidden)."""

    decision = forms.ChoiceField(
        label="检查结论",
        choices=CHECK_DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择检查结论。"},
    )
    opinion = forms.CharField(
        label="检查意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "请填写检查意见（退回时写明需整改之处）。"},
    )
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)


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
