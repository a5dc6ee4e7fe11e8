"""Forms of 第二十九条 consultation: input shape only; the services check the workflow."""

from typing import Any

from django import forms

from cases.models import Party
from linke.validators import SCAN_TYPES_LABEL, MaxCharsValidator, ScanField, datetime_invalid, window_label

from .consultation import (
    AUTHORISATION,
    PERIOD_LABEL,
    agent_errors,
    allowed_treatments,
    period_window_errors,
    reason_error,
)
from .models_consultation import (
    OPINION_MAX,
    REASON_MAX,
    REQUESTER_NAME_MAX,
    ConsultationItem,
    ConsultationPurpose,
    ItemTreatment,
    RequesterIdType,
    RequesterRelation,
)

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RequestForm(forms.Form):
    """A party's request: who, relation, purpose, why, which items (keys of
    archive.consultation.candidates); for a 委托代理人 the principal (pk of one of `parties`, the
    case's parties) and the scan of the 授权委托书 (archive.consultation.agent_errors, by field)."""

    requester_name = forms.CharField(
        label="查阅人姓名",
        validators=[MaxCharsValidator(REQUESTER_NAME_MAX, "查阅人姓名")],
        widget=forms.TextInput(attrs={"maxlength": REQUESTER_NAME_MAX}),
    )
    id_type = forms.ChoiceField(label="证件类型", choices=RequesterIdType.choices)
    id_number = forms.CharField(label="证件号码", max_length=32)
    relation = forms.ChoiceField(label="与案件关系", choices=RequesterRelation.choices)
    purpose = forms.ChoiceField(label="查阅目的", choices=ConsultationPurpose.choices)
    reason = forms.CharField(
        label="查阅理由",
        validators=[MaxCharsValidator(REASON_MAX, "查阅理由")],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"不超过{REASON_MAX}字。",
    )
    # 第二十九条 (委托代理人; unverified: from practice, not in DOMAIN.md).
    principal = forms.TypedChoiceField(
        label="委托人",
        coerce=int,
        empty_value=None,
        required=False,
        help_text="委托代理人查阅时必填：选择委托其查阅的本案当事人；其他与案件关系不填。",
        error_messages={"invalid_choice": "所选委托人不是本案登记的当事人，请重新选择。"},
    )
    authorisation = ScanField(
        label=f"{AUTHORISATION}（{SCAN_TYPES_LABEL}）",
        required=False,
        what=AUTHORISATION,
        noun=AUTHORISATION,
        help_text=f"委托代理人查阅时必填：当事人签署的{AUTHORISATION}扫描件；其他与案件关系不上传。",
    )
    items = forms.MultipleChoiceField(label="申请查阅的材料", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], parties: list[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = choices
        self.parties = parties
        principal = self.fields["principal"]
        assert isinstance(principal, forms.TypedChoiceField)
        principal.choices = [("", "—"), *((p.pk, p.name) for p in parties)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The principal and the 授权委托书 by their fields (archive.consultation.agent_errors; the
        # service again). A field refused already (a foreign principal, a bad scan) says so once.
        errors = agent_errors(
            self.parties,
            relation=data.get("relation") or "",
            principal=data.get("principal"),
            authorisation=data.get("authorisation") is not None,
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class DecisionForm(forms.Form):
    """The head's decision: outcome, opinion (starts empty), period, and for each item its
    treatment and reason (fields `t_<id>`, `r_<id>`, `f_<id>` for a redacted copy). On approval
    the period's errors and each missing reason are shown by their fields."""

    approve = forms.TypedChoiceField(
        label="审批结论",
        choices=[("1", "同意查阅"), ("0", "不同意查阅")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label="机关负责人意见",
        validators=[MaxCharsValidator(OPINION_MAX, "机关负责人意见")],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    valid_from = forms.DateTimeField(label="查阅期限起", required=False, widget=_DT)
    valid_until = forms.DateTimeField(label="查阅期限止", required=False, widget=_DT)

    def __init__(self, *args: Any, items: list[ConsultationItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A value typed that is no date-time (2026-13-45T99:99) is named as such, not as missing.
        for name, end in (("valid_from", False), ("valid_until", True)):
            self.fields[name].error_messages["invalid"] = datetime_invalid(window_label(PERIOD_LABEL, end=end))
        self.items = items
        for item in items:
            mark = f"（{item.get_confidentiality_display()}）" if item.confidentiality else ""
            # Only the treatments 第二十九条第二款 allows this item (archive.consultation.
            # allowed_treatments): a state secret has 不予提供 alone, shown fixed.
            allowed = allowed_treatments(item)
            offered = [c for c in ItemTreatment.choices if c[0] in allowed]
            self.fields[f"t_{item.pk}"] = forms.ChoiceField(
                label=f"{item.title}{mark}",
                choices=offered if len(offered) == 1 else [("", "—"), *offered],
                required=False,
                initial=offered[0][0] if len(offered) == 1 else None,
            )
            self.fields[f"r_{item.pk}"] = forms.CharField(
                label="处理理由",
                required=False,
                validators=[MaxCharsValidator(REASON_MAX, "处理理由")],
                help_text=f"遮蔽后提供或不予提供的，须写明理由（第二十九条），不超过{REASON_MAX}字。",
            )
            if ItemTreatment.REDACTED in allowed:
                # The one scan check (linke.validators.validate_scan), PDF only; the service repeats it.
                self.fields[f"f_{item.pk}"] = ScanField(
                    label="遮蔽件（PDF）",
                    required=False,
                    pdf_only=True,
                    what=f"“{item.title}”的遮蔽件",
                    noun="遮蔽件",
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("approve"):
            return data
        if any(name in self.errors for name in ("valid_from", "valid_until")):
            return data  # a value that is no date-time: said by its field
        if not data.get("valid_from") or not data.get("valid_until"):
            raise forms.ValidationError("同意查阅时请填写查阅期限。")
        # The one check of the period (linke.validators.window_errors), shown by its field; the
        # service applies it again whatever calls it.
        for field, message in period_window_errors(data["valid_from"], data["valid_until"]).items():
            self.add_error(field, message)
        # Each item's reason, by its field (archive.consultation.reason_error; the service again).
        for item in self.items:
            if f"r_{item.pk}" in self.errors:  # refused by its field already (length): one message
                continue
            reason = data.get(f"r_{item.pk}") or ""
            missing = reason_error(item, data.get(f"t_{item.pk}") or "", reason)  # control characters too
            if missing:
                self.add_error(f"r_{item.pk}", missing)
        return data
