""""Did you mean" over the seed index: ordinary English is never corrected, typos are, and a word
after a field prefix is corrected against that field's own values."""
from __future__ import annotations

import pytest

from search.did_you_mean import is_ordinary_english
from search.engine import SearchEngine
from search.request import SearchRequest


@pytest.fixture(scope="module")
def engine(index_root):
    engine = SearchEngine(index_root)
    yield engine
    engine.close()


def _suggestion(engine: SearchEngine, query: str) -> str | None:
    return engine.search(SearchRequest(query=query)).suggestion


@pytest.mark.parametrize(
    "query",
    [
        "does supervision matter",        # was "manner"
        "what matters for outcomes",      # was "mastery"
        "how long should therapy last",   # was "least"
        "is it worth the cost",
        "barriers to seeking care",
        "CBT for insomnia",               # an acronym, in capitals
        "Barkham",                        # an author of the posts
        "burnout supervision",
    ],
)
def test_ordinary_words_and_known_words_are_not_corrected(engine, query):
    assert _suggestion(engine, query) is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("supervison", "supervision"),
        ("mentalizng training", "mentalizing training"),
        ("burnuot", "burnout"),
        ("what protects therapists from low wellbeing and burnuot?", "what protects therapists from low wellbeing and burnout?"),
    ],
)
def test_typos_are_corrected(engine, query, expected):
    assert _suggestion(engine, query) == expected


def test_a_misspelled_query_with_no_hits_is_retried(engine):
    response = engine.search(SearchRequest(query="supervison"))
    assert response.corrected and response.total > 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author:Barkam", "author:Barkham"),
        ("author:Sumers", "author:Summers"),
        ('journal:"Psychotherapy Reserch"', 'journal:"Psychotherapy Research"'),
    ],
)
def test_typos_after_a_field_prefix_are_corrected_against_that_field(engine, query, expected):
    assert _suggestion(engine, query) == expected
    assert engine.search(SearchRequest(query=expected)).total > 0


def test_a_field_word_is_never_corrected_into_a_prose_word(engine):
    """"supervison" is one edit from a word of the posts, but no author is called that."""
    assert _suggestion(engine, "author:Supervison") is None


def test_a_capitalised_unknown_word_is_not_corrected_into_a_common_word(engine):
    """A name-like word is only corrected to an author's name: "Theraply" stays as typed."""
    assert _suggestion(engine, "Theraply") is None
    assert _suggestion(engine, "theraply") == "therapy"


def test_the_english_word_list_is_the_installed_package():
    assert is_ordinary_english("matter") and is_ordinary_english("least")
    assert not is_ordinary_english("supervison") and not is_ordinary_english("barkham")
