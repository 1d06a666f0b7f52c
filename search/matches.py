"""Why a hit matched: the terms of the final query, field by field, looked for in the hit's own text.

``query_marks`` walks the query the engine ran (negated parts left out) and gathers, for each
indexed field, the terms, runs of terms and patterns it searched. ``explain`` then finds them in a
post: the fields where some of them occur ("Matched in"), and the title, summary and implications
with those words marked. Words searched in the catch-all field count in every part of a post it
holds; a ``title:`` or ``author:`` word only in its own field, so a fielded query marks the title or
the author line, never the body. Nothing is claimed that is not in the post's text. The highlights
hold the title, summary and implications, and the author and journal lines when they matched.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh.query import AndNot, Not, NumericRange, Phrase, Prefix, Query, Term, Wildcard

from search import highlight
from search.highlight import Marks
from search.post import Post
from search.schema import CATCH_ALL_FIELD, post_parts

# Field -> how the results page names it in "matched in", in the order shown.
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
# The parts of a post each indexed field holds (the catch-all holds every part but the research types).
_PARTS_OF_FIELD = {
    CATCH_ALL_FIELD: ("title", "implications", "summary", "citation", "authors", "journal", "topics"),
    **{name: (name,) for name in ("title", "implications", "authors", "journal", "topics", "types")},
}


@dataclass(frozen=True)
class QueryMarks:
    """What the query looks for in each part of a post."""

    parts: dict[str, tuple[Marks, ...]] = field(default_factory=dict)
    years: tuple[NumericRange, ...] = ()
    dois: frozenset[str] = frozenset()
    prose: dict[str, Marks] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        merged = {}
        for part, marks in self.parts.items():
            merged[part] = Marks()
            for wanted in marks:
                if not wanted.names:
                    merged[part] = merged[part] | wanted
        object.__setattr__(self, "prose", merged)

    def for_part(self, part: str) -> Marks:
        """The marks for one prose part (title, summary, implications), merged."""
        return self.prose.get(part, _NOTHING)


_NOTHING = Marks()


@dataclass(frozen=True)
class Explanation:
    highlights: dict[str, str]
    matched_fields: tuple[str, ...]


@lru_cache(maxsize=128)  # as many as the engine keeps responses for
def query_marks(query: Query) -> QueryMarks:
    """The positive terms of ``query`` by post part (see the module notes)."""
    by_field: dict[str, dict[str, set]] = {}
    years: list[NumericRange] = []
    dois: set[str] = set()
    for leaf in _positive_leaves(query):
        if isinstance(leaf, NumericRange) and leaf.fieldname == "year":
            years.append(leaf)
            continue
        if isinstance(leaf, Term) and leaf.fieldname == "doi":
            dois.add(leaf.text)
            continue
        if leaf.fieldname not in _PARTS_OF_FIELD:
            continue
        wanted = by_field.setdefault(leaf.fieldname, {"terms": set(), "sequences": set(), "patterns": set()})
        if isinstance(leaf, Term) and isinstance(leaf.text, str):
            if " " in leaf.text:  # a thesaurus concept: its terms in a row
                wanted["sequences"].add(tuple(leaf.text.split(" ")))
            else:
                wanted["terms"].add(leaf.text)
        elif isinstance(leaf, Phrase):
            wanted["sequences"].add(tuple(leaf.words))
        elif isinstance(leaf, Prefix):
            wanted["patterns"].add(re.compile(re.escape(leaf.text) + ".*"))
        elif isinstance(leaf, Wildcard):
            wanted["patterns"].add(re.compile(fnmatch.translate(leaf.text)))
    parts: dict[str, list[Marks]] = {}
    for fieldname, wanted in by_field.items():
        marks = Marks(frozenset(wanted["terms"]), tuple(sorted(wanted["sequences"])),
                      tuple(sorted(wanted["patterns"], key=lambda pattern: pattern.pattern)),
                      names=fieldname == "authors")
        for part in _PARTS_OF_FIELD[fieldname]:
            parts.setdefault(part, []).append(marks)
    return QueryMarks({part: tuple(marks) for part, marks in parts.items()}, tuple(years), frozenset(dois))


def _positive_leaves(query: Query):
    """The leaves of ``query`` outside any NOT (for ``a ANDNOT b``: those of ``a``)."""
    if isinstance(query, Not):
        return
    if isinstance(query, AndNot):
        yield from _positive_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from _positive_leaves(child)


def prepare(post: Post) -> None:
    """Analyse the texts ``explain`` looks a query's terms up in, ahead of any search (search.highlight
    keeps the analyses of its CACHED_TEXTS most recent texts and CACHED_NAMES author lines)."""
    parts = post_parts(post)
    for text in parts.values():
        if text:
            highlight.analysed_text(text, False)
    if post.authors:
        highlight.analysed_text(parts["authors"], True)
        highlight.analysed_text(_author_line(post), True)


def explain(post: Post, marks: QueryMarks) -> Explanation:
    """The hit's marked title, summary and implications, and the parts where the query's terms occur."""
    highlights = {
        "title": highlight.marked_text(post.title, marks.for_part("title")),
        "summary": highlight.marked_snippet(post.summary, marks.for_part("summary")),
        "implications": highlight.marked_snippet(post.implications, marks.for_part("implications")),
    }
    # The marked parts matched; the others are looked for (a fielded word, e.g. ``title:``, marks
    # nothing in the body, but its own part is still looked for).
    matched = {part for part in ("title", "summary", "implications") if "<mark>" in highlights[part]}
    matched |= {part for part, text in post_parts(post).items()
                if part not in matched and text and any(m.found_in(text) for m in marks.parts.get(part, ()))}
    if post.year is not None and any(_in_range(post.year, years) for years in marks.years):
        matched.add("year")
    if post.doi and post.doi.lower() in marks.dois:
        matched.add("doi")
    # The author and journal lines, marked, when the query matched there (the card shows them instead).
    if "authors" in matched:
        highlights["authors"] = highlight.marked_text(_author_line(post), *marks.parts["authors"])
    if "journal" in matched:
        highlights["journal"] = highlight.marked_text(post.journal, *marks.parts["journal"])
    return Explanation(highlights, tuple(label for name, label in FIELD_LABELS.items() if name in matched))


def _author_line(post: Post) -> str:
    """The authors as the result card shows them (marked when an ``author:`` query matched)."""
    return ", ".join(post.authors)


def _in_range(year: int, years: NumericRange) -> bool:
    start, end = years.start, years.end
    above = start is None or year > start or (year == start and not years.startexcl)
    below = end is None or year < end or (year == end and not years.endexcl)
    return above and below


def unmatched(post: Post) -> Explanation:
    """A post listed without a query (browsing): the start of its texts, nothing marked."""
    return Explanation(
        {"title": highlight.fallback_snippet(post.title),
         "summary": highlight.fallback_snippet(post.summary),
         "implications": highlight.fallback_snippet(post.implications)},
        (),
    )
