"""No printed table row is split across a page break (documents/pdf/_rows.css).

Found by the fresh-user trial of issue 16: the 卷内目录 row of an approved addendum printed its
件号, 卷别, date and 页号 at the foot of one page and its 责任者, 题名 and 备注 on the next, so
the catalogue looked as if the item had no title. Read from WeasyPrint's layout: a row's
element laid out on two pages is a split row."""

from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest

from documents.rendering import render_html

_ROW = "TableRowBox"


def _split_rows(html: str) -> tuple[int, list[str]]:
    """(pages, the text of every table row but the header laid out on more than one page)."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    seen: Counter[int] = Counter()
    text: dict[int, str] = {}

    def walk(box: Any, rows: set[int], header: bool = False) -> None:
        header = header or bool(getattr(box, "is_header", False))  # the header row repeats, by design
        if type(box).__name__ == _ROW and not header:
            rows.add(id(box.element))
            text[id(box.element)] = "".join(box.element.itertext())
        for child in getattr(box, "children", None) or []:
            walk(child, rows, header)

    for page in document.pages:
        rows: set[int] = set()
        walk(page._page_box, rows)
        seen.update(rows)
    return len(document.pages), [text[e] for e, n in seen.items() if n > 1]


def _catalogue(n: int) -> dict[str, Any]:
    items = [
        SimpleNamespace(
            number=i,
            volume="副卷" if i > n // 2 else "正卷",
            responsible="临沂市科学技术局",
            doc_number=f"临科罚告〔2026〕{i}号" if i % 3 else "",
            title=("送达回证（行政处罚事先告知书 临科罚告〔2026〕6号）" if i % 2 else "补充说明：送达地址更正")
            * (1 + i % 3),
            date="20261201",
            page_range=f"{i}-{i + 1}",
            remarks="归档后补充第1件，经机关负责人刘洋批准" if i % 4 == 0 else "",
        )
        for i in range(1, n + 1)
    ]
    cf = SimpleNamespace(
        code_label="0001-XZZF·2026-D30-ZF1-0001",
        agency="临沂市科学技术局",
        fonds="0001",
        category="行政执法",
        title="某科技公司虚报研发费用案",
        start_date="20261030",
        end_date="20261116",
        retention_label="30年",
        item_count=n,
        page_count=2 * n,
        items=items,
    )
    return {"cf": cf, "case": SimpleNamespace(number="临科罚立〔2026〕8号", registration_number=""), "draft_mark": ""}


def _items(n: int) -> dict[str, Any]:
    items = [
        {"name": f"财务凭证第{i}册" * (1 + i % 4), "spec": "2025年度记账凭证" * (1 + i % 3), "quantity": "12册"}
        for i in range(1, n + 1)
    ]
    return {
        "agency": "临沂市科学技术局",
        "doc": {"number": "临科〔2026〕1号", "title": "先行登记保存证据通知书", "issued_on": "2026年11月26日"},
        "case": {"number": "临科罚立〔2026〕1号", "title": "某公司涉嫌违规案", "party_names": ["某公司"]},
        "officers": [{"name": "张伟", "cert_no": "37130000001"}],
        "items": items,
    }


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("archive/volume_front.html", _catalogue),  # the 卷内目录
        ("documents/pdf/preservation.html", _items),  # a document's items table (documents/pdf/_base.html)
    ],
)
def test_no_table_row_is_split_across_pages(template, context):
    tried = 0
    for n in (18, 27, 36, 45):
        pages, split = _split_rows(render_html(template, context(n)))
        tried += pages > 2
        assert not split, (n, split)
    assert tried, "the tables never ran over a page: the test would prove nothing"
