"""Test scans that open for real (linke.validators.validate_scan parses every upload)."""

from __future__ import annotations

import io

from pypdf import PdfWriter


def scan_pdf(label: str = "", pages: int = 1) -> bytes:
    """A real PDF of `pages` blank A4 pages whose title is `label` (so two labels make two
    contents, as two different paper scans would)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": label or "扫描件"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
