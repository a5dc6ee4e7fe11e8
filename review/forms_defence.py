"""Forms of 第十四、十五条: input shape only (required fields, ID numbers, phones, dates); the
workflow checks are the actions' (review.defence, review.hearing). Opinion fields start empty."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import User
from accounts.selectors import staff_users
from avrecords.models import AVRecord
from cases.models import Party
from linke.validators import validate_person_id, validate_phone

from . import hearing
from .models import PenaltyKind
from .models_defence import RecordSignature, WaiverForm

POINTS = 5  # rows of statement/defence points offered at once
_REQ = {"required": "此项为必填项。"}
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
_DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _text(label: str, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=_REQ,
        help_text=help_text,
    )


def _day(label: str) -> forms.DateField:
    return forms.DateField(label=label, widget=_DATE, error_messages={**_REQ, "invalid": "请输入有效日期。"})


class CaseForm(forms.Form):
    """A form that knows its case (choices come from it)."""

    def __init__(self, *args: Any, case: Any, **kwargs: Any) -> None:
        self.case = case
        super().__init__(*args, **kwargs)


class NoticeForm(CaseForm):
    party = forms.ModelChoiceField(label="当事人（受告知人）", queryset=Party.objects.none(), error_messages=_REQ)
    facts = _text("违法事实", rows=5)
    evidence = _text("证据", rows=4, help_text="逐项列明证据名称")
    basis = _text("法律依据", help_text="写明法律、法规、规章的名称及第几条、款、项")
    kinds = forms.MultipleChoiceField(
        label="拟处罚种类", choices=PenaltyKind.choices, widget=forms.CheckboxSelectMultiple, error_messages=_REQ
    )
    fine_yuan = forms.DecimalField(
        label="拟罚款金额（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    confiscation_yuan = forms.DecimalField(
        label="拟没收违法所得、非法财物价值（元）", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    content = _text("拟处罚内容", help_text="如：拟给予警告，并处罚款人民币……元")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = self.case.parties.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kinds = data.get("kinds") or []
        if PenaltyKind.FINE in kinds and not data.get("fine_yuan"):
            self.add_error("fine_yuan", "拟处罚种类含罚款的，请填写拟罚款金额。")
        confiscates = {PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY}
        if confiscates & set(kinds) and not data.get("confiscation_yuan"):
            self.add_error("confiscation_yuan", "拟处罚种类含没收的，请填写价值。")
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "party_id": d["party"].pk,
            **{k: d[k] for k in ("facts", "evidence", "basis", "fine_yuan", "confiscation_yuan", "content")},
            "kinds": list(d["kinds"]),
        }


class DefenceForm(CaseForm):
    received_on = _day("陈述申辩日期")
    form = forms.CharField(
        label="陈述申辩方式", max_length=64, error_messages=_REQ, help_text="如：书面申辩材料、当面陈述（附笔录）"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, POINTS + 1):
            self.fields[f"point_{i}"] = _text(f"第{i}项陈述申辩意见", required=False)
            self.fields[f"adopted_{i}"] = forms.ChoiceField(
                label="是否采纳", required=False, choices=[("", "—"), ("yes", "采纳"), ("no", "不采纳")]
            )
            self.fields[f"reason_{i}"] = _text("复核意见（采纳或不采纳的理由）", required=False)

    def rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"point_{i}"], self[f"adopted_{i}"], self[f"reason_{i}"]) for i in range(1, POINTS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        points = []
        for i in range(1, POINTS + 1):
            point, adopted, reason = (data.get(f"{k}_{i}") or "" for k in ("point", "adopted", "reason"))
            if not (point.strip() or adopted or reason.strip()):
                continue
            if not point.strip():
                self.add_error(f"point_{i}", "请填写该项陈述申辩意见。")
            if not adopted:
                self.add_error(f"adopted_{i}", "请选择是否采纳（《行政处罚法》第四十五条）。")
            if not reason.strip():
                self.add_error(f"reason_{i}", "请写明采纳或不采纳的理由（复核意见）。")
            points.append({"point": point, "adopted": {"yes": True, "no": False}.get(adopted), "reason": reason})
        if not points:
            self.add_error("point_1", "请逐项记录当事人的陈述申辩意见及复核意见。")
        data["points"] = points
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"received_on": d["received_on"], "form": d["form"], "points": d["points"]}


class WaiveForm(CaseForm):
    received_on = _day("放弃日期")
    waiver_form = forms.ChoiceField(label="放弃方式", choices=WaiverForm.choices, error_messages=_REQ)
    waiver_note = _text("放弃情况记录", help_text="如：当事人于某日提交书面声明，明确放弃陈述、申辩权利")


class LapseForm(CaseForm):
    pass


class HearingRequestForm(CaseForm):
    requested_on = _day("申请日期")
    request_form = forms.CharField(label="申请方式", max_length=64, error_messages=_REQ, help_text="如：书面申请")


class ScheduleForm(CaseForm):
    scheduled_at = forms.DateTimeField(
        label="听证时间",
        widget=_DATETIME,
        input_formats=_DATETIME_FORMATS,
        error_messages={**_REQ, "invalid": "请输入有效时间。"},
    )
    place = forms.CharField(label="听证地点", max_length=200, error_messages=_REQ)
    public = forms.BooleanField(label="公开举行", required=False, initial=True)
    closed_reason = forms.ChoiceField(
        label="不公开理由",
        required=False,
        choices=[
            ("", "—"),
            ("state_secret", "涉及国家秘密"),
            ("trade_secret", "涉及商业秘密"),
            ("privacy", "涉及个人隐私"),
        ],
    )
    chair = forms.ModelChoiceField(label="听证主持人", queryset=User.objects.none(), error_messages=_REQ)
    chair_cert_no = forms.CharField(
        label="听证主持人资格证号", max_length=64, error_messages=_REQ, help_text="山东省行政执法监督条例第十一条"
    )
    recorder = forms.ModelChoiceField(label="记录员", queryset=User.objects.none(), error_messages=_REQ)
    confirm_short_notice = forms.BooleanField(
        label="确认：距听证不足七个工作日仍按此时间通知（如当事人同意）", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = staff_users()
        # 第六十四条第（四）项: the case's investigators are not offered as chair.
        chairs = staff.exclude(pk__in=hearing.investigators_of(self.case))
        self.fields["chair"].queryset = chairs  # type: ignore[attr-defined]
        self.fields["recorder"].queryset = staff  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("public") and not data.get("closed_reason"):
            self.add_error("closed_reason", "不公开举行的，请选择理由（国家秘密、商业秘密或个人隐私）。")
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "scheduled_at": d["scheduled_at"],
            "place": d["place"],
            "public": d["public"],
            "closed_reason": d["closed_reason"],
            "chair_id": d["chair"].pk,
            "chair_cert_no": d["chair_cert_no"],
            "recorder_id": d["recorder"].pk,
            "confirm_short_notice": d["confirm_short_notice"],
        }


class AgentForm(CaseForm):
    name = forms.CharField(label="代理人姓名", max_length=64, error_messages=_REQ)
    id_number = forms.CharField(label="身份证号码", max_length=18, validators=[validate_person_id], error_messages=_REQ)
    phone = forms.CharField(label="联系电话", max_length=32, required=False, validators=[validate_phone])
    authority = forms.CharField(label="代理权限", max_length=200, error_messages=_REQ, help_text="一般代理或特别授权")


class RecusalForm(CaseForm):
    target = forms.ChoiceField(label="被申请回避人", choices=(), error_messages=_REQ)
    reason = _text("申请回避理由")
    requested_on = _day("申请日期")

    def __init__(self, *args: Any, hearing: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")]
        if hearing is not None:
            if hearing.chair_id:
                choices.append((str(hearing.chair_id), f"听证主持人 {hearing.chair}"))
            if hearing.recorder_id:
                choices.append((str(hearing.recorder_id), f"记录员 {hearing.recorder}"))
        self.fields["target"].choices = choices  # type: ignore[attr-defined]

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"target_id": int(d["target"]), "reason": d["reason"], "requested_on": d["requested_on"]}


class RecusalDecideForm(CaseForm):
    recusal = forms.IntegerField(widget=forms.HiddenInput)
    granted = forms.ChoiceField(
        label="决定", choices=[("", "—"), ("yes", "同意回避"), ("no", "不同意回避")], error_messages=_REQ
    )
    opinion = _text("负责人意见（理由）")

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"recusal_id": d["recusal"], "granted": d["granted"] == "yes", "opinion": d["opinion"]}


class HearingRecordForm(CaseForm):
    started_at = forms.DateTimeField(
        label="听证开始时间",
        widget=_DATETIME,
        input_formats=_DATETIME_FORMATS,
        error_messages={**_REQ, "invalid": "请输入有效时间。"},
    )
    ended_at = forms.DateTimeField(
        label="听证结束时间",
        widget=_DATETIME,
        input_formats=_DATETIME_FORMATS,
        error_messages={**_REQ, "invalid": "请输入有效时间。"},
    )
    investigators = forms.ModelMultipleChoiceField(
        label="出席听证的案件调查人员",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages=_REQ,
    )
    party_attendees = forms.CharField(label="当事人及出席人员", max_length=255, error_messages=_REQ)
    investigators_said = _text("调查人员提出的违法事实、证据和处罚建议", rows=5)
    party_said = _text("当事人及其代理人的陈述、申辩和质证意见", rows=5)
    final_statements = _text("最后陈述", required=False)
    signature = forms.ChoiceField(label="笔录签字", choices=[("", "—"), *RecordSignature.choices], error_messages=_REQ)
    signature_note = _text("拒绝签字情况（由主持人注明）", required=False)
    av_record = forms.ModelChoiceField(label="听证音像记录（可选）", queryset=AVRecord.objects.none(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from avrecords.selectors import records_of_case

        self.fields["investigators"].queryset = self.case.officers.all()  # type: ignore[attr-defined]
        self.fields["av_record"].queryset = records_of_case(self.case.pk)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("signature") == RecordSignature.REFUSED and not (data.get("signature_note") or "").strip():
            self.add_error("signature_note", "当事人拒绝签字的，请注明情况。")
        return data

    def action_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            **{
                k: d[k]
                for k in (
                    "started_at",
                    "ended_at",
                    "party_attendees",
                    "investigators_said",
                    "party_said",
                    "final_statements",
                    "signature",
                    "signature_note",
                )
            },
            "investigator_ids": [u.pk for u in d["investigators"]],
            "av_record_id": d["av_record"].pk if d.get("av_record") else None,
        }


class AbsentForm(CaseForm):
    note = _text("未出席情况", help_text="当事人及其代理人无正当理由拒不出席或未经许可中途退出的情况")


class WithdrawForm(CaseForm):
    note = _text("撤回听证申请情况", help_text="如：当事人于某日提交书面撤回申请并签名")


class ReportForm(CaseForm):
    opinion = _text("听证主持人意见", rows=6)
