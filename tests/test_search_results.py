"""Results: sort orders, pagination, disjunctive facet counts, highlights, did-you-mean and retry,
more-like-this, autocomplete, and picking up a rebuilt index without a restart."""
from __future__ import annotations

import html
import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh.query import And, Or

from search.engine import SearchEngine
from search.post import Post
from search.request import MAX_PAGE_SIZE, InvalidRequest, SearchRequest
from search.store import write_index

PROJECT = Path(__file__).resolve().parents[1]
SEED_RECORDS = json.loads((PROJECT / "tests" / "fixtures" / "seed_posts.json").read_text(encoding="utf-8"))
SEED_POSTS = [Post.from_dict(record) for record in SEED_RECORDS]
SEED_BY_ID = {post.id: post for post in SEED_POSTS}
TELE = "2021-02-the-covid-19-telepsychology-revolution"
WORKPLACE = "2021-01-psychological-practitioner-workplace"
MENTALIZING = "2021-01-mentalizing-may-be-a-protective-factor"
TRAIN = "2021-01-can-therapists-train-to-improve-their"
SUPERVISION = "2020-09-supervision-in-psychotherapy-the-impact"
LIVES = "2020-08-why-does-where-a-patient-lives-affect"
CPP = "Clinical Psychology and Psychotherapy"
PR = "Psychotherapy Research"
JCCP = "Journal of Consulting and Clinical Psychology"


def _post(post_id: str, **fields) -> Post:
    fields.setdefault("title", "Untitled note")
    fields.setdefault("issue_date", "2021-01")
    return Post(id=post_id, url=None, **fields)


def _open(tmp_path_factory, name: str, posts: list[Post]) -> SearchEngine:
    root = tmp_path_factory.mktemp(name)
    write_index(posts, root)
    return SearchEngine(root)


@pytest.fixture(scope="module")
def results_seed_engine(tmp_path_factory):
    """The six seed posts (the same records the extractor makes of corpus/)."""
    engine = _open(tmp_path_factory, "results-seed", SEED_POSTS)
    yield engine
    engine.close()


def _search(engine: SearchEngine, query: str = "", **params):
    return engine.search(SearchRequest(query=query, **params))


def _ids(response) -> list[str]:
    return [hit.post.id for hit in response.hits]


# ---------------------------------------------------------------------------------------------
# Sort orders
# ---------------------------------------------------------------------------------------------
def _sort_posts() -> list[Post]:
    return [
        _post("s-title", issue_date="2019-03", title="Anxiety at work", summary="Anxiety was measured."),
        _post("s-twice", issue_date="2020-07", summary="Anxiety and more anxiety in clinics."),
        _post("s-once", issue_date="2018-01", summary="Anxiety appeared once among many other measured outcomes of this trial."),
        _post(
            "s-long",
            issue_date="2021-05",
            summary="Anxiety appeared once in a much longer summary that talks about sleep, mood, appetite, "
            "energy, concentration, motivation, work, family, friends and the weather in great detail.",
        ),
        _post("s-none", issue_date="2017-11", summary="Depression only."),
    ]


@pytest.fixture(scope="module")
def sort_engine(tmp_path_factory):
    engine = _open(tmp_path_factory, "sort", _sort_posts())
    yield engine
    engine.close()


def test_relevance_orders_by_score(sort_engine):
    response = _search(sort_engine, "anxiety")
    assert _ids(response) == ["s-title", "s-twice", "s-once", "s-long"]
    scores = [hit.score for hit in response.hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_newest_orders_by_issue_date_descending(sort_engine):
    assert _ids(_search(sort_engine, "anxiety", sort="newest")) == ["s-long", "s-twice", "s-title", "s-once"]


def test_oldest_orders_by_issue_date_ascending(sort_engine):
    assert _ids(_search(sort_engine, "anxiety", sort="oldest")) == ["s-once", "s-title", "s-twice", "s-long"]


def test_browsing_without_a_query_lists_newest_first(sort_engine):
    expected = ["s-long", "s-twice", "s-title", "s-once", "s-none"]
    assert _ids(_search(sort_engine, "")) == expected
    assert _ids(_search(sort_engine, "", sort="newest")) == expected


def test_browsing_oldest_first(sort_engine):
    assert _ids(_search(sort_engine, "", sort="oldest")) == ["s-none", "s-once", "s-title", "s-twice", "s-long"]


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
def test_sorted_hits_serialise_with_numeric_scores(sort_engine, sort):
    data = json.loads(json.dumps(_search(sort_engine, "anxiety", sort=sort).to_dict()))
    assert data["sort"] == sort
    assert all(isinstance(hit["score"], (int, float)) for hit in data["hits"])


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_date_sorts_keep_each_hits_relevance_score(sort_engine, sort):
    """A hit's "score" is its relevance, whatever the order (Whoosh gives the sort key instead)."""
    relevance = {hit.post.id: hit.score for hit in _search(sort_engine, "anxiety").hits}
    for hit in _search(sort_engine, "anxiety", sort=sort).hits:
        assert hit.score == pytest.approx(relevance[hit.post.id]), hit.post.id


@pytest.mark.parametrize(("sort", "reverse"), [("newest", True), ("oldest", False)])
def test_seed_date_sorts(results_seed_engine, sort, reverse):
    response = _search(results_seed_engine, "therapists", sort=sort, page_size=50)
    dates = [hit.post.issue_date for hit in response.hits]
    assert len(dates) == response.total == 6
    assert dates == sorted(dates, reverse=reverse)


# ---------------------------------------------------------------------------------------------
# Pagination
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "sort"), [("", "newest"), ("therapists", "relevance")])
def test_page_size_one_walks_every_post_once(results_seed_engine, query, sort):
    seen = []
    for page in range(1, 7):
        response = _search(results_seed_engine, query, sort=sort, page=page, page_size=1)
        assert response.total == 6
        assert response.page == page
        assert response.page_count == 6
        assert len(response.hits) == 1
        seen.append(response.hits[0].post.id)
    assert len(set(seen)) == 6
    assert set(seen) == set(SEED_BY_ID)


def test_pages_agree_with_one_big_page(results_seed_engine):
    everything = _ids(_search(results_seed_engine, "therapists", page_size=50))
    pieces = [_ids(_search(results_seed_engine, "therapists", page=page, page_size=4)) for page in (1, 2)]
    assert [len(piece) for piece in pieces] == [4, 2]
    assert pieces[0] + pieces[1] == everything


@pytest.mark.parametrize("page", [7, 8, 1000])
def test_a_page_past_the_end_is_the_last_page(results_seed_engine, page):
    last = _search(results_seed_engine, "", page=6, page_size=1)
    past = _search(results_seed_engine, "", page=page, page_size=1)
    assert past.total == 6
    assert past.page == 6 and _ids(past) == _ids(last) and len(past.hits) == 1


def test_past_the_end_behaves_the_same_way_each_time(results_seed_engine):
    shapes = {
        (response.page == 6, bool(response.hits))
        for page in (7, 50, 1000)
        for response in [_search(results_seed_engine, "", page=page, page_size=1)]
    }
    assert len(shapes) == 1


def test_no_hits_is_page_one_of_nothing(results_seed_engine):
    response = _search(results_seed_engine, "zzqqxxnothing", page=3)
    assert response.total == 0 and response.hits == []


@pytest.mark.parametrize(
    "params",
    [
        {"page": 0},
        {"page": -1},
        {"page": "abc"},
        {"page": "1.5"},
        {"page_size": 0},
        {"page_size": MAX_PAGE_SIZE + 1},
        {"page_size": 51},
        {"page_size": "many"},
        {"sort": "random"},
        {"sort": "date"},
        {"filters": {"colour": ["red"]}},
        {"filters": {"topic": [f"t{i}" for i in range(21)]}},
    ],
    ids=repr,
)
def test_from_params_rejects_bad_values(params):
    with pytest.raises(InvalidRequest):
        SearchRequest.from_params(**params)


def test_from_params_accepts_edges_and_defaults():
    request = SearchRequest.from_params(page="1", page_size="50", sort=" Newest ")
    assert (request.page, request.page_size, request.sort) == (1, 50, "newest")
    request = SearchRequest.from_params()
    assert (request.query, request.page, request.page_size, request.sort, dict(request.filters)) == ("", 1, 10, "relevance", {})
    request = SearchRequest.from_params(filters={"topic": ["Training", " Training ", "", "Attachment"]})
    assert request.filters == {"topic": ("Training", "Attachment")}


# ---------------------------------------------------------------------------------------------
# Disjunctive facets, against counts made by hand from tests/fixtures/seed_posts.json
# ---------------------------------------------------------------------------------------------
def _facet_values(record: dict) -> dict[str, list[str]]:
    return {
        "topic": record["topics"],
        "type": record["research_types"],
        "journal": [record["journal"]] if record["journal"] else [],
        "author": record["authors"],
        "year": [str(record["year"])] if record["year"] is not None else [],
    }


def _reference_counts(matching: set[str], selections: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Each facet counted over the matching posts that pass every *other* facet's selection."""
    counts = {}
    for facet in ("topic", "type", "journal", "author", "year"):
        counter: Counter = Counter()
        for record in SEED_RECORDS:
            if record["id"] not in matching:
                continue
            values = _facet_values(record)
            if all(set(values[other]) & set(chosen) for other, chosen in selections.items() if other != facet):
                counter.update(values[facet])
        counts[facet] = dict(counter)
    return counts


def _engine_counts(response) -> dict[str, dict[str, int]]:
    return {facet: {c.value: c.count for c in counts if c.count} for facet, counts in response.facets.items()}


ALL_SEED = {
    "topic": {"Therapist Factors": 5, "Attachment": 2, "Self-Reflection and Awareness": 2, "Training": 2,
              "Client Factors": 1, "Outcomes and Deterioration": 1},
    "type": {"survey": 4, "randomized controlled trial": 1, "naturalistic": 1},
    "journal": {CPP: 2, PR: 2, JCCP: 1},
    "year": {"2020": 3, "2013": 1, "2019": 1},
}


def test_unfiltered_facet_counts(results_seed_engine):
    response = _search(results_seed_engine, "")
    counts = _engine_counts(response)
    for facet, expected in ALL_SEED.items():
        assert counts[facet] == expected, facet
    assert sum(counts["author"].values()) == sum(len(r["authors"]) for r in SEED_RECORDS)
    assert counts == _reference_counts(set(SEED_BY_ID), {})


def test_one_topic_selected_keeps_its_own_counts_and_shrinks_the_others(results_seed_engine):
    response = _search(results_seed_engine, "", filters={"topic": ("Training",)})
    assert set(_ids(response)) == {TRAIN, SUPERVISION} and response.total == 2
    counts = _engine_counts(response)
    assert counts["topic"] == ALL_SEED["topic"]  # as if nothing were selected in topic
    assert counts["type"] == {"survey": 1, "randomized controlled trial": 1}
    assert counts["journal"] == {PR: 1, CPP: 1}
    assert counts["year"] == {"2013": 1, "2020": 1}
    assert counts == _reference_counts(set(SEED_BY_ID), {"topic": ["Training"]})
    selected = [c for c in response.facets["topic"] if c.selected]
    assert [(c.value, c.count) for c in selected] == [("Training", 2)]


def test_two_values_in_one_facet_are_ored(results_seed_engine):
    response = _search(results_seed_engine, "", filters={"topic": ("Training", "Attachment")})
    assert set(_ids(response)) == {TRAIN, SUPERVISION, MENTALIZING} and response.total == 3
    counts = _engine_counts(response)
    assert counts["topic"] == ALL_SEED["topic"]
    assert counts["type"] == {"survey": 2, "randomized controlled trial": 1}
    assert counts["journal"] == {PR: 2, CPP: 1}
    assert counts["year"] == {"2020": 2, "2013": 1}
    assert counts == _reference_counts(set(SEED_BY_ID), {"topic": ["Training", "Attachment"]})
    assert {c.value for c in response.facets["topic"] if c.selected} == {"Training", "Attachment"}


def test_values_across_facets_are_anded(results_seed_engine):
    selections = {"topic": ("Training",), "journal": (PR,)}
    response = _search(results_seed_engine, "", filters=selections)
    assert _ids(response) == [TRAIN] and response.total == 1
    counts = _engine_counts(response)
    # topic is counted over the Psychotherapy Research posts (mentalizing, train) ...
    assert counts["topic"] == {"Therapist Factors": 2, "Self-Reflection and Awareness": 2, "Attachment": 1, "Training": 1}
    # ... journal over the Training posts (train, supervision) ...
    assert counts["journal"] == {PR: 1, CPP: 1}
    # ... and the others over the one post passing both.
    assert counts["type"] == {"randomized controlled trial": 1}
    assert counts["year"] == {"2013": 1}
    assert counts == _reference_counts(set(SEED_BY_ID), {k: list(v) for k, v in selections.items()})


@pytest.mark.parametrize(
    ("query", "selections"),
    [
        ("burnout", {}),
        ("burnout", {"topic": ["Attachment"]}),
        ("therapists", {"year": ["2020"], "type": ["survey"]}),
        ("therapists", {"author": ["Barkham, M.", "Summers, E. M."]}),
        ("mentalizing", {"journal": [PR, CPP], "topic": ["Training", "Therapist Factors"]}),
    ],
)
def test_facet_counts_under_a_query_match_the_reference(results_seed_engine, query, selections):
    matching = set(_ids(_search(results_seed_engine, query, page_size=50)))
    response = _search(results_seed_engine, query, filters={k: tuple(v) for k, v in selections.items()}, page_size=50)
    expected_hits = {
        post_id for post_id in matching
        if all(set(_facet_values(SEED_BY_ID[post_id].to_dict())[f]) & set(v) for f, v in selections.items())
    }
    assert set(_ids(response)) == expected_hits and response.total == len(expected_hits)
    assert _engine_counts(response) == _reference_counts(matching, selections)


def test_a_selected_value_no_post_has_counts_zero(results_seed_engine):
    response = _search(results_seed_engine, "", filters={"topic": ("No Such Topic",)})
    assert response.total == 0
    assert [(c.value, c.count, c.selected) for c in response.facets["topic"] if c.selected] == [("No Such Topic", 0, True)]


def test_facet_selection_ignores_case(results_seed_engine):
    response = _search(results_seed_engine, "", filters={"topic": ("training",), "journal": ("psychotherapy research",)})
    assert _ids(response) == [TRAIN]


# ---------------------------------------------------------------------------------------------
# Highlights
# ---------------------------------------------------------------------------------------------
HOSTILE_SUMMARY = '<script>alert(1)</script> burnout & "quotes" among <b>trainees</b> <img src=x onerror=alert(2)>'
LONG_SUMMARY = "Trainees kept diaries for a year. " * 20


def _highlight_posts() -> list[Post]:
    return [
        _post(
            "hostile",
            title="<i>Burnout</i> & friends",
            summary=HOSTILE_SUMMARY,
            implications="Watch for <em>burnout</em> in 'trainees' & supervisors.",
        ),
        _post("quiet", summary=LONG_SUMMARY, implications="Supervisors <b>should</b> read the diaries."),
        _post("short", summary="Short & <sweet>.", implications="Nothing about the query here."),
    ]


@pytest.fixture(scope="module")
def highlight_engine(tmp_path_factory):
    engine = _open(tmp_path_factory, "highlight", _highlight_posts())
    yield engine
    engine.close()


def _tags(html: str) -> set[str]:
    return set(re.findall(r"<[^>]*>", html))


def _hit(response, post_id):
    return next(hit for hit in response.hits if hit.post.id == post_id)


def test_highlights_mark_matches_and_escape_everything_else(highlight_engine):
    hit = _hit(_search(highlight_engine, "burnout"), "hostile")
    summary = hit.highlights["summary"]
    assert "<mark>burnout</mark>" in summary
    assert "&lt;/script&gt;" in summary
    assert "&amp;" in summary and "&quot;quotes&quot;" in summary
    assert "<script" not in summary and "<b>" not in summary and "<img" not in summary
    assert _tags(summary) <= {"<mark>", "</mark>"}
    implications = hit.highlights["implications"]
    assert "&lt;em&gt;<mark>burnout</mark>&lt;/em&gt;" in implications
    assert _tags(implications) <= {"<mark>", "</mark>"}


def test_a_short_field_is_highlighted_whole(highlight_engine):
    """The summary is shorter than a snippet: its highlight is all of it, escaped, starting with
    "&lt;script&gt;" (not cut to the first word, which drops the "<" and the closing ")>")."""
    hit = _hit(_search(highlight_engine, "burnout"), "hostile")
    summary = hit.highlights["summary"]
    assert summary.startswith("&lt;script&gt;alert(1)&lt;/script&gt; <mark>burnout</mark>")
    assert html.unescape(summary.replace("<mark>", "").replace("</mark>", "")) == HOSTILE_SUMMARY


def test_highlights_in_the_json_have_only_mark_tags(highlight_engine):
    for query in ("burnout", "trainees", "script", "alert", "supervisors diaries", '"quotes"', "img"):
        for hit in _search(highlight_engine, query).to_dict()["hits"]:
            for text in hit["highlights"].values():
                assert _tags(text) <= {"<mark>", "</mark>"}, (query, text)


def test_fallback_snippet_when_the_field_does_not_match(highlight_engine):
    hit = _hit(_search(highlight_engine, "supervisors"), "quiet")
    assert "<mark>Supervisors</mark>" in hit.highlights["implications"]
    summary = hit.highlights["summary"]
    assert summary, "a field without matches still shows the start of its text"
    assert "<mark>" not in summary
    assert summary.startswith("Trainees kept diaries for a year.")
    assert summary.endswith("…") and len(summary) < len(LONG_SUMMARY)


def test_fallback_snippet_is_escaped(highlight_engine):
    hit = _hit(_search(highlight_engine, "short"), "short")
    assert hit.highlights["summary"] == "<mark>Short</mark> &amp; &lt;sweet&gt;." or hit.highlights["summary"].startswith(
        "<mark>Short</mark>"
    )
    assert hit.highlights["implications"] == "Nothing about the query here."
    hit = _hit(_search(highlight_engine, "nothing"), "short")
    assert hit.highlights["summary"] == "Short &amp; &lt;sweet&gt;."


def test_browsing_shows_escaped_snippets(highlight_engine):
    hit = _hit(_search(highlight_engine, ""), "hostile")
    assert hit.highlights["summary"].startswith("&lt;script&gt;alert(1)&lt;/script&gt; burnout &amp; &quot;quotes&quot;")
    assert _tags(hit.highlights["summary"]) == set()


# ---------------------------------------------------------------------------------------------
# Did you mean, and the retry
# ---------------------------------------------------------------------------------------------
def test_misspelled_query_is_retried_with_the_correction(results_seed_engine):
    response = _search(results_seed_engine, "burnuot")
    assert response.suggestion == "burnout"
    assert response.corrected is True
    assert response.total == 3
    assert {SUPERVISION, WORKPLACE} <= set(_ids(response))
    assert _search(results_seed_engine, "burnout").total == response.total
    data = response.to_dict()
    assert data["query"] == "burnuot" and data["suggestion"] == "burnout" and data["corrected"] is True


def test_misspelled_word_with_hits_elsewhere_is_suggested_not_corrected(results_seed_engine):
    response = _search(results_seed_engine, "burnuot supervision")
    assert response.total > 0
    assert response.suggestion == "burnout supervision"
    assert response.corrected is False


@pytest.mark.parametrize(
    ("typo", "word"),
    [("supervison", "supervision"), ("theraputic", "therapeutic"), ("mentalisng", "mentalizing")],
)
def test_suggestions_are_real_words_not_stems(results_seed_engine, typo, word):
    response = _search(results_seed_engine, typo)
    assert response.suggestion == word
    assert response.corrected is True


def test_an_all_caps_acronym_is_not_corrected(results_seed_engine):
    # "ipt" typed in lowercase is one edit from the indexed word "it"; in capitals it is an acronym.
    assert _search(results_seed_engine, "ipt").suggestion == "it"
    for acronym in ("IPT", "CBT", "GAD", "PTSD", "BURNUOT"):
        response = _search(results_seed_engine, acronym)
        assert response.suggestion is None, acronym
        assert response.corrected is False


def test_correct_words_get_no_suggestion(results_seed_engine):
    for query in ("burnout", "supervision training", "what protects therapists from low well-being?", "behaviour"):
        assert _search(results_seed_engine, query).suggestion is None, query


def test_no_hits_and_no_correction(results_seed_engine):
    response = _search(results_seed_engine, "zzqqxxnothing")
    assert (response.total, response.suggestion, response.corrected) == (0, None, False)


# ---------------------------------------------------------------------------------------------
# More like this, autocomplete
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("post_id", sorted(SEED_BY_ID))
def test_more_like_this_returns_other_posts(results_seed_engine, post_id):
    similar = results_seed_engine.more_like_this(post_id)
    ids = [post.id for post in similar]
    assert ids, "every seed post shares vocabulary with another"
    assert post_id not in ids
    assert len(ids) == len(set(ids)) <= 5
    assert set(ids) <= set(SEED_BY_ID)


def test_more_like_this_limit_and_unknown_id(results_seed_engine):
    assert len(results_seed_engine.more_like_this(WORKPLACE, limit=2)) == 2
    assert results_seed_engine.more_like_this("no-such-post") == []


def test_more_like_this_puts_the_closest_post_first(results_seed_engine):
    # The two mentalizing posts share their distinctive vocabulary.
    assert results_seed_engine.more_like_this(TRAIN)[0].id == MENTALIZING


@pytest.mark.parametrize(
    ("prefix", "kind", "label"),
    [
        ("bur", "title", "Supervision in Psychotherapy: The Impact of Attachment on Burnout"),
        ("Barkh", "author", "Barkham, M."),
        ("barkh", "author", "Barkham, M."),
        ("Psychotherapy R", "journal", PR),
        ("Train", "topic", "Training"),
        ("self-ref", "topic", "Self-Reflection and Awareness"),
        ("telep", "title", "The COVID-19 Telepsychology Revolution"),
    ],
)
def test_suggest_returns_the_right_kind(results_seed_engine, prefix, kind, label):
    suggestions = results_seed_engine.suggest(prefix)
    assert (kind, label) in [(s.kind, s.label) for s in suggestions]
    found = next(s for s in suggestions if s.label == label)
    if kind == "title":
        assert SEED_BY_ID[found.post_id].title == label
    else:
        assert found.post_id is None


def test_suggest_puts_labels_that_start_with_the_prefix_first(results_seed_engine):
    first = results_seed_engine.suggest("Train")[0]
    assert (first.kind, first.label) == ("topic", "Training")
    journal = results_seed_engine.suggest("Psychotherapy R")
    assert [s.label for s in journal] == [PR]


@pytest.mark.parametrize("prefix", ["", "b", " ", "zzzq", "<script>"])
def test_suggest_short_or_unknown_prefixes(results_seed_engine, prefix):
    assert results_seed_engine.suggest(prefix) == []


def test_suggest_respects_the_limit(results_seed_engine):
    assert len(results_seed_engine.suggest("th", limit=2)) <= 2


# ---------------------------------------------------------------------------------------------
# A rebuilt index is picked up by the same engine object
# ---------------------------------------------------------------------------------------------
def test_engine_picks_up_a_rebuilt_index_without_restart(tmp_path):
    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    try:
        assert _search(engine, "zanzibarian").total == 0
        assert _search(engine, "burnout").total == 3
        assert engine.stats()["posts"] == 6
        extra = _post("2021-03-zanzibarian-clinics", issue_date="2021-03", title="Zanzibarian clinics",
                      summary="Burnout among Zanzibarian clinicians.")
        write_index([*SEED_POSTS, extra], tmp_path)
        response = _search(engine, "zanzibarian")
        assert _ids(response) == [extra.id]
        assert _search(engine, "burnout").total == 4
        assert engine.stats()["posts"] == 7
        assert engine.post(extra.id) == extra
        assert engine.latest(1)[0].id == extra.id
        write_index(SEED_POSTS, tmp_path)  # and back again
        assert _search(engine, "zanzibarian").total == 0
    finally:
        engine.close()


# ---------------------------------------------------------------------------------------------
# Ties, the relaxed fallback, the time budget and concurrent searches
# ---------------------------------------------------------------------------------------------
def _tied_posts() -> list[Post]:
    """Twelve posts with the same text (every score tied), over four months, ids out of order."""
    return [_post(f"tie-{(number * 7) % 12:02d}", issue_date=f"2020-0{1 + number % 4}",
                  summary="Homework compliance in cognitive therapy.") for number in range(12)]


@pytest.fixture(scope="module")
def tied_engine(tmp_path_factory):
    engine = _open(tmp_path_factory, "tied", _tied_posts())
    yield engine
    engine.close()


@pytest.mark.parametrize("page_size", [1, 2, 5, 7])
def test_pages_of_tied_scores_follow_date_then_id(tied_engine, page_size):
    expected = [post.id for post in sorted(sorted(_tied_posts(), key=lambda post: post.id),
                                           key=lambda post: post.issue_date, reverse=True)]
    shown = []
    for page in range(1, 13 // page_size + 2):
        response = _search(tied_engine, "homework", page=page, page_size=page_size)
        if response.page == page:
            shown += _ids(response)
    assert shown == expected
    assert len({hit.score for hit in _search(tied_engine, "homework", page_size=12).hits}) == 1


def test_a_query_that_finds_too_little_falls_back_to_any_word(results_seed_engine, monkeypatch):
    import search.engine as engine_module
    from search.query import parse_query

    words = ("burnout", "mentalizing", "supervision")
    any_word = _search(results_seed_engine, " OR ".join(words), page_size=50)
    every_word = _search(results_seed_engine, " AND ".join(words), page_size=50)
    assert every_word.total < engine_module.RELAX_BELOW < 10 * any_word.total

    def strict(text):  # three clauses, all required (as four would need three): too few posts have all
        parsed = parse_query(" ".join(words))
        return replace(parsed, clauses=parsed.clauses + (parsed.clauses[0],), clause_texts=parsed.clause_texts + ("",))

    monkeypatch.setattr(engine_module, "parse_query", strict)
    response = _search(results_seed_engine, "burnout mentalizing supervision question", page_size=50)
    assert response.relaxed and response.to_dict()["relaxed"] is True
    assert "matches any of them" in response.notice
    assert _ids(response) == _ids(any_word) and response.total == any_word.total and response.more == 0
    assert not any(hit.fewer_words for hit in response.hits)


@pytest.fixture(scope="module")
def tier_engine(tiers):
    engine = SearchEngine(tiers.root)
    yield engine
    engine.close()


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "evidence"])
@pytest.mark.parametrize("page_size", [1, 5, 10, 50])
def test_posts_matching_fewer_words_follow_the_results_on_every_page(tiers, tier_engine, sort, page_size):
    first = _search(tier_engine, tiers.question, sort=sort, page_size=page_size)
    assert (first.total, first.more, first.relaxed) == (18, 5, False)  # two or three words, then one
    assert first.page_count == -(-23 // page_size)
    hits = [hit for page in range(1, first.page_count + 1)
            for hit in _search(tier_engine, tiers.question, sort=sort, page=page, page_size=page_size).hits]
    ids = [hit.post.id for hit in hits]
    assert len(ids) == len(set(ids)) == 23
    assert {post_id[:2] for post_id in ids[:18]} == {"g0", "g1"} and {post_id[:2] for post_id in ids[18:]} == {"g2"}
    assert [hit.fewer_words for hit in hits] == [False] * 18 + [True] * 5
    if sort == "relevance":
        assert [post_id[:2] for post_id in ids[:18]] == ["g0"] * 12 + ["g1"] * 6  # more words rank higher
    past_the_end = _search(tier_engine, tiers.question, sort=sort, page=first.page_count + 5, page_size=page_size)
    assert past_the_end.page == first.page_count and past_the_end.hits[-1].post.id == ids[-1]


def test_counts_and_facets_describe_the_results_and_filters_apply_to_both_tiers(tiers, tier_engine):
    response = _search(tier_engine, tiers.question, page_size=50)
    assert sum(count.count for count in response.facets["topic"]) == 18
    assert {count.value: count.count for count in response.facets["year"]} == {"2018": 9, "2019": 9}
    as_json = response.to_dict()
    assert (as_json["total"], as_json["more"]) == (18, 5)
    assert [hit["fewer_words"] for hit in as_json["hits"]] == [False] * 18 + [True] * 5
    training = _search(tier_engine, tiers.question, page_size=50, filters={"topic": ("Training",)})
    assert (training.total, training.more) == (4 + 2, 2)
    assert all("Training" in hit.post.topics for hit in training.hits)
    assert response.answer is None or {sentence.post_id[:2] for sentence in response.answer} <= {"g0", "g1"}


def test_a_query_without_a_required_share_has_no_second_tier(tier_engine):
    response = _search(tier_engine, "homework compliance", page_size=50)  # two words: any of them
    assert (response.total, response.more) == (23, 0)
    assert [hit.post.id[:2] for hit in response.hits][18:] == ["g2"] * 5  # both words, then one


def test_a_search_past_its_time_budget_returns_what_it_has_with_a_notice(tmp_path, monkeypatch):
    import search.engine as engine_module

    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    try:
        full = _search(engine, "burnout OR supervision OR mentalizing")
        monkeypatch.setattr(engine_module, "SEARCH_SECONDS", -1.0)  # the budget is spent before scoring starts
        cut = _search(engine, "burnout OR supervision OR mentalizing OR training")
        assert cut.partial and cut.to_dict()["partial"] is True
        assert "incomplete" in cut.notice
        assert cut.total < full.total
        monkeypatch.setattr(engine_module, "SEARCH_SECONDS", 3.0)
        again = _search(engine, "burnout OR supervision OR mentalizing OR training")  # a partial response is not cached
        assert not again.partial and again.total >= full.total
    finally:
        engine.close()


def test_a_search_out_of_time_is_partial_whatever_another_search_does_meanwhile(tmp_path, monkeypatch):
    """Two searches share one snapshot's scorer: each says whether its own time ran out."""
    import threading

    import search.engine as engine_module
    from search.scoring import Scorer

    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    engine.stats()
    scored, release = threading.Event(), threading.Event()
    real_evaluate = Scorer.evaluate

    def evaluate_then_wait(self, reader, query, restrict, deadline=float("inf")):
        match = real_evaluate(self, reader, query, restrict, deadline)
        if threading.current_thread().name == "late":  # scored past its budget; waits while another search runs
            scored.set()
            release.wait(30)
        return match

    monkeypatch.setattr(Scorer, "evaluate", evaluate_then_wait)
    monkeypatch.setattr(engine_module, "SEARCH_SECONDS", -1.0)
    found = {}
    late = threading.Thread(target=lambda: found.update(late=_search(engine, "burnout")), name="late")
    late.start()
    try:
        assert scored.wait(30)
        monkeypatch.setattr(engine_module, "SEARCH_SECONDS", 3.0)
        on_time = _search(engine, "supervision")
        assert not on_time.partial and on_time.total
    finally:
        release.set()
        late.join(30)
        engine.close()
    assert found["late"].partial and "incomplete" in found["late"].notice


def test_a_slow_search_does_not_block_other_searches(tmp_path, monkeypatch):
    import threading

    from search.scoring import Scorer

    write_index(SEED_POSTS, tmp_path)
    engine = SearchEngine(tmp_path)
    engine.stats()
    entered, release = threading.Event(), threading.Event()
    real_evaluate = Scorer.evaluate

    def slow_evaluate(self, reader, query, restrict, deadline=float("inf")):
        if "zanzibar" in str(query):  # the slow one waits until the others are done
            entered.set()
            release.wait(30)
        return real_evaluate(self, reader, query, restrict, deadline)

    monkeypatch.setattr(Scorer, "evaluate", slow_evaluate)
    slow = threading.Thread(target=lambda: _search(engine, "zanzibar"))
    slow.start()
    try:
        assert entered.wait(30)
        assert _search(engine, "burnout").total == 3  # answered while the slow search holds its searcher
        assert engine.stats()["posts"] == 6 and engine.post(TELE) is not None
    finally:
        release.set()
        slow.join(30)
        engine.close()
    assert not slow.is_alive()
