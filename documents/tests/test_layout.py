"""Render checks of the documents' layout (issue 11, 11), read back from the PDF's text as a
reader would: the signature block stays with what it signs, every page says 第X页 共Y页, the
items table and the contact line keep their words whole, and a record's document bears the
day of the act."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from documents.rendering import render_html, render_pdf
from documents.services import document_render

OFFICERS = [
    {"name": "张伟", "cert_no": "37130000001", "phone": "0539-8123456"},
    {"name": "李娜", "cert_no": "37130000002", "phone": "13905391234"},
]


def _context(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "agency": "临沂市科学技术局",
        "doc": {"number": "临科〔2026〕1号", "title": title, "issued_on": "2026年11月26日"},
        "case": {
            "number": "临科罚立〔2026〕1号",
            "registration_number": "临科登〔2026〕1号",
            "title": "某公司涉嫌违规案",
            "party_names": ["临沂市华科新材料有限公司"],
        },
        "party_name": "临沂市华科新材料有限公司",
        "officers": OFFICERS,
        "place": "临沂市兰山区科技大道88号",
        "started_at": "2026年11月26日9时00分",
        "ended_at": "2026年11月26日10时00分",
        "maker": "张伟",
        "confirmation": "signed",
        **extra,
    }


def _pages(template: str, ctx: dict[str, Any]) -> list[str]:
    out = render_pdf(render_html(template, ctx))
    return [re.sub(r"\s", "", page.extract_text()) for page in PdfReader(io.BytesIO(out.pdf)).pages]


def _items(n: int) -> list[dict[str, str]]:
    return [
        {
            "name": f"财务凭证第{i}册",
            "spec": "2025年度记账凭证",
            "quantity": "12册",
            "sample_mark": "",
            "remarks": "原件",
        }
        for i in range(1, n + 1)
    ]


# For each document with a signature block: the template, its context for a body of n units,
# and a word of the content just before the signature block (which must go along with it).
SIGNED = {
    "inquiry": (
        "documents/pdf/inquiry.html",
        lambda n: _context(
            "询问笔录",
            subject_role="当事人",
            person={"name": "王建国", "gender": "男", "phone": "13800000000"},
            transcript="\n".join(f"问：第{i}个问题？" if i % 2 else f"答：第{i}个回答。" for i in range(1, n + 1)),
        ),
        r"第\d+个(问题|回答)",
    ),
    "inspection": (
        "documents/pdf/inspection.html",
        lambda n: _context(
            "现场检查（勘验）笔录",
            mode="现场检查",
            present_persons="王建国（法定代表人）",
            findings="\n".join(f"现场检查情况第{i}项：设备运行正常。" for i in range(1, n + 1)),
        ),
        r"检查情况第\d+项",
    ),
    "preservation": (
        "documents/pdf/preservation.html",
        lambda n: _context(
            "先行登记保存证据通知书",
            reason="账册可能被转移，以后难以取得。" * (n - 1),
            storage_place="当事人档案室",
            storage_mode="就地保存",
            approved_by="王强",
            approved_at="2026年11月26日8时30分",
            decide_by="2026年12月7日",
            items=_items(1),
        ),
        r"记录人：张伟",
    ),
}


@pytest.mark.parametrize("name", SIGNED)
def test_the_signature_block_never_falls_alone_onto_a_page(name):
    """Whatever the body's length, the page with the signatures also carries the content just
    before them, and the signature block is never split across pages."""
    template, context, preceding = SIGNED[name]
    seen_two_pages = False
    for n in range(2, 16):
        pages = _pages(template, context(n))
        signed = [i for i, text in enumerate(pages) if "（签名）" in text]
        assert len(signed) == 1, (name, n, pages)
        page = pages[signed[0]]
        assert "意见：" in page and "年月日年月日" in page, (name, n, page)  # the whole block on one page
        assert re.search(preceding, page), (name, n, page)  # not alone
        seen_two_pages = seen_two_pages or len(pages) > 1
    assert seen_two_pages  # the scan crossed a page boundary


def test_every_page_says_which_of_how_many_it_is():
    pages = _pages(SIGNED["inquiry"][0], SIGNED["inquiry"][1](60))
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in text, text[-40:]


def test_evidence_collection_columns_and_phone_stay_whole():
    ctx = _context(
        "调取证据通知书",
        holder_name="临沂市某某会计师事务所",
        holder_address="临沂市北城新区某某路2号",
        reason="核实当事人2025年度研发费用归集情况",
        provide_by="2026年12月6日",
        items=[
            {
                "name": "2025年度研发费用辅助账及相关记账凭证、银行流水（复印件，加盖公章）",
                "spec": "A4纸打印，按月装订成册，每册附目录及页码说明",
                "quantity": "120箱",
                "remarks": "原件备查",
            }
        ],
    )
    out = render_pdf(render_html("documents/pdf/evidence_collection.html", ctx))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.pdf)).pages)
    # A column one character wide would put each character on its own line.
    for words in ("序号", "数量", "备注", "120箱", "原件备查"):
        assert words in text, words
    assert "联系人：张伟" in re.sub(r"\s", "", text)
    assert "0539-8123456" in text  # on one line, not broken at the hyphen


@pytest.mark.django_db
def test_a_record_document_is_dated_the_day_of_the_act(head):
    """The 调取证据通知书 / 先行登记保存证据通知书 handed over at the scene bear the day of the
    act, not the day the record was finalised in the system."""
    from records.models import RecordKind
    from records.tests.factories import complete_data, make_record

    act = timezone.now().replace(microsecond=0) - dt.timedelta(days=3)
    local = timezone.localtime(act)
    today = timezone.localdate()
    for kind in (RecordKind.EVIDENCE_COLLECTION, RecordKind.PRESERVATION):
        data = {**complete_data(kind), "started_at": act, "ended_at": act + dt.timedelta(hours=1)}
        rec = make_record(kind, data=data, approve_by=head if kind == RecordKind.PRESERVATION else None, finalise=True)
        doc = document_render(document_id=rec.document_id)
        with doc.pdf.open("rb") as fh:
            lines = [line.strip() for page in PdfReader(fh).pages for line in page.extract_text().splitlines()]
        assert f"{local.year}年{local.month}月{local.day}日" in lines, (kind, lines[-6:])
        assert f"{today.year}年{today.month}月{today.day}日" not in lines, (kind, lines[-6:])
