"""Which documents a query matches, without scoring: set algebra over the terms' posting lists.

Whoosh's ``docs_for_query`` walks a tree of matchers one document at a time. For the shapes our
parser produces (terms combined with OR, AND and NOT) this module takes each term's documents from
the snapshot's term cache (search.scoring) and combines them as sets at C speed; other leaves
(phrases, ranges, wildcards) are left to Whoosh. The engine uses it when a query cannot be scored
from terms alone.
"""
from __future__ import annotations

from whoosh.query import And, AndMaybe, AndNot, DisjunctionMax, Every, Not, NullQuery, Or, Query, Term

from search.scoring import TermScorer


class MatchingDocuments:
    """Document sets of queries over one searcher."""

    def __init__(self, searcher, scorer: TermScorer, document_count: int) -> None:
        self._searcher = searcher
        self._scorer = scorer
        self._all = frozenset(range(document_count))

    def of(self, query: Query) -> frozenset[int] | set[int]:
        if query is NullQuery:
            return frozenset()
        if isinstance(query, Term):
            return frozenset(self._scorer.term_documents(query.fieldname, query.text).tolist())
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
