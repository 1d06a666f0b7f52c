"""Every document's score for a query, as Whoosh computes it, from score vectors added up with numpy.

Whoosh scores a document by walking a tree of matchers one document at a time; for OR, AND and
AND NOT the score is the (boosted) sum of the children's scores. Here each term's BM25F scores are
computed once (from its posting list, read a block at a time, and the documents' field lengths),
kept in an LRU bounded by postings, and a query's scores are combined as dense vectors: one vector
operation per term instead of a Python step per matching document. Other leaves (phrases, ranges,
wildcards) are scored by their own Whoosh matcher. A score of 0 means no match.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
from whoosh.query import And, AndNot, Not, NullQuery, Or, Phrase, Query, Term

_CACHED_POSTINGS = 4_000_000
# A matcher that matches without scoring (a constant-score query scoring 0) still marks the document.
_MATCHED_WITHOUT_SCORE = 1e-9


class TermScorer:
    """Dense score vectors (one float per document, 0 = no match) for term queries over one searcher."""

    def __init__(self, searcher, document_count: int) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._size = document_count
        self._weighting = searcher.weighting
        self._lengths: dict[str, np.ndarray] = {}
        self._terms: OrderedDict[tuple[str, object], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_postings = 0

    def scores(self, query: Query) -> np.ndarray:
        """The query's score for every document (0 where it does not match)."""
        if query is NullQuery:
            return np.zeros(self._size)
        if isinstance(query, Term):
            documents, term_scores = self._term(query.fieldname, query.text)
            vector = np.zeros(self._size)
            vector[documents] = term_scores * query.boost if query.boost != 1.0 else term_scores
            return vector
        if isinstance(query, (Or, And)):
            children = [self.scores(child) for child in query.subqueries]
            if not children:
                return np.zeros(self._size)
            combined = np.sum(children, axis=0)
            if isinstance(query, And):
                combined[np.any(np.asarray(children) <= 0, axis=0)] = 0.0
        elif isinstance(query, AndNot):
            combined = np.where(self.scores(query.b) > 0, 0.0, self.scores(query.a))
        elif isinstance(query, Not):
            combined = np.where(self.scores(query.query) > 0, 0.0, 1.0)  # Whoosh's inverse matcher scores 1
        elif isinstance(query, Phrase) and query.slop == 1 and len(query.words) > 1:
            combined = self._phrase_scores(query.fieldname, tuple(query.words))
        else:
            return self._whoosh_scores(query)
        return combined * query.boost if query.boost != 1.0 else combined

    def _phrase_scores(self, fieldname: str, words: tuple[str, ...]) -> np.ndarray:
        """An exact phrase: the documents with every word, kept where the words stand in a row, scored
        like Whoosh (the sum of the words' scores)."""
        vector = np.zeros(self._size)
        postings = [self._term(fieldname, word) for word in words]
        candidates = postings[0][0]
        for documents, _ in postings[1:]:
            candidates = np.intersect1d(candidates, documents, assume_unique=True)
        if not len(candidates):
            return vector
        wanted = set(candidates.tolist())
        positions = [self._positions(fieldname, word, wanted) for word in words]
        matched = [
            docnum for docnum in wanted
            if any(all(start + offset in positions[offset][docnum] for offset in range(1, len(words)))
                   for start in positions[0][docnum])
        ]
        if matched:
            for documents, term_scores in postings:
                vector[documents] += term_scores
            keep = np.zeros(self._size, dtype=bool)
            keep[matched] = True
            vector[~keep] = 0.0
        return vector

    def _positions(self, fieldname: str, word: str, documents: set[int]) -> dict[int, set[int]]:
        """The word's positions in each of ``documents`` (a block of postings read at a time)."""
        field = self._searcher.schema[fieldname]
        matcher = self._reader.postings(fieldname, field.to_bytes(word))
        decode = field.format.decode_positions
        found: dict[int, set[int]] = {}
        block_reads = hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_values")
        while matcher.is_active():
            if not block_reads:
                if matcher.id() in documents:
                    found[matcher.id()] = set(decode(matcher.value()))
                matcher.next()
                continue
            matcher._read_ids()
            if not documents.isdisjoint(matcher._ids):
                matcher._read_values()
                for docnum, value in zip(matcher._ids, matcher._values):
                    if docnum in documents:
                        found[docnum] = set(decode(value))
            matcher._next_block()
        return found

    def _whoosh_scores(self, query: Query) -> np.ndarray:
        """Any other query, scored document by document by its Whoosh matcher."""
        vector = np.zeros(self._size)
        matcher = query.matcher(self._searcher, self._searcher.context())
        while matcher.is_active():
            vector[matcher.id()] = matcher.score() or _MATCHED_WITHOUT_SCORE
            matcher.next()
        return vector

    def _term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        key = (fieldname, text)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        cached = self._compute(fieldname, text)
        self._terms[key] = cached
        self._cached_postings += len(cached[0])
        while self._cached_postings > _CACHED_POSTINGS and len(self._terms) > 1:
            _, (documents, _) = self._terms.popitem(last=False)
            self._cached_postings -= len(documents)
        return cached

    def _compute(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """The documents with the term and their BM25F scores (Whoosh's formula and statistics)."""
        field = self._searcher.schema[fieldname] if fieldname in self._searcher.schema else None
        try:
            encoded = field.to_bytes(text) if field is not None else None
            postings = self._reader.postings(fieldname, encoded) if encoded is not None else None
        except Exception:  # the field does not have the term
            postings = None
        if postings is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        documents, weights = _read_postings(postings)
        documents = np.asarray(documents, dtype=np.int64)
        tf = np.asarray(weights, dtype=np.float64)
        weighting = self._weighting
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        idf = self._searcher.idf(fieldname, encoded)
        average_length = self._searcher.avg_field_length(fieldname) or 1
        lengths = self._field_lengths(fieldname)[documents]
        # whoosh.scoring.bm25, vectorised: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))
        return documents, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * lengths / average_length)))

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            length_of = self._reader.doc_field_length
            lengths = self._lengths[fieldname] = np.array(
                [length_of(docnum, fieldname, 1) for docnum in range(self._size)], dtype=np.float64
            )
        return lengths


def _read_postings(matcher) -> tuple[list[int], list[float]]:
    """Document numbers and weights (term frequencies) of a posting list, a block at a time where the
    codec allows (Whoosh 2.7's W3LeafMatcher), else one posting at a time."""
    documents: list[int] = []
    weights: list[float] = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_read_weights") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            documents.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
        return documents, weights
    while matcher.is_active():
        documents.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return documents, weights


def top_documents(scores: np.ndarray, allowed: np.ndarray | None, start: int, stop: int) -> list[tuple[int, float]]:
    """Documents ranked start..stop by score (ties: lower document number first, as Whoosh), among
    the ``allowed`` mask when given; only documents with a positive score."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > stop:
        candidates = candidates[np.argpartition(-scores[candidates], stop - 1)[:stop]]
    order = np.lexsort((candidates, -scores[candidates]))
    ranked = candidates[order][start:stop]
    return [(int(docnum), float(scores[docnum])) for docnum in ranked]
