"""Characters and fonts (issue 13, item 10): a rare character of a name (CJK Extension B)
prints with a real glyph from the fallback face, embedded in the PDF; a character no font
of the stack has stops the document, naming the character and the field, before its number
is taken; the page that asked for it says so (no 500, nothing lost)."""

import os
import subprocess

import pytest
from django.urls import reverse

from cases.models import CaseState
from cases.tests.factories import CaseFactory, FilingRecordFactory, PartyFactory
from documents import fonts, registry
from documents.models import Document, DocumentStatus
from documents.rendering import render_html
from documents.services import document_issue, render_context

pytestmark = pytest.mark.django_db

EXT_B = "\U0002a6a5"  # 𪚥 (CJK Extension B), in personal names


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _pdffonts(path: str) -> list[str]:
    return subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout.splitlines()[2:]


def _pdftext(path: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout


def test_an_extension_b_name_prints_with_the_fallback_face_embedded(django_capture_on_commit_callbacks):
    assert fonts.coverage().faces == fonts.FONT_STACK  # every face installed
    case = CaseFactory()
    PartyFactory(case=case, name=f"王{EXT_B}")
    with django_capture_on_commit_callbacks(execute=True):
        doc = document_issue(
            case=case,
            doc_type="non_filing_notice",
            by=case.created_by,
            context={"party_name": f"王{EXT_B}", "reason": "不属于本机关管辖"},
        )
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.FINAL, doc.error
    embedded = _pdffonts(doc.pdf.path)
    # The stack's own fallback face carries the character (not whatever fontconfig found),
    # embedded as a subset; the main face sets the rest.
    assert any("HanaMinB" in line and " yes " in line for line in embedded), embedded
    assert any("Noto-Serif-CJK-SC" in line for line in embedded), embedded
    assert f"王{EXT_B}" in _pdftext(doc.pdf.path)  # a real glyph, mapped back to the character


@pytest.mark.parametrize(
    ("char", "why"),
    [
        ("\ue000", "私用区字符"),  # private use: each font draws its own thing
        ("\u0378", "尚未分配的码位"),  # unassigned
        ("\U00010000", "没有字形"),  # assigned (Linear B), in no face of the stack
    ],
)
def test_a_character_no_font_prints_is_refused_before_a_number_is_taken(char, why):
    case = CaseFactory()
    before = Document.objects.count()
    with pytest.raises(fonts.UnprintableText) as refused:
        document_issue(
            case=case,
            doc_type="non_filing_notice",
            by=case.created_by,
            context={"party_name": f"张{char}", "reason": "不属于本机关管辖"},
        )
    message = str(refused.value)
    assert f"U+{ord(char):04X}" in message and "「当事人」（party_name）" in message and why in message
    assert (refused.value.field, refused.value.char) == ("party_name", char)
    assert Document.objects.count() == before
    # The number was not taken: the next document of the type is still No. 1.
    doc = document_issue(
        case=case, doc_type="non_filing_notice", by=case.created_by, context={"party_name": "张三"}, render=False
    )
    assert doc.seq == 1


def test_nested_fields_and_the_case_s_own_text_are_checked_too():
    case = CaseFactory(title="某公司\ue123案")
    with pytest.raises(fonts.UnprintableText, match="「案件名称」（case.title）"):
        document_issue(case=case, doc_type="inquiry", by=case.created_by, context={})
    case = CaseFactory()
    with pytest.raises(fonts.UnprintableText, match=r"「执法人员」（officers\[1\]\.name）"):
        document_issue(
            case=case,
            doc_type="inquiry",
            by=case.created_by,
            context={"officers": [{"name": "张伟"}, {"name": "李\U000f0001"}]},
        )
    assert not Document.objects.exists()
    assert document_issue(case=case, doc_type="inquiry", by=case.created_by, context={}, render=False).seq == 1


def test_line_breaks_spaces_and_invisible_marks_need_no_glyph():
    fonts.check_text(
        "第一行\n\t第二行\r\n\u3000缩进\u00a0\u2009\u200b\u200d\ufeff\u00ad葛\U000e0100", field="transcript"
    )
    for doc_type in registry.all_types():  # every template's own text prints
        doc = Document(doc_type=doc_type.code, number="临科〔2026〕1号", title=doc_type.name, context={})
        fonts.check_text(render_html(doc_type.template, render_context(doc)), field=doc_type.code)


def test_the_head_approving_filing_is_told_which_character_to_correct(client, officer, officer2, head):
    filing = FilingRecordFactory(
        case__officers=[officer, officer2], case__department=officer.department, case__created_by=officer
    )
    case = filing.case
    PartyFactory(case=case, name="临沂\ue000科技有限公司")
    from cases import services

    services.case_submit_for_filing(case_id=case.pk, by=officer)
    client.force_login(head)
    resp = client.post(reverse("cases:action", args=[case.pk, "approve_filing"]), {"opinion": "同意立案"})
    assert resp.status_code == 400  # the case page again, the opinion kept, the refusal beside it
    page = resp.content.decode()
    assert "U+E000" in page and "当事人" in page
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_FILING and not Document.objects.filter(case=case).exists()
    # Corrected, it goes through.
    case.parties.update(name="临沂某科技有限公司")
    client.post(reverse("cases:action", args=[case.pk, "approve_filing"]), {"opinion": "同意立案"})
    case.refresh_from_db()
    assert case.state == CaseState.INVESTIGATING
    assert Document.objects.get(case=case).number.endswith("〕1号")


def test_font_file_is_the_file_fontconfig_finds_and_none_for_a_missing_family():
    path = fonts.font_file("Noto Sans CJK SC")
    assert path is not None and path.endswith((".ttc", ".otf", ".ttf")) and os.path.isfile(path)
    assert fonts.font_file("No Such Family Linke") is None
