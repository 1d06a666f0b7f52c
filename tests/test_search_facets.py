"""Facet counting over numpy arrays (search.facets) against a plain reference over Python sets.

The reference is the counting the engine did before the arrays: for each facet, the matching documents
narrowed by the other facets' selections, each post counted once per value, ranked by count then
folded value (years: newest first), ties in the order values were first seen, the top ``limit``
shown (None: all; every year), then any selected value not shown; research types then in evidence-hierarchy order;
and how many values each facet has in all.
"""
from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from bench import synth
from search.evidence import hierarchy_order
from search.facets import FACET_NAMES as FACETS
from search.facets import FacetIndex, _by_count_then_value, facet_values
from search.post import Post


def _reference_counts(posts: dict[int, Post], matching: set[int], selections: dict, limit: int | None) -> tuple[dict, dict]:
    values_of = {docnum: facet_values(post) for docnum, post in posts.items()}
    first_seen: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    for docnum in sorted(posts):
        for facet in FACETS:
            for value in values_of[docnum][facet]:
                first_seen[facet].setdefault(value, len(first_seen[facet]))
    result, totals = {}, {}
    for facet in FACETS:
        base = set(matching)
        for name, values in selections.items():
            if name != facet and values:
                base &= {docnum for docnum in posts if set(values_of[docnum][name]) & set(values)}
        counter = Counter(value for docnum in base for value in set(values_of[docnum][facet]))
        totals[facet] = len(counter)
        items = sorted(counter.items(), key=lambda item: first_seen[facet][item[0]])
        ranked = sorted(items, key=_by_count_then_value(facet))[:None if facet == "year" else limit]
        selected = set(selections.get(facet, ()))
        shown = {value for value, _ in ranked}
        ranked += [(value, counter.get(value, 0)) for value in selected if value not in shown]
        if facet == "type":  # research types: strongest evidence first, whatever their counts
            ranked.sort(key=lambda item: hierarchy_order(item[0]))
        result[facet] = [(value, count, value in selected) for value, count in ranked]
    return result, totals


def _engine_counts(index: FacetIndex, matching: set[int], selections: dict, limit: int | None) -> tuple[dict, dict]:
    mask = np.zeros(index.size, dtype=bool)
    mask[list(matching)] = True
    counts, totals = index.counts(mask, selections, limit=limit)
    return {facet: [(c.value, c.count, c.selected) for c in found] for facet, found in counts.items()}, totals


def _odd_posts() -> list[Post]:
    """Values differing only in case, a repeated author, ties, a post without journal or year."""
    def post(number: int, **fields) -> Post:
        return Post(id=f"odd-{number}", url=None, issue_date="2020-01", title=f"Odd {number}", **fields)

    return [
        post(1, authors=("Smith, J.", "smith, j.", "Smith, J."), journal="Psychotherapy", year=2019,
             topics=("Training", "training"), research_types=("survey",)),
        post(2, authors=("smith, j.", "Lee, A."), journal="psychotherapy", year=2019, topics=("training",)),
        post(3, authors=("Lee, A.",), journal=None, year=None, topics=("Training",)),
        post(4, authors=("Zed, Q.", "Adams, B."), journal="Psychotherapy", year=2021, topics=("Alliance",)),
        post(5, authors=("Adams, B.",), journal="Counselling", year=2020, research_types=("survey", "qualitative")),
    ]


@pytest.fixture(scope="module")
def corpus() -> tuple[FacetIndex, dict[int, Post]]:
    posts = [synth.post_at(number, synth.DEFAULT_SEED) for number in range(600)]
    posts[10:10] = _odd_posts()
    by_docnum = dict(enumerate(posts))
    index = FacetIndex()
    for docnum, post in by_docnum.items():
        index.add(docnum, post)
    return index, by_docnum


def _selections(rng: random.Random, posts: dict[int, Post], facets_chosen: int) -> dict:
    selections = {}
    for facet in rng.sample(FACETS, facets_chosen):
        values = [value for post in rng.sample(list(posts.values()), 3) for value in facet_values(post)[facet]]
        chosen = tuple(dict.fromkeys(rng.sample(values, min(len(values), rng.randint(1, 2)))))
        if rng.random() < 0.2:
            chosen += ("A value no post has",)
        if chosen:
            selections[facet] = chosen
    return selections


@pytest.mark.parametrize("share", [0.0, 0.003, 0.02, 0.06, 0.2, 0.7, 1.0])
@pytest.mark.parametrize("facets_chosen", [0, 1, 2, 3])
@pytest.mark.parametrize("limit", [3, 50, None])
def test_counts_match_the_reference(corpus, share, facets_chosen, limit):
    index, posts = corpus
    rng = random.Random(f"{share}-{facets_chosen}-{limit}")
    for _ in range(4):
        matching = {docnum for docnum in posts if rng.random() < share}
        selections = _selections(rng, posts, facets_chosen)
        assert _engine_counts(index, matching, selections, limit) == _reference_counts(posts, matching, selections, limit)


def test_odd_values_count_each_post_once_and_tie_in_first_seen_order(corpus):
    index, posts = corpus
    odd = {docnum for docnum, post in posts.items() if post.id.startswith("odd-")}
    counts, totals = _engine_counts(index, odd, {}, 50)
    assert (counts, totals) == _reference_counts(posts, odd, {}, 50)
    assert totals["year"] == 3 and totals["journal"] == 3  # "Psychotherapy", "psychotherapy", "Counselling"
    assert ("Smith, J.", 1, False) in counts["author"] and ("smith, j.", 2, False) in counts["author"]
    assert counts["year"][:3] == [("2019", 2, False), ("2021", 1, False), ("2020", 1, False)]


def test_selections_mask_and_documents(corpus):
    index, posts = corpus
    reference = {docnum for docnum, post in posts.items() if "Lee, A." in post.authors or post.journal == "Counselling"}
    found = index.mask_of_any("author", ["Lee, A."]) | index.mask_of_any("journal", ["Counselling"])
    assert set(np.flatnonzero(found).tolist()) == reference
    assert not index.mask_of_any("author", ["Nobody, N."]).any()
    allowed = index.allowed({"author": ("Lee, A.", "Adams, B."), "journal": ("Counselling",)})
    assert set(np.flatnonzero(allowed).tolist()) == {
        docnum for docnum, post in posts.items()
        if {"Lee, A.", "Adams, B."} & set(post.authors) and post.journal == "Counselling"
    }
    assert index.allowed({}) is None
    assert not index.allowed({"topic": ()}).any()  # a selection that resolved to no value allows no post


def test_all_counts_count_posts(corpus):
    index, posts = corpus
    for facet in FACETS:
        expected = _reference_counts(posts, set(posts), {}, None)[0][facet]
        assert [(c.value, c.count) for c in index.all_counts(facet)] == [(value, count) for value, count, _ in expected]


def test_an_empty_index_counts_nothing():
    index = FacetIndex()
    counts, totals = index.counts(np.zeros(0, dtype=bool), {"topic": ("Training",)})
    assert [(c.value, c.count, c.selected) for c in counts["topic"]] == [("Training", 0, True)]
    assert counts["author"] == [] and totals["topic"] == 0


def test_research_types_are_listed_strongest_evidence_first():
    index = FacetIndex()
    kinds = ["qualitative"] * 5 + ["meta-analysis"] + ["survey"] * 3 + ["randomized controlled trial"] * 2
    for docnum, kind in enumerate(kinds):
        index.add(docnum, Post(id=str(docnum), url=None, issue_date="2020-01", title="T", research_types=(kind,)))
    expected = ["meta-analysis", "randomized controlled trial", "survey", "qualitative"]
    assert [count.value for count in index.all_counts("type")] == expected
    counts, _ = index.counts(np.ones(len(kinds), dtype=bool), {})
    assert [(count.value, count.count) for count in counts["type"]] == list(zip(expected, [1, 2, 3, 5]))


def test_the_facet_table_is_what_requests_accept():
    from search.request import InvalidRequest, SearchRequest

    post = Post(id="p", url=None, issue_date="2020-01", title="T", authors=("Firth, N.",), journal="Psychotherapy",
                year=2019, topics=("Training",), research_types=("survey",))
    assert facet_values(post) == {"topic": ("Training",), "type": ("survey",), "journal": ("Psychotherapy",),
                                  "author": ("Firth, N.",), "year": ("2019",)}
    request = SearchRequest.from_params(filters={name: ["2019" if name == "year" else "x"] for name in FACETS})
    assert set(request.filters) == set(FACETS)
    with pytest.raises(InvalidRequest, match="unknown filter"):
        SearchRequest.from_params(filters={"colour": ["red"]})
