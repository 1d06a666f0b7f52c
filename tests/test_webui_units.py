"""Pieces of the web UI without HTTP: URL state and toggles, display helpers (references: test_references.py)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from search.post import Post
from webui import create_app
from webui.formatting import byline, month_label
from webui.state import UrlState, _literal_query


@pytest.fixture
def ctx(tmp_path):
    app = create_app({"INDEX_DIR": str(tmp_path), "TESTING": True})
    with app.test_request_context():
        yield


def q(url: str) -> dict:
    return parse_qs(urlsplit(url).query)


def test_url_state_renders_only_what_differs_from_defaults(ctx):
    assert UrlState().url() == "/search"
    state = UrlState("a b", {"topic": ("X", "Y&Z")}, "newest", 3, 20)
    assert q(state.url()) == {"q": ["a b"], "topic": ["X", "Y&Z"], "sort": ["newest"], "page_size": ["20"], "page": ["3"]}
    assert state.url("api.search").startswith("/api/search?")


@pytest.mark.parametrize(
    "filters, facet, value, expected",
    [
        ({}, "topic", "Training", {"topic": ["Training"]}),                                 # add
        ({"topic": ("Training",)}, "topic", "Training", {}),                                # remove
        ({"topic": ("training",)}, "topic", "Training", {}),                                # remove, any case
        ({"topic": ("A",)}, "topic", "B", {"topic": ["A", "B"]}),                           # OR within a facet
        ({"topic": ("A",)}, "year", "2020", {"topic": ["A"], "year": ["2020"]}),            # AND across
        ({"topic": ("A", "B"), "year": ("2020",)}, "topic", "A", {"topic": ["B"], "year": ["2020"]}),
    ],
)
def test_toggle_urls(ctx, filters, facet, value, expected):
    state = UrlState("", filters, "relevance", 4, 10)
    assert q(state.toggled(facet, value).url()) == expected  # toggling always goes back to page 1


def test_only_and_cleared(ctx):
    state = UrlState("x", {"year": ("2019", "2020"), "topic": ("A",)})
    assert q(state.only("year", "2013").url()) == {"q": ["x"], "topic": ["A"], "year": ["2013"]}
    assert state.cleared().url() == "/search?q=x"


def test_literal_query_quotes_plain_words_only():
    assert _literal_query("burnuot") == '"burnuot"'
    assert _literal_query("burnuot traning") == '"burnuot" "traning"'
    assert _literal_query('author:"Firth"') == 'author:"Firth"'


POST = Post(
    id="p", url=None, issue_date="2020-08", title="A & B",
    authors=("Firth, N.", "Saxon, D."), year=2019, article_title="Costs_of 100% {care}",
    journal="J & K", volume="87", issue="4", pages="345–356", doi="10.1/x_y",
)


def test_display_helpers():
    assert month_label("2021-01") == "January 2021"
    assert month_label("2021-13") == "2021-13" and month_label(None) == ""
    assert byline(POST) == "Firth, N., & Saxon, D. (2019)"
    assert byline(POST.replace(authors=("A", "B", "C", "D"))) == "A, B, C et al. (2019)"
    assert byline(POST.replace(authors=(), year=None)) == ""


@pytest.mark.parametrize(
    "state",
    [
        UrlState(),
        UrlState(query="burnout & x", filters={"topic": ("Training",), "year": ("2019",)}, sort="newest", page=3, page_size=20),
        UrlState(filters={"author": ("Firth, N.",), "journal": ("A & B",)}),
    ],
)
@pytest.mark.parametrize("facet", ["topic", "type", "journal", "author", "year"])
def test_batched_toggle_urls_equal_one_by_one(ctx, state, facet):
    """The results page encodes the unchanged parameters once: same links as toggling one by one."""
    values = ["Training", "Attachment", "2019", "Firth, N.", "A & B", "é/ü?"]
    assert state.toggle_urls(facet, values) == [state.toggled(facet, value).url() for value in values]
