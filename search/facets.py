"""Facet values held in memory per index snapshot: filtering and disjunctive counts over doc numbers.

Each facet maps a value to the set of documents that carry it. A selection is OR within a facet and
AND across facets; the counts of a facet are taken as if that facet had no selection, so a user can
widen it (disjunctive faceting). Facets with few values (topics, types, journals, years) count with
bitmaps (Python ints: one AND and a popcount per value); facets with many (authors) walk the
matching documents once.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from search.post import Post
from search.request import FACETS

MAX_FACET_VALUES = 50
# Up to this many distinct values a facet is counted with bitmaps, beyond it document by document.
_BITMAP_MAX_VALUES = 400


def facet_values(post: Post) -> dict[str, tuple[str, ...]]:
    """The values one post has for each facet."""
    return {
        "topic": post.topics,
        "type": post.research_types,
        "journal": (post.journal,) if post.journal else (),
        "author": post.authors,
        "year": (str(post.year),) if post.year is not None else (),
    }


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "count": self.count, "selected": self.selected}


class FacetIndex:
    """Per-document facet values and value -> documents, for one index snapshot."""

    def __init__(self) -> None:
        self._values_of: dict[str, dict[int, tuple[str, ...]]] = {facet: {} for facet in FACETS}
        self._documents_with: dict[str, dict[str, set[int]]] = {facet: {} for facet in FACETS}
        self._canonical: dict[str, dict[str, str]] = {facet: {} for facet in FACETS}
        self._bitmaps: dict[str, dict[str, int]] | None = None
        self._size = 0

    def add(self, docnum: int, post: Post) -> None:
        self._bitmaps = None
        self._size = max(self._size, docnum + 1)
        for facet, values in facet_values(post).items():
            self._values_of[facet][docnum] = values
            for value in values:
                self._documents_with[facet].setdefault(value, set()).add(docnum)
                self._canonical[facet].setdefault(value.casefold(), value)

    def canonical(self, facet: str, value: str) -> str | None:
        """The stored spelling of a value typed in any case, or None if no post has it."""
        return self._canonical[facet].get(value.strip().casefold())

    def documents_with_any(self, facet: str, values: Iterable[str]) -> set[int]:
        documents: set[int] = set()
        for value in values:
            documents |= self._documents_with[facet].get(value, set())
        return documents

    def allowed(self, selections: Mapping[str, tuple[str, ...]], *, ignoring: str | None = None) -> set[int] | None:
        """Documents passing every selection except ``ignoring``'s; None when nothing restricts."""
        allowed: set[int] | None = None
        for facet, values in selections.items():
            if facet == ignoring or not values:
                continue
            documents = self.documents_with_any(facet, values)
            allowed = documents if allowed is None else allowed & documents
        return allowed

    def counts(
        self, matching: set[int], selections: Mapping[str, tuple[str, ...]], *, limit: int = MAX_FACET_VALUES
    ) -> dict[str, list[FacetCount]]:
        """For each facet, value counts over ``matching`` narrowed by the other facets' selections."""
        bitmaps = self._value_bitmaps()
        # The base of a facet depends on which other facets have a selection; facets often share one.
        base_bits: dict[tuple[str, ...], int] = {}
        result = {}
        for facet in FACETS:
            others = self.allowed(selections, ignoring=facet)
            base = matching if others is None else matching & others
            if facet in bitmaps:
                restricting = tuple(name for name, values in selections.items() if values and name != facet)
                bits = base_bits.get(restricting)
                if bits is None:
                    bits = base_bits[restricting] = _bitmap(base, self._size)
                counter = {value: (value_bits & bits).bit_count() for value, value_bits in bitmaps[facet].items()}
                counter = {value: count for value, count in counter.items() if count}
            else:
                counter = Counter(chain.from_iterable(map(self._values_of[facet].__getitem__, base)))
            selected = set(selections.get(facet, ()))
            ranked = _most_common(counter, limit, _by_count_then_value(facet))
            shown = {value for value, _ in ranked}
            ranked += [(value, counter.get(value, 0)) for value in selected if value not in shown]
            result[facet] = [FacetCount(value, count, value in selected) for value, count in ranked]
        return result

    def _value_bitmaps(self) -> dict[str, dict[str, int]]:
        """value -> bitmap of its documents, for the facets with few values (built once)."""
        if self._bitmaps is None:
            self._bitmaps = {
                facet: {value: _bitmap(documents, self._size) for value, documents in by_value.items()}
                for facet, by_value in self._documents_with.items()
                if len(by_value) <= _BITMAP_MAX_VALUES
            }
        return self._bitmaps

    def all_counts(self, facet: str) -> list[FacetCount]:
        """Every value of a facet with its number of posts, most first (for browse pages)."""
        counts = [(value, len(documents)) for value, documents in self._documents_with[facet].items()]
        return [FacetCount(value, count, False) for value, count in sorted(counts, key=_by_count_then_value(facet))]


def _most_common(counter: Mapping[str, int], limit: int, key) -> list[tuple[str, int]]:
    """The ``limit`` first items by ``key`` (count first): only the items whose count reaches the
    ``limit``-th highest count are ordered with the Python key (many facets have thousands of values)."""
    if len(counter) <= limit:
        return sorted(counter.items(), key=key)
    threshold = heapq.nlargest(limit, counter.values())[-1]
    return heapq.nsmallest(limit, ((value, count) for value, count in counter.items() if count >= threshold), key=key)


def _bitmap(documents: Iterable[int], size: int) -> int:
    """A set of document numbers as the bits of an int."""
    buffer = bytearray((size + 7) // 8)
    for docnum in documents:
        buffer[docnum >> 3] |= 1 << (docnum & 7)
    return int.from_bytes(buffer, "little")


def _by_count_then_value(facet: str):
    if facet == "year":
        return lambda item: (-item[1], -int(item[0]) if item[0].isdigit() else 0)
    return lambda item: (-item[1], _folded(item[0]))


@lru_cache(maxsize=100_000)
def _folded(value: str) -> str:
    return value.casefold()
