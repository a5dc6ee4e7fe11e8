"""Forms of 第四章. They check the input's shape; the actions check the workflow. The draft
form checks its fields with the same rules the actions apply (review.rules). Every opinion
starts empty: it is the signer's own text."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Role, User
from accounts.selectors import users_in_role
from cases.models import CaseKind

from . import rules
from .models import PenaltyKind

_TEXT = {"rows": 4}


class DecisionForm(forms.Form):
    """The decision draft (the officers): outcome, facts, evidence, basis to article/paragraph/
    item, penalty kinds and amounts, content, manner and deadline of performance."""

    outcome = forms.ChoiceField(label="处理结果")
    facts = forms.CharField(label="违法事实（审查认定的事实）", widget=forms.Textarea(attrs=_TEXT), required=False)
    evidence = forms.CharField(
        label="证据", widget=forms.Textarea(attrs=_TEXT), required=False, help_text="逐项列明证据名称及证明内容。"
    )
    basis = forms.CharField(
        label="法律依据",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="写明法律、法规、规章的名称及条、款、项，如“《××条例》第三十二条第一款第（二）项”。",
    )
    kinds = forms.MultipleChoiceField(
        label="处罚种类", choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    fine_yuan = forms.DecimalField(label="罚款金额（元）", max_digits=14, decimal_places=2, required=False)
    confiscation_yuan = forms.DecimalField(
        label="没收违法所得、非法财物价值（元）", max_digits=14, decimal_places=2, required=False
    )
    content = forms.CharField(
        label="处理内容",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="处罚的具体内容；不予处罚、不予许可的，写明理由；准予许可的，写明许可事项。",
    )
    performance = forms.CharField(
        label="履行方式和期限",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="罚款的，写明缴款方式；当事人自收到决定书之日起十五日内缴纳（《行政处罚法》第六十七条）。",
    )

    def __init__(self, *args: Any, case_kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case_kind = case_kind
        allowed = rules.OUTCOMES_BY_KIND.get(case_kind, ())
        self.fields["outcome"].choices = [  # type: ignore[attr-defined]
            ("", "——请选择——")
        ] + [(o.value, o.label) for o in allowed]
        if case_kind == CaseKind.LICENSING:
            for name in ("kinds", "fine_yuan", "confiscation_yuan", "performance", "evidence"):
                del self.fields[name]
            self.fields["facts"].label = "审查认定的事实"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            for field, message in rules.draft_errors(self.case_kind, data).items():
                if field in self.fields:
                    self.add_error(field, message)
                else:
                    self.add_error(None, message)
        return data


class SignForm(forms.Form):
    opinion = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))


class DecideForm(forms.Form):
    """第十六条: the head's own opinion; the signing time is when it is signed."""

    opinion = forms.CharField(label="机关负责人签署意见", widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    to = forms.ModelChoiceField(label="转交给", queryset=User.objects.none())
    reason = forms.CharField(label="转交理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, role: str, exclude: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        qs = users_in_role(Role(role)).order_by("username")
        if exclude:
            qs = qs.exclude(pk__in=exclude)
        self.fields["to"].queryset = qs  # type: ignore[attr-defined]


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="案件类别", choices=[("", "全部"), *CaseKind.choices], required=False)
    claim = forms.ChoiceField(
        label="领取情况",
        choices=[("", "全部"), ("mine", "我领取的"), ("unclaimed", "未领取")],
        required=False,
    )
    overdue = forms.BooleanField(label="仅显示已逾期", required=False)
