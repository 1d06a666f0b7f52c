""""Matched in" and highlights tell the truth: over a workload of queries on the seed index, every
claim on every hit is checked against the post's own text, and every hit shows why it matched."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from search.engine import SearchEngine
from search.request import SearchRequest

PROJECT = Path(__file__).resolve().parents[1]
_MARK = re.compile(r"<mark>(.*?)</mark>")
_WHY = {"title", "practice implications", "summary", "authors", "journal", "citation", "topics", "research type", "year", "DOI"}


def _workload() -> list[str]:
    queries = [item["q"] for item in json.loads((PROJECT / "tests/fixtures/search/queries.json").read_text())["queries"]]
    return queries + [
        "burnout", "supervision", "title:burnout", "title:mentalize", "author:Barkham", "author:Summers",
        "implications:supervision", "journal:JCCP", 'journal:"Psychotherapy Research"', "year:>2019",
        "telehealth", "how do therapists cope with burnout", "attachment -burnout", "mentaliz*",
        '"reflective functioning"', "therapists training mentalizing capacity improvement outcomes",
        "socioeconomic status", "year:2013 training", "topic:Training",
    ]


@pytest.fixture(scope="module")
def responses(index_root):
    engine = SearchEngine(index_root)
    yield {query: engine.search(SearchRequest(query=query, page_size=50)) for query in _workload()}
    engine.close()


def _plain(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


def test_the_workload_finds_something(responses):
    assert sum(response.total for response in responses.values()) > 50


def test_every_hit_says_why_it_matched(responses):
    for query, response in responses.items():
        for hit in response.hits:
            assert set(hit.matched_fields) & _WHY, (query, hit.post.id)
            marked = any("<mark>" in html for html in hit.highlights.values())
            shown_elsewhere = {"year", "DOI", "topics", "research type", "citation"} & set(hit.matched_fields)
            assert marked or shown_elsewhere, (query, hit.post.id)


def test_each_claimed_prose_field_has_a_marked_word_and_each_mark_is_in_the_text(responses):
    labels = {"title": "title", "summary": "summary", "implications": "practice implications"}
    for query, response in responses.items():
        for hit in response.hits:
            for name, label in labels.items():
                html = hit.highlights[name]
                if label in hit.matched_fields:
                    assert "<mark>" in html, (query, hit.post.id, name)
                else:
                    assert "<mark>" not in html, (query, hit.post.id, name)
                text = getattr(hit.post, name)
                for word in _MARK.findall(html):
                    assert word in text.replace("&", "&amp;"), (query, word)


def test_implications_are_claimed_only_when_they_hold_a_query_word(responses):
    for query, response in responses.items():
        for hit in response.hits:
            if "practice implications" in hit.matched_fields:
                marked = {word.lower() for word in _MARK.findall(hit.highlights["implications"])}
                assert marked, (query, hit.post.id)


def test_an_author_query_claims_the_authors_only(responses):
    for query in ("author:Barkham", "author:Summers"):
        response = responses[query]
        assert response.total == 1
        hit = response.hits[0]
        assert hit.matched_fields == ("authors",)
        assert not any("<mark>" in hit.highlights[name] for name in ("title", "summary", "implications"))
        surname = query.split(":")[1]
        assert re.search(rf"<mark>{surname}, [A-Z. ]+</mark>", hit.highlights["authors"])  # the whole name that matched
        assert any(query.split(":")[1] in author for author in hit.post.authors)


def test_a_title_query_marks_the_title_not_the_body(responses):
    for query in ("title:burnout", "title:mentalize"):
        response = responses[query]
        assert response.total >= 1
        for hit in response.hits:
            assert hit.matched_fields == ("title",)
            assert "<mark>" in hit.highlights["title"]
            assert "<mark>" not in hit.highlights["summary"] + hit.highlights["implications"]


def test_a_negated_word_is_never_marked(responses):
    for hit in responses["attachment -burnout"].hits:
        assert "burnout" not in " ".join(_MARK.findall(" ".join(hit.highlights.values()))).lower()


def test_a_year_query_claims_the_year(responses):
    for hit in responses["year:>2019"].hits:
        assert hit.post.year > 2019 and "year" in hit.matched_fields


def test_a_thesaurus_phrase_marks_its_words_in_a_row(responses):
    hits = responses["telehealth"].hits
    assert hits
    marked = " ".join(_MARK.findall(" ".join(hit.highlights["summary"] for hit in hits))).lower()
    assert marked


def test_a_journal_query_marks_the_journal_line(responses):
    hits = responses["journal:JCCP"].hits
    assert hits and all("<mark>" in hit.highlights["journal"] for hit in hits)
