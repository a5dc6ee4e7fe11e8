"""tus `Upload-Metadata` (https://tus.io/protocols/resumable-upload#upload-metadata): pairs
of a key and the base64 of a value, which may be any bytes. Nothing a station sends is refused
for its metadata (docs/stations.md); what is not text is kept as sent and shown escaped."""

import base64
import binascii
from typing import Any

# Under this key (which no tus key can be: keys never contain a space) the metadata keeps
# the base64 as sent of every value that is not stored verbatim (docs/stations.md).
RAW_KEY = "raw base64"


def _printable(text: str) -> bool:
    # NUL cannot be stored in PostgreSQL text or jsonb; other control characters (line
    # breaks in a file name…) would break the headers and pages that show the value.
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text)


def escape_bytes(raw: bytes, *, ascii: bool = False) -> str:
    """Arbitrary bytes as printable text: UTF-8 where they are (only ASCII with `ascii`,
    for what goes back into a header), `\\xNN` for every other byte and every control
    character (NUL included)."""
    text = raw.decode("ascii" if ascii else "utf-8", "backslashreplace")
    return "".join(c if _printable(c) else f"\\x{ord(c):02x}" for c in text)


def _header_bytes(value: str) -> bytes:
    # WSGI hands headers over as latin-1 text (PEP 3333); other servers and test clients
    # may give any text, lone surrogates included.
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def b64decode(value: str) -> bytes | None:
    """Standard base64, padded or not (tus: "Base64 encoded"); None when it is not base64."""
    if not value.isascii():
        return None
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_metadata(header: str) -> dict[str, Any]:
    """`key base64,key2 base64` -> {key: text}. Never refuses (docs/stations.md: nothing is
    turned away for its metadata): a value that is UTF-8 text is stored as such; any other
    value (bytes in another encoding such as GBK, a binary digest, control characters, or
    no base64 at all) is stored escaped (`escape_bytes`), and the value as sent is kept under
    `RAW_KEY` so the exact bytes survive. Keys are escaped the same way."""
    out: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, value = pair.partition(" ")
        key, value = escape_bytes(_header_bytes(key), ascii=True), value.strip()
        decoded = b64decode(value)
        try:
            text = decoded.decode("utf-8") if decoded is not None else None
        except UnicodeDecodeError:
            text = None
        if text is not None and _printable(text):
            out[key] = text
            raw.pop(key, None)
            continue
        # Not text, or not base64: shown escaped (bytes that are not UTF-8 all as \\xNN, a
        # half-decoded mix would mislead); the exact value as sent is kept.
        sent = _header_bytes(value)
        out[key] = escape_bytes(text.encode()) if text is not None else escape_bytes(decoded or sent, ascii=True)
        raw[key] = value if decoded is not None else escape_bytes(sent, ascii=True)
    if raw:
        out[RAW_KEY] = raw
    return out


def encode_metadata(meta: dict[str, Any]) -> str:
    """The inverse of `parse_metadata`, for HEAD: values as they were sent."""
    raw = meta.get(RAW_KEY) or {}
    pairs = []
    for key, value in meta.items():
        if key == RAW_KEY or not isinstance(value, str):
            continue
        encoded = raw.get(key) if key in raw else base64.b64encode(value.encode()).decode()
        pairs.append(f"{key} {encoded}" if encoded else key)
    return ",".join(pairs)
