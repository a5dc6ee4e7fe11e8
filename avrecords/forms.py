from typing import Any, cast

from django import forms

from accounts.models import Role, User
from accounts.selectors import users_in_role
from cases.models import Case, Confidentiality
from linke.validators import validate_not_future

from .models import AVRecord
from .services import CONTENT_POINTS


class DescribeForm(forms.Form):
    """第二十六条 (method, time, maker, what it proves, transcript) and 第十二条 (content points)."""

    method = forms.CharField(
        label="制作方法", max_length=200, required=False, help_text="如：执法记录仪现场录制、手机录音、照相机拍摄"
    )
    made_at = forms.DateTimeField(
        label="制作时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        validators=[validate_not_future],
    )
    maker = forms.ModelChoiceField(label="制作人", queryset=User.objects.none(), required=False)
    proves = forms.CharField(label="证明对象", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    transcript = forms.CharField(label="声音内容文字记录", required=False, widget=forms.Textarea(attrs={"rows": 6}))
    content_points = forms.MultipleChoiceField(
        label="重点记录内容（第十二条）", choices=CONTENT_POINTS, required=False, widget=forms.CheckboxSelectMultiple
    )
    content_other = forms.CharField(label="其他应当记录的内容", max_length=200, required=False)
    confidentiality = forms.ChoiceField(label="保密标识", choices=Confidentiality.choices, required=False)
    important = forms.BooleanField(label="重要标记", required=False)

    def __init__(self, *args: Any, instance_record: AVRecord, **kwargs: Any) -> None:
        if not args and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(instance_record, f)
                for f in (
                    "method",
                    "made_at",
                    "proves",
                    "transcript",
                    "content_points",
                    "content_other",
                    "confidentiality",
                    "important",
                )
            } | {"maker": instance_record.maker_id}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["maker"]).queryset = users_in_role(Role.OFFICER).order_by("username")


class AssignForm(forms.Form):
    case = forms.ModelChoiceField(label="归入案件", queryset=Case.objects.none())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        from .views import writable_cases

        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = writable_cases(user)


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(
        label="分派给",
        queryset=users_in_role(Role.OFFICER).order_by("username"),
    )


class LateReasonForm(forms.Form):
    reason = forms.CharField(label="逾期原因（第二十七条）", widget=forms.Textarea(attrs={"rows": 3}))
