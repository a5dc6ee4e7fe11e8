"""Forms of the archive's sealing pages: input shape only; the workflow is archive.sealing's."""

from django import forms

DECISIONS = [("agree", "同意"), ("refuse", "不同意")]


class SealForm(forms.Form):
    """The 备考表 (DA/T 22: 说明, 立卷人, 检查人) filled when sealing."""

    description = forms.CharField(label="案卷情况说明", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    compiler = forms.CharField(label="立卷人", max_length=50)
    checker = forms.CharField(label="检查人", max_length=50)


class OpinionForm(forms.Form):
    """The head's decision with a reason (准予归档 / 补充材料审批)."""

    decision = forms.ChoiceField(label="意见", choices=DECISIONS, widget=forms.RadioSelect)
    opinion = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AddendumForm(forms.Form):
    text = forms.CharField(label="补充说明", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    scan = forms.FileField(label="扫描件（可选，PDF或图片）", required=False)
