"""The practice answer (search.answer): a sentence, or two adjacent ones, quoted from the implications of
the posts ranked first, only when it holds most of the query's specific concepts; never for look-ups;
gated by the blind answer evaluation of bench/."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from bench.answer_eval import build_evaluation_index, evaluate
from search.answer import short_citation
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.schema import sentence_spans
from search.store import write_index


@pytest.mark.parametrize("text, expected", [
    ("Therapists (e.g. novices) gain. Others do not.", ["Therapists (e.g. novices) gain.", "Others do not."]),
    ("As Smith et al. showed, it works. It lasts.", ["As Smith et al. showed, it works.", "It lasts."]),
    ("Compare CBT vs. IPT here. Then stop.", ["Compare CBT vs. IPT here.", "Then stop."]),
    ("One paragraph.\n\nTwo\nlines here.", ["One paragraph.", "Two\nlines here."]),
    ("", []),
])
def test_sentences_are_split_at_build_time_keeping_abbreviations(text, expected):
    spans = sentence_spans(text)
    assert [text[start:end] for start, end, _ in spans] == expected
    assert [paragraph for _, _, paragraph in spans] == sorted(paragraph for _, _, paragraph in spans)


def test_short_citation():
    post = Post(id="p", url=None, issue_date="2021-02", title="T", authors=("Firth, N.", "Saxon, D."), year=2019)
    assert short_citation(post) == "Firth et al. (2019)"
    assert short_citation(post.replace(authors=("Firth, N.",))) == "Firth (2019)"
    assert short_citation(post.replace(authors=("Firth, N.",), authors_complete=False)) == "Firth et al. (2019)"
    assert short_citation(post.replace(authors=(), year=None)) == "PPRNet blog (2021)"


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory):
    """Posts whose implications say different things about the same words."""
    def post(post_id, title, implications, **fields):
        return Post(id=post_id, url=None, issue_date="2020-01", title=title, summary="A study of therapists.",
                    implications=implications, authors=("Okafor, B.",), year=2019, **fields)

    root = tmp_path_factory.mktemp("answer-small")
    write_index([
        post("homework", "Homework and outcome",
             "Therapists who review homework at the start of each session see better completion. "
             "Clients value feedback on their assignments.\n\nMore research is needed on group formats.",
             journal="Behaviour Research and Therapy"),
        post("ruptures", "Repairing alliance ruptures",
             "When the alliance ruptures, therapists should acknowledge their part in it. "
             "Repair predicts better outcome than no rupture at all."),
        post("dropout", "Who drops out",
             "Younger clients drop out more often. Therapists can discuss the expected length of therapy "
             "in the first session to reduce dropout."),
    ], root)
    engine = SearchEngine(root)
    yield engine
    engine.close()


def _answer(engine, query):
    return engine.search(SearchRequest(query=query)).answer


def test_the_sentence_holding_the_question_is_quoted_whole(small_engine):
    [first, *_] = _answer(small_engine, "how can I reduce dropout in the first session?")
    assert first.post_id == "dropout"
    assert first.sentence == ("Therapists can discuss the expected length of therapy in the first session to "
                              "reduce dropout.")
    assert "<mark>dropout</mark>" in first.marked and "<script" not in first.marked


def test_a_second_sentence_is_quoted_only_when_it_adds_a_concept(small_engine):
    [first, *_] = _answer(small_engine, "should therapists acknowledge alliance ruptures and does repair predict outcome")
    assert first.sentence.startswith("When the alliance ruptures") and first.sentence.endswith("no rupture at all.")
    [first, *_] = _answer(small_engine, "should therapists acknowledge alliance ruptures")
    assert first.sentence == "When the alliance ruptures, therapists should acknowledge their part in it."


@pytest.mark.parametrize("query", [
    "does mindfulness reduce dropout in adolescents?",   # the blog says nothing of mindfulness or adolescents
    "homework for insomnia in older adults",
])
def test_a_question_the_posts_do_not_answer_gets_none(small_engine, query):
    assert _answer(small_engine, query) is None


@pytest.mark.parametrize("query", ["author:Okafor", "Okafor", "journal:\"Behaviour Research and Therapy\"", "year:2019",
                                   "author:Okafor year:2019", "Behaviour Research and Therapy"])
def test_look_ups_get_no_answer(small_engine, query):
    assert small_engine.search(SearchRequest(query=query)).total >= 1
    assert _answer(small_engine, query) is None


def test_blind_answer_evaluation(tmp_path):
    """The blind set's tuning half (bench/answer_eval_set.json): precision@1 and no false answers."""
    build_evaluation_index(tmp_path)
    engine = SearchEngine(tmp_path)
    try:
        result = evaluate(engine, held_out=False)
    finally:
        engine.close()
    assert result.questions == 30 and result.unanswerable == 10 and result.lookups == 16
    assert result.precision_at_1 >= 0.9 and result.recall >= 0.4, result.line()
    assert result.false_answers == [] and result.answered_lookups == [], result.line()


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
    items = page.select_one("section.answer").select("li")
    assert 1 <= len(items) <= 3
    for item in items:
        assert item.select("q mark")
        assert item.select_one("a.answer-source")["href"].startswith("/posts/")
    nothing = BeautifulSoup(client.get("/search?q=author:Barkham").get_data(as_text=True), "html.parser")
    assert nothing.select("article.result") and not nothing.select("section.answer")


def test_the_everyday_words_are_wordfreqs():
    """data/everyday_words.txt holds wordfreq's English words of Zipf 4.5 or more, with their frequency."""
    from wordfreq import top_n_list, zipf_frequency

    from search.answer import SPECIFIC_ZIPF, everyday_words

    expected = {word: zipf_frequency(word, "en", wordlist="small") for word in top_n_list("en", 10_000, wordlist="small")
                if word.isalpha()}
    expected = {word: zipf for word, zipf in expected.items() if zipf >= SPECIFIC_ZIPF}
    lines = "\n".join(f"{word} {zipf:g}" for word, zipf in expected.items())
    assert everyday_words() == expected, f"write these lines to search/data/everyday_words.txt:\n{lines}"
