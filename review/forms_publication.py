"""Forms of publication (行政执法公示) and its withdrawal (《行政处罚法》第四十八条)."""

from django import forms

from .models import DecisionChangeKind


class DecisionChangeForm(forms.Form):
    kind = forms.ChoiceField(label="情形", choices=[("", "请选择"), *DecisionChangeKind.choices])
    reason = forms.CharField(label="理由及依据（如复议决定书、判决书文号）", widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回理由", widget=forms.Textarea(attrs={"rows": 3}))
