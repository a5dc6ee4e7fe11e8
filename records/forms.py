from typing import Any, cast

from django import forms
from django.db.models import Q

from accounts.selectors import certified_officers
from linke.validators import ScanField, validate_not_future

from .models import KIND_MODELS, PreservationOutcome, RecordKind

_COMMON = ["party_name", "started_at", "ended_at", "place", "officers"]
_CONFIRM = ["confirmation", "confirmation_note"]
FIELDS: dict[str, list[str]] = {
    RecordKind.INQUIRY: [
        *_COMMON,
        "with_av",
        "subject_role",
        "person_name",
        "person_gender",
        "person_id_no",
        "person_employer",
        "person_phone",
        "person_address",
        "transcript",
        *_CONFIRM,
    ],
    RecordKind.EVIDENCE_COLLECTION: [*_COMMON, "holder_name", "holder_address", "reason", "provide_by"],
    RecordKind.INSPECTION: [*_COMMON, "with_av", "mode", "present_persons", "findings", *_CONFIRM],
    RecordKind.SAMPLING: [*_COMMON, "with_av", "method", "witness", *_CONFIRM],
    RecordKind.PRESERVATION: [*_COMMON, "with_av", "reason", "storage_place", "storage_mode", *_CONFIRM],
    RecordKind.COMMISSION: [*_COMMON, "body_name", "matter", "subject", "requirements", "reply_by"],
    RecordKind.OTHER: [*_COMMON, "with_av", "activity", "description"],
}
for _f in FIELDS.values():
    _f.append("confidentiality")

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TEXT = forms.Textarea(attrs={"rows": 4})


def officer_choices(case: Any) -> Any:
    """Certified officers who handle the case or belong to its department."""
    return (
        certified_officers()
        .filter(Q(case_assignments__case=case) | Q(department_id=case.department_id))
        .distinct()
        .order_by("last_name", "first_name")
    )


def record_form_class(kind: str) -> "type[_RecordForm]":
    model = KIND_MODELS[RecordKind(kind)]
    widgets: dict[str, Any] = {
        "started_at": _DT,
        "ended_at": _DT,
        "provide_by": _D,
        "reply_by": _D,
        "officers": forms.CheckboxSelectMultiple,
    }
    for name in (
        "transcript",
        "findings",
        "present_persons",
        "reason",
        "description",
        "subject",
        "requirements",
        "method",
        "confirmation_note",
    ):
        widgets[name] = forms.Textarea(attrs={"rows": 12 if name in ("transcript", "findings", "description") else 3})

    meta = type("Meta", (), {"model": model, "fields": FIELDS[kind], "widgets": widgets})
    return type(f"{model.__name__}Form", (_RecordForm,), {"Meta": meta})


class _RecordForm(forms.ModelForm):
    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        officers = cast(forms.ModelMultipleChoiceField, self.fields["officers"])
        officers.queryset = officer_choices(case)
        officers.label_from_instance = lambda u: f"{u}（执法证号 {u.cert_no}）"  # type: ignore[assignment]
        for name in ("started_at", "ended_at"):
            if name in self.fields:
                cast(forms.DateTimeField, self.fields[name]).input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "officers"}


class ItemForm(forms.Form):
    name = forms.CharField(label="名称", max_length=200, required=False)
    spec = forms.CharField(label="规格/特征", max_length=200, required=False)
    quantity = forms.CharField(label="数量", max_length=40, required=False)
    sample_mark = forms.CharField(label="样品标识", max_length=100, required=False)
    remarks = forms.CharField(label="备注", max_length=200, required=False)


ItemFormSet = forms.formset_factory(ItemForm, extra=3, max_num=200)


def items_from(formset: Any) -> list[dict[str, Any]]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data.get("name", "").strip()]


class CorrectForm(forms.Form):
    reason = forms.CharField(label="更正的内容和原因", widget=_TEXT, max_length=2000)


class AttachForm(forms.Form):
    file = forms.FileField(label="文件（草图、照片、扫描件等）")
    description = forms.CharField(label="说明", max_length=255, required=False)


class RequestForm(forms.Form):
    # 报请批准: the officer's own words (e.g. why the evidence may be lost); starts empty.
    opinion = forms.CharField(label="报请意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class ApproveForm(forms.Form):
    # The head's own words; every field starts empty (no default opinion).
    decision = forms.ChoiceField(
        label="审批结论",
        choices=[("approve", "批准"), ("refuse", "不予批准")],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="负责人意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)
    late_reason = forms.CharField(
        label="事后补批理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
        help_text="已先行实施保存后才批准的（事后补批），须写明情况紧急等理由。",
    )


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="处理决定", choices=[("", "请选择"), *PreservationOutcome.choices])
    detail = forms.CharField(label="决定内容", widget=_TEXT, max_length=4000)


class OpinionForm(forms.Form):
    received_at = forms.DateTimeField(
        label="收到时间", widget=_DT, input_formats=["%Y-%m-%dT%H:%M"], validators=[validate_not_future]
    )
    conclusion = forms.CharField(label="意见结论", widget=_TEXT, max_length=4000)
    file = ScanField(label="意见书（扫描件）")
