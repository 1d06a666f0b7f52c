"""Whoosh query classes of our own, each a bound on work or a rule Whoosh leaves out.

- ``MinimumShouldMatch``: an ``Or`` whose documents match at least ``minmatch`` of its children
  (Elasticsearch's and Solr's ``minimum_should_match``; Whoosh stores ``Or.minmatch`` but ignores it).
- ``BoundedPrefix`` and ``BoundedWildcard``: Whoosh's ``Prefix`` and ``Wildcard`` expanded to at most
  ``MAX_EXPANDED_TERMS`` indexed words (concept terms of the thesaurus left out), so ``the*`` costs
  a bounded number of posting lists however large the index grows.
"""
from __future__ import annotations

from collections import Counter
from itertools import islice

from whoosh.matching import FilterMatcher, NullMatcher
from whoosh.query import Or, Prefix, Wildcard

MAX_EXPANDED_TERMS = 64


class MinimumShouldMatch(Or):
    """OR over its children; a document must match at least ``minmatch`` of them."""

    def apply(self, fn):
        # CompoundQuery.apply rebuilds the query from its children and boost only: keep minmatch and scale.
        return self.__class__([fn(child) for child in self.subqueries], boost=self.boost,
                              minmatch=self.minmatch, scale=self.scale)

    def __eq__(self, other):
        return super().__eq__(other) and self.minmatch == other.minmatch

    def __hash__(self):
        return super().__hash__() ^ hash(self.minmatch)

    def matcher(self, searcher, context=None):
        union = super().matcher(searcher, context)
        if self.minmatch <= 1:
            return union
        counts: Counter[int] = Counter()
        for child in self.subqueries:
            counts.update(child.matcher(searcher, searcher.boolean_context()).all_ids())
        kept = frozenset(docnum for docnum, count in counts.items() if count >= self.minmatch)
        return FilterMatcher(union, kept) if kept else NullMatcher()


def _bounded(btexts):
    return islice((btext for btext in btexts if b" " not in btext), MAX_EXPANDED_TERMS)


class BoundedPrefix(Prefix):
    """``Prefix`` expanded to at most MAX_EXPANDED_TERMS words (in index order)."""

    def _btexts(self, ixreader):
        return _bounded(super()._btexts(ixreader))


class BoundedWildcard(Wildcard):
    """``Wildcard`` expanded to at most MAX_EXPANDED_TERMS words (in index order)."""

    def _btexts(self, ixreader):
        return _bounded(super()._btexts(ixreader))
