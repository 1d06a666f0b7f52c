"""Highlighted snippets: matched words in <mark>, every other character HTML-escaped.

A word is marked when one of its analysed terms (search.analysis) is among the query's highlight
terms. A text of up to SNIPPET_CHARS is shown whole; a longer one as its best two windows (the most
distinct matched words, then the most matches), in text order, joined by an ellipsis.
"""
from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from search.analysis import WORD_PATTERN, analyse_word

SNIPPET_CHARS = 240
_LEAD_CHARS = 70  # context kept before the first match of a window
_WINDOWS = 2
_WORD = re.compile(WORD_PATTERN)
_SEPARATOR = " … "


def marked_snippet(text: str, terms: frozenset[str]) -> str:
    """The best fragments of ``text`` with matched words marked; the start of it when none match."""
    matches = _matches(text, terms) if terms else []
    if not matches:
        return fallback_snippet(text)
    if len(text) <= SNIPPET_CHARS:
        return _marked(text, 0, len(text), matches)
    windows = _best_windows(text, matches)
    return _SEPARATOR.join(_marked(text, start, end, matches) for start, end in windows)


def marked_text(text: str, terms: frozenset[str]) -> str:
    """The whole of ``text``, escaped, with matched words marked (for a quoted sentence)."""
    return _marked(text, 0, len(text), _matches(text, terms) if terms else [])


def fallback_snippet(text: str) -> str:
    """The start of a text, escaped, for when nothing in it matched."""
    if len(text) <= SNIPPET_CHARS:
        return escape(text, quote=True)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=True) + " …"


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` whose terms include one of ``terms``."""
    is_match: dict[str, bool] = {}
    spans = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        matched = is_match.get(word)
        if matched is None:
            matched = is_match[word] = not terms.isdisjoint(_terms_of(word))
        if matched:
            spans.append(match.span())
    return spans


@lru_cache(maxsize=100_000)
def _terms_of(word: str) -> frozenset[str]:
    return frozenset(term for term, _ in analyse_word(word) if term)


def _best_windows(text: str, matches: list[tuple[int, int]]) -> list[tuple[int, int]]:
    candidates = []
    for first_start, _ in matches:
        start = _word_start(text, max(0, first_start - _LEAD_CHARS))
        end = _word_end(text, min(len(text), start + SNIPPET_CHARS))
        inside = [text[s:e].lower() for s, e in matches if s >= start and e <= end]
        candidates.append(((len(set(inside)), len(inside), -start), start, end))
    chosen: list[tuple[int, int]] = []
    for _, start, end in sorted(candidates, reverse=True):
        if all(end <= other_start or start >= other_end for other_start, other_end in chosen):
            chosen.append((start, end))
            if len(chosen) == _WINDOWS:
                break
    return sorted(chosen)


def _word_start(text: str, index: int) -> int:
    """``index`` moved forward to the start of a word (unless it is already at one or at 0)."""
    if index == 0 or text[index - 1].isspace():
        return index
    space = text.find(" ", index)
    return index if space == -1 else space + 1


def _word_end(text: str, index: int) -> int:
    """``index`` moved back to the end of a word (unless it is at the end of the text)."""
    if index >= len(text) or text[index].isspace():
        return index
    space = text.rfind(" ", 0, index)
    return index if space == -1 else space


def _marked(text: str, start: int, end: int, matches: list[tuple[int, int]]) -> str:
    pieces = []
    position = start
    for match_start, match_end in matches:
        if match_start < start or match_end > end:
            continue
        pieces.append(escape(text[position:match_start], quote=True))
        pieces.append(f"<mark>{escape(text[match_start:match_end], quote=True)}</mark>")
        position = match_end
    pieces.append(escape(text[position:end], quote=True))
    return "".join(pieces).strip()
