"""Forms of 第二十三、二十四条 and 结案: input shape only (required fields, amounts, dates); the
workflow checks are the actions' (delivery.execution, .enforcement, .conclusion). Opinion fields
start empty."""

from __future__ import annotations

from typing import Any

from django import forms

from avrecords.models import AVRecord
from avrecords.selectors import records_of_case
from linke.validators import ScanField

from .enforcement import MATERIALS
from .models_execution import CourtOutcome, Ending, PauseKind, PaymentPlanKind

_REQ = {"required": "此项为必填项。"}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_YES_NO = [("", "请选择"), ("yes", "是"), ("no", "否")]
INSTALMENT_ROWS = 4


def _text(label: str, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=_REQ,
        help_text=help_text,
    )


def _day(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=_DATE, error_messages={**_REQ, "invalid": "请输入有效日期。"}
    )


def _money(label: str, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={
            **_REQ,
            "invalid": "请输入金额（元，最多两位小数）。",
            "min_value": "金额不能为负数。",
            "max_decimal_places": "金额最多两位小数。",
        },
    )


def _yes_no(label: str, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO,
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=required,
        error_messages=_REQ,
    )


class CaseForm(forms.Form):
    """A form that knows its case (choices come from it)."""

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class StartForm(CaseForm):
    rectification = _text(
        "责令改正内容（如有）", required=False, help_text="处罚决定同时责令当事人改正违法行为的，写明改正的内容和期限"
    )


class PaymentForm(CaseForm):
    amount_yuan = _money("缴纳罚款（元）")
    surcharge_yuan = _money("缴纳加处罚款（元）", required=False)
    paid_on = _day("缴纳日期")
    receipt = ScanField(label="缴款凭证（扫描件）", error_messages={**_REQ, "empty": "上传的文件为空。"})
    note = forms.CharField(label="备注", max_length=255, required=False)


class PauseStartForm(CaseForm):
    kind = forms.ChoiceField(label="类型", choices=[("", "请选择"), *PauseKind.choices], error_messages=_REQ)
    start = _day("申请（起诉）日期")
    body = forms.CharField(label="复议机关或受理法院", max_length=120, error_messages=_REQ)
    note = _text("情况说明", required=False)


class PauseEndForm(CaseForm):
    end = _day("复议决定或判决生效日期")
    note = _text("结果（如：维持原处罚决定）", required=False)


class PlanForm(CaseForm):
    kind = forms.ChoiceField(label="方式", choices=[("", "请选择"), *PaymentPlanKind.choices], error_messages=_REQ)
    applied_on = _day("当事人申请日期")
    reason = _text("申请理由", help_text="当事人确有经济困难等理由（《行政处罚法》第六十六条第二款）")
    opinion = _text("机关负责人审批意见", rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, INSTALMENT_ROWS + 1):
            self.fields[f"due_{i}"] = _day(f"第{i}期缴纳期限" if i > 1 else "（第1期）缴纳期限", required=i == 1)
            self.fields[f"amount_{i}"] = _money(f"第{i}期金额（元）", required=False)

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        schedule = [(d.get(f"due_{i}"), d.get(f"amount_{i}")) for i in range(1, INSTALMENT_ROWS + 1)]
        return {
            "kind": d["kind"],
            "applied_on": d["applied_on"],
            "reason": d["reason"],
            "opinion": d["opinion"],
            "schedule": [(due, amount) for due, amount in schedule if due is not None or amount],
        }


class RectificationForm(CaseForm):
    checked_on = _day("核查日期")
    place = forms.CharField(label="核查地点", max_length=200, error_messages=_REQ)
    officers = forms.CharField(label="核查人员", max_length=200, error_messages=_REQ)
    observed = _text("实地核查情况", rows=4)
    corrected = _yes_no("违法行为已改正")
    av_record = forms.ModelChoiceField(label="音像记录（可选）", queryset=AVRecord.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["av_record"].queryset = records_of_case(self.case.pk)  # type: ignore[attr-defined]

    def action_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        record = d.pop("av_record", None)
        return {**d, "av_record_id": record.pk if record else None}


class ReminderForm(CaseForm):
    perform_by = _day("履行期限")
    manner = _text("履行方式", rows=2, help_text="如：到指定银行或通过非税收入电子缴款系统缴纳")
    amount_yuan = _money("金额（元）", required=False)
    payment_method = _text("给付方式", required=False, rows=2, help_text="涉及金钱给付的，写明金额和给付方式")


class StatementForm(CaseForm):
    stated = _yes_no("当事人提出陈述申辩")
    received_on = _day("日期", required=True)
    statement = _text("陈述申辩内容", required=False)
    recheck = _text("复核意见", required=False)
    adopted = _yes_no("事实、理由或证据成立并采纳", required=False)


class ApplicationForm(CaseForm):
    court = forms.CharField(label="受理法院", max_length=120, error_messages=_REQ)
    subject = _text("申请强制执行标的情况")
    materials = forms.MultipleChoiceField(
        label="申请材料（《行政强制法》第五十五条）",
        choices=list(MATERIALS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opinion = _text("机关负责人签署意见", rows=2)


class AcceptForm(CaseForm):
    accepted_on = _day("受理日期")
    court_case_number = forms.CharField(label="法院案号", max_length=64, error_messages=_REQ)


class RuleForm(CaseForm):
    ruled_on = _day("裁定日期")
    enforce = _yes_no("裁定准予执行")
    ruling = _text("裁定内容")


class ResultForm(CaseForm):
    result_on = _day("执行结果日期")
    outcome = forms.ChoiceField(label="执行结果", choices=[("", "请选择"), *CourtOutcome.choices], error_messages=_REQ)
    result = _text("执行结果说明")


class ConcludeForm(CaseForm):
    ending = forms.ChoiceField(label="结案情形", choices=[("", "请选择"), *Ending.choices], error_messages=_REQ)
    reason = _text("理由（无法执行、移送的必填）", required=False)
    opinion = _text("结案审批意见", rows=2)
