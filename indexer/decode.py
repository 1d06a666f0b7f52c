"""Bytes to clean text: BOM, declared charset, UTF-8 with a cp1252 fallback, then Unicode clean-up."""
from __future__ import annotations

import codecs
import re
import unicodedata

from indexer.errors import ExtractionError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard); so do we.
_READ_AS_CP1252 = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso8859-1", "l1"}
_SNIFF_BYTES = 4096
# Invisible characters that only break words apart or glue them together.
_DROPPED_CHARS = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACE_CHARS = re.compile("[\u00a0\u2007\u202f\u2009\u200a\u3000]")


def decode_bytes(data: bytes, *, is_html: bool) -> str:
    """Decode a page. Raises ExtractionError for empty or binary input."""
    if not data.strip():
        raise ExtractionError("the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise ExtractionError("the file is binary (it contains NUL bytes), not a page")
    declared = _declared_encoding(data) if is_html else None
    if declared:
        return data.decode(declared, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _declared_encoding(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:_SNIFF_BYTES])
    if not match:
        return None
    label = match.group(1).decode("ascii").lower()
    if label in _READ_AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def clean_text(text: str) -> str:
    """NFC-normalise, turn odd spaces into spaces, drop soft hyphens and zero-width characters."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE_CHARS.sub(" ", _DROPPED_CHARS.sub("", text))


def squeeze_spaces(text: str) -> str:
    """Collapse runs of white space to one space and trim."""
    return " ".join(text.split())
