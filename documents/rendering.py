"""HTML -> PDF with WeasyPrint: A4, the layout of Chinese official documents (GB/T 9704:
37 mm top and 28 mm left margins, a 156 x 225 mm text block, pages numbered "第1页　共2页"),
CJK glyphs from one Debian Noto CJK family, embedded (subset) in the PDF.

One family on purpose: a font stack that makes fontconfig fall back across several CJK
faces lays out measurably slower (bench/documents.py compares them).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

# WeasyPrint logs every laid-out page at INFO: 200 lines per long document in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The serif face stands in for 仿宋/小标宋 (not free); Debian fonts-noto-cjk ships it.
FONT_FAMILY = '"Noto Serif CJK SC"'


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, {**context, "font_family": FONT_FAMILY})


def render_pdf(html: str, *, on_progress: Callable[[int], None] | None = None) -> Rendered:
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    if on_progress:
        on_progress(60)  # layout done; writing the PDF (font subsetting) follows
    pdf = document.write_pdf()
    return Rendered(pdf=pdf, pages=len(document.pages))
