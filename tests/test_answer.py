"""The practice answer (search.answer): sentences quoted from practice implications, ranked with the
search's analysis and thesaurus; never for look-ups; gated by the answer evaluation of bench/."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from bench.answer_eval import build_evaluation_index, evaluate
from search.answer import practice_answer, query_weights, short_citation, split_sentences
from search.engine import SearchEngine
from search.post import Post
from search.query import parse_query


@pytest.mark.parametrize("text, expected", [
    ("Therapists (e.g. novices) gain. Others do not.", ["Therapists (e.g. novices) gain.", "Others do not."]),
    ("As Smith et al. showed, it works. It lasts.", ["As Smith et al. showed, it works.", "It lasts."]),
    ("Compare CBT vs. IPT here. Then stop.", ["Compare CBT vs. IPT here.", "Then stop."]),
    ("One paragraph.\n\nTwo\nlines here.", ["One paragraph.", "Two lines here."]),
    ("", []),
])
def test_split_sentences_keeps_abbreviations(text, expected):
    assert split_sentences(text) == expected


def test_short_citation():
    post = Post(id="p", url=None, issue_date="2021-02", title="T", authors=("Firth, N.", "Saxon, D."), year=2019)
    assert short_citation(post) == "Firth et al. (2019)"
    assert short_citation(post.replace(authors=("Firth, N.",))) == "Firth (2019)"
    assert short_citation(post.replace(authors=("Firth, N.",), authors_complete=False)) == "Firth et al. (2019)"
    assert short_citation(post.replace(authors=(), year=None)) == "PPRNet blog (2021)"


def test_query_weights_typed_words_count_more_than_synonyms():
    weights = query_weights(parse_query("telepsychology training").query)
    assert weights["telepsycholog"] == 1.0 and weights["train"] == 1.0
    assert 0 < weights["telehealth"] < 1.0  # a thesaurus expansion, at its lower weight


@pytest.mark.parametrize("query", ["author:Firth", "journal:Psychotherapy", "year:2020", "10.1002/cpp.2509",
                                   "author:Firth burnout"])
def test_look_ups_get_no_answer(query):
    assert query_weights(parse_query(query).query) is None


def test_negated_words_are_not_matched():
    assert "supervis" not in query_weights(parse_query("burnout -supervision").query)


def test_quoted_phrases_count_as_typed_words():
    weights = query_weights(parse_query('"personal therapy" supervisee').query)
    assert weights["person"] == weights["therapi"] == weights["supervise"] == 1.0


def test_sentences_come_from_different_posts_and_are_quoted_whole(seed_posts):
    posts = [Post.from_dict(p) for p in seed_posts]
    answer = practice_answer(parse_query("therapists mentalize"), posts, lambda term: 1, len(posts))
    assert answer and len({item.post_id for item in answer}) == len(answer) <= 3
    for item in answer:
        post = next(p for p in posts if p.id == item.post_id)
        assert item.sentence in " ".join(post.implications.split())
        assert "<mark>" in item.marked and "<script" not in item.marked


def test_answer_evaluation(tmp_path):
    """Precision@1 on 36 clinician questions (0.92 when written); look-ups and questions no post answers get none."""
    build_evaluation_index(tmp_path)
    engine = SearchEngine(tmp_path)
    try:
        result = evaluate(engine)
    finally:
        engine.close()
    assert result.questions >= 30
    assert result.precision_at_1 >= 0.85, (result.wrong, result.unanswered)
    assert result.answered_lookups == [] and result.answered_unanswerable == []


def test_api_returns_the_answer(client):
    body = client.get("/api/search", query_string={"q": "Can mentalization reduce therapists' work-related stress?"}).get_json()
    assert body["answer"][0] == {
        "post_id": "2021-01-can-therapists-train-to-improve-their",
        "sentence": "Increasing the capacity to mentalize may reduce therapists work-related stress as it affords "
                    "therapists a greater measure of control and mastery over challenging encounters with some clients.",
        "citation": "Ensink et al. (2013)",
    }
    assert client.get("/api/search", query_string={"q": "author:Firth"}).get_json()["answer"] is None


def test_results_page_shows_the_answer_box(client):
    page = BeautifulSoup(client.get("/search?q=how+can+novice+therapists+improve+their+capacity+to+mentalize").get_data(as_text=True), "html.parser")
    box = page.select_one("section.answer")
    items = box.select("li")
    assert 1 <= len(items) <= 3
    for item in items:
        assert item.select("q mark")
        assert item.select_one("a.answer-source")["href"].startswith("/posts/")
    nothing = BeautifulSoup(client.get("/search?q=author:Barkham").get_data(as_text=True), "html.parser")
    assert nothing.select("article.result") and not nothing.select("section.answer")
