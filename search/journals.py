"""Common abbreviations of the journals the blog summarises, as users type them after ``journal:``.

One table (``data/journal_abbreviations.tsv``): an abbreviation (lowercase, dots dropped, spaces
single) -> the journal's full name as citations print it. ``journal:JCCP`` searches "JCCP" and
"Journal of Consulting and Clinical Psychology" alike (search.restrict).
"""
from __future__ import annotations

import re
from pathlib import Path

_LINES = (Path(__file__).resolve().parent / "data" / "journal_abbreviations.tsv").read_text(encoding="utf-8").splitlines()
JOURNAL_ABBREVIATIONS: dict[str, str] = dict(line.split("\t") for line in _LINES if line and not line.startswith("#"))
_SEPARATORS = re.compile(r"[\s.]+")


def full_journal_name(typed: str) -> str | None:
    """The full name of the journal an abbreviation stands for, or None."""
    return JOURNAL_ABBREVIATIONS.get(_SEPARATORS.sub(" ", typed.lower()).strip())
