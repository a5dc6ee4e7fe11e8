"""Serving stored files safely (shared by every app that sends a file to the browser).

Files come from users (case attachments) or from the app (PDFs, proxies, posters). A file is
shown inline only when its type, determined here from its first bytes (never the type the
browser declared at upload), is on a short allow-list of types browsers display without
running code; anything else is a download of `application/octet-stream`. Every file
response also gets `Content-Security-Policy: sandbox; default-src 'none'` and
`X-Content-Type-Options: nosniff`, so that even a file opened directly cannot run script
in the app's origin (stored XSS)."""

from __future__ import annotations

from typing import IO, TypeVar
from urllib.parse import quote

from django.http import FileResponse, HttpResponseBase

OCTET = "application/octet-stream"
INLINE_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/gif",
        "video/mp4",
        "audio/mp4",
        "audio/mpeg",
        "text/plain",
    }
)
SNIFF_BYTES = 512
CSP = "sandbox; default-src 'none'"


def sniff(head: bytes, filename: str = "") -> str:
    """The type of a file from its first bytes; OCTET when it is not an allowed inline
    type. Plain text is only believed for a `.txt` name whose bytes are UTF-8 without NUL
    (served as text/plain with nosniff it cannot become markup anyway)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        return "audio/mp4" if brand in (b"M4A ", b"M4B ") else "video/mp4"
    # MP3: an ID3 tag or an MPEG audio layer III frame header.
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and (head[1] & 0xE6) == 0xE2):
        return "audio/mpeg"
    if filename.lower().endswith(".txt") and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
                return OCTET
        return "text/plain"
    return OCTET


_Response = TypeVar("_Response", bound=HttpResponseBase)


def protect(resp: _Response) -> _Response:
    """The headers every file response carries."""
    resp["Content-Security-Policy"] = CSP
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def disposition(filename: str, *, inline: bool = False) -> str:
    return f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(filename)}"


def safe_type(content_type: str) -> str:
    """A server-determined type kept only when it is on the inline allow-list."""
    base = content_type.split(";", 1)[0].strip().lower()
    return base if base in INLINE_TYPES else OCTET


def file_response(fh: IO[bytes], *, filename: str, inline: bool = False) -> FileResponse:
    """Send an open, seekable file with its sniffed type: inline (when asked) only if that
    type is on the allow-list, otherwise as a download (application/octet-stream when the
    type is not on the list)."""
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    content_type = sniff(head, filename)
    resp = FileResponse(
        fh, as_attachment=not (inline and content_type != OCTET), filename=filename, content_type=content_type
    )
    return protect(resp)
