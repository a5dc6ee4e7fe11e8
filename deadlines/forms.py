from django import forms

from .notice import notice_year


class NoticeImportForm(forms.Form):
    text = forms.CharField(label="通知全文", widget=forms.Textarea(attrs={"rows": 18, "cols": 100}))
    year = forms.IntegerField(
        label="年度", required=False, min_value=2000, max_value=2100, help_text="留空则从通知标题中识别"
    )
    source = forms.CharField(
        label="来源", max_length=200, required=False, help_text="通知名称与文号；留空则取通知前两行"
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        text = data.get("text") or ""
        if text and not data.get("year"):
            data["year"] = notice_year(text)
            if data["year"] is None:
                self.add_error("year", "通知中未找到年份，请填写年度")
        if text and not data.get("source"):
            head = [line.strip() for line in text.splitlines() if line.strip()][:2]
            data["source"] = " ".join(head)[:200]
        return data
