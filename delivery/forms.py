"""Forms of 第五章 delivery, built from the method declarations (delivery/methods.py): each
method's form shows only its own elements. Input shape only (dates, times, files, choices); the
article-by-article checks are the action's, which refuses naming the article. Reasons start empty."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.selectors import certified_officers
from avrecords.selectors import records_of_case
from cases.models import Party
from linke.validators import ScanField, validate_phone

from .methods import COMPLETE, METHODS, START, Element, Method
from .models import AttemptOutcome
from .selectors import deliverable_documents

_REQ = {"required": "此项为必填项。"}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
_LONG = {"reason", "witnesses", "present_persons", "listed_documents"}
OUTCOMES = [(AttemptOutcome.SERVED, "已送达"), (AttemptOutcome.FAILED, "未送达（如拒绝签收、查无此人、邮件被退回）")]


def _field(e: Element, case: Any) -> forms.Field:
    common: dict[str, Any] = {"label": f"{e.label}（{e.article}）", "required": False, "help_text": e.help_text}
    if e.kind == "date":
        return forms.DateField(widget=_DATE, error_messages={"invalid": "请输入有效日期。"}, **common)
    if e.kind == "datetime":
        return forms.DateTimeField(
            widget=_DATETIME, input_formats=_DATETIME_FORMATS, error_messages={"invalid": "请输入有效时间。"}, **common
        )
    if e.kind == "bool":
        return forms.BooleanField(**common)
    if e.kind == "choice":
        return forms.ChoiceField(choices=[("", "—")] + list(e.choices), **common)
    if e.kind == "users":
        return forms.ModelMultipleChoiceField(queryset=certified_officers(), **common)
    if e.kind == "file":  # a scan (扫描件) is a PDF or an image by content (linke.validators)
        return ScanField(**common) if "扫描件" in e.label else forms.FileField(**common)
    if e.kind == "av":
        return forms.ModelChoiceField(queryset=records_of_case(case.pk), **common)
    widget = forms.Textarea(attrs={"rows": 3}) if e.name in _LONG else forms.TextInput()
    return forms.CharField(widget=widget, **common)


def _document_label(doc: Any) -> str:
    return f"{doc.title}（{doc.number}）"


class _ElementsForm(forms.Form):
    method: Method
    phase: str

    def __init__(self, *args: Any, case: Any, method: str, **kwargs: Any) -> None:
        self.case = case
        self.method = METHODS[method]
        super().__init__(*args, **kwargs)
        for e in self.method.elements:
            if e.phase in self.phases:
                self.fields[e.name] = _field(e, case)

    phases: tuple[str, ...] = ()

    def element_names(self) -> list[str]:
        return [e.name for e in self.method.elements if e.phase in self.phases]

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        files = {e.name: d.get(e.name) for e in self.method.elements if e.kind == "file" and e.phase in self.phases}
        values: dict[str, Any] = {}
        for name in self.element_names():
            if name in files:
                continue
            value = d.get(name)
            if name == "deliverers":
                value = [u.pk for u in value or []]
            elif name == "av_record":
                value = value.pk if value is not None else None
            values[name] = value
        return {
            "outcome": d["outcome"],
            "failure_reason": d.get("failure_reason") or "",
            "files": {k: v for k, v in files.items() if v},
            **values,
        }


class AttemptForm(_ElementsForm):
    """A new attempt by one method: the document, the party served, the result, the elements."""

    phases = (START, COMPLETE)
    document = forms.ModelChoiceField(label="送达文书", queryset=Party.objects.none(), error_messages=_REQ)
    party = forms.ModelChoiceField(label="受送达人", queryset=Party.objects.none(), error_messages=_REQ)
    outcome = forms.ChoiceField(label="送达结果", choices=OUTCOMES, initial=AttemptOutcome.SERVED, error_messages=_REQ)
    failure_reason = forms.CharField(
        label="未送达原因（未送达时填写）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        docs = self.fields["document"]
        assert isinstance(docs, forms.ModelChoiceField)
        docs.queryset = deliverable_documents(self.case)
        docs.label_from_instance = _document_label  # type: ignore[method-assign,assignment]
        parties = self.fields["party"]
        assert isinstance(parties, forms.ModelChoiceField)
        parties.queryset = self.case.parties.all()
        # The document, party and result first, then the method's elements.
        order = ["document", "party", "outcome", "failure_reason"]
        self.order_fields(order + [n for n in self.fields if n not in order])

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"document_id": d["document"].pk, "party_id": d["party"].pk, **super().action_kwargs()}


class CompleteForm(_ElementsForm):
    """The result of an attempt 送达中: only the method's COMPLETE elements."""

    phases = (COMPLETE,)
    outcome = forms.ChoiceField(label="送达结果", choices=OUTCOMES, initial=AttemptOutcome.SERVED, error_messages=_REQ)
    failure_reason = forms.CharField(
        label="未送达原因（未送达时填写）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReceiptForm(forms.Form):
    """送达回证 to print for a document and a party (第十八条)."""

    document = forms.ModelChoiceField(label="送达文书", queryset=Party.objects.none(), error_messages=_REQ)
    party = forms.ModelChoiceField(label="受送达人", queryset=Party.objects.none(), error_messages=_REQ)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "receipt_%s")  # the page's other forms use id_document
        super().__init__(*args, **kwargs)
        docs = self.fields["document"]
        assert isinstance(docs, forms.ModelChoiceField)
        docs.queryset = deliverable_documents(case)
        docs.label_from_instance = _document_label  # type: ignore[method-assign,assignment]
        parties = self.fields["party"]
        assert isinstance(parties, forms.ModelChoiceField)
        parties.queryset = case.parties.all()


class AddressConfirmationForm(forms.Form):
    """送达地址确认书 (最高法解释第一百三十六条; 《行政处罚法》第六十一条)."""

    party = forms.ModelChoiceField(label="当事人", queryset=Party.objects.none(), error_messages=_REQ)
    postal_address = forms.CharField(label="送达地址", max_length=255, error_messages=_REQ)
    phone = forms.CharField(label="联系电话", max_length=64, required=False, validators=[validate_phone])
    electronic_consent = forms.BooleanField(label="当事人同意电子送达", required=False)
    electronic_address = forms.CharField(label="电子送达地址（电子邮箱、手机号码等）", max_length=200, required=False)
    signed_on = forms.DateField(
        label="当事人签署日期", widget=_DATE, error_messages={**_REQ, "invalid": "请输入有效日期。"}
    )
    scan = ScanField(label="签署的送达地址确认书（扫描件）", error_messages=_REQ)

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        self.case = case
        kwargs.setdefault("auto_id", "address_%s")  # the page's other forms use id_party
        super().__init__(*args, **kwargs)
        parties = self.fields["party"]
        assert isinstance(parties, forms.ModelChoiceField)
        parties.queryset = case.parties.all()

    def action_kwargs(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["party_id"] = d.pop("party").pk
        return d
