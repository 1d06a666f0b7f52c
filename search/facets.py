"""Facets: the one table that defines them (``FACETS``), and their values held in memory per index
snapshot for filtering and disjunctive counts over document numbers.

A ``Facet`` says everything the program knows about one (its fields below); the command line, request
validation and the benchmarks read the table.

A selection is OR within a facet and AND across facets; the counts of a facet are taken as if that
facet had no selection, so a user can widen it (disjunctive faceting). Each facet is held as numpy
arrays of (document, value id) pairs; a set of documents is a boolean mask, and a facet's counts are
one ``np.bincount`` over the pairs of the masked documents, a few vector operations whatever the
number of values (authors have thousands). Only the values that can make the top ``MAX_FACET_VALUES``
are ranked (every year is listed, for the year chart: a century at most).
"""
from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from search.evidence import hierarchy_order
from search.post import Post

MAX_FACET_VALUES = 50


@dataclass(frozen=True)
class Facet:
    """One facet, defined once."""

    name: str                                   # URL parameter, JSON key, request filter name
    label: str                                  # what a page calls it
    values: Callable[[Post], tuple[str, ...]]   # a post's values
    option: str                                 # the command-line option
    order: Callable[[str], object] | None = None  # how its values are listed: by this key of a value, None: by count


FACETS: tuple[Facet, ...] = (
    Facet("topic", "Topic", lambda post: post.topics, "--topic"),
    Facet("type", "Type of research", lambda post: post.research_types, "--type", hierarchy_order),
    Facet("journal", "Journal", lambda post: (post.journal,) if post.journal else (), "--journal"),
    Facet("author", "Author", lambda post: post.authors, "--author"),
    Facet("year", "Year published", lambda post: (str(post.year),) if post.year is not None else (), "--year"),
)
FACET_NAMES: tuple[str, ...] = tuple(facet.name for facet in FACETS)
FACET_BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}


def facet_values(post: Post) -> dict[str, tuple[str, ...]]:
    """The values one post has for each facet."""
    return {facet.name: facet.values(post) for facet in FACETS}


@dataclass(frozen=True)
class FacetCount:
    value: str
    count: int
    selected: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "count": self.count, "selected": self.selected}


class FacetIndex:
    """Per-document facet values and value -> documents, for one index snapshot. Posts are added one
    by one (``add``); the first look-up after an addition lays each facet out as a ``_Column``."""

    def __init__(self) -> None:
        self._values: dict[str, dict[str, int]] = {facet: {} for facet in FACET_NAMES}  # value -> id, first-seen order
        self._pair_documents: dict[str, array] = {facet: array("i") for facet in FACET_NAMES}
        self._pair_values: dict[str, array] = {facet: array("i") for facet in FACET_NAMES}
        self._columns: dict[str, _Column] | None = None
        self.size = 0  # one more than the highest document number added (the length of document masks)

    def add(self, docnum: int, post: Post) -> None:
        self._columns = None
        self.size = max(self.size, docnum + 1)
        for facet, values in facet_values(post).items():
            ids = self._values[facet]
            for value in dict.fromkeys(values):  # a post counts once per value
                self._pair_documents[facet].append(docnum)
                self._pair_values[facet].append(ids.setdefault(value, len(ids)))

    def values(self, facet: str) -> list[str]:
        """Every value of a facet, in the order first seen."""
        return list(self._values[facet])

    def mask_of_any(self, facet: str, values: Iterable[str]) -> np.ndarray:
        """A boolean mask of the documents that have at least one of ``values``."""
        column = self._column(facet)
        mask = np.zeros(self.size, dtype=bool)
        for value in values:
            if (value_id := self._values[facet].get(value)) is not None:
                mask[column.documents_of(value_id)] = True
        return mask

    def allowed(self, selections: Mapping[str, tuple[str, ...]], *, ignoring: str | None = None) -> np.ndarray | None:
        """A mask of the documents passing every selection except ``ignoring``'s (a selection of no value
        passes none); None when nothing restricts."""
        allowed: np.ndarray | None = None
        for facet, values in selections.items():
            if facet != ignoring:
                documents = self.mask_of_any(facet, values)
                allowed = documents if allowed is None else np.logical_and(allowed, documents, out=allowed)
        return allowed

    def counts(
        self, matching: np.ndarray, selections: Mapping[str, tuple[str, ...]], *, limit: int | None = MAX_FACET_VALUES
    ) -> tuple[dict[str, list[FacetCount]], dict[str, int]]:
        """For each facet, value counts over ``matching`` (a boolean mask of documents) narrowed by the
        other facets' selections (at most ``limit`` values a facet, None: all), and how many values each
        facet has in all."""
        # The base of a facet depends on which other facets have a selection; facets often share one.
        bases: dict[tuple[str, ...], np.ndarray] = {}
        result, totals = {}, {}
        for facet in FACET_NAMES:
            restricting = tuple(name for name, values in selections.items() if values and name != facet)
            base = bases.get(restricting)
            if base is None:
                others = self.allowed(selections, ignoring=facet)
                base = bases[restricting] = matching if others is None else matching & others
            column = self._column(facet)
            counts = column.counts(base)
            listed = len(column.values) if limit is None or facet == "year" else limit  # every year: a chart draws them
            totals[facet] = int(np.count_nonzero(counts))
            result[facet] = self._listed(facet, counts, listed, set(selections.get(facet, ())))
        return result, totals

    def all_counts(self, facet: str) -> list[FacetCount]:
        """Every value of a facet with its number of posts, most first (for browse pages)."""
        column = self._column(facet)
        return self._listed(facet, np.diff(column.value_starts), len(column.values), set())

    def _listed(self, facet: str, counts: np.ndarray, limit: int, selected: set[str]) -> list[FacetCount]:
        """The ``limit`` values of highest counts and any selected value not among them, as the facet lists them."""
        column, ids = self._column(facet), self._values[facet]
        value_ids = column.top(counts, limit)
        ranked = list(zip([column.values[value_id] for value_id in value_ids], counts[value_ids].tolist()))
        shown = {value for value, _ in ranked}
        ranked += [(value, int(counts[ids[value]]) if value in ids else 0) for value in selected if value not in shown]
        if (order := FACET_BY_NAME[facet].order) is not None:
            ranked.sort(key=lambda item: order(item[0]))
        return [FacetCount(value, count, value in selected) for value, count in ranked]

    def _column(self, facet: str) -> "_Column":
        if self._columns is None:
            self._columns = {
                name: _Column(name, list(self._values[name]), self._pair_documents[name], self._pair_values[name])
                for name in FACET_NAMES
            }
        return self._columns[facet]


class _Column:
    """One facet as arrays. Value ids number the values in the order first seen (document order).

    ``pair_documents``/``pair_values``: each (document, value) pair. ``documents_by_value`` and
    ``value_starts``: the documents of each value, value by value. ``tie_rank``: each value's place
    among values of equal count (folded value, or newest year first), for ranking without Python keys.
    """

    def __init__(self, facet: str, values: list[str], pair_documents: array, pair_values: array) -> None:
        self.values = values
        self.pair_documents = np.asarray(pair_documents, dtype=np.int32)
        self.pair_values = np.asarray(pair_values, dtype=np.int32)
        by_value = np.argsort(self.pair_values, kind="stable")
        self.documents_by_value = self.pair_documents[by_value]
        self.value_starts = np.searchsorted(self.pair_values[by_value], np.arange(len(values) + 1)).astype(np.int64)
        secondary = _by_count_then_value(facet)
        order = sorted(range(len(values)), key=lambda value_id: (secondary((values[value_id], 0)), value_id))
        self.tie_rank = np.empty(len(values), dtype=np.int64)
        self.tie_rank[order] = np.arange(len(values))

    def documents_of(self, value_id: int) -> np.ndarray:
        return self.documents_by_value[self.value_starts[value_id]:self.value_starts[value_id + 1]]

    def counts(self, documents: np.ndarray) -> np.ndarray:
        """How many of the masked documents carry each value (an array indexed by value id)."""
        return np.bincount(self.pair_values[documents[self.pair_documents]], minlength=len(self.values))

    def top(self, counts: np.ndarray, limit: int) -> list[int]:
        """The ids of the ``limit`` values with the highest counts (ties by ``tie_rank``); zero counts left out."""
        candidates = np.flatnonzero(counts)
        if len(candidates) > limit:
            threshold = np.partition(counts[candidates], len(candidates) - limit)[len(candidates) - limit]
            candidates = candidates[counts[candidates] >= threshold]
        order = np.lexsort((self.tie_rank[candidates], -counts[candidates]))
        return candidates[order[:limit]].tolist()


def _by_count_then_value(facet: str):
    if facet == "year":
        return lambda item: (-item[1], -int(item[0]) if item[0].isdigit() else 0)
    return lambda item: (-item[1], item[0].casefold())
