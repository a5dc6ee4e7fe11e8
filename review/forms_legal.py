"""Forms of 法制审核, 专家论证, 集体讨论 and the decision period. Shapes only: the actions in
review/legal.py and review/periods.py check the workflow and the law."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import users_in_role
from cases.models import SignOffOutcome
from linke.validators import validate_not_future

from .models import DISCUSSION_OUTCOMES, ExclusionKind, LegalFinding, LegalReviewPoint, LegalReviewSituation

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 3})


class SheetForm(forms.Form):
    situations = forms.MultipleChoiceField(
        label="《行政处罚法》第五十八条：应当法制审核的情形（勾选任一项即须法制审核）",
        choices=LegalReviewSituation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_basis = forms.CharField(label="其他情形的法律、法规依据", max_length=200, required=False)
    expert_required = forms.BooleanField(label="需要专家论证", required=False)
    expert_reason = forms.CharField(label="专家论证的理由", max_length=200, required=False)
    discussion_required = forms.BooleanField(label="情节复杂或者重大违法行为，须集体讨论", required=False)
    discussion_reason = forms.CharField(label="集体讨论的理由", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if LegalReviewSituation.OTHER_BY_LAW in data.get("situations", []) and not data.get("other_basis", "").strip():
            self.add_error("other_basis", "勾选“其他情形”的，请写明法律、法规依据。")
        if data.get("expert_required") and not data.get("expert_reason", "").strip():
            self.add_error("expert_reason", "请填写需要专家论证的理由。")
        if data.get("discussion_required") and not data.get("discussion_reason", "").strip():
            self.add_error("discussion_reason", "请填写需要集体讨论的理由。")
        return data


class LegalReviewForm(forms.Form):
    """One finding and note per point of 国办发〔2018〕118号, the overall opinion and outcome."""

    outcome = forms.ChoiceField(
        label="审核结论",
        choices=[("", "请选择"), (SignOffOutcome.AGREE, "通过"), (SignOffOutcome.RETURN, "不通过，退回")],
    )
    opinion = forms.CharField(label="法制审核意见", widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for point in LegalReviewPoint:
            self.fields[f"finding_{point.value}"] = forms.ChoiceField(
                label=point.label, choices=[("", "请选择"), *LegalFinding.choices]
            )
            self.fields[f"note_{point.value}"] = forms.CharField(
                label=f"{point.label}：问题及意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.order_fields(
            [*(f for p in LegalReviewPoint for f in (f"finding_{p.value}", f"note_{p.value}")), "outcome", "opinion"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for point in LegalReviewPoint:
            if (
                data.get(f"finding_{point.value}") == LegalFinding.FLAWED
                and not data.get(f"note_{point.value}", "").strip()
            ):
                self.add_error(f"note_{point.value}", "存在问题的，请写明问题。")
        return data

    def findings(self) -> dict[str, dict[str, str]]:
        d = self.cleaned_data
        return {
            p.value: {"finding": d[f"finding_{p.value}"], "note": d.get(f"note_{p.value}", "")}
            for p in LegalReviewPoint
        }


class ExpertOpinionForm(forms.Form):
    held_on = forms.DateField(label="论证日期", widget=_D)
    expert_name = forms.CharField(label="专家姓名", max_length=64)
    expert_title = forms.CharField(label="工作单位及职称", max_length=200)
    opinion = forms.CharField(label="论证意见", widget=_TEXT)

    def clean_held_on(self) -> Any:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("论证日期不能晚于今天。")
        return day


DISCUSSION_LINES = 7


class DiscussionForm(forms.Form):
    held_at = forms.DateTimeField(label="讨论时间", widget=_DT, validators=[validate_not_future])
    place = forms.CharField(label="地点", max_length=200)
    chair = forms.ModelChoiceField(label="主持人（机关负责人）", queryset=users_in_role(Role.HEAD))
    recorder = forms.CharField(label="记录人", max_length=64)
    outcome = forms.ChoiceField(
        label="讨论决定（第五十七条）", choices=[("", "请选择"), *((o.value, o.label) for o in DISCUSSION_OUTCOMES)]
    )
    conclusion = forms.CharField(label="讨论结论", widget=_TEXT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = users_in_role(Role.HEAD)  # type: ignore[attr-defined]
        for i in range(1, DISCUSSION_LINES + 1):
            self.fields[f"participant_{i}"] = forms.CharField(label=f"第{i}位发言人", max_length=64, required=False)
            self.fields[f"position_{i}"] = forms.CharField(label=f"第{i}位发言人职务", max_length=64, required=False)
            self.fields[f"opinion_{i}"] = forms.CharField(
                label=f"第{i}位发言人意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lines = 0
        for i in range(1, DISCUSSION_LINES + 1):
            vals = [data.get(f"{k}_{i}", "").strip() for k in ("participant", "position", "opinion")]
            if any(vals):
                lines += 1
                for k, v in zip(("participant", "position", "opinion"), vals, strict=True):
                    if not v:
                        self.add_error(f"{k}_{i}", "请填写。")
        if lines < 2:
            self.add_error("participant_1", "请按发言顺序记录至少两名参加人的意见。")
        return data

    def opinions(self) -> list[tuple[str, str, str]]:
        d = self.cleaned_data
        return [
            (d.get(f"participant_{i}", ""), d.get(f"position_{i}", ""), d.get(f"opinion_{i}", ""))
            for i in range(1, DISCUSSION_LINES + 1)
        ]


class PenaltyExtensionForm(forms.Form):
    new_due = forms.DateField(label="延长后的届满日期", widget=_D)
    reason = forms.CharField(label="延长理由（负责人批准意见）", widget=_TEXT)


class LicensingExtensionForm(forms.Form):
    reason = forms.CharField(label="延长十日的理由", widget=_TEXT)
    applicant_told = forms.BooleanField(label="已将延长期限的理由告知申请人（《行政许可法》第四十二条）")


class ExclusionForm(forms.Form):
    kind = forms.ChoiceField(label="事项", choices=[("", "请选择"), *ExclusionKind.choices])
    start = forms.DateField(label="开始日期", widget=_D)
    end = forms.DateField(label="结束日期", widget=_D)
    told_in_writing_on = forms.DateField(label="书面告知申请人日期", widget=_D)
    note = forms.CharField(label="说明", max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end, today = data.get("start"), data.get("end"), timezone.localdate()
        if start and end and end < start:
            self.add_error("end", "结束日期不能早于开始日期。")
        if end and end > today:
            self.add_error("end", "结束日期不能晚于今天：请在该事项结束后记录。")
        told = data.get("told_in_writing_on")
        if told and told > today:
            self.add_error("told_in_writing_on", "书面告知日期不能晚于今天。")
        return data
