"""A question's two tiers as users see them: the count, the heading before the posts that match only
some of the words, the JSON twin, the CLI, and the exports and feed (which hold the results only)."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

import cli
from webui import create_app


@pytest.fixture(scope="module")
def client(tiers):
    return create_app({"INDEX_DIR": str(tiers.root), "TESTING": True}).test_client()


def test_the_page_counts_the_results_and_heads_the_posts_matching_fewer_words(client, tiers):
    page = BeautifulSoup(client.get("/search", query_string={"q": tiers.question, "page_size": 20}).data, "html.parser")
    count = page.select_one("#result-count").get_text()
    assert count.startswith("18 results for") and "5 more match some of the words" in count
    cards = page.select(".result-cards > *")
    headings = [index for index, element in enumerate(cards) if "fewer-words" in element.get("class", [])]
    assert len(headings) == 1 and cards[headings[0]].get_text(" ", strip=True) == "5 more posts match only some of your words"
    assert len(page.select(".result-cards article.result")) == 20 and headings == [18]
    second = BeautifulSoup(client.get("/search", query_string={"q": tiers.question, "page_size": 20, "page": 2}).data,
                           "html.parser")
    assert [element.name for element in second.select(".result-cards > *")] == ["h2", "article", "article", "article"]


def test_a_page_of_results_only_has_no_heading(client, tiers):
    page = BeautifulSoup(client.get("/search", query_string={"q": tiers.question}).data, "html.parser")
    assert len(page.select(".result-cards article.result")) == 10 and not page.select(".fewer-words")


def test_the_json_twin_says_which_hits_match_fewer_words(client, tiers):
    data = client.get("/api/search", query_string={"q": tiers.question, "page": 2}).get_json()
    assert (data["total"], data["more"]) == (18, 5)
    assert [hit["fewer_words"] for hit in data["hits"]] == [False] * 8 + [True] * 2


@pytest.mark.parametrize("extension", ["json", "ris"])
def test_exporting_all_results_exports_the_results_only(client, tiers, extension):
    body = client.get(f"/search.{extension}", query_string={"q": tiers.question}).get_data(as_text=True)
    count = len(json.loads(body)) if extension == "json" else body.count("ER  -")
    assert count == 18


def test_the_feed_holds_the_results_only(client, tiers):
    feed = BeautifulSoup(client.get("/search.atom", query_string={"q": tiers.question, "page_size": 50}).data, "xml")
    assert len(feed.find_all("entry")) == 18


def test_the_cli_marks_where_the_posts_matching_fewer_words_begin(tiers, capsys):
    assert cli.main(["search", "--index", str(tiers.root), "--page", "2", "--", tiers.question]) == 0
    out = capsys.readouterr().out
    assert out.startswith("18 results (and 5 matching some of the words), 11-20 shown")
    before, _, after = out.partition("-- 5 more matching only some of the words --")
    assert before.count("id: g") == 8 and after.count("id: g2-") == 2
