"""HTML -> PDF with WeasyPrint: A4, the layout of Chinese official documents (GB/T 9704:
37 mm top and 28 mm left margins, a 156 x 225 mm text block, pages numbered "第1页　共2页"),
CJK glyphs from Debian's Noto Serif CJK SC, with fallback faces for rare characters
(documents.fonts), embedded (subset) in the PDF.

One main family on purpose: a stack of several full CJK faces lays out measurably slower
(bench/documents.py compares them); the fallbacks are only used for what Noto lacks.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from . import fonts

# WeasyPrint logs every laid-out page at INFO: 200 lines per long document in the worker log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# The serif face stands in for 仿宋/小标宋 (not free); Debian fonts-noto-cjk ships it. Then
# the fallbacks for CJK Extensions B and beyond (documents.fonts.FONT_STACK).
FONT_FAMILY = fonts.FONT_FAMILY


@dataclass
class Rendered:
    pdf: bytes
    pages: int


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, {**context, "font_family": FONT_FAMILY})


def render_pdf(html: str, *, on_progress: Callable[[int], None] | None = None) -> Rendered:
    """The PDF of `html`. Raises fonts.UnprintableText (before any layout) for a character
    the fonts cannot print: the document's own text included, not only its context."""
    from weasyprint import HTML

    fonts.check_text(html, field="文书模板及内容")

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    if on_progress:
        on_progress(60)  # layout done; writing the PDF (font subsetting) follows
    pdf = document.write_pdf()
    return Rendered(pdf=pdf, pages=len(document.pages))
