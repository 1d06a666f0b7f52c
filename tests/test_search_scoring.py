"""Score vectors (search.scoring) against plain references on a small synthetic index.

- postings read a block at a time equal Whoosh's matcher walked posting by posting;
- OR adds its children in order (exactly what summing the stacked dense vectors gave), AND and
  AND NOT keep their meaning;
- phrases found by binary search from the rarest word match Whoosh's own phrase matcher, with the
  same documents and scores (to rounding), and exactly the sum of the words' scores;
- a tiny cache that evicts constantly gives the same scores as a large one.
"""
from __future__ import annotations

import numpy as np
import pytest
from whoosh.query import And, AndNot, Not, Or, Phrase, Term

import search.scoring as scoring
from bench import synth
from bench.workload import make_workload
from search.engine import SearchEngine
from search.query import parse_query
from search.scoring import TermScorer, _read_postings, _sorted_contains
from search.store import write_index

POSTS = 400


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring-index")
    write_index((synth.post_at(number, synth.DEFAULT_SEED) for number in range(POSTS)), root)
    engine = SearchEngine(root)
    engine.stats()
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def searcher(engine):
    return engine._snapshot.searcher


def _fresh_scorer(searcher) -> TermScorer:
    return TermScorer(searcher, searcher.doc_count_all())


def _walked(matcher, *, values: bool):
    documents, weights, found = [], [], []
    while matcher.is_active():
        documents.append(matcher.id())
        weights.append(matcher.weight())
        if values:
            found.append(matcher.value())
        matcher.next()
    return documents, weights, found


@pytest.mark.parametrize("fieldname", ["text", "title", "implications", "authors", "journal", "year"])
def test_block_reading_equals_walking_the_postings(searcher, fieldname):
    reader = searcher.reader()
    terms = list(reader.lexicon(fieldname))
    assert terms
    for term in terms[:: max(1, len(terms) // 60)]:
        documents, weights, values = _read_postings(reader.postings(fieldname, term), weights=True, values=True)
        walked_documents, walked_weights, walked_values = _walked(reader.postings(fieldname, term), values=True)
        assert documents.tolist() == walked_documents
        assert weights.tolist() == walked_weights
        assert values == walked_values


def test_the_posting_by_posting_path_equals_the_block_path(searcher):
    class Walked:  # a matcher without Whoosh's block internals
        def __init__(self, matcher):
            self._matcher = matcher

        def __getattr__(self, name):
            if name.startswith("_"):
                raise AttributeError(name)
            return getattr(self._matcher, name)

    reader = searcher.reader()
    for term in list(reader.lexicon("text"))[:40]:
        fast = _read_postings(reader.postings("text", term), weights=True, values=True)
        slow = _read_postings(Walked(reader.postings("text", term)), weights=True, values=True)
        assert fast[0].tolist() == slow[0].tolist() and fast[1].tolist() == slow[1].tolist() and fast[2] == slow[2]


def _reference(scorer: TermScorer, query) -> np.ndarray:
    """The scores as dense vectors combined the plain way (phrases by Whoosh's own matcher)."""
    size = scorer._size
    if isinstance(query, Term):
        vector = np.zeros(size)
        encoded = scorer._searcher.schema[query.fieldname].to_bytes(query.text)
        if scorer._reader.doc_frequency(query.fieldname, encoded):
            documents, weights, _ = _walked(scorer._reader.postings(query.fieldname, encoded), values=False)
            _, term_scores = scorer._scored(query.fieldname, encoded, np.asarray(documents), np.asarray(weights, dtype=np.float64))
            vector[documents] = term_scores * query.boost if query.boost != 1.0 else term_scores
        return vector
    if isinstance(query, (Or, And)):
        children = [_reference(scorer, child) for child in query.subqueries]
        combined = np.sum(children, axis=0)
        if isinstance(query, And):
            combined[np.any(np.asarray(children) <= 0, axis=0)] = 0.0
        elif query.minmatch > 1:  # minimum_should_match
            combined[np.sum(np.asarray(children) > 0, axis=0) < query.minmatch] = 0.0
    elif isinstance(query, AndNot):
        combined = np.where(_reference(scorer, query.b) > 0, 0.0, _reference(scorer, query.a))
    elif isinstance(query, Not):
        combined = np.where(_reference(scorer, query.query) > 0, 0.0, 1.0)
    else:
        return scorer._whoosh_scores(query)
    return combined * query.boost if query.boost != 1.0 else combined


def _has_phrase(query) -> bool:
    return isinstance(query, Phrase) or (not query.is_leaf() and any(_has_phrase(child) for child in query.children()))


def _queries() -> list[str]:
    workload = [query.q for query in make_workload(120, POSTS, seed=7, corpus_seed=synth.DEFAULT_SEED)]
    return workload + [
        "alliance AND rupture", "burnout AND supervision AND therapists", "alliance NOT rupture", "-therapy outcome",
        "title:alliance OR implications:alliance", '"therapy therapy"', '"the of"', '"no such words here"',
        '"alliance rupture repair" therapists', "year:[2015 TO 2018]", "onlin*", "author:Abbott",
    ]


def test_scores_match_the_plain_reference(searcher):
    scorer = _fresh_scorer(searcher)
    for text in _queries():
        query = parse_query(text).query
        if query.is_leaf() and not isinstance(query, (Term, Phrase)):
            continue
        got = scorer.scores(query)
        expected = _reference(scorer, query)
        assert np.array_equal(got != 0, expected != 0), text
        if _has_phrase(query):  # Whoosh's phrase matcher adds the words' scores in its own order
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=text)
        else:
            assert np.array_equal(got, expected), text


def test_phrase_scores_are_the_sum_of_the_words_scores_in_phrase_order(searcher):
    scorer = _fresh_scorer(searcher)
    for text in [query for query in _queries() if query.startswith('"')]:
        for phrase in [parse_query(text).query]:
            phrases = [phrase] if isinstance(phrase, Phrase) else [p for p in getattr(phrase, "subqueries", ()) if isinstance(p, Phrase)]
            for query in phrases:
                got = scorer._phrase_scores(query.fieldname, tuple(query.words))
                expected = np.zeros(scorer._size)
                for word in query.words:
                    documents, term_scores = scorer._term(query.fieldname, word)
                    expected[documents] += term_scores
                expected[got == 0] = 0.0
                assert np.array_equal(got, expected), text
                assert np.array_equal(got > 0, scorer._whoosh_scores(query) > 0), text


def test_a_tiny_cache_gives_the_same_scores(searcher, monkeypatch):
    roomy = _fresh_scorer(searcher)
    expected = {text: roomy.scores(parse_query(text).query) for text in _queries()}
    monkeypatch.setattr(scoring, "_CACHE_BYTES", 2_000)
    tiny = _fresh_scorer(searcher)
    for _ in range(2):
        for text, scores in expected.items():
            assert np.array_equal(tiny.scores(parse_query(text).query), scores), text
    assert tiny._cached_bytes <= 2_000 or len(tiny._terms) == 1


def test_sorted_contains():
    keys = np.array([2, 5, 9], dtype=np.int64)
    assert _sorted_contains(keys, np.array([0, 2, 3, 9, 10])).tolist() == [False, True, False, True, False]
    assert _sorted_contains(np.zeros(0, dtype=np.int64), np.array([1])).tolist() == [False]
