"""Why a hit matched: the query's terms found in the hit, marked in its texts, and the parts that hold them.

``QueryMarks`` gathers what a query looks for: the terms and phrases of its plain words (in every part
of a post) and of ``title:`` and ``implications:`` restrictions (in that part only), and the fields
its other restrictions select. ``explain`` reads where those terms occur in the page's hits from the
postings file (their characters, stored when the index was built: nothing is analysed again) and
returns each hit's title, summary and implications with the words marked, the author and journal
lines when they matched, and the parts that matched ("matched in"). Every other character is
HTML-escaped; a long text is shown as its best two windows (``_best_windows``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

import numpy as np
from whoosh.query import AndNot, Not, Phrase, Prefix, Query, Term, Wildcard

from search.facets import facet_values
from search.post import Post
from search.postings import PostingsReader
from search.query import ParsedQuery, Restriction
from search.schema import CATCH_ALL_FIELD, PARTS

SNIPPET_CHARS = 240
_LEAD_CHARS = 70  # context kept before the first match of a window
_SEPARATOR = " … "
_WORD_EDGE_SEARCH = 40  # how far a window edge moves to reach a space
_ALL_PARTS = (1 << len(PARTS)) - 1
_PART_BIT = {part: 1 << index for index, part in enumerate(PARTS)}
# Field or part -> how the results page names it in "matched in", in the order shown.
FIELD_LABELS = {
    "title": "title",
    "implications": "practice implications",
    "summary": "summary",
    "authors": "authors",
    "journal": "journal",
    "citation": "citation",
    "topics": "topics",
    "types": "research type",
    "year": "year",
    "doi": "DOI",
}
_RESTRICTED_LABEL = {"author": "authors", "journal": "journal", "topic": "topics", "type": "types",
                     "year": "year", "doi": "doi"}


@dataclass(frozen=True)
class Explanation:
    highlights: dict[str, str]
    matched_fields: tuple[str, ...]


@dataclass
class QueryMarks:
    """What a query looks for in a hit: phrases (a term is a phrase of one word) with the parts they may be
    found in (a bit per part of search.schema.PARTS), and the values its restrictions select, by field."""

    phrases: dict[tuple[str, ...], int] = field(default_factory=dict)
    selected: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, parsed: ParsedQuery, expand: Callable[[str, str], list[str]],
           resolve: Callable[[Restriction], Sequence[str]]) -> "QueryMarks":
        """The marks of a parsed query; ``expand(field, pattern)`` lists a wildcard's terms and
        ``resolve`` a restriction's selected values."""
        marks = cls()
        for leaf, parts in _positive_leaves(parsed.query, _ALL_PARTS):
            if isinstance(leaf, Restriction):
                if leaf.query is None:
                    marks.selected.setdefault(leaf.fieldname, set()).update(resolve(leaf))
                continue
            if isinstance(leaf, Term) and isinstance(leaf.text, str):
                marks.phrases[(leaf.text,)] = marks.phrases.get((leaf.text,), 0) | parts
            elif isinstance(leaf, Phrase):
                marks.phrases[tuple(leaf.words)] = marks.phrases.get(tuple(leaf.words), 0) | parts
            elif isinstance(leaf, (Prefix, Wildcard)):
                for term in expand(leaf.fieldname, leaf.text + "*" if isinstance(leaf, Prefix) else leaf.text):
                    marks.phrases[(term,)] = marks.phrases.get((term,), 0) | parts
        return marks


def _positive_leaves(query: Query, parts: int):
    """(leaf, parts it may be found in) outside any NOT; a title: or implications: restriction's words
    in that part only."""
    if isinstance(query, AndNot):
        yield from _positive_leaves(query.a, parts)
    elif isinstance(query, Restriction):
        yield query, parts
        if query.query is not None:
            yield from _positive_leaves(query.query, _PART_BIT[query.fieldname])
    elif query.is_leaf():
        yield query, parts
    elif not isinstance(query, Not):
        for child in query.children():
            yield from _positive_leaves(child, parts)


def explain(reader: PostingsReader, marks: QueryMarks, hits: Sequence[tuple[int, Post]]) -> list[Explanation]:
    """Each hit's marked texts and the parts where the query's terms occur."""
    if not (marks.phrases or marks.selected):
        return [_unmatched(post) for _, post in hits]
    documents = [docnum for docnum, _ in hits]
    spans: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (document, part) -> character spans
    for words, parts in marks.phrases.items():
        first, owners, ends = reader.phrase(CATCH_ALL_FIELD, words, documents)  # from its first word to its last
        allowed = (np.left_shift(1, first["part"].astype(np.int64)) & parts) != 0
        for owner, part, start, end in zip(owners[allowed].tolist(), first["part"][allowed].tolist(),
                                           first["start"][allowed].tolist(), ends[allowed].tolist()):
            spans.setdefault((owner, part), []).append((start, end))
    return [_explanation(post, {part: _merged(spans.get((docnum, index), []))
                                for index, part in enumerate(PARTS)}, marks.selected)
            for docnum, post in hits]


def _explanation(post: Post, spans: dict[str, list[tuple[int, int]]], selected: dict[str, set[str]]) -> Explanation:
    highlights = {
        "title": marked_text(post.title, spans["title"]),
        "summary": marked_snippet(post.summary, spans["summary"]),
        "implications": marked_snippet(post.implications, spans["implications"]),
    }
    matched = {part for part in PARTS if spans[part]}
    values = {**facet_values(post), "doi": (post.doi.lower(),) if post.doi else ()}
    matched |= {_RESTRICTED_LABEL[name] for name, chosen in selected.items()
                if name in _RESTRICTED_LABEL and chosen.intersection(values[name])}
    if "authors" in matched:
        line = ", ".join(post.authors)
        names = [(line.find(name), line.find(name) + len(name)) for name in selected.get("author", ()) if name in line]
        highlights["authors"] = marked_text(line, spans["authors"] + names)
    if "journal" in matched:
        highlights["journal"] = f"<mark>{escape(post.journal, quote=True)}</mark>"
    return Explanation(highlights, tuple(label for name, label in FIELD_LABELS.items() if name in matched))


def _unmatched(post: Post) -> Explanation:
    """A post listed without words to mark (browsing, or restrictions alone): the start of its texts."""
    return Explanation({"title": fallback_snippet(post.title), "summary": fallback_snippet(post.summary),
                        "implications": fallback_snippet(post.implications)}, ())


def marked_text(text: str, spans: list[tuple[int, int]]) -> str:
    """The whole text with the spans marked (a title, a quoted sentence)."""
    return _marked(text, 0, len(text), _merged(spans))


def marked_snippet(text: str, spans: list[tuple[int, int]]) -> str:
    """The best fragments of ``text`` with the spans marked; the start of it when there are none."""
    if not spans:
        return fallback_snippet(text)
    if len(text) <= SNIPPET_CHARS:
        return _marked(text, 0, len(text), spans)
    return _SEPARATOR.join(_marked(text, start, end, spans) for start, end in _best_windows(text, spans))


def fallback_snippet(text: str) -> str:
    """The start of a text, escaped, for when nothing in it matched."""
    if len(text) <= SNIPPET_CHARS:
        return escape(text, quote=True)
    return escape(text[:SNIPPET_CHARS].rsplit(" ", 1)[0], quote=True) + " …"


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _best_windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The best window, then the best window that does not overlap it, in text order. A window starts a
    little before one of the spans; its worth is (distinct matched words, matches, earlier first)."""
    windows = _windows(text, spans)
    best = max(windows)
    others = [window for window in windows if window[2] <= best[1] or window[1] >= best[2]]
    chosen = [best] + ([max(others)] if others else [])
    return sorted((start, end) for _, start, end in chosen)


def _windows(text: str, spans: list[tuple[int, int]]) -> list[tuple[tuple[int, int, int], int, int]]:
    """A window for each span: from a little before it (moved forward to a word start) for SNIPPET_CHARS
    (moved back to a word end, each edge by at most _WORD_EDGE_SEARCH), with its worth. Spans inside a
    window are counted with two pointers that only move forward."""
    windows = []
    words = [text[start:end].lower() for start, end in spans]
    inside: dict[str, int] = {}
    low = high = 0
    for first_start, _ in spans:
        start = max(0, first_start - _LEAD_CHARS)
        if start and not text[start - 1].isspace():
            space = text.find(" ", start, start + _WORD_EDGE_SEARCH)
            start = start if space == -1 else space + 1
        end = min(start + SNIPPET_CHARS, len(text))
        if end < len(text) and not text[end].isspace():
            space = text.rfind(" ", max(0, end - _WORD_EDGE_SEARCH), end)
            end = end if space == -1 else space
        while high < len(spans) and spans[high][1] <= end:
            inside[words[high]] = inside.get(words[high], 0) + 1
            high += 1
        while low < high and spans[low][0] < start:
            inside[words[low]] -= 1
            if not inside[words[low]]:
                del inside[words[low]]
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
