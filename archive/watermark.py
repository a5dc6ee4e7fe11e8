"""Watermarks for what a party consults (第二十九条): every page shown carries the requester's
name and the date. The watermark is one A4 page rendered with WeasyPrint (CJK fonts embedded,
so the text is extractable) and laid over each page with pypdf, scaled to the page's size.
Images are first made a one-page PDF with Pillow."""

import io

from django.core.exceptions import ValidationError
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError

from documents.rendering import render_html, render_pdf
from linke.validators import image_pdf


class NotViewable(Exception):
    """The bytes are neither a PDF nor an image Pillow opens (message in Chinese)."""


def watermark_page(text: str) -> bytes:
    """One A4 PDF page showing `text` repeated in light grey (transparent background)."""
    return render_pdf(render_html("archive/consult/watermark.html", {"text": text, "rows": range(12)})).pdf


def image_to_pdf(data: bytes) -> bytes:
    """An image (JPEG, PNG, …) as a one-page PDF (linke.validators.image_pdf: within
    settings.SCAN_MAX_PIXELS). Raises NotViewable, with a Chinese message, for what Pillow
    cannot open and for an image over the pixel limit (a decompression bomb), never anything else."""
    try:
        return image_pdf(data)
    except ValidationError as exc:
        raise NotViewable(exc.messages[0] if exc.code == "pixels" else "该文件不是可显示的PDF或图片。") from exc


def watermark_pdf(data: bytes, text: str) -> bytes:
    """`data` (a PDF, or an image converted by image_to_pdf) with the watermark page laid over
    every page, scaled to each page's width and height. Raises NotViewable when it will not
    open."""
    if not data.startswith(b"%PDF"):
        data = image_to_pdf(data)
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = list(reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise NotViewable("该文件无法打开。") from exc
    mark = PdfReader(io.BytesIO(watermark_page(text))).pages[0]
    mw, mh = float(mark.mediabox.width), float(mark.mediabox.height)
    writer = PdfWriter()
    for page in pages:
        added = writer.add_page(page)
        box = added.mediabox
        sx, sy = float(box.width) / mw, float(box.height) / mh
        added.merge_transformed_page(mark, Transformation().scale(sx, sy).translate(float(box.left), float(box.bottom)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
