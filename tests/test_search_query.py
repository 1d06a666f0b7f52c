"""The query language: field prefixes, phrases, boolean operators, DOI look-up, year ranges, and a
parser that never raises (hypothesis over any text, plus a table of known-nasty inputs)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index


PROJECT = Path(__file__).resolve().parents[1]
SEED_IDS = {
    "telepsychology": "2021-02-the-covid-19-telepsychology-revolution",
    "workplace": "2021-01-psychological-practitioner-workplace",
    "mentalizing": "2021-01-mentalizing-may-be-a-protective-factor",
    "train": "2021-01-can-therapists-train-to-improve-their",
    "supervision": "2020-09-supervision-in-psychotherapy-the-impact",
    "lives": "2020-08-why-does-where-a-patient-lives-affect",
}


def _post(post_id: str, **fields) -> Post:
    fields.setdefault("title", "Untitled note")
    fields.setdefault("issue_date", "2021-01")
    return Post(id=post_id, url=None, **fields)


def _ids(engine: SearchEngine, query: str) -> set[str]:
    response = engine.search(SearchRequest(query=query, page_size=50))
    assert response.total == len(response.hits), "page_size 50 should hold every hit of these small indexes"
    return {hit.post.id for hit in response.hits}


# ---------------------------------------------------------------------------------------------
# A hand-made index: each probe word sits in one field of the "field-*" post and in the summary
# (or another field) of the "decoy-*" post, so a prefix must tell them apart.
# ---------------------------------------------------------------------------------------------
def _query_posts() -> list[Post]:
    return [
        _post(
            "field-post",
            title="Zebrafinch lessons for clinicians",
            summary="A survey of clinicians about their caseloads.",
            implications="Clinicians should ask about okapi habits.",
            authors=("Quillfeather, A. B.", "Lo Coco, G."),
            journal="Journal of Marmoset Studies",
            year=2019,
            topics=("Training", "Therapist Factors"),
            research_types=("meta-analysis",),
            doi="10.9999/zzz.0001",
        ),
        _post(
            "decoy-post",
            title="Caseloads and clinicians",
            summary=(
                "Quillfeather mentioned zebrafinch and okapi in 2019 while reading the Journal of "
                "Marmoset Studies; this training meta-analysis covers therapist factors."
            ),
            implications="Use supervision.",
            authors=("Nightingale, F.",),
            journal="Psychotherapy Research",
            year=2021,
            topics=("Supervision",),
            research_types=("survey",),
        ),
        # Boolean probes: apple/banana/cherry in every combination that matters.
        _post("ab", summary="apple banana", year=2016),
        _post("ac", summary="apple cherry", year=2017),
        _post("bc", summary="banana cherry", year=2018),
        _post("abc", summary="apple banana cherry", year=2020),
        _post("none", summary="durian only", year=2022),
    ]


ALL_IDS = {post.id for post in _query_posts()}


@pytest.fixture(scope="module")
def query_engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("query-index")
    write_index(_query_posts(), root)
    engine = SearchEngine(root)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def query_seed_engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("query-seed-index")
    build_index(PROJECT / "corpus", root)
    engine = SearchEngine(root)
    yield engine
    engine.close()


@pytest.mark.parametrize(
    ("plain", "fielded"),
    [
        ("Quillfeather", "author:Quillfeather"),
        ("Quillfeather", "authors:quillfeather"),
        ('"Marmoset Studies"', 'journal:"Marmoset Studies"'),
        ("marmoset", "journal:marmoset"),
        ("2019", "year:2019"),
        ("training", "topic:Training"),
        ('"therapist factors"', 'topic:"Therapist Factors"'),
        ("meta-analysis", "type:meta-analysis"),
        ("zebrafinch", "title:zebrafinch"),
        ("okapi", "implications:okapi"),
    ],
)
def test_field_prefix_restricts_to_that_field(query_engine, plain, fielded):
    assert "decoy-post" in _ids(query_engine, plain), "the decoy writes the word outside the field"
    assert _ids(query_engine, fielded) == {"field-post"}


@pytest.mark.parametrize(
    "query",
    [
        "implications:zebrafinch",  # only in the title and the decoy's summary
        "implications:marmoset",
        "title:okapi",
        "author:zebrafinch",
        "journal:okapi",
        "topic:meta-analysis",
        "type:training",
        "year:2018 AND title:zebrafinch",
    ],
)
def test_a_word_outside_the_field_is_not_found_by_the_prefix(query_engine, query):
    assert _ids(query_engine, query) == set()


def test_a_word_only_in_a_summary_is_not_found_by_implications(query_engine):
    assert _ids(query_engine, "caseloads") == {"field-post", "decoy-post"}
    assert _ids(query_engine, "implications:caseloads") == set()
    assert _ids(query_engine, "implications:supervision") == {"decoy-post"}


def test_author_phrase_prefix(query_engine):
    assert _ids(query_engine, 'author:"Lo Coco"') == {"field-post"}
    assert _ids(query_engine, 'author:"Coco Lo"') == set()


def test_field_prefix_is_case_insensitive_in_its_value(query_engine):
    assert _ids(query_engine, "author:QUILLFEATHER") == {"field-post"}
    assert _ids(query_engine, "journal:MARMOSET") == {"field-post"}
    assert _ids(query_engine, "topic:training") == {"field-post"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"apple banana"', {"ab", "abc"}),
        ('"banana cherry"', {"bc", "abc"}),
        ('"banana apple"', set()),
        ('"apple cherry"', {"ac"}),
        ('"apple banana cherry"', {"abc"}),
        ('"zebrafinch lessons"', {"field-post"}),
        ('"lessons zebrafinch"', set()),
    ],
)
def test_quoted_phrases_match_exact_sequences(query_engine, query, expected):
    assert _ids(query_engine, query) == expected


OTHER_THAN = lambda *ids: ALL_IDS - set(ids)  # noqa: E731


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apple", {"ab", "ac", "abc"}),
        ("apple banana", {"ab", "ac", "bc", "abc"}),
        ("apple OR cherry", {"ab", "ac", "bc", "abc"}),
        ("apple AND banana", {"ab", "abc"}),
        ("apple and banana", {"ab", "ac", "bc", "abc"}),  # lowercase "and" is a stop word, not the operator
        ("apple AND banana AND cherry", {"abc"}),
        ("apple NOT banana", {"ac"}),
        ("apple AND NOT banana", {"ac"}),
        ("apple ANDNOT banana", {"ac"}),
        ("apple -banana", {"ac"}),
        ("apple -banana -cherry", set()),
        ("apple banana -cherry", {"ab"}),
        ("apple banana NOT cherry", {"ab"}),
        ("(apple OR banana) AND cherry", {"ac", "bc", "abc"}),
        ("(apple AND banana) OR durian", {"ab", "abc", "none"}),
        ("apple AND (banana OR cherry) NOT durian", {"ab", "ac", "abc"}),
        ("NOT apple", OTHER_THAN("ab", "ac", "abc")),
        ("-apple", OTHER_THAN("ab", "ac", "abc")),
        ("+apple", {"ab", "ac", "abc"}),
        ("apple -nosuchword", {"ab", "ac", "abc"}),
        ("nosuchword -apple", set()),
        ("author:Quillfeather OR author:Nightingale", {"field-post", "decoy-post"}),
        ("okapi -author:Quillfeather", {"decoy-post"}),
        ('okapi NOT journal:"Marmoset Studies"', {"decoy-post"}),
    ],
)
def test_boolean_semantics(query_engine, query, expected):
    assert _ids(query_engine, query) == expected


def test_more_matched_words_rank_higher(query_engine):
    response = query_engine.search(SearchRequest(query="apple banana cherry", page_size=50))
    assert response.hits[0].post.id == "abc"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("year:[2016 TO 2018]", {"ab", "ac", "bc"}),
        ("year:[2017 TO 2017]", {"ac"}),
        ("year:[2020 TO]", {"abc", "decoy-post", "none"}),
        ("year:[TO 2016]", {"ab"}),
        ("year:{2016 TO 2018}", {"ac"}),
        ("year:[2018 TO 2016]", set()),
        ("year:2017", {"ac"}),
        ("year:1999", set()),
        ("year:[1000 TO 2016]", {"ab"}),
        ("year:[2019 TO 3000]", {"field-post", "abc", "decoy-post", "none"}),
        # A field clause restricts: next to a plain word it means the same as with AND.
        ("apple year:[2017 TO 2020]", {"ac", "abc"}),
        ("apple AND year:[2017 TO 2020]", {"ac", "abc"}),
    ],
)
def test_year_ranges(query_engine, query, expected):
    """Years: ab 2016, ac 2017, bc 2018, field-post 2019, abc 2020, decoy-post 2021, none 2022."""
    assert _ids(query_engine, query) == expected


# ---------------------------------------------------------------------------------------------
# The seed corpus: prefixes, DOIs and year ranges on real posts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("author:Summers", {"workplace"}),
        ("author:barkham", {"lives"}),
        ('author:"Lo Coco"', {"mentalizing"}),
        ('journal:"Psychotherapy Research"', {"mentalizing", "train"}),
        ('journal:"Clinical Psychology and Psychotherapy"', {"workplace", "supervision"}),
        ('journal:"Journal of Consulting and Clinical Psychology"', {"lives"}),
        ("year:2013", {"train"}),
        ("year:[2019 TO 2020]", {"workplace", "mentalizing", "supervision", "lives"}),
        ("year:[2014 TO 2019]", {"lives"}),
        ("topic:Training", {"train", "supervision"}),
        ('topic:"Client Factors"', {"lives"}),
        ("type:survey", {"telepsychology", "workplace", "mentalizing", "supervision"}),
        ('type:"randomized controlled trial"', {"train"}),
        ("title:burnout", {"supervision"}),
        ("title:mentalize", {"train", "mentalizing"}),
    ],
)
def test_seed_field_queries(query_seed_engine, query, expected):
    assert _ids(query_seed_engine, query) == {SEED_IDS[key] for key in expected}


@pytest.mark.parametrize(
    "query",
    [
        "10.1002/cpp.2509",
        "doi:10.1002/cpp.2509",
        "DOI: 10.1002/cpp.2509",
        "https://doi.org/10.1002/cpp.2509",
        "http://dx.doi.org/10.1002/cpp.2509",
        "10.1002/CPP.2509",
        " 10.1002/cpp.2509. ",
    ],
)
def test_doi_lookup(query_seed_engine, query):
    response = query_seed_engine.search(SearchRequest(query=query))
    assert [hit.post.id for hit in response.hits] == [SEED_IDS["workplace"]]
    assert response.total == 1
    assert response.suggestion is None


def test_each_seed_doi_finds_its_post(query_seed_engine):
    posts = json.loads((PROJECT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))
    with_doi = [post for post in posts if post["doi"]]
    assert len(with_doi) >= 4
    for post in with_doi:
        for form in (post["doi"], f"doi:{post['doi']}", f"https://doi.org/{post['doi']}"):
            assert _ids(query_seed_engine, form) == {post["id"]}, form


def test_unknown_doi_finds_nothing(query_seed_engine):
    assert _ids(query_seed_engine, "10.1002/cpp.9999") == set()


# ---------------------------------------------------------------------------------------------
# The parser never raises
# ---------------------------------------------------------------------------------------------
def _search_never_raises(engine: SearchEngine, query: str):
    response = engine.search(SearchRequest(query=query))
    assert response.total >= len(response.hits)
    json.dumps(response.to_dict())  # the API can always serialise it
    return response


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text())
def test_any_text_is_a_query(query_seed_engine, query):
    _search_never_raises(query_seed_engine, query)


SYNTAX = st.sampled_from(
    [
        "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "or", "not", "(", ")", "((", "))", '"', "'",
        "-", "+", "*", "?", "~", "~2", "^", "^2", "^0", ":", "[", "]", "{", "}", "TO", "\\", "/",
        "author:", "journal:", "year:", "topic:", "type:", "title:", "implications:", "doi:", "py:",
        "nosuchfield:", "year:[", "year:[2019", "year:[2019 TO", "year:[2019 TO 2020]", "year:{2019 TO]",
        "year:abc", "burnout", "burn*", "b*", "*out", "bu?nout", "well-being", "CBT", "ACT", "PTSD",
        "supervision", "training", "therapists", "online therapy", "burnuot", "10.1002/cpp.2509",
        "https://doi.org/", "\x00", "\u200b", "é", "ß", "İ", "ﬁ", "😀", "\u202e",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.lists(st.one_of(SYNTAX, st.text(max_size=6)), max_size=14).flatmap(
    lambda parts: st.sampled_from([" ", "", "\t"]).map(lambda sep: sep.join(parts))
))
def test_any_mix_of_syntax_is_a_query(query_seed_engine, query):
    _search_never_raises(query_seed_engine, query)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.text(max_size=40),
    sort=st.sampled_from(["relevance", "newest", "oldest"]),
    page=st.integers(min_value=1, max_value=1000),
    topic=st.lists(st.sampled_from(["Training", "Attachment", "Nope", ""]), max_size=3),
)
def test_any_request_is_answered(query_seed_engine, query, sort, page, topic):
    request = SearchRequest.from_params(query=query, filters={"topic": topic}, sort=sort, page=page, page_size=2)
    response = query_seed_engine.search(request)
    assert len(response.hits) <= 2
    json.dumps(response.to_dict())


NASTY = {
    "NOT NOT x": "NOT NOT burnout",
    # A command line passes undecodable bytes as lone surrogates; UTF-8 (the index's terms) cannot hold them.
    "lone surrogates with a wildcard": "\ud800\ud800\ud800*",
    "a lone surrogate inside a word": "burn\udc80out",
    "NOT AND x": "NOT AND burnout",
    "x ANDNOT ANDNOT y": "burnout ANDNOT ANDNOT supervision",
    "1000 nested parens": "(" * 1000 + "burnout" + ")" * 1000,
    "1000 unbalanced parens": "(" * 1000 + "burnout",
    "closing parens": ")" * 1000 + "burnout",
    "10,000 chars of words": ("burnout supervision therapists " * 400)[:10_000],
    "10,000 chars of unknown words": " ".join(f"zq{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}x" for i in range(1700))[:10_000],
    "10,000-char word": "a" * 10_000,
    "10,000 operators": "AND " * 2500,
    "10,000 quotes": '"' * 10_000,
    "many thesaurus words": "CBT PTSD RCT telehealth burnout dropout " * 200,
    "star": "*",
    "a star": "a*",
    "star word": "*burnout",
    "question mark wildcard": "?",
    "wildcards everywhere": "* ** *a* ?b? bu*",
    "lone quote": '"',
    "unclosed phrase": '"burnout supervision',
    "open range": "year:[2020 TO",
    "broken range": "year:[abc TO def]",
    "reversed range": "year:[2020 TO 2019]",
    "empty author": "author:",
    "empty title": "title:",
    "unknown field": "nosuch:burnout",
    "colon": ":",
    "NUL": "\x00",
    "NULs in a word": "burn\x00out",
    "only NULs": "\x00" * 100,
    "empty": "",
    "spaces": "   \t\n ",
    "AND": "AND",
    "OR paren": "OR (",
    "NOT alone": "NOT",
    "dash alone": "-",
    "boost": "burnout^1000000",
    "fuzzy": "burnout~5",
    "backslash": "\\",
    "control chars": "".join(chr(i) for i in range(32)),
    "surrogate-free emoji": "😀 burnout 😀",
    "right-to-left": "\u202eburnout",
    "doi prefix only": "doi:",
    "doi url only": "https://doi.org/",
    "doi with spaces": "10.1002/ cpp.2509",
}


@pytest.mark.parametrize("query", list(NASTY.values()), ids=list(NASTY))
def test_nasty_inputs_return_quickly(query_seed_engine, query):
    _search_never_raises(query_seed_engine, "warm up")
    started = time.perf_counter()
    _search_never_raises(query_seed_engine, query)
    assert time.perf_counter() - started < 2.0


def test_a_long_query_is_cut_with_a_notice(query_seed_engine):
    response = _search_never_raises(query_seed_engine, NASTY["10,000 chars of words"])
    assert response.notice
    assert response.total > 0


def test_broken_syntax_still_searches_the_words(query_seed_engine):
    response = _search_never_raises(query_seed_engine, "burnout ANDNOT ANDNOT supervision")
    assert response.total > 0
    response = _search_never_raises(query_seed_engine, "NOT NOT burnout")
    assert response.hits or response.notice


def test_a_query_is_built_once_without_a_query_string_parser(monkeypatch):
    """Lexemes become Whoosh query objects directly: Whoosh's string parser is never asked."""
    from whoosh import qparser

    from search.query import parse_query

    def refuse(*args, **kwargs):
        raise AssertionError("a query string was parsed a second time")

    monkeypatch.setattr(qparser.QueryParser, "parse", refuse)
    parse_query.cache_clear()
    for text in ('online therapy for "older adults" -burnout author:Barkham year:>2019', "(apple OR banana) AND NOT cherry",
                 "journal:JCCP title:alliance^3 therap*", "what helps therapists avoid burnout when supervision is poor"):
        assert not parse_query(text).is_empty
    parse_query.cache_clear()
