"""Which documents a query matches, without scoring: set algebra over cached posting lists.

Whoosh's ``docs_for_query`` walks a tree of matchers one document at a time. For the shapes our
parser produces (terms combined with OR, AND and NOT) this module reads each term's posting list
once, block by block, keeps it as a frozenset (cached per index snapshot), and combines the sets at
C speed. Any other query (phrases, ranges, wildcards) falls back to Whoosh.
"""
from __future__ import annotations

from collections import OrderedDict

from whoosh.query import And, AndMaybe, AndNot, DisjunctionMax, Every, Not, NullQuery, Or, Query, Term

_CACHED_TERMS = 2048


class MatchingDocuments:
    """Document sets of queries over one searcher, with an LRU cache of term posting sets."""

    def __init__(self, searcher, document_count: int) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._all = frozenset(range(document_count))
        self._terms: OrderedDict[tuple[str, object], frozenset[int]] = OrderedDict()

    def of(self, query: Query) -> frozenset[int] | set[int]:
        if query is NullQuery:
            return frozenset()
        if isinstance(query, Term):
            return self._term(query.fieldname, query.text)
        if isinstance(query, (Or, DisjunctionMax)):
            result: set[int] = set()
            for child in query.subqueries:
                result |= self.of(child)
            return result
        if isinstance(query, And):
            children = sorted((self.of(child) for child in query.subqueries), key=len)
            return set(children[0]).intersection(*children[1:]) if children else frozenset()
        if isinstance(query, AndNot):
            return self.of(query.a) - self.of(query.b)
        if isinstance(query, AndMaybe):
            return self.of(query.a)
        if isinstance(query, Not):
            return self._all - self.of(query.query)
        if isinstance(query, Every):
            return self._all
        return set(self._searcher.docs_for_query(query))

    def _term(self, fieldname: str, text) -> frozenset[int]:
        key = (fieldname, text)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        try:
            documents = frozenset(_posting_ids(self._reader.postings(fieldname, text)))
        except Exception:  # a term the field does not have (TermNotFound) or a field of another kind
            documents = frozenset()
        self._terms[key] = documents
        if len(self._terms) > _CACHED_TERMS:
            self._terms.popitem(last=False)
        return documents


def _posting_ids(matcher):
    """All document numbers of a posting list; a whole block at a time where the codec allows."""
    if not hasattr(matcher, "_read_ids") or not hasattr(matcher, "_next_block"):
        return matcher.all_ids()
    ids: list[int] = []
    while matcher.is_active():
        matcher._read_ids()  # Whoosh 2.7's W3LeafMatcher: one block of ids at once
        ids.extend(matcher._ids)
        matcher._next_block()
    return ids
