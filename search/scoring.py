"""Ranking: the weighting model (``PostWeighting``) and every document's match and score for a query.

``Scorer.evaluate`` walks a query tree once and returns, for every document, whether it matches and
its score: a term's postings come from the postings file (search.postings) as arrays, and its scores
from Whoosh's own BM25 formula (``whoosh.scoring.bm25``) over the field lengths and statistics Whoosh
keeps, so they equal ``searcher.search``'s with the same weighting (tests/test_search_scoring.py
compares them on generated queries of every form): each operator combines scores as Whoosh's matchers
do. A restriction (search.query.Restriction) matches the documents the engine resolves for it and
scores nothing. Each evaluation has a deadline: past it, no further part is scored and the match's
``timed_out`` says it may be incomplete.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from whoosh.query import And, AndMaybe, AndNot, Not, NullQuery, Or, Phrase, Prefix, Query, Term, Wildcard
from whoosh.scoring import BM25F, bm25

from search.postings import Postings, PostingsReader
from search.query import Restriction


def bm25_idf(frequency: int, documents: int) -> float:
    """BM25's usual idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``."""
    return math.log(1 + (documents - frequency + 0.5) / (frequency + 0.5))


class PostWeighting(BM25F):
    """BM25F with BM25's usual idf (``bm25_idf``).

    Whoosh's own idf, ``log(N / (n + 1)) + 1``, adds 1 to every word: a word in half the posts
    ("therapy", "clients") still weighs 1.7 against 7.9 for a word in one post of 1,000, so in a
    clinician's six-word question the common words together outweigh the one rare word that says what
    the question is about. BM25's idf gives a word in half the posts about 0.7 and keeps the rare word's
    weight, the same ranking signal for a two-word blog query as for a long question.
    """

    def idf(self, searcher, fieldname, text):
        return bm25_idf(searcher.doc_frequency(fieldname, text), searcher.doc_count_all())


@dataclass
class Match:
    """Every document's match (a boolean mask) and score under one query."""

    mask: np.ndarray
    scores: np.ndarray
    timed_out: bool = False  # the deadline passed before every part was scored


class Scorer:
    """Evaluates queries over one index: its postings, its field lengths and Whoosh's BM25 parameters."""

    def __init__(self, postings: Postings, searcher, fields) -> None:
        """``searcher``: a Whoosh searcher of the same index, read once for the fields' lengths."""
        self.postings = postings
        self.size = searcher.doc_count_all()
        self._weighting = PostWeighting()
        reader = searcher.reader()
        self._lengths = {name: np.array([reader.doc_field_length(docnum, name, 1) for docnum in range(self.size)],
                                        dtype=np.float64) for name in fields}
        self._average = {name: searcher.avg_field_length(name) or 1 for name in fields}

    def evaluate(self, reader: PostingsReader, query: Query, restrict: Callable[[Restriction], np.ndarray],
                 deadline: float = math.inf) -> Match:
        """The query's match and score for every document. ``restrict`` gives a restriction's documents."""
        evaluation = _Evaluation(self, reader, restrict, deadline)
        match = evaluation.match(query)
        match.timed_out = evaluation.timed_out
        return match

    def term_scores(self, field: str, documents: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
        """BM25 scores of a term with these postings in the field (Whoosh's formula and statistics)."""
        idf = bm25_idf(len(documents), self.size)
        return bm25(idf, frequencies, self._lengths[field][documents], self._average[field],
                    self._weighting.B, self._weighting.K1)


class _Evaluation:
    """One walk of a query tree."""

    def __init__(self, scorer: Scorer, reader: PostingsReader, restrict, deadline: float) -> None:
        self.scorer, self.reader, self.restrict, self.deadline = scorer, reader, restrict, deadline
        self.timed_out = False

    def nothing(self) -> Match:
        return Match(np.zeros(self.scorer.size, dtype=bool), np.zeros(self.scorer.size))

    def expired(self) -> bool:
        self.timed_out = self.timed_out or time.monotonic() > self.deadline
        return self.timed_out

    def match(self, query: Query) -> Match:
        if isinstance(query, Restriction):
            mask = self.restrict(query) if query.query is None else self.match(query.query).mask
            return Match(mask, np.zeros(self.scorer.size))
        if isinstance(query, Term):
            result = self.term(query.fieldname, query.text)
        elif isinstance(query, Phrase):
            result = self.phrase(query.fieldname, tuple(query.words))
        elif isinstance(query, (Prefix, Wildcard)):
            pattern = query.text + "*" if isinstance(query, Prefix) else query.text
            terms = self.scorer.postings.expand(query.fieldname, pattern)
            result = self.match(Or([Term(query.fieldname, term) for term in terms])) if terms else self.nothing()
        elif isinstance(query, Not):
            result = Match(~self.match(query.query).mask, np.zeros(self.scorer.size))
        elif isinstance(query, AndNot):
            first, second = self.match(query.a), self.match(query.b)
            keep = first.mask & ~second.mask
            result = Match(keep, np.where(keep, first.scores, 0.0))
        elif isinstance(query, AndMaybe):
            first, second = self.match(query.a), self.match(query.b)
            result = Match(first.mask, np.where(first.mask, first.scores + second.scores, 0.0))
        elif isinstance(query, (Or, And)) and query.subqueries:
            matches = (self.match(child) for child in query.subqueries if not self.expired())
            result = next(matches, None) or self.nothing()
            for found in matches:
                if isinstance(query, Or):
                    result = Match(result.mask | found.mask, result.scores + found.scores)
                else:
                    both = result.mask & found.mask
                    result = Match(both, np.where(both, result.scores + found.scores, 0.0))
        else:  # NullQuery, an empty group, or a query form this program never builds
            return self.nothing()
        if query.boost != 1.0:
            result.scores = result.scores * query.boost
        return result

    def term(self, field: str, text: str) -> Match:
        postings = self.reader.postings(field, text)
        result = self.nothing()
        if len(postings):
            documents = postings["doc"]
            result.mask[documents] = True
            result.scores[documents] = self.scorer.term_scores(field, documents, postings["frequency"].astype(np.float64))
        return result

    def phrase(self, field: str, words: tuple[str, ...]) -> Match:
        """An exact phrase, scored like Whoosh: the sum of its words' scores where they stand in a row."""
        if not all(self.scorer.postings.doc_frequency(field, word) for word in words):
            return self.nothing()
        documents = np.unique(self.reader.phrase(field, words)[1])
        result = self.nothing()
        result.mask[documents] = True
        for word in words:
            result.scores[documents] += self.term(field, word).scores[documents]
        return result


def top_documents(scores: np.ndarray, among: np.ndarray, tie_rank: np.ndarray, start: int, stop: int
                  ) -> list[tuple[int, float]]:
    """The documents of the ``among`` mask ranked start..stop in a total order: score (highest first),
    then ``tie_rank`` (each document's place by date and id). Every document tied with the last one
    kept is ordered before the page is cut, so pages of one ranking never repeat or skip a document."""
    candidates = np.flatnonzero(among)
    if len(candidates) > stop:
        threshold = np.partition(scores[candidates], len(candidates) - stop)[len(candidates) - stop]
        candidates = candidates[scores[candidates] >= threshold]
    order = np.lexsort((tie_rank[candidates], -scores[candidates]))
    return [(int(docnum), float(scores[docnum])) for docnum in candidates[order][start:stop]]
