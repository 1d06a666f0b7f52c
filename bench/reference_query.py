"""Our query syntax (the subset the workload uses) as the reference engines search it.

One reading for both references (``bench.fts5_reference``, ``bench.tantivy_reference``), so they
search for the same words: plain words OR-ed, our stop and question words dropped (a hyphenated
word is a phrase of its parts, as in ours); quoted phrases kept whole; ``author:``/``journal:``/
``title:``/... as a phrase in that one field; ``year:YYYY`` as a year condition. Each engine tokenizes
and stems a clause's text with its own analyzer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from search.analysis import STOP_AND_QUESTION_WORDS
from search.schema import FIELD_BOOSTS

# The fields the references search, in a fixed order, and their weights: our plain words' parts
# (search.schema.FIELD_BOOSTS) and the journal (ours finds a journal by its name, search.engine).
FIELDS = ("title", "summary", "implications", "citation", "authors", "journal", "topics")
WEIGHTS = {**FIELD_BOOSTS, "journal": 1.0}
assert set(FIELDS) == set(WEIGHTS), "the references search every part our plain words search"

_SPELLABLE = re.compile(r"^[^\W\d_]{3,}$")
_TOKEN = re.compile(r"\w+")
_LEXEME = re.compile(r'(?P<fielded>[A-Za-z_]+:(?:"[^"]*"?|[^\s"]+))|(?P<phrase>"[^"]*"?)|(?P<word>[^\s"]+)')
_FIELD_NAMES = {"author": "authors", "authors": "authors", "journal": "journal", "title": "title",
                "topic": "topics", "topics": "topics", "implications": "implications", "summary": "summary"}


@dataclass(frozen=True)
class Clause:
    """Lower-cased words searched as a phrase (one word: a term), in ``field`` or in every field."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True)
class ReferenceQuery:
    """A workload query as the references see it: OR-ed clauses, years (OR-ed with them), and the
    plain words (lower-cased, no stop words) a vocabulary look-up checks (the cheap half of our
    "Did you mean")."""

    clauses: tuple[Clause, ...]
    years: tuple[int, ...] = ()
    plain_words: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses and not self.years


def _content_tokens(text: str) -> list[str]:
    return [token for token in _TOKEN.findall(text.lower()) if len(token) > 1 and token not in STOP_AND_QUESTION_WORDS]


def read_query(query: str) -> ReferenceQuery:
    """The clauses, years and plain words of ``query`` (duplicate clauses once, in order)."""
    clauses: list[Clause] = []
    years: list[int] = []
    plain: list[str] = []
    for match in _LEXEME.finditer(query):
        kind, value = match.lastgroup, match.group(0)
        if kind == "fielded":
            name, raw = value.split(":", 1)
            raw = raw.strip('"')
            if name.lower() in ("year", "py") and raw.isdigit():
                years.append(int(raw))
                continue
            field = _FIELD_NAMES.get(name.lower())
            tokens = _TOKEN.findall(raw.lower())
            if field and tokens:
                clauses.append(Clause(tuple(tokens), field))
            continue
        if kind == "phrase":
            tokens = _TOKEN.findall(value.strip('"').lower())
            if tokens:
                clauses.append(Clause(tuple(tokens)))
            continue
        word = value.strip("?!.,;:")
        if _SPELLABLE.match(word) and word.lower() not in STOP_AND_QUESTION_WORDS:
            plain.append(word.lower())
        tokens = _content_tokens(word)
        if tokens:
            clauses.append(Clause(tuple(tokens)))
    return ReferenceQuery(tuple(dict.fromkeys(clauses)), tuple(years), tuple(dict.fromkeys(plain)))



@dataclass(frozen=True)
class ReferenceResult:
    """A reference engine's answer: the total, the top hits (record, score, two snippets), the counts
    of each facet (value, count), the plain words its vocabulary does not know, and the time spent
    on the facet counts."""

    total: int
    hits: list[dict]
    facets: dict[str, list[tuple[str, int]]]
    unknown_words: tuple[str, ...]
    facets_ms: float = 0.0
