"""One validator per kind of value (linke.validators), and every field of that kind uses it
(issue 11, defect 6: impossible data was finalised and printed)."""

import datetime as dt
import io
import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from linke import validators as v
from linke.idnumbers import id_check_digit, uscc_check_char
from records.models import Inquiry, Record
from records.services import RecordError, record_create, record_finalise
from records.tests.factories import make_case
from tests.scans import scan_pdf

GOOD_ID = "11010519491231002X"
GOOD_USCC = "91350100M000100Y43"


def test_identity_numbers_by_their_check_digits():
    assert id_check_digit(GOOD_ID[:17]) == "X" and uscc_check_char(GOOD_USCC[:17]) == "3"
    for good in (GOOD_ID, GOOD_ID.lower(), GOOD_USCC):
        v.validate_identity_number(good)
    for bad in ("abcdefg", "110105194912310021", "91350100M000100Y44", "1101051949123100"):
        with pytest.raises(ValidationError, match="校验位"):
            v.validate_identity_number(bad)
    with pytest.raises(ValidationError):
        v.validate_person_id(GOOD_USCC)
    with pytest.raises(ValidationError):
        v.validate_uscc(GOOD_ID)


@pytest.mark.parametrize(
    "good",
    [
        "13953912345",
        "+86 139 5391 2345".replace(" ", ""),
        "0539-8123456",
        "05398123456",
        "0539-8123456-801",
        "8123456",
        "400-123-4567",
        "12345",
        "13953912345、0539-8123456",
    ],
)
def test_phone_numbers_accepted(good):
    v.validate_phone(good)


@pytest.mark.parametrize("bad", ["电话号码", "123", "1395391234", "139539123456", "abc-defg", "0539"])
def test_phone_numbers_refused(bad):
    with pytest.raises(ValidationError, match="联系电话"):
        v.validate_phone(bad)


def test_inquiry_transcript_in_question_and_answer_form():
    v.validate_qa_transcript("问：你的姓名？\n答：王建国。\n问：职务？\n答：总经理。")
    v.validate_qa_transcript("问:姓名\n答:王建国")
    for bad in ("王建国说他不知道。", "答：是的。\n问：为什么？", "问：你是谁？\n问：说话。"):
        with pytest.raises(ValidationError, match="问答"):
            v.validate_qa_transcript(bad)


def test_periods():
    now = timezone.now()
    assert v.period_errors(now - dt.timedelta(hours=2), now - dt.timedelta(hours=1)) == {}
    assert "ended_at" in v.period_errors(now - dt.timedelta(hours=1), now - dt.timedelta(hours=2))
    assert "ended_at" in v.period_errors(now - dt.timedelta(hours=1), now - dt.timedelta(hours=1))
    future = v.period_errors(now + dt.timedelta(days=6), now + dt.timedelta(days=6, hours=-1))
    assert set(future) == {"started_at", "ended_at"}
    assert v.period_errors(now + dt.timedelta(minutes=2), None) == {}  # a clock slightly ahead
    before = v.period_errors(
        now - dt.timedelta(days=3), None, not_before=now - dt.timedelta(days=1), not_before_label="投诉举报接收时间"
    )
    assert "不能早于投诉举报接收时间" in before["started_at"]


@pytest.mark.django_db
def test_every_identity_and_phone_field_uses_the_shared_validator():
    """The kind: any model field holding an ID number, a credit code or a phone number."""
    shared = {v.validate_identity_number, v.validate_person_id, v.validate_uscc, v.validate_phone}
    seen = []
    for model in apps.get_models():
        if model._meta.app_label in ("auth", "admin", "contenttypes", "sessions", "axes", "django_celery_beat"):
            continue
        for field in model._meta.get_fields():
            name = getattr(field, "name", "")
            if getattr(field, "concrete", False) and re.search(r"(id_no|id_number|credit|phone)$", name):
                seen.append(f"{model._meta.label}.{name}")
                assert any(val is s for val in field.validators for s in shared), f"{model._meta.label}.{name}"
    assert {
        "cases.Party.id_number",
        "cases.Complaint.complainant_id_number",
        "records.Inquiry.person_id_no",
        "records.Inquiry.person_phone",
        "accounts.User.phone",
    } <= set(seen)


# --- the defect as reported: an impossible inquiry record ---------------------------------------


def _impossible(case):
    year = timezone.localdate().year + 1
    return {
        "party_name": "临沂某某科技有限公司",
        "place": "当事人办公室",
        "started_at": f"{year}-12-05T10:00",
        "ended_at": f"{year}-12-05T09:00",
        "officers": [a.officer_id for a in case.assignments.all()],
        "confirmation": "signed",
        "subject_role": "party",
        "person_name": "王建国",
        "person_id_no": "abcdefg",
        "person_phone": "电话号码",
        "transcript": "王建国说他不知道这件事。",
    }


@pytest.mark.django_db
def test_the_impossible_inquiry_is_refused_next_to_each_field_and_nothing_typed_is_lost(client):
    case = make_case()
    client.force_login(case.created_by)
    data = _impossible(case)
    resp = client.post(f"/records/case/{case.pk}/new/inquiry/", data)
    assert resp.status_code == 400 and not Record.objects.filter(case=case).exists()
    form = resp.context["form"]
    assert "开始时间不能晚于当前时间" in " ".join(form.errors["started_at"])
    assert "结束时间" in " ".join(form.errors["ended_at"])
    assert "校验位" in " ".join(form.errors["person_id_no"])
    assert "联系电话格式不正确" in " ".join(form.errors["person_phone"])
    assert "问答" in " ".join(form.errors["transcript"])
    page = resp.content.decode()
    for typed in ("abcdefg", "电话号码", "王建国说他不知道这件事。", "当事人办公室"):
        assert typed in page  # shown again as typed


@pytest.mark.django_db
def test_an_impossible_draft_saved_otherwise_cannot_be_finalised(client):
    case = make_case()
    officer = case.created_by
    later = timezone.now() + dt.timedelta(days=10)
    rec = record_create(
        case_id=case.pk,
        kind="inquiry",
        by=officer,
        data={
            "party_name": "临沂某某科技有限公司",
            "place": "办公室",
            "started_at": later,
            "ended_at": later - dt.timedelta(hours=1),
            "confirmation": "signed",
            "person_name": "王建国",
            "person_id_no": "abcdefg",
            "person_phone": "电话号码",
            "transcript": "问：你知道这件事吗？\n答：不知道。",
        },
        officers=[a.officer for a in case.assignments.all()],
    )
    with pytest.raises(RecordError, match="不能定稿") as exc:
        record_finalise(record_id=rec.pk, by=officer)
    for words in ("身份证件号码", "联系电话", "开始时间", "结束时间"):
        assert words in str(exc.value)
    assert not Inquiry.objects.get(pk=rec.pk).is_final


# --- scans (扫描件): a PDF or an image by content, within a size (issue 16, trial defect 8) -----


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


EXE = b"MZ\x90\x00" + b"\x00" * 60
SCAN_LABEL = re.compile(r"^扫描件|（扫描件）$")


def _image(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.pdf", "pdf"), ("a.JPG", "JPEG"), ("a.jpeg", "JPEG"), ("a.png", "PNG")],
)
def test_a_scan_is_a_pdf_or_an_image(name, kind):
    f = _upload(name, scan_pdf() if kind == "pdf" else _image(kind))
    v.validate_scan(f)
    assert f.tell() == 0  # left at the start, to be stored whole


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("setup.exe", EXE, "type"),
        ("更正.pdf", EXE, "type"),  # an executable renamed: the bytes decide
        ("scan.exe", b"%PDF-1.7\n", "type"),  # a PDF under another name is refused too
        ("a.png", b"\xff\xd8\xff", "type"),  # a JPEG named .png
        ("notes.txt", "文字".encode(), "type"),
        ("a.pdf", b"", "empty"),
    ],
)
def test_anything_else_is_refused_with_a_chinese_message(name, data, code):
    with pytest.raises(ValidationError, match="扫描件") as exc:
        v.validate_scan(_upload(name, data))
    assert exc.value.code == code


def test_a_scan_over_the_limit_is_refused(settings):
    settings.SCAN_UPLOAD_MAX_SIZE = 1024 * 1024
    # A real PDF of exactly 1 MiB (a padded title), then one byte more.
    pad = 1024 * 1024 - len(scan_pdf(""))
    at_limit = scan_pdf("x" * pad)
    at_limit = scan_pdf("x" * (pad - (len(at_limit) - 1024 * 1024)))
    assert len(at_limit) == 1024 * 1024
    v.validate_scan(_upload("a.pdf", at_limit))
    with pytest.raises(ValidationError, match="不能超过1 MB"):
        v.validate_scan(_upload("a.pdf", at_limit + b"\n"))


def _declared_form_fields():
    """(app.FormClass.field, field) of every form class defined in the apps' forms* modules."""
    import importlib
    import inspect
    import pkgutil

    from django import forms

    for app in ("accounts", "cases", "records", "avrecords", "review", "delivery", "archive", "documents"):
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("forms"):
                continue
            module = importlib.import_module(f"{app}.{info.name}")
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                    continue
                for fname, field in getattr(cls, "base_fields", {}).items():
                    yield f"{app}.{name}.{fname}", field


@pytest.mark.django_db
def test_every_scan_field_uses_the_shared_validator():
    """The kind: every form's file field that is a scan (its label "扫描件…" or "…（扫描件）"), the
    delivery methods' scan elements included, checks the file with linke.validators.validate_scan.
    A general attachment ("文件（草图、照片、扫描件等）") is not a scan and is not restricted."""
    from django import forms

    from delivery.forms import _field
    from delivery.methods import METHODS
    from records.tests.factories import make_case

    seen = []
    for where, field in _declared_form_fields():
        if isinstance(field, forms.FileField) and SCAN_LABEL.search(str(field.label)):
            seen.append(where)
            assert v.validate_scan in field.validators, where
    case = make_case()
    for method in METHODS.values():
        for element in method.elements:
            if element.kind == "file" and SCAN_LABEL.search(element.label):
                seen.append(f"delivery.{element.name}")
                assert v.validate_scan in _field(element, case).validators, element.name
    assert {
        "archive.AddendumForm.scan",
        "delivery.AddressConfirmationForm.scan",
        "delivery.PaymentForm.receipt",
        "records.OpinionForm.file",
        "delivery.return_receipt",
    } <= set(seen)


# --- a control character in a date or a date-time (issue 16 leftover) ---------------------------

CONTROL_REFUSED = "含有不可见的控制字符（如空字符），无法保存：请删除后重新填写。"


def _temporal_fields():
    """Every date, time and date-time field of the project's forms (by module forms*), and
    Django's own kinds as the admin and a ModelForm build them."""
    from django import forms
    from django.contrib.admin import widgets

    found = [(w, f) for w, f in _declared_form_fields() if isinstance(f, forms.fields.BaseTemporalField)]
    found += [
        ("django.DateTimeField", forms.DateTimeField()),
        ("django.DateField", forms.DateField()),
        ("django.TimeField", forms.TimeField()),
        ("model DateTimeField", Inquiry._meta.get_field("started_at").formfield()),
        ("admin SplitDateTimeField", forms.SplitDateTimeField(widget=widgets.AdminSplitDateTime)),
    ]
    return found


def test_a_control_character_in_any_date_or_time_field_is_refused_by_name():
    """Python's datetime.fromisoformat reads up to a NUL (C string), so "2026-12-01 09:00\\x00"
    parsed as 09:00 and the NUL was dropped silently; every date/time field now says so."""
    from django import forms

    seen = []
    for where, field in _temporal_fields():
        seen.append(where)
        if isinstance(field, forms.SplitDateTimeField):
            samples = [["2026-12-01\x00", "09:00"], ["2026-12-01", "09:00\x00"]]
        elif isinstance(field, forms.DateTimeField):
            samples = ["2026-12-01 09:00\x00", "2026-12-01T09:00\x00", "2026-12-01\x0009:00", "2026-12-01 09:00\x1b"]
        elif isinstance(field, forms.DateField):
            samples = ["2026-12-01\x00", "2026-12-01\x85"]
        else:
            samples = ["09:00\x00", "09:00\x7f"]
        for sample in samples:
            with pytest.raises(ValidationError) as exc:
                field.clean(sample)
            assert exc.value.messages == [CONTROL_REFUSED], (where, sample)
    assert {
        "archive.DecisionForm.valid_from",
        "archive.DecisionForm.valid_until",
        "cases.CaseFilterForm.date_from",
        "review.ScheduleForm.scheduled_at",
    } <= set(seen), seen
