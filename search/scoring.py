"""Ranking: the weighting model (``PostWeighting``) and every document's score for a query under it.

Whoosh scores a document by walking a tree of matchers one document at a time (a Python step per
matching document and term). ``TermScorer`` gives the same scores as ``searcher.search`` with the same
weighting (tests/test_search_scoring.py checks documents, order and scores on generated queries of every
form) as dense vectors: each term's scores come from the weighting model's own scorer, applied to the
term's whole posting list at once (its ``_score(weight, length)`` is arithmetic, so it takes numpy
arrays), kept in an LRU bounded by bytes; OR, AND and AND NOT add or mask the children's vectors as
Whoosh's Union, Intersection and AndNot matchers add their scores. Other queries (ranges, wildcards,
an OR with a coordination ``scale``) are scored by their own Whoosh matcher. A score of 0 means no match.
Why a private scorer at all: facets and counts need every match, not the top 10, and Whoosh's matcher
walk over every match of the benchmark's queries took about ten times longer at 1,000 posts (p50 3.6 ms,
p95 14.5 ms against 0.3 and 2.3 ms here, measured on the shared machine), more than the whole search
call's 10 ms budget (bench/run.py).
"""
from __future__ import annotations

import math
import time
from collections import OrderedDict

import numpy as np
from whoosh.query import And, AndNot, Not, NullQuery, Or, Phrase, Query, Term
from whoosh.scoring import BM25F, WeightLengthScorer, WeightScorer
from whoosh.system import _INT_SIZE

from search.analysis import ContentPositions

# Bytes of cached arrays: a term's documents (4 bytes each) and scores (8), a word's occurrences (8 each).
_CACHE_BYTES = 128 * 2**20
_POSITION_BITS = 21  # positions within a document stay below 2**21
# A matcher that matches without scoring (a constant-score query scoring 0) still marks the document.
_MATCHED_WITHOUT_SCORE = 1e-9
_NO_POSTINGS = (np.zeros(0, dtype=np.int32), np.zeros(0))


class PostWeighting(BM25F):
    """BM25F with BM25's usual idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    Whoosh's own idf, ``log(N / (n + 1)) + 1``, adds 1 to every word: a word in half the posts
    ("therapy", "clients") still weighs 1.7 against 7.9 for a word in one post of 1,000, so in a
    clinician's six-word question the common words together outweigh the one rare word that says what
    the question is about. BM25's idf gives a word in half the posts about 0.7 and keeps the rare word's
    weight, the same ranking signal for a two-word blog query as for a long question.
    """

    def idf(self, searcher, fieldname, text):
        n = searcher.doc_frequency(fieldname, text)
        total = searcher.doc_count_all()
        return math.log(1 + (total - n + 0.5) / (n + 0.5))


class TermScorer:
    """Dense score vectors (one float per document, 0 = no match) for term queries over one searcher."""

    def __init__(self, searcher, document_count: int) -> None:
        self._searcher = searcher
        self._reader = searcher.reader()
        self._size = document_count
        self._weighting = searcher.weighting
        self._lengths: dict[str, np.ndarray] = {}
        self._terms: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
        self._cached_bytes = 0
        self._deadline = math.inf
        self.timed_out = False  # whether the last ``scores`` call stopped at its deadline

    def scores(self, query: Query, deadline: float | None = None) -> np.ndarray:
        """The query's score for every document (0 where it does not match).

        Past ``deadline`` (a ``time.monotonic()`` value) no further part of the query is scored: the
        vector holds what was found so far and ``timed_out`` is set.
        """
        self._deadline = math.inf if deadline is None else deadline
        self.timed_out = False
        return self._scores(query)

    def _expired(self) -> bool:
        if not self.timed_out and time.monotonic() > self._deadline:
            self.timed_out = True
        return self.timed_out

    def _scores(self, query: Query) -> np.ndarray:
        if query is NullQuery:
            return np.zeros(self._size)
        if isinstance(query, Term):
            documents, term_scores = self._term(query.fieldname, query.text)
            vector = np.zeros(self._size)
            vector[documents] = term_scores * query.boost if query.boost != 1.0 else term_scores
            return vector
        if isinstance(query, Or) and query.scale:
            return self._whoosh_scores(query)  # the coordination bonus counts matching leaves: Whoosh's CoordMatcher
        if isinstance(query, Or):
            if not query.subqueries:
                return np.zeros(self._size)
            # The children's scores added in order into one vector (as numpy's sum over stacked
            # vectors adds them): a term child adds at its own documents only.
            combined = np.zeros(self._size)
            matched = np.zeros(self._size, dtype=np.int32) if query.minmatch > 1 else None
            for child in query.subqueries:
                if self._expired():
                    break
                if isinstance(child, Term):
                    documents, term_scores = self._term(child.fieldname, child.text)
                    combined[documents] += term_scores * child.boost if child.boost != 1.0 else term_scores
                    if matched is not None:
                        matched[documents] += 1
                else:
                    child_scores = self._scores(child)
                    combined += child_scores
                    if matched is not None:
                        matched += child_scores > 0
            if matched is not None:  # minimum_should_match (search.query_nodes.MinimumShouldMatch)
                combined[matched < query.minmatch] = 0.0
        elif isinstance(query, And):
            if not query.subqueries:
                return np.zeros(self._size)
            combined = np.zeros(self._size)
            unmatched = np.zeros(self._size, dtype=bool)
            for child in query.subqueries:
                if self._expired():
                    break
                child_scores = self._scores(child)
                combined += child_scores
                unmatched |= child_scores <= 0
            combined[unmatched] = 0.0
        elif isinstance(query, AndNot):
            combined = np.where(self._scores(query.b) > 0, 0.0, self._scores(query.a))
        elif isinstance(query, Not):
            combined = np.where(self._scores(query.query) > 0, 0.0, 1.0)  # Whoosh's inverse matcher scores 1
        elif isinstance(query, Phrase) and query.slop == 1 and len(query.words) > 1:
            combined = self._phrase_scores(query.fieldname, tuple(query.words))
        else:
            return self._whoosh_scores(query)
        return combined * query.boost if query.boost != 1.0 else combined

    def _phrase_scores(self, fieldname: str, words: tuple[str, ...]) -> np.ndarray:
        """An exact phrase, scored like Whoosh (the sum of its words' scores where they stand in a row).

        Each word's occurrences are kept as sorted keys ``document << 21 | position``; the phrase
        starts where every word's keys, shifted back by the word's offset in the phrase, meet. Words
        are taken rarest first (by their number of occurrences, from the term index): the rarest
        word's keys are the candidates, checked against each next word's keys by binary search, and
        no word's postings are read once no candidate is left (or when a word is not in the field).
        """
        vector = np.zeros(self._size)
        frequencies = [self._frequency(fieldname, word) for word in words]
        if not all(frequencies):
            return vector
        starts = None
        for offset in sorted(range(len(words)), key=lambda offset: (frequencies[offset], offset)):
            keys = self._position_keys(fieldname, words[offset])
            starts = keys - offset if starts is None else starts[_sorted_contains(keys, starts + offset)]
            if not len(starts):
                return vector
        owners = starts >> _POSITION_BITS  # sorted, as the keys are
        documents = owners[np.concatenate(([True], owners[1:] != owners[:-1]))]
        # The words' scores added in phrase order at the phrase's documents (a term's documents are sorted).
        phrase_scores = np.zeros(len(documents))
        for word in words:
            term_documents, term_scores = self._term(fieldname, word)
            phrase_scores += term_scores[np.searchsorted(term_documents, documents)]
        vector[documents] = phrase_scores
        return vector

    def _frequency(self, fieldname: str, word: str) -> int:
        """How many times the word occurs in the field (0 when it does not)."""
        try:
            return self._reader.frequency(fieldname, word)
        except Exception:
            return 0

    def _position_keys(self, fieldname: str, word: str) -> np.ndarray:
        """Every occurrence of the word as ``document << 21 | position``, sorted; cached like terms.
        The postings read for them also give the word's term scores, cached too (a phrase needs them)."""
        key = ("positions", fieldname, word)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached[0]
        keys, term = self._read_positions(fieldname, word)
        self._remember(key, (keys,))
        if (fieldname, word) not in self._terms:
            self._remember((fieldname, word), term)
        return keys

    def _read_positions(self, fieldname: str, word: str) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """The word's position keys and its term's (documents, scores), from one reading of its postings."""
        field = self._searcher.schema[fieldname]
        postings, encoded = self._postings(fieldname, word)
        if postings is None:
            return np.zeros(0, dtype=np.int64), _NO_POSTINGS
        documents, tf, values = _read_postings(postings, weights=True, values=True)
        if isinstance(field.format, ContentPositions):  # count (big-endian u32), then positions as little-endian u32
            words = np.frombuffer(b"".join(values), dtype="<u4")
            sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values)) // _INT_SIZE
            counts = sizes - 1
            keep = np.ones(len(words), dtype=bool)
            keep[np.cumsum(sizes) - sizes] = False  # the counts
            positions = words[keep].astype(np.int64)
        else:
            decoded = [field.format.decode_positions(value) for value in values]
            counts = [len(found) for found in decoded]
            positions = np.asarray([position for found in decoded for position in found], dtype=np.int64)
        owners = np.repeat(documents.astype(np.int64), counts)
        return (owners << _POSITION_BITS) | positions, self._scored(fieldname, encoded, documents, tf)

    def _whoosh_scores(self, query: Query) -> np.ndarray:
        """Any other query, scored document by document by its Whoosh matcher."""
        vector = np.zeros(self._size)
        matcher = query.matcher(self._searcher, self._searcher.context())
        steps = 0
        while matcher.is_active():
            vector[matcher.id()] = matcher.score() or _MATCHED_WITHOUT_SCORE
            matcher.next()
            steps += 1
            if steps % 256 == 0 and self._expired():
                break
        return vector

    def _term(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        key = (fieldname, text)
        cached = self._terms.get(key)
        if cached is not None:
            self._terms.move_to_end(key)
            return cached
        cached = self._compute(fieldname, text)
        self._remember(key, cached)
        return cached

    def _remember(self, key: tuple, arrays: tuple[np.ndarray, ...]) -> None:
        """Cache arrays (a term's documents and scores, or a word's position keys), least recently
        used out first once the cache holds more than _CACHE_BYTES."""
        self._terms[key] = arrays
        self._cached_bytes += sum(array.nbytes for array in arrays)
        while self._cached_bytes > _CACHE_BYTES and len(self._terms) > 1:
            _, evicted = self._terms.popitem(last=False)
            self._cached_bytes -= sum(array.nbytes for array in evicted)

    def _postings(self, fieldname: str, text) -> tuple[object | None, bytes | None]:
        """A matcher over the term's postings and the term as bytes; (None, None) when there is none."""
        field = self._searcher.schema[fieldname] if fieldname in self._searcher.schema else None
        try:
            encoded = field.to_bytes(text) if field is not None else None
            return (self._reader.postings(fieldname, encoded) if encoded is not None else None), encoded
        except Exception:  # the field does not have the term
            return None, None

    def _compute(self, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """The documents with the term and their BM25F scores (Whoosh's formula and statistics)."""
        postings, encoded = self._postings(fieldname, text)
        if postings is None:
            return _NO_POSTINGS
        documents, tf, _ = _read_postings(postings, weights=True, values=False)
        return self._scored(fieldname, encoded, documents, tf)

    def _scored(self, fieldname: str, encoded: bytes, documents: np.ndarray, tf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term's scores at its documents, from the weighting model's own scorer for the term."""
        scorer = self._weighting.scorer(self._searcher, fieldname, encoded)
        if isinstance(scorer, WeightLengthScorer):  # BM25F: _score(weight, length) is plain arithmetic
            scores = np.asarray(scorer._score(tf, self._field_lengths(fieldname)[documents]), dtype=np.float64)
        elif isinstance(scorer, WeightScorer):  # a field Whoosh does not score by length (year): the weight
            scores = tf
        else:
            raise TypeError(f"no vector form for {type(scorer).__name__}")
        return documents.astype(np.int32 if self._size < 2**31 else np.int64), scores

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            length_of = self._reader.doc_field_length
            lengths = self._lengths[fieldname] = np.array(
                [length_of(docnum, fieldname, 1) for docnum in range(self._size)], dtype=np.float64
            )
        return lengths


def _read_postings(matcher, *, weights: bool, values: bool) -> tuple[np.ndarray, np.ndarray | None, list | None]:
    """A fresh posting matcher's documents (sorted), and its weights and values if asked for.

    Whoosh 2.7's W3LeafMatcher is read a block at a time: each block's document numbers (delta coded
    from 0 within the block) and weights are gathered as they are unpickled and decoded with numpy at
    the end, with no Python step per posting. Any other matcher is walked posting by posting.
    """
    found_weights: list[float] = []
    found_values: list = []
    if all(hasattr(matcher, name) for name in ("_read_data", "_read_weights", "_read_values", "_next_block")) \
            and not getattr(matcher, "_byteids", True):
        deltas: list[int] = []
        lengths: list[int] = []
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            block_ids = matcher._data[0]
            deltas.extend(block_ids)
            lengths.append(len(block_ids))
            if weights:
                matcher._read_weights()
                found_weights.extend(matcher._weights)
            if values:
                matcher._read_values()
                found_values.extend(matcher._values)
            matcher._next_block()
        documents = np.cumsum(np.asarray(deltas, dtype=np.int64))
        if len(lengths) > 1:  # each block's deltas start from 0: take back the sums of the blocks before
            ends = np.cumsum(lengths)
            documents -= np.repeat(np.concatenate(([0], documents[ends[:-1] - 1])), lengths)
    else:
        found_documents: list[int] = []
        while matcher.is_active():
            found_documents.append(matcher.id())
            if weights:
                found_weights.append(matcher.weight())
            if values:
                found_values.append(matcher.value())
            matcher.next()
        documents = np.asarray(found_documents, dtype=np.int64)
    return (
        documents,
        np.asarray(found_weights, dtype=np.float64) if weights else None,
        found_values if values else None,
    )


def _sorted_contains(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Whether each of ``wanted`` is in ``keys`` (sorted), by binary search."""
    if not len(keys):
        return np.zeros(len(wanted), dtype=bool)
    found = np.searchsorted(keys, wanted)
    np.minimum(found, len(keys) - 1, out=found)
    return keys[found] == wanted


def top_documents(scores: np.ndarray, allowed: np.ndarray | None, tie_rank: np.ndarray, start: int, stop: int
                  ) -> list[tuple[int, float]]:
    """Documents ranked start..stop in a total order: score (highest first), then ``tie_rank`` (each
    document's place by date and id), among the ``allowed`` mask when given; positive scores only.
    Every document tied with the last one kept is ordered before the page is cut, so pages of one
    ranking never repeat or skip a document."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > stop:
        threshold = np.partition(scores[candidates], len(candidates) - stop)[len(candidates) - stop]
        candidates = candidates[scores[candidates] >= threshold]
    order = np.lexsort((tie_rank[candidates], -scores[candidates]))
    ranked = candidates[order][start:stop]
    return [(int(docnum), float(scores[docnum])) for docnum in ranked]
