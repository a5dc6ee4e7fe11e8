"""One validator per kind of value, used wherever such a value is entered (forms, models, services).

- Identity numbers: the 居民身份证号码 (GB 11643-1999, check digit) and the 统一社会信用代码
  (GB 32100-2015, check character).
- Phone numbers: a mainland mobile number, a landline with area code (and extension), a
  400/800 service number or a short public-service number (12345 …); ``+86`` allowed.
- Times: not in the future, an end after its start, not before the event it answers; a typed
  date-time that does not parse is named as such (`datetime_invalid`).
- Free texts: at most so many characters, the message giving the count (`length_error`,
  `MaxCharsValidator`).
- An inquiry transcript (询问笔录) in 问/答 form.
- Free text (a title, a name, an opinion, a reason): no NUL or other C0/C1 control character,
  a one-line text no line break or tab either (text_error); a typed date or time none either
  (every form's date/time field, temporal_fields_refuse_control).
- An uploaded scan (扫描件): a PDF or an image, by its first bytes and its name, within a size,
  that opens for real (pypdf reads every page; Pillow converts the image, within a pixel limit).

Each raises ``django.core.exceptions.ValidationError`` with a Chinese message fit to show next
to the field; ``period_errors`` returns the errors by field for a form's or model's ``clean()``.
"""

from __future__ import annotations

import io
import re
import warnings
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.html import format_html
from PIL import Image
from pypdf import PdfReader, PdfWriter

from linke.downloads import SNIFF_BYTES, sniff
from linke.idnumbers import valid_id_number, valid_uscc

# A clock a little ahead of the server's (a phone, a recorder) is no future event.
CLOCK_SKEW = timedelta(minutes=5)


def validate_person_id(value: str) -> None:
    """居民身份证号码: 18 characters, the last a check digit (GB 11643-1999)."""
    if value and not valid_id_number(value.strip()):
        raise ValidationError("居民身份证号码格式或校验位不正确（应为18位，末位为校验码）。", code="id_number")


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters, the last a check character (GB 32100-2015)."""
    if value and not valid_uscc(value.strip()):
        raise ValidationError("统一社会信用代码格式或校验位不正确（应为18位，末位为校验码）。", code="uscc")


def validate_identity_number(value: str) -> None:
    """A person's ID number or an organisation's credit code, whichever it is shaped as."""
    v = (value or "").strip().upper()
    if v and not (valid_id_number(v) or valid_uscc(v)):
        raise ValidationError(
            "证件号码不正确：应为18位居民身份证号码或统一社会信用代码，且校验位正确。", code="identity_number"
        )


_PHONE = re.compile(
    r"(?:\+?86[- ]?)?("
    r"1[3-9]\d{9}"  # mobile
    r"|0\d{2,3}[- ]?\d{7,8}(?:[- ]?(?:转)?\d{1,6})?"  # landline with area code, optional extension
    r"|[2-8]\d{6,7}"  # local landline without area code
    r"|[48]00[- ]?\d{3}[- ]?\d{4}"  # 400 / 800 service numbers
    r"|1\d{4}"  # 12345 and other short public-service numbers
    r")"
)


def validate_phone(value: str) -> None:
    """A telephone number as written in China; several may be separated by 、，; or /."""
    if not value:
        return
    for part in re.split(r"[、,，;；/]", value):
        part = part.strip().replace("（", "(").replace("）", ")")
        part = re.sub(r"[()]", "", part)
        if part and not _PHONE.fullmatch(part):
            raise ValidationError(
                "联系电话格式不正确：请填写手机号码（11位）或带区号的固定电话，如 0539-8123456。", code="phone"
            )


# C0 and C1 control characters and DEL. A multi-line text keeps tab, line feed and carriage
# return (a browser's textarea sends \r\n); a one-line text (a title, a name) keeps none.
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# The words of a control character refused, after the field's name where there is one; the
# locale's override of Django's NUL message (locale/zh_Hans django.po) is the same text.
CONTROL_REFUSED = "含有不可见的控制字符（如空字符），无法保存：请删除后重新填写。"


def text_error(value: str | None, *, label: str, multiline: bool = False) -> str:
    """The error of a free text entered without a form field's own checks (a title, a name, an
    opinion, a reason), in Chinese naming it by `label` (e.g. "题名"); "" when right. Refused: a
    NUL (PostgreSQL cannot store it) or any other C0/C1 control character; unless `multiline`,
    also a line break or tab (a one-line title would garble the 卷内目录). Services that are the
    single entry for a kind of text call it, so every caller (view, admin, command) is covered."""
    if not value:
        return ""
    if not multiline and _CONTROL_ONE_LINE.search(value.strip()) and not _CONTROL_MULTILINE.search(value):
        return f"{label}应为一行文字，不能含有换行或制表符。"
    if _CONTROL_MULTILINE.search(value) or (not multiline and _CONTROL_ONE_LINE.search(value.strip())):
        return f"{label}{CONTROL_REFUSED}"
    return ""


def temporal_fields_refuse_control() -> None:
    """Make every form field of a date, a time or a date-time (Django's BaseTemporalField:
    DateField, TimeField, DateTimeField, the parts of a SplitDateTimeField — declared, built
    from a model or by the admin) refuse a typed value holding a NUL or another control
    character, ValidationError code "control" with CONTROL_REFUSED, before it is parsed.
    Python's datetime.fromisoformat reads its text as a C string, up to a NUL: "2026-12-01
    09:00\\x00" and "2026-12-01\\x0009:00" parsed as 09:00, the NUL dropped silently. Called
    from LinkeConfig.ready(); idempotent."""
    temporal = forms.fields.BaseTemporalField
    if "clean" in temporal.__dict__:
        return
    parent_clean = temporal.clean

    def clean(self: forms.Field, value: Any) -> Any:
        # Spaces and line ends around a value are Django's to strip; str.strip() would also take
        # \x1c-\x1f and \x85, which are refused.
        if isinstance(value, str) and _CONTROL_ONE_LINE.search(value.strip(" \t\r\n")):
            raise ValidationError(CONTROL_REFUSED, code="control")
        return parent_clean(self, value)

    temporal.clean = clean  # type: ignore[method-assign]


def validate_plain_text(value: str | None, *, label: str, multiline: bool = False) -> None:
    """`text_error` raised as a ValidationError (code "control") for a form's or model's field."""
    if error := text_error(value, label=label, multiline=multiline):
        raise ValidationError(error, code="control")


_QA_LINE = re.compile(r"^\s*(问|答)\s*[:：]")


def validate_qa_transcript(value: str) -> None:
    """询问笔录: the record is in question-and-answer form — it starts with a question (问：) and
    holds at least one answer (答：)."""
    if not value or not value.strip():
        return
    lines = [ln for ln in value.splitlines() if ln.strip()]
    marks = [m.group(1) for ln in lines if (m := _QA_LINE.match(ln))]
    if not marks or marks[0] != "问" or "答" not in marks:
        raise ValidationError("询问记录应以问答形式记录：每段以“问：”或“答：”开头，且以提问开始。", code="qa")


def validate_not_future(value: datetime | None) -> None:
    """A time something happened is not in the future."""
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        raise ValidationError("时间不能晚于当前时间。", code="future")


def ahead_error(value: datetime | date | None, *, max_days: int, label: str) -> str:
    """The error of a time or day fixed ahead (a hearing, a period's end, a 履行期限): after now
    (a day: after today, local time) and no more than `max_days` calendar days ahead — the
    bound that catches a mistyped year (2099). "" when right. `label` names it in the message."""
    if value is None:
        return ""
    now = timezone.now()
    if isinstance(value, datetime):
        if value <= now:
            return f"{label}应晚于当前时间。"
        latest_at = now + timedelta(days=max_days)
        if value > latest_at:
            return f"{label}不能超过{max_days}日之后：最晚为{timezone.localtime(latest_at):%Y-%m-%d %H:%M}。"
        return ""
    today = timezone.localdate()
    if value <= today:
        return f"{label}应晚于今天。"
    latest = today + timedelta(days=max_days)
    if value > latest:
        return f"{label}不能超过{max_days}日之后：最晚为{latest:%Y-%m-%d}。"
    return ""


def validate_day(value: date | None, *, not_before: date | None = None, not_before_label: str = "") -> None:
    """A day something happened (a service date, the day a request was made): not after today
    (local time), and not before `not_before` (the day of the event it answers, named by
    `not_before_label`, e.g. "告知书制作日期")."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError("日期不能晚于今天。", code="future")
    if not_before is not None and value < not_before:
        raise ValidationError(
            f"日期不能早于{not_before_label or '前一事项的日期'}（{not_before:%Y-%m-%d}）。", code="before"
        )


def period_errors(
    start: datetime | None,
    end: datetime | None,
    *,
    start_field: str = "started_at",
    end_field: str = "ended_at",
    not_before: datetime | None = None,
    not_before_label: str = "",
) -> dict[str, str]:
    """The errors of a period, by field name: neither end in the future, the end after the start,
    the start (or the only time given) not before `not_before` (the event it follows, named by
    `not_before_label`, e.g. "投诉举报接收时间"). Empty when the period is right."""
    errors: dict[str, str] = {}
    limit = timezone.now() + CLOCK_SKEW
    if start is not None and start > limit:
        errors[start_field] = "开始时间不能晚于当前时间。"
    if end is not None and end > limit:
        errors[end_field] = "结束时间不能晚于当前时间。"
    if start is not None and end is not None and end <= start and end_field not in errors:
        errors[end_field] = "结束时间应晚于开始时间。"
    first, first_field = (start, start_field) if start is not None else (end, end_field)
    # Times are entered to the minute: the same minute as the earlier event is not before it.
    floor = not_before.replace(second=0, microsecond=0) if not_before is not None else None
    if floor is not None and first is not None and first < floor and first_field not in errors:
        when = timezone.localtime(not_before).strftime("%Y-%m-%d %H:%M")
        errors[first_field] = f"时间不能早于{not_before_label or '前一事项的时间'}（{when}）。"
    return errors


def check_period(start: datetime | None, end: datetime | None, **kwargs: str | datetime | None) -> None:
    """`period_errors` raised as one ValidationError by field (for a model's clean())."""
    errors = period_errors(start, end, **kwargs)  # type: ignore[arg-type]
    if errors:
        raise ValidationError(errors)


def datetime_invalid(label: str) -> str:
    """The message of a date-time field whose text does not parse (2026-13-45T99:99, 昨天): it
    is not a valid date-time, with an example in the format to type (tomorrow at 17:00, local
    time). `label` names the field, e.g. window_label("查阅期限", end=True)."""
    example = timezone.localdate() + timedelta(days=1)
    return f"{label}不是有效的日期时间（例：{example:%Y-%m-%d} 17:00）。"


def window_label(label: str, *, end: bool) -> str:
    """The name of one end of a window in the messages: "查阅期限的开始时间" / "查阅期限的结束时间"."""
    return f"{label}的{'结束' if end else '开始'}时间"


def window_errors(
    start: datetime | None,
    end: datetime | None,
    *,
    max_days: int,
    start_field: str = "valid_from",
    end_field: str = "valid_until",
    label: str = "期限",
) -> dict[str, str]:
    """The errors of a window granted ahead (an access period, a time limit set for later), by
    field name: the start not before today (local time), the end after the start and not past,
    the end no later than `max_days` calendar days after now. `label` names the window in the
    messages (e.g. "查阅期限"). Empty when the window is right. (A period that happened is
    `period_errors`' kind.)"""
    errors: dict[str, str] = {}
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    first, last = window_label(label, end=False), window_label(label, end=True)
    if start is not None and start < today:
        errors[start_field] = f"{first}不能早于今天。"
    if end is not None:
        if end <= now:
            errors[end_field] = f"{last}已过，请重新填写。"
        elif start is not None and end <= start:
            errors[end_field] = f"{last}应晚于开始时间。"
        elif error := ahead_error(end, max_days=max_days, label=last):
            errors[end_field] = error
    return errors


def length_error(value: str, *, max_chars: int, label: str) -> str:
    """The error of a free text longer than `max_chars` characters (len(), so a Chinese
    character counts one), giving the count typed; "" when within. `label` names it."""
    n = len(value or "")
    return f"{label}不能超过{max_chars}字（现为{n}字）。" if n > max_chars else ""


@deconstructible
class MaxCharsValidator:
    """`length_error` as a field validator (forms and models): ValidationError code "max_chars"."""

    def __init__(self, max_chars: int, label: str) -> None:
        self.max_chars, self.label = max_chars, label

    def __call__(self, value: str) -> None:
        if error := length_error(value, max_chars=self.max_chars, label=self.label):
            raise ValidationError(error, code="max_chars")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxCharsValidator) and (self.max_chars, self.label) == (other.max_chars, other.label)


# A scan's content type (sniffed from its first bytes, linke.downloads.sniff) -> the name
# endings that type may carry. PDF and the two image formats scanners and phones write.
SCAN_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
SCAN_TYPES_LABEL = "PDF或图片（JPG、PNG）"


def scan_max_size() -> int:
    """The largest scan accepted, in bytes (settings.SCAN_UPLOAD_MAX_SIZE, default 20 MiB)."""
    return int(settings.SCAN_UPLOAD_MAX_SIZE)


def scan_max_pixels() -> int:
    """The most pixels (width × height) an image scan may have (settings.SCAN_MAX_PIXELS,
    default 50 million: an A4 page at 600 dpi is 35 million)."""
    return int(settings.SCAN_MAX_PIXELS)


def image_pdf(data: bytes, *, what: str = "图片") -> bytes:
    """An image (JPEG, PNG, … as Pillow opens it) as a one-page PDF at 150 dpi, the one
    conversion every image scan goes through (the upload check, the volume, the watermark).
    ValidationError code "pixels" for more than scan_max_pixels() pixels — read from the header
    before a pixel is decoded, so a decompression bomb (a 150 KB PNG of 30000×30000) costs
    nothing, and Pillow's own bomb limit (DecompressionBombError/Warning) never escapes — and
    code "image" for what Pillow cannot open, decode or convert. `what` names the file in the
    messages (e.g. "扫描件")."""
    limit = scan_max_pixels()
    most = f"{limit / 10_000:g}万" if limit >= 10_000 else str(limit)
    too_many = f"{what}像素过多，不能超过{most}像素：请降低扫描分辨率后重新上传。"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                width, height = probe.size
                if width * height > limit:
                    raise ValidationError(
                        f"{what}像素过多（{width}×{height}），不能超过{most}像素：请降低扫描分辨率后重新上传。",
                        code="pixels",
                    )
                # The whole file (PNG chunk CRCs, JPEG markers), whatever ImageFile.LOAD_TRUNCATED_IMAGES
                # says: WeasyPrint sets it True on import, and a truncated scan would then convert.
                probe.verify()
            with Image.open(io.BytesIO(data)) as img:
                out = io.BytesIO()
                img.convert("RGB").save(out, format="PDF", resolution=150)
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(too_many, code="pixels") from exc
    except Exception as exc:  # Pillow raises OSError, ValueError, SyntaxError … for a broken file
        raise ValidationError(f"{what}无法打开：文件已损坏或不是有效的图片。", code="image") from exc
    return out.getvalue()


def check_pdf(data: bytes, *, what: str = "扫描件") -> None:
    """`data` is a PDF that opens (pypdf), is not encrypted, has pages, every page's content
    decodes, and copies whole into a new PDF (as the case volume appends it). ValidationError
    code "encrypted", "pages" or "pdf" otherwise; `what` names the file in the messages."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ValidationError(f"{what}是加密的PDF文件，无法读取：请上传未加密的PDF。", code="encrypted")
        if not len(reader.pages):
            raise ValidationError(f"{what}PDF没有页面。", code="pages")
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
        writer = PdfWriter()
        writer.append(reader)
        writer.write(io.BytesIO())
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises PdfReadError, KeyError, ValueError … for a broken file
        raise ValidationError(f"{what}不是有效的PDF文件，无法读取：文件可能不完整或已损坏。", code="pdf") from exc


def check_scan_content(data: bytes, *, what: str = "扫描件", pdf_only: bool = False) -> None:
    """The whole content of a scan opens for real, by its first bytes: a PDF passes check_pdf,
    a JPEG or PNG converts with image_pdf (within scan_max_pixels()). ValidationError (code
    "type", or the codes of those two) otherwise. Used at upload (validate_scan) and again on a
    stored scan before it is approved into a sealed volume (archive.sealing.addendum_decide)."""
    kind = sniff(data[:SNIFF_BYTES])
    if kind == "application/pdf":
        check_pdf(data, what=what)
    elif kind in SCAN_TYPES and not pdf_only:
        image_pdf(data, what=what)
    else:
        raise ValidationError(_type_message(what, pdf_only), code="type")


def _type_message(what: str, pdf_only: bool) -> str:
    if pdf_only:
        return f"{what}不是有效的PDF文件：文件内容须为PDF，扩展名须为.pdf。"
    return f"{what}须为{SCAN_TYPES_LABEL}文件，文件内容与扩展名须一致。"


def validate_scan(file: Any, *, what: str = "扫描件", pdf_only: bool = False) -> None:
    """An uploaded scan (扫描件; a Django UploadedFile or any file object with `name`, `read`
    and `seek`): not empty, at most scan_max_size() bytes, a PDF, JPEG or PNG by its first
    bytes (magic numbers, never the type the browser declared) with a name ending that matches
    that type — an executable renamed .pdf, or a PDF renamed .exe, is refused — and a content
    that opens for real (check_scan_content: a PDF every page of which reads, an image within
    the pixel limit that converts). `pdf_only` admits PDF alone (a 遮蔽件); `what` names the
    file in the messages. The file is left positioned at 0. ValidationError (code "empty",
    "size", "type", "pixels", "image", "encrypted", "pages" or "pdf") otherwise."""
    if file is None:
        return
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, 2)
    if not size:
        raise ValidationError(f"上传的{what}为空。", code="empty")
    limit = scan_max_size()
    if size > limit:
        raise ValidationError(f"{what}不能超过{limit // (1024 * 1024)} MB。", code="size")
    file.seek(0)
    data = file.read()
    file.seek(0)
    name = (getattr(file, "name", "") or "").lower()
    endings = SCAN_TYPES.get(sniff(data[:SNIFF_BYTES], name), ())
    if pdf_only and endings != SCAN_TYPES["application/pdf"]:
        endings = ()
    if not endings or not name.endswith(endings):
        raise ValidationError(_type_message(what, pdf_only), code="type")
    check_scan_content(data, what=what, pdf_only=pdf_only)


# The file chooser's filter for a scan (the HTML accept attribute), from SCAN_TYPES: the name
# endings, then the types. Only a hint to the browser; validate_scan decides.
SCAN_ACCEPT = ",".join([e for endings in SCAN_TYPES.values() for e in endings] + list(SCAN_TYPES))


# Shown by a scan field of a form re-rendered with errors after a file was chosen: a browser
# never keeps a chosen file across a page load, so the user must pick it again (trial item 24).
# `{noun}` is the field's kind of file: 扫描件, 遮蔽件 (ScanField's `noun`).
SCAN_AGAIN = "请重新选择{noun}文件：页面重新显示后，之前选择的文件不会保留。"


class ScanBoundField(forms.BoundField):
    """A ScanField as rendered: after the widget, the SCAN_AGAIN hint (naming the field's
    `noun`) when the form was submitted with a file in this field and came back with errors."""

    def as_widget(self, widget: forms.Widget | None = None, attrs: Any = None, only_initial: bool = False) -> Any:
        html = super().as_widget(widget, attrs, only_initial)
        if self.form.is_bound and self.form.files.get(self.html_name) and self.form.errors:
            noun = getattr(self.field, "noun", "扫描件")
            html += format_html('<p class="scan-again"><strong>{}</strong></p>', SCAN_AGAIN.format(noun=noun))
        return html


class ScanField(forms.FileField):
    """A form's scan (扫描件) upload: validate_scan as its validator (with `pdf_only` and `what`
    passed on), the chooser filtered to SCAN_ACCEPT (".pdf,application/pdf" when pdf_only), and
    the SCAN_AGAIN hint when the form comes back with errors, naming the file as `noun` (扫描件;
    a 遮蔽件 for a redacted copy). Every form field that takes a scan is one of these."""

    bound_field_class = ScanBoundField

    def __init__(self, *, pdf_only: bool = False, what: str = "扫描件", noun: str = "扫描件", **kwargs: Any) -> None:
        self.noun = noun
        check = (
            validate_scan if not pdf_only and what == "扫描件" else partial(validate_scan, pdf_only=pdf_only, what=what)
        )
        kwargs["validators"] = [check, *kwargs.get("validators", ())]
        self.accept = ".pdf,application/pdf" if pdf_only else SCAN_ACCEPT
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "accept": self.accept}
