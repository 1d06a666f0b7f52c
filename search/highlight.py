"""Highlighted snippets: matched words in <mark>, every other character HTML-escaped.

A ``Marks`` says what to mark in one field: single terms, runs of terms (phrases, thesaurus concepts)
and term patterns (prefixes, wildcards), all in the terms of the content analysis (search.analysis)
or, for author names, of the name analysis. A word is marked when one of its terms is wanted, or
it belongs to a wanted run. A text of up to SNIPPET_CHARS is shown whole; a longer one as its best
two windows (the most distinct matched words, then the most matches), in text order.

A text is analysed once (``analysed_text``: its terms in order and where its words stand), and kept
for the CACHED_TEXTS most recently used texts (~1.3 KB each): the same posts come back query after
query, and a query then only looks its terms up, in C-level passes over the terms.
Work is linear in the text and bounded: at most MAX_ANALYSED_CHARS of a field are read (a huge
field is marked in its first part only), and windows are found with two moving pointers.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from itertools import accumulate, chain, compress

from whoosh.support.charset import accent_map

from search.analysis import word_terms

SNIPPET_CHARS = 240
MAX_ANALYSED_CHARS = 20_000  # ~3,000 words: five times a long summary (below 2**16: see AnalysedText)
CACHED_TEXTS = 6144  # analysed texts kept: a blog of 1,024 posts whole (about five texts of its own a post;
# its journal, topics and types lines are shared), with room for the answer's sentences; ~8 MB
CACHED_NAMES = 2048  # author lines analysed as names (author: queries): two a post
MAX_KNOWN_WORDS = 100_000  # words whose content terms are kept (~15 MB at most; a 10k corpus uses ~6,000)
_LEAD_CHARS = 70  # context kept before the first match of a window
# The words of WORD_PATTERN (``\w+(?:\.?\w+)*``: a dot joins word characters), with possessive
# quantifiers so the regex engine never backtracks (a quarter faster); split() keeps the words between
# the gaps. tests/test_fast_paths.py checks that both find the same words.
_WORD_AND_GAPS = re.compile(r"(\w++(?:\.\w++)*+)")
_SEPARATOR = " … "
_WORD_EDGE_SEARCH = 40  # how far a window edge moves to reach a space


class _ContentTerms(dict):
    """word -> its terms through the content analysis (search.analysis.word_terms), a plain dict in front
    of it: a known word is one C-level look-up (no LRU bookkeeping), and a number (a page, a volume, a
    year: a word of ASCII digits) is its own term without running the analysis chain (stop words are
    at least two characters long; tests/test_fast_paths.py checks numbers against the chain). Emptied
    when it reaches MAX_KNOWN_WORDS."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        if len(self) >= MAX_KNOWN_WORDS:
            self.clear()
        if word.isascii() and word.isdigit():
            terms = (word,) if len(word) > 1 else ()
        else:
            terms = word_terms(word)
        self[word] = terms
        return terms


_CONTENT_TERMS = _ContentTerms()


@lru_cache(maxsize=50_000)
def name_terms(word: str) -> tuple[str, ...]:
    """The term of one word of an author name (lowercase, accents folded), as the name analysis gives it."""
    return (word.lower().translate(accent_map),)


@dataclass(frozen=True)
class Marks:
    """What to mark in one field; ``names`` when the field's terms are those of author names."""

    terms: frozenset[str] = frozenset()
    sequences: tuple[tuple[str, ...], ...] = ()
    patterns: tuple[re.Pattern, ...] = ()
    names: bool = False

    def __bool__(self) -> bool:
        return bool(self.terms or self.sequences or self.patterns)

    def __or__(self, other: "Marks") -> "Marks":
        return Marks(self.terms | other.terms, tuple(dict.fromkeys(self.sequences + other.sequences)),
                     tuple(dict.fromkeys(self.patterns + other.patterns)), self.names)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans to mark in ``text`` (its first MAX_ANALYSED_CHARS), sorted, not overlapping."""
        if not self:
            return []
        analysed = analysed_text(text, self.names)
        found = self._found(analysed)
        return _merged(analysed.spans(found)) if found else []

    def found_in(self, text: str) -> bool:
        """Whether anything wanted occurs in ``text`` (its first MAX_ANALYSED_CHARS)."""
        if not self:
            return False
        analysed = analysed_text(text, self.names)
        if not self.terms.isdisjoint(analysed.terms):
            return True
        return bool((self.patterns or self.sequences) and self._found(analysed))

    def _found(self, analysed: "AnalysedText") -> list[tuple[int, int]]:
        """The wanted terms and runs, as the places of their first and last terms in the text's terms."""
        terms = analysed.terms
        wanted = self.terms
        if self.patterns:
            wanted = wanted | {term for term in set(terms)
                               if any(pattern.fullmatch(term) for pattern in self.patterns)}
        found = []
        if wanted:
            found = [(place, place) for place in compress(range(len(terms)), map(wanted.__contains__, terms))]
        for sequence in self.sequences:  # where its last term stands, preceded by the others
            first = 1 - len(sequence)
            ends_at = compress(range(len(terms)), map(sequence[-1].__eq__, terms))
            found += [(place + first, place) for place in ends_at
                      if place + first >= 0 and terms[place + first:place + 1] == sequence]
        return found


class AnalysedText:
    """One text's terms in order (a word may give several, a stop word none), what ``Marks`` looks its
    terms up in, and where its words stand. Built in C-level passes (map, chain, accumulate) over the
    words; compact (about 14 bytes a word), so many are kept."""

    __slots__ = ("terms", "_words")

    def __init__(self, text: str, names: bool) -> None:
        analyse = name_terms if names else _CONTENT_TERMS.__getitem__
        # [gap, word, gap, ..., word, gap]: strings only (no match objects to allocate and collect).
        parts = _WORD_AND_GAPS.split(text[:MAX_ANALYSED_CHARS])
        per_word = list(map(analyse, parts[1::2]))
        self.terms: tuple[str, ...] = tuple(chain.from_iterable(per_word))
        # For n words: their starts, their ends, then how many terms words 0..i give; unsigned 16-bit,
        # as a text is read up to MAX_ANALYSED_CHARS (below 65,536) characters.
        ends_of_parts = array("H", accumulate(map(len, parts)))
        self._words = ends_of_parts[0:-1:2]
        self._words.extend(ends_of_parts[1::2])
        self._words.extend(accumulate(map(len, per_word)))

    def spans(self, found: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The character spans of runs of terms given as (first, last) places: from the first's word
        to the last's."""
        words = self._words
        count = len(words) // 3
        return [(words[bisect_right(words, first, 2 * count) - 2 * count],
                 words[bisect_right(words, last, 2 * count) - count]) for first, last in found]


def analysed_text(text: str, names: bool) -> AnalysedText:
    """The analysis of ``text`` (author names' when ``names``), kept for the most recently shown texts:
    the same posts come back query after query, and looking terms up is then all a query costs."""
    return _analysed_names(text) if names else _analysed_content(text)


@lru_cache(maxsize=CACHED_TEXTS)  # keyed by the text itself, no key tuple per entry
def _analysed_content(text: str) -> AnalysedText:
    return AnalysedText(text, False)


@lru_cache(maxsize=CACHED_NAMES)
def _analysed_names(text: str) -> AnalysedText:
    return AnalysedText(text, True)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked_snippet(text: str, marks: Marks) -> str:
    """The best fragments of ``text`` with matched words marked; the start of it when none match."""
    spans = marks.spans(text)
    if not spans:
        return fallback_snippet(text)
    if len(text) <= SNIPPET_CHARS:
        return _marked(text, 0, len(text), spans)
    return _SEPARATOR.join(_marked(text, start, end, spans) for start, end in _best_windows(text, spans))


def marked_text(text: str, *marks: Marks) -> str:
    """The whole (short) text with the words any of ``marks`` wants marked, e.g. a title or the authors."""
    if len(marks) == 1:
        spans = marks[0].spans(text)
    else:
        spans = _merged([span for wanted in marks for span in wanted.spans(text)])
    return _marked(text, 0, len(text), spans)


def fallback_snippet(text: str) -> str:
    """The start of a text, escaped, for when nothing in it matched."""
    if len(text) <= SNIPPET_CHARS:
        return escape(text, quote=True)
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return escape(cut, quote=True) + " …"


def _best_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The best window, then the best window that does not overlap it, in text order.

    A window starts a little before one of the spans; its worth is (distinct matched words, matches,
    earlier first). Spans inside a window are counted with two pointers that only move forward."""
    windows = _windows(text, spans)  # (worth, start, end): the worth decides (equal worths, equal windows)
    best = max(windows)
    others = [window for window in windows if window[2] <= best[1] or window[1] >= best[2]]
    chosen = [best] + ([max(others)] if others else [])
    return sorted((start, end) for _, start, end in chosen)


def _windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[tuple[int, int, int], int, int]]:
    """A window for each span: from a little before it (moved forward to a word start) for SNIPPET_CHARS
    (moved back to a word end, each edge by at most _WORD_EDGE_SEARCH), with its worth."""
    windows = []
    words = [text[start:end].lower() for start, end in spans]
    inside: dict[str, int] = {}  # matched words in the window, with their counts
    low = high = 0
    for first_start, _ in spans:
        start = first_start - _LEAD_CHARS if first_start > _LEAD_CHARS else 0
        if start and not text[start - 1].isspace():
            space = text.find(" ", start, start + _WORD_EDGE_SEARCH)
            start = start if space == -1 else space + 1
        end = start + SNIPPET_CHARS
        if end >= len(text):
            end = len(text)
        elif not text[end].isspace():
            space = text.rfind(" ", end - _WORD_EDGE_SEARCH if end > _WORD_EDGE_SEARCH else 0, end)
            end = end if space == -1 else space
        while high < len(spans) and spans[high][1] <= end:
            inside[words[high]] = inside.get(words[high], 0) + 1
            high += 1
        while low < high and spans[low][0] < start:
            if inside[words[low]] == 1:
                del inside[words[low]]
            else:
                inside[words[low]] -= 1
            low += 1
        windows.append(((len(inside), high - low, -start), start, end))
    return windows


def _marked(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    pieces = []
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        pieces.append(escape(text[position:span_start], quote=True))
        pieces.append(f"<mark>{escape(text[span_start:span_end], quote=True)}</mark>")
        position = span_end
    pieces.append(escape(text[position:end], quote=True))
    return "".join(pieces).strip()
