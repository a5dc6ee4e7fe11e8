"""The fonts documents are set in, and which characters they can print.

An issued document is immutable (第二十五条: the case file keeps it as it was): a character
that no font has would print as an empty box for good. So every character of a document's
content is checked against the fonts before its number is taken, and a character none of
them has stops the document with a Chinese error naming the character and the field.

FONT_STACK, in order (Debian packages; scripts/ensure-system-packages.sh and the Dockerfile
install them):
- Noto Serif CJK SC (fonts-noto-cjk): every character it has; the document's face.
- HanaMinB (fonts-hanazono): CJK Extensions B to F and the compatibility supplement,
  rare characters of personal and place names (e.g. U+2A6A5 𪚥).
- BabelStone Han (fonts-babelstone-han): the ten Extension A characters of Unicode 13 and
  part of Extension G.
Pango falls back along the stack only for a character the first face lacks, so a document
without rare characters is laid out as with one family (bench/documents.py measures it).

Coverage is what fontconfig says each face covers (its charset, the same data Pango uses to
pick a face), read once per process with `fc-match`.
"""

import bisect
import functools
import logging
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

FONT_STACK = ("Noto Serif CJK SC", "HanaMinB", "BabelStone Han")
# The CSS font-family value of the stack.
FONT_FAMILY = ", ".join(f'"{name}"' for name in FONT_STACK)

# Characters that need no glyph: controls (a line break, a tab), format characters (zero
# width joiners, soft hyphens, bidi marks: Pango does not draw them), spaces (HarfBuzz
# makes any width of space from the font's own) and variation selectors (the base
# character is printed when the font has no variant).
_NO_GLYPH_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_VARIATION_SELECTORS = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF), (0x180B, 0x180D))


class UnprintableText(ValueError):
    """A document's text holds a character that no font of FONT_STACK can print.
    `field` is the context key path (e.g. "party_name", "officers[0].name"), `char` the
    character; the message (Chinese) names both and is shown to the user."""

    def __init__(self, message: str, *, field: str, char: str) -> None:
        super().__init__(message)
        self.field, self.char = field, char


@dataclass(frozen=True)
class Coverage:
    """Sorted, disjoint code point ranges (inclusive) that some face of the stack covers."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    faces: tuple[str, ...]  # the faces found (a missing one is logged)

    def __contains__(self, codepoint: object) -> bool:
        if not isinstance(codepoint, int):
            return False
        i = bisect.bisect_right(self.starts, codepoint) - 1
        return i >= 0 and codepoint <= self.ends[i]


def _fc_match(family: str, field: str) -> str | None:
    """fontconfig's `field` (e.g. "charset", "file") of `family` (regular), read with
    `fc-match`; None when the family is not installed (fc-match then names another family) or
    fontconfig is unavailable."""
    try:
        out = subprocess.run(
            ["fc-match", f"{family}:style=Regular", "--format", f"%{{family}}\n%{{{field}}}"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        log.error("fontconfig (fc-match) unavailable: %s", exc)
        return None
    families, _, value = out.partition("\n")
    if family.lower() not in (name.strip().lower() for name in families.split(",")):
        return None
    return value


def _charset(family: str) -> list[tuple[int, int]] | None:
    """The code point ranges fontconfig says `family` (regular) covers; None when the family
    is not installed."""
    charset = _fc_match(family, "charset")
    if charset is None:
        return None
    ranges = []
    for part in charset.split():
        lo, _, hi = part.partition("-")
        ranges.append((int(lo, 16), int(hi or lo, 16)))
    return ranges


@functools.cache
def font_file(family: str) -> str | None:
    """The file of `family` (regular) as fontconfig finds it (`fc-match`, as for the coverage),
    for a program that takes a font file rather than a family (ffmpeg's drawtext: the
    consultation watermark burnt into AV records, archive.rendition). None when the family is
    not installed or fontconfig is unavailable. Cached for the process."""
    return (_fc_match(family, "file") or "").strip() or None


@functools.cache
def coverage() -> Coverage:
    """The union of what the faces of FONT_STACK cover (cached for the process)."""
    ranges: list[tuple[int, int]] = []
    found = []
    for family in FONT_STACK:
        charset = _charset(family)
        if charset is None:
            log.error("document font %r is not installed: characters only it has will be refused", family)
            continue
        found.append(family)
        ranges.extend(charset)
    ranges.sort()
    merged: list[list[int]] = []
    for lo, hi in ranges:
        if merged and lo <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return Coverage(tuple(r[0] for r in merged), tuple(r[1] for r in merged), tuple(found))


def _needs_glyph(char: str) -> bool:
    cp = ord(char)
    if any(lo <= cp <= hi for lo, hi in _VARIATION_SELECTORS):
        return False
    return unicodedata.category(char) not in _NO_GLYPH_CATEGORIES


def why_unprintable(char: str) -> str:
    """ "" when the stack prints `char`; else why not (Chinese)."""
    if not _needs_glyph(char):
        return ""
    category = unicodedata.category(char)
    if category == "Co":
        # Private use: each font draws its own thing there (some draw a rare character
        # that a station's software mapped there); a legal document cannot depend on that.
        return "是私用区字符，不同字库显示为不同的字形"
    if category == "Cs":
        return "是无效的代理码位"
    if ord(char) in coverage():
        return ""
    if category == "Cn":
        return "是 Unicode 尚未分配的码位"
    return "在文书字库中没有字形"


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def check_text(text: str, *, field: str, label: str = "") -> None:
    """Raise UnprintableText at the first character of `text` that FONT_STACK cannot print."""
    for char in dict.fromkeys(text):  # each distinct character once, in order
        why = why_unprintable(char)
        if why:
            name = f"「{label}」（{field}）" if label and label != field else f"「{field}」"
            raise UnprintableText(
                f"{name}中的字符「{char}」（U+{ord(char):04X}）{why}，文书无法打印。请改用规范汉字或常用字符后再试。",
                field=field,
                char=char,
            )


def check_context(context: dict[str, Any], labels: dict[str, str] | None = None) -> None:
    """Check every string in a document's context (nested dicts and lists included). Raises
    UnprintableText naming the first unprintable character and its field; `labels` gives
    the Chinese name of a top-level key."""
    labels = labels or {}
    for path, text in _strings(context, ""):
        top = path.split(".")[0].split("[")[0]
        check_text(text, field=path, label=labels.get(path) or labels.get(top, ""))
