"""The fast paths of highlighting and of the practice answer give exactly what the plain ones give.

``Marks`` looks a query's terms up in a text's cached analysis (search.highlight.analysed_text); the
plain way is to analyse the text word by word and check each word's terms, as the highlighter did
before. The practice answer skips posts whose implications cannot be quoted (the plain way reads every
sentence of every post) and analyses a sentence from its words' cached terms (the plain way is the
index's analyzer). They are compared on the seed posts and synthetic posts (bench/synth.py) with the
benchmark's query workload (bench/workload.py) and query forms it lacks (wildcards, thesaurus
phrases, compounds, British spellings, author names, negation).
"""
from __future__ import annotations

import math
import re

import pytest

from bench import synth
from bench.workload import make_workload
from search import answer, highlight
from search.analysis import WORD_PATTERN, content_analyzer, word_terms
from search.answer import practice_answer, split_sentences
from search.highlight import MAX_ANALYSED_CHARS, Marks, name_terms
from search.matches import query_marks
from search.post import Post
from search.query import parse_query
from search.engine import SearchEngine
from search.request import SearchRequest
from search.schema import post_parts
from search.store import write_index

SYNTHETIC_POSTS = 30
ANSWER_POSTS = 300
_EXTRA_QUERIES = (
    "mentaliz*", "therap*", "burn?ut", "supervis* training", '"reflective functioning"', '"therapeutic alliance"',
    "cognitive behavioural therapy for wellbeing", "well-being of counsellors", "telepsychology", "dropout",
    "randomised trials of behaviour", "author:Barkham", "author:Summers burnout", "title:alliance",
    "implications:supervision", "topic:Training", "attachment -burnout", "therapists NOT supervision",
    "how do therapists cope with burnout", "CBT PTSD veterans", "journal:JCCP", "year:2019 outcome",
)


def _plain_spans(marks: Marks, text: str) -> list[tuple[int, int]]:
    """The plain scan: every word analysed in turn, runs matched on the last terms seen."""
    analyse = name_terms if marks.names else word_terms
    found, recent = [], []  # recent: every term so far, with where its word starts
    for match in re.finditer(WORD_PATTERN, text[:MAX_ANALYSED_CHARS]):
        terms = analyse(match.group())
        if any(term in marks.terms or any(p.fullmatch(term) for p in marks.patterns) for term in terms):
            found.append(match.span())
        for term in terms:
            recent.append((term, match.start()))
            for sequence in marks.sequences:
                if tuple(t for t, _ in recent[-len(sequence):]) == sequence:
                    found.append((recent[-len(sequence)][1], match.end()))
    return highlight._merged(found)  # overlapping spans joined, as the highlighter joins them


@pytest.fixture(scope="module")
def posts(seed_posts) -> list[Post]:
    return [Post.from_dict(post) for post in seed_posts] + list(synth.generate_posts(SYNTHETIC_POSTS))


@pytest.fixture(scope="module")
def queries() -> list[str]:
    workload = make_workload(60, SYNTHETIC_POSTS, seed=3)
    return [query.q for query in workload] + list(_EXTRA_QUERIES)


def test_marks_find_what_the_plain_scan_finds(posts, queries):
    compared = marked = runs = patterns = names = 0
    for query in queries:
        marks = query_marks(parse_query(query).query)
        for post in posts:
            for part, text in post_parts(post).items():
                wanted = list(marks.parts.get(part, ()))
                if part in ("title", "summary", "implications"):
                    wanted.append(marks.for_part(part))
                for each in wanted:
                    expected = _plain_spans(each, text)
                    assert each.spans(text) == expected, (query, post.id, part)
                    assert each.found_in(text) == bool(expected), (query, post.id, part)
                    compared += 1
                    marked += bool(expected)
                    runs += any(" " in text[start:end] for start, end in expected)  # a run of words
                    patterns += bool(expected and each.patterns)
                    names += bool(expected and each.names)
    # The comparison covered every kind of mark, matched and not.
    assert compared > 20_000 and marked > 2_000 and runs > 50 and patterns > 50 and names > 10


@pytest.mark.parametrize("text", [
    "e.g. U.S.A. a..b x._y _a_ 3.5 10.1002/cpp.2509 end. .start a. b .. a.b.c. ...",
    "Müller’s naïve café, CBT-I; well-being\u2029online (2019) pp. 12–34 — “quoted” ½ ²³ ٣٤ x\ty\nz",
    "", " ", ".", "a", "_", "a.", ".a", "a.b", "a..", "..a", "a_.b_", "\u00e9.\u00e8", "1.2.3.4",
])
def test_the_highlighter_finds_the_words_of_the_word_pattern(text):
    assert highlight._WORD_AND_GAPS.split(text)[1::2] == re.findall(WORD_PATTERN, text)


def test_a_number_is_its_own_term_as_the_analysis_chain_says(posts):
    numbers = [str(number) for number in range(1_000)] + ["0", "00", "007", "2019", "1170", "20260", "9" * 12]
    numbers += [word for post in posts for word in re.findall(WORD_PATTERN, post_parts(post)["citation"])
                if word.isdigit()]
    terms = highlight._ContentTerms()
    assert len(numbers) > 1_050
    for number in numbers:
        assert terms[number] == word_terms.__wrapped__(number), number  # the chain itself, not its cache


def test_a_text_is_marked_the_same_when_its_analysis_is_cached(posts):
    marks = query_marks(parse_query("therapists burnout supervision").query).for_part("summary")
    text = next(post.summary for post in posts if marks.found_in(post.summary))
    assert marks.spans(text) == marks.spans(text) == _plain_spans(marks, text)  # built, then looked up


def test_the_answer_is_the_same_without_skipping_posts(seed_posts, queries, monkeypatch):
    pool = [Post.from_dict(post) for post in seed_posts] + list(synth.generate_posts(ANSWER_POSTS))
    held = [highlight.analysed_text(post.implications, False).terms for post in pool]

    def document_frequency(term: str) -> int:  # the pool's, as the index would count it
        return sum(term in terms for terms in held)

    def ranked(weights: dict[str, float] | None) -> list[Post]:  # most query terms in the implications first
        share = [sum(term in terms for term in weights or ()) for terms in held]
        order = sorted(range(len(pool)), key=lambda number: (-share[number], number))
        return [pool[number] for number in order[:answer.CANDIDATE_POSTS]]

    def answers() -> list:
        return [practice_answer(parsed, ranked(answer.query_weights(parsed.query)), document_frequency, len(pool))
                for parsed in map(parse_query, queries)]

    bounds = []
    real_bound = answer._coverage_bound
    monkeypatch.setattr(answer, "_coverage_bound", lambda *args: bounds.append(real_bound(*args)) or bounds[-1])
    fast = answers()
    monkeypatch.setattr(answer, "_coverage_bound", lambda *args: math.inf)  # every post read in full
    plain = answers()
    assert fast == plain
    assert sum(item is not None for item in plain) > 40  # most queries are answered
    assert sum(bound < answer.MIN_COVERAGE for bound in bounds) > 100  # and many posts were skipped


def test_a_sentence_has_the_terms_the_index_analyzer_gives(posts):
    sentences = [sentence for post in posts for text in (post.summary, post.implications)
                 for sentence in split_sentences(text)]
    sentences += ["Cognitive behavioural therapy and CBT by video-conferencing helped the wellbeing of veterans.",
                  "Online therapy, telepsychology and the therapeutic alliance: drop-outs fell.", "therapy"]
    analyzer = content_analyzer()
    concepts = 0
    for sentence in sentences:
        expected = frozenset(token.text for token in analyzer(sentence, mode="index"))
        assert answer._sentence_terms(sentence) == expected, sentence
        concepts += any(" " in term for term in expected)
    assert concepts > 20  # thesaurus concepts were among them


def test_a_blog_sized_index_is_prepared_when_it_opens(tmp_path, monkeypatch):
    """Opening an index of PREPARED_POSTS posts or fewer analyses every text of its posts that a search
    reads: a workload over it then analyses none of them anew (only the short answer sentences it
    marks), splits no implications into sentences, and reads no post back from disk; the responses are
    those of an engine that prepared nothing."""
    import search.engine as engine_module

    posts = list(synth.generate_posts(200))
    write_index(posts, tmp_path)
    post_texts = {text for post in posts for text in post_parts(post).values()}
    queries = [query.q for query in make_workload(60, 200, seed=7, corpus_seed=synth.DEFAULT_SEED)]
    analysed: list[str] = []

    class Recorded(highlight.AnalysedText):
        def __init__(self, text: str, names: bool) -> None:
            analysed.append(text)
            super().__init__(text, names)

    def responses(prepared: int) -> list[dict]:
        monkeypatch.setattr(engine_module, "PREPARED_POSTS", prepared)
        highlight._analysed_content.cache_clear()
        answer._sentences.cache_clear()
        engine = SearchEngine(tmp_path)
        try:
            snapshot = engine._current()
            assert len(snapshot.full_posts) == (200 if prepared else 0)
            sentences = answer._sentences.cache_info()
            analysed.clear()
            found = [engine.search(SearchRequest(query=query)).to_dict() for query in queries]
            if prepared:
                assert not post_texts.intersection(analysed)
                assert answer._sentences.cache_info().misses == sentences.misses
                assert len(snapshot.full_posts) == 200
            else:
                assert len(post_texts.intersection(analysed)) > 500
            return found
        finally:
            engine.close()

    monkeypatch.setattr(highlight, "AnalysedText", Recorded)
    assert responses(200) == responses(0)
