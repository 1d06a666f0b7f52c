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
from whoosh.system import _INT_SIZE

from search.analysis import ContentPositions

_CACHED_POSTINGS = 3_000_000  # entries of the cached arrays (postings or occurrences)
_POSITION_BITS = 21  # positions within a document stay below 2**21
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
        self._terms: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
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
        """An exact phrase, scored like Whoosh (the sum of its words' scores where they stand in a row).

        Each word's occurrences are kept as sorted keys ``document << 21 | position``; the phrase
        holds where the first word's keys, shifted by one per following word, meet every next word's
        keys: a few vector intersections, whatever the number of documents.
        """
        vector = np.zeros(self._size)
        keys = self._position_keys(fieldname, words[0])
        for offset, word in enumerate(words[1:], start=1):
            if not len(keys):
                break
            keys = np.intersect1d(keys, self._position_keys(fieldname, word) - offset, assume_unique=True)
        if len(keys):
            for documents, term_scores in (self._term(fieldname, word) for word in words):
                vector[documents] += term_scores
            keep = np.zeros(self._size, dtype=bool)
            keep[np.unique(keys >> _POSITION_BITS)] = True
            vector[~keep] = 0.0
        return vector

    def _position_keys(self, fieldname: str, word: str) -> np.ndarray:
        """Every occurrence of the word as ``document << 21 | position``, sorted; cached like terms."""
        key = ("positions", fieldname, word)
        cached = self._terms.get(key)
        if cached is None:
            cached = (self._read_position_keys(fieldname, word),)
            self._remember(key, cached)
        else:
            self._terms.move_to_end(key)
        return cached[0]

    def _read_position_keys(self, fieldname: str, word: str) -> np.ndarray:
        field = self._searcher.schema[fieldname]
        try:
            matcher = self._reader.postings(fieldname, field.to_bytes(word))
        except Exception:  # the field does not have the word
            return np.zeros(0, dtype=np.int64)
        documents: list[int] = []
        counts: list[int] = []
        if isinstance(field.format, ContentPositions):  # count, then positions as little-endian u32
            chunks = []
            for docnum, value in _postings(matcher, "values"):
                documents.append(docnum)
                counts.append(int.from_bytes(value[:_INT_SIZE], "big"))
                chunks.append(value[_INT_SIZE:])
            positions = np.frombuffer(b"".join(chunks), dtype="<u4").astype(np.int64)
        else:
            decoded = []
            for docnum, value in _postings(matcher, "values"):
                found = field.format.decode_positions(value)
                documents.append(docnum)
                counts.append(len(found))
                decoded.extend(found)
            positions = np.asarray(decoded, dtype=np.int64)
        owners = np.repeat(np.asarray(documents, dtype=np.int64), counts)
        return (owners << _POSITION_BITS) | positions

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
        self._remember(key, cached)
        return cached

    def _remember(self, key: tuple, arrays: tuple[np.ndarray, ...]) -> None:
        """Cache arrays (a term's documents and scores, or a word's position keys), least recently
        used out first once the cache holds more than _CACHED_POSTINGS entries."""
        self._terms[key] = arrays
        self._cached_postings += len(arrays[0])
        while self._cached_postings > _CACHED_POSTINGS and len(self._terms) > 1:
            _, evicted = self._terms.popitem(last=False)
            self._cached_postings -= len(evicted[0])

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
        pairs = list(_postings(postings, "weights"))
        documents = np.fromiter((docnum for docnum, _ in pairs), dtype=np.int64, count=len(pairs))
        tf = np.fromiter((weight for _, weight in pairs), dtype=np.float64, count=len(pairs))
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


def _postings(matcher, part: str):
    """(document, weight) or (document, value) of each posting (``part`` is "weights" or
    "values"), a block at a time where the codec allows (Whoosh 2.7's W3LeafMatcher), else one
    posting at a time."""
    read_part = getattr(matcher, f"_read_{part}", None)
    if read_part is not None and hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            read_part()
            yield from zip(matcher._ids, getattr(matcher, f"_{part}"))
            matcher._next_block()
        return
    posting_part = matcher.weight if part == "weights" else matcher.value
    while matcher.is_active():
        yield matcher.id(), posting_part()
        matcher.next()


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
