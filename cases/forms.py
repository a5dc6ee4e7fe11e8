"""Forms check the shape of input; the services check the workflow."""

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from accounts.selectors import certified_officers
from linke.idnumbers import valid_id_number, valid_uscc
from linke.validators import validate_identity_number, validate_not_future, validate_phone

from .models import (
    ApplicationEventKind,
    ApplicationForm,
    CaseKind,
    CaseSource,
    CaseState,
    ComplaintChannel,
    Confidentiality,
    NoticeMethod,
    Party,
    PartyKind,
    RefusalGround,
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        dept = f"，{obj.department}" if obj.department_id else ""
        return f"{obj}（执法证号 {obj.cert_no}{dept}）"


class CaseBasicsForm(forms.Form):
    title = forms.CharField(label="案由", max_length=200)
    summary = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    officers = OfficerChoiceField(
        label="承办人（两名以上，须持执法证；登记人承办的，为主办人）",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    confidentiality = forms.ChoiceField(label="保密标识", choices=Confidentiality.choices, required=False)

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officers"]).queryset = certified_officers()
        if user is not None and not self.is_bound:
            self.initial.setdefault("officers", [user.pk])

    def clean_officers(self) -> list[User]:
        officers = list(self.cleaned_data["officers"])
        if len(officers) < 2:
            raise forms.ValidationError("承办人不得少于两人（《行政处罚法》第四十二条）。")
        return officers


class PartyForm(forms.ModelForm):
    class Meta:
        model = Party
        fields = ["kind", "name", "id_number", "legal_rep", "address", "phone", "confidentiality"]
        help_texts = {"id_number": "自然人填写居民身份证号码，法人或其他组织填写统一社会信用代码。"}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, number = data.get("kind"), (data.get("id_number") or "").strip().upper()
        if number:
            if kind == PartyKind.PERSON and not valid_id_number(number):
                self.add_error("id_number", "居民身份证号码格式或校验位不正确。")
            if kind == PartyKind.ORGANISATION and not valid_uscc(number):
                self.add_error("id_number", "统一社会信用代码格式或校验位不正确。")
        data["id_number"] = number
        if kind == PartyKind.PERSON and data.get("legal_rep"):
            self.add_error("legal_rep", "自然人无需填写法定代表人。")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {f: self.cleaned_data.get(f) or "" for f in self.Meta.fields}


class OptionalPartyForm(PartyForm):
    """For a complaint the party may not be known yet: an empty name means none."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False

    def has_party(self) -> bool:
        return bool(self.cleaned_data.get("name"))


class ExOfficioForm(CaseBasicsForm):
    """第八条第一款"""

    cause = forms.CharField(label="启动原因", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label="案件来源", choices=[c for c in CaseSource.choices if c[0] != "complaint"])
    source_detail = forms.CharField(label="来源说明", max_length=255, required=False)
    officer_opinion = forms.CharField(label="承办人意见", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ComplaintForm(CaseBasicsForm):
    """第九条第一款"""

    channel = forms.ChoiceField(label="渠道", choices=ComplaintChannel.choices)
    received_at = forms.DateTimeField(
        label="接收时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )
    content = forms.CharField(label="投诉举报内容", widget=forms.Textarea(attrs={"rows": 4}))
    anonymous = forms.BooleanField(label="匿名投诉举报", required=False)
    complainant_name = forms.CharField(label="投诉举报人姓名或名称", max_length=200, required=False)
    complainant_id_number = forms.CharField(
        label="证件号码", max_length=32, required=False, validators=[validate_identity_number]
    )
    complainant_phone = forms.CharField(label="联系电话", max_length=32, required=False, validators=[validate_phone])
    complainant_address = forms.CharField(label="联系地址", max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("anonymous") and not data.get("complainant_name"):
            self.add_error("complainant_name", "实名投诉举报须填写姓名或名称；否则请勾选匿名。")
        return data


class ApplicationRecordForm(CaseBasicsForm):
    """第七条"""

    form = forms.ChoiceField(
        label="申请方式", choices=ApplicationForm.choices, widget=forms.RadioSelect, initial=ApplicationForm.WRITTEN
    )
    received_at = forms.DateTimeField(
        label="申请时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )
    matter = forms.CharField(label="申请事项", max_length=200)
    materials = forms.CharField(label="申请材料", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    oral_record = forms.CharField(
        label="口头申请记录（口头申请的，由执法人员如实记录）", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


ORIGIN_FORMS = {"ex_officio": ExOfficioForm, "complaint": ComplaintForm, "application": ApplicationRecordForm}


# --- records on the case page ---------------------------------------------------------------


class FilingInfoForm(forms.Form):
    cause = forms.CharField(label="启动原因", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.ChoiceField(label="案件来源", choices=CaseSource.choices)
    source_detail = forms.CharField(label="来源说明", max_length=255, required=False)
    summary = forms.CharField(label="基本案情", widget=forms.Textarea(attrs={"rows": 4}))


class OpinionForm(forms.Form):
    opinion = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 2}))


class NotFileForm(forms.Form):
    """第八条第二款 / 第九条第二款: the head's own opinion (internal) and, separately, the reason
    written for the person told, printed in the 不予立案告知书. Both start empty."""

    opinion = forms.CharField(label="机关负责人意见（内部）", widget=forms.Textarea(attrs={"rows": 2}))
    notice_reason = forms.CharField(
        label="告知理由（写给被告知人）",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="印入不予立案告知书：实名投诉举报的告知投诉举报人，依职权启动的告知当事人。",
    )


class WithdrawalRequestForm(forms.Form):
    reason = forms.CharField(
        label="撤销登记的理由", widget=forms.Textarea(attrs={"rows": 2}), help_text="如：重复登记、登记错误。"
    )


class WithdrawalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定", choices=[("approve", "同意撤销登记"), ("refuse", "不同意")], widget=forms.RadioSelect
    )
    opinion = forms.CharField(label="机关负责人意见", widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    opinion = forms.CharField(label="意见或理由", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ComplaintHandlingForm(forms.Form):
    handling = forms.CharField(label="处理情况", widget=forms.Textarea(attrs={"rows": 3}))


class ApplicationEventForm(forms.Form):
    # A request for material is the 补正材料通知 (SupplementNoticeForm), its receipt
    # SupplementReceivedForm: each has its own rules (《行政许可法》第三十二条第一款第（四）项).
    kind = forms.ChoiceField(
        label="事项", choices=[(ApplicationEventKind.CORRECTION.value, ApplicationEventKind.CORRECTION.label)]
    )
    occurred_at = forms.DateTimeField(
        label="时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )
    content = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class SupplementNoticeForm(forms.Form):
    """《行政许可法》第三十二条第一款第（四）项: every missing material at once, one per line."""

    materials = forms.CharField(
        label="需要补正的全部材料（每行一项）",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="一次告知需要补正的全部内容；印入补正材料通知书，只能告知一次。",
    )
    notified_at = forms.DateTimeField(
        label="告知时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )

    def clean_materials(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["materials"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("请逐项列明需要补正的材料，每行一项。")
        return lines


class SupplementReceivedForm(forms.Form):
    supplied_at = forms.DateTimeField(
        label="收到补正材料时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )
    content = forms.CharField(label="收到的补正材料", widget=forms.Textarea(attrs={"rows": 3}))


class RejectApplicationForm(forms.Form):
    """第七条 / 《行政许可法》第三十二条第一款: 不予受理. The officer's internal opinion and, apart,
    the reason written for the applicant (printed in the 不予受理决定书). All start empty."""

    opinion = forms.CharField(label="承办人意见（内部）", widget=forms.Textarea(attrs={"rows": 2}))
    ground = forms.ChoiceField(label="不予受理的情形", choices=[("", "请选择"), *RefusalGround.choices])
    notice_reason = forms.CharField(
        label="不予受理理由（告知申请人）",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="印入不予受理决定书，写给申请人。",
    )
    competent_organ = forms.CharField(
        label="应当向其申请的行政机关",
        required=False,
        max_length=200,
        help_text="申请事项不属于本机关职权范围的必填（《行政许可法》第三十二条第一款第（二）项）。",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ground") == RefusalGround.NOT_COMPETENT and not (data.get("competent_organ") or "").strip():
            self.add_error("competent_organ", "不属于本机关职权范围的，须告知申请人向哪个行政机关申请。")
        return data


class ApplicationCompleteForm(forms.Form):
    materials = forms.CharField(label="申请材料", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    oral_record = forms.CharField(label="口头申请记录", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class NoticeForm(forms.Form):
    method = forms.ChoiceField(label="方式", choices=NoticeMethod.choices)
    notified_at = forms.DateTimeField(
        label="时间", widget=DateTimeInput(), initial=timezone.now, validators=[validate_not_future]
    )
    detail = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 3}))


class OfficersForm(forms.Form):
    officers = OfficerChoiceField(
        label="承办人（两名以上；本人在内的，本人为主办人）",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officers"]).queryset = certified_officers()


class AttachmentForm(forms.Form):
    file = forms.FileField(label="文件")
    description = forms.CharField(label="说明", max_length=255, required=False)
    confidentiality = forms.ChoiceField(label="保密标识", choices=Confidentiality.choices, required=False)
    owner = forms.CharField(widget=forms.HiddenInput, required=False)  # "app_label.model:pk"


class CaseFilterForm(forms.Form):
    q = forms.CharField(label="案号、案由或当事人", required=False)
    state = forms.ChoiceField(label="阶段", choices=[("", "全部")] + list(CaseState.choices), required=False)
    kind = forms.ChoiceField(label="类别", choices=[("", "全部")] + list(CaseKind.choices), required=False)
    officer = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), required=False, empty_label="全部")
    date_from = forms.DateField(label="登记日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["officer"]).queryset = certified_officers()
