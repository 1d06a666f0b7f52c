"""The query language's contract (docs/query-language.md), rule by rule, on 600 generated posts: a
fielded term restricts; a facet filter and the same restriction typed list the same posts; explicit
OR between restrictions widens; names, research types and topics in the forms people use; how the
query was read, in the JSON and on the page; unknown values said, never a silent 0."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from bench import synth
from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index
from webui import create_app

WORDS = ("alliance", "dropout", "supervision", "therapist")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    posts = list(synth.generate_posts(600))
    root = tmp_path_factory.mktemp("contract-600")
    write_index(posts, root)
    engine = SearchEngine(root)
    yield engine, posts
    engine.close()


def _listed(engine: SearchEngine, query: str, **filters) -> list[str]:
    """Every post listed for a query (the results, then the posts matching fewer words), in order."""
    request = SearchRequest.from_params(query=query, filters=filters, page_size=50)
    first = engine.search(request)
    ids = [hit.post.id for hit in first.hits]
    for page in range(2, first.page_count + 1):
        request = SearchRequest.from_params(query=query, filters=filters, page_size=50, page=page)
        ids += [hit.post.id for hit in engine.search(request).hits]
    assert len(ids) == first.total + first.more
    return ids


def _values(posts: list[Post], facet: str, count: int) -> list[str]:
    from collections import Counter

    values = Counter(value for post in posts for value in {
        "author": post.authors, "journal": (post.journal,), "type": post.research_types, "topic": post.topics,
        "year": (str(post.year),)}[facet] if value)
    return [value for value, _ in values.most_common(count)]


@pytest.mark.parametrize("facet", ["author", "journal", "type", "topic", "year"])
@pytest.mark.parametrize("word", WORDS)
def test_a_typed_restriction_lists_what_the_facet_filter_lists_and_never_more_than_the_words(corpus, facet, word):
    engine, posts = corpus
    for value in _values(posts, facet, 3):
        typed = _listed(engine, f'{word} {facet}:"{value}"')
        assert typed == _listed(engine, word, **{facet: [value]}), (facet, value)
        assert set(typed) <= set(_listed(engine, word))
        assert len(typed) < len(_listed(engine, word))  # 600 posts: a widening would show here


def test_two_restrictions_are_both_required(corpus):
    engine, posts = corpus
    author, year = _values(posts, "author", 1)[0], _values(posts, "year", 1)[0]
    both = set(_listed(engine, f'author:"{author}" year:{year}'))
    by_author = set(_listed(engine, f'author:"{author}"'))
    assert both and both <= by_author and both <= set(_listed(engine, f"year:{year}")) and both < by_author
    assert all(author in post.authors and str(post.year) == year for post in posts if post.id in both)


def test_a_question_with_a_restriction_restricts_both_tiers(corpus):
    engine, posts = corpus
    question = "how do therapists repair alliance ruptures and prevent dropout"
    year = _values(posts, "year", 1)[0]
    response = engine.search(SearchRequest(query=f"{question} year:{year}", page_size=50))
    by_id = {post.id: post for post in posts}
    listed = _listed(engine, f"{question} year:{year}")
    assert response.total and all(str(by_id[post_id].year) == year for post_id in listed)
    assert listed == _listed(engine, question, year=[year])


@pytest.mark.parametrize("form", ["year:{y}", "year:{y}-{y}", "year:[{y} TO {y}]", "year:>={y} year:<={y}", "py:{y}"])
def test_every_year_form_restricts_the_same(corpus, form):
    engine, posts = corpus
    year = _values(posts, "year", 1)[0]
    assert _listed(engine, "alliance " + form.format(y=year)) == _listed(engine, "alliance", year=[year])


def test_explicit_or_between_restrictions_widens(corpus):
    engine, posts = corpus
    first, second = _values(posts, "year", 2)
    either = set(_listed(engine, f"year:{first} OR year:{second}"))
    assert either == set(_listed(engine, f"year:{first}")) | set(_listed(engine, f"year:{second}"))
    assert set(_listed(engine, f"alliance (year:{first} OR year:{second})")) == set(_listed(engine, "alliance", year=[first, second]))


def test_a_negated_restriction_excludes(corpus):
    engine, posts = corpus
    journal = _values(posts, "journal", 1)[0]
    kept = set(_listed(engine, f'alliance -journal:"{journal}"'))
    assert kept == set(_listed(engine, "alliance")) - set(_listed(engine, f'journal:"{journal}"'))


def test_a_title_restriction_requires_its_word_in_the_title(corpus):
    engine, posts = corpus
    by_id = {post.id: post for post in posts}
    listed = _listed(engine, "alliance title:dropout")
    assert listed and all("drop" in by_id[post_id].title.lower() for post_id in listed)
    assert set(listed) <= set(_listed(engine, "alliance"))


def test_restrictions_alone_list_the_newest_first_like_the_facet(corpus):
    engine, posts = corpus
    journal = _values(posts, "journal", 1)[0]
    assert _listed(engine, f'journal:"{journal}"') == _listed(engine, "", journal=[journal])


# -- names, types and topics in the forms people use ---------------------------------------------
NAMES = [("Tasca, G. A.", "tasca-ga"), ("Tasca, B.", "tasca-b"), ("Tasca, G.", "tasca-g"),
         ("Müller-Lüdenscheidt, H. F.", "muller"), ("Lo Coco, G.", "lo-coco"), ("Stiles, W. B.", "stiles")]


@pytest.fixture(scope="module")
def names_engine(tmp_path_factory):
    posts = [Post(id=post_id, url=None, issue_date=f"2020-0{n + 1}", title=f"Post {n}", summary="A study of alliance.",
                  authors=(name, "Okafor, B."), year=2020, research_types=(kind,),
                  topics=(topic,))
             for n, ((name, post_id), kind, topic) in enumerate(zip(
                 NAMES, ["randomized controlled trial", "meta-analysis", "systematic review", "naturalistic",
                         "qualitative", "survey"],
                 ["Trauma and/or PTSD", "Cognitive Therapy (CT) and Cognitive-Behavioural Therapy (CBT)", "Training",
                  "Attendance, Attrition, and Drop-Out", "Depression and Depressive Symptoms", "Training"]))]
    root = tmp_path_factory.mktemp("names")
    write_index(posts, root)
    engine = SearchEngine(root)
    yield engine, root
    engine.close()


@pytest.mark.parametrize(("typed", "expected"), [
    ("Tasca", {"tasca-ga", "tasca-b", "tasca-g"}),
    ('"Tasca, G. A."', {"tasca-ga"}),
    ('"Tasca, G.A."', {"tasca-ga"}),
    ('"Tasca GA"', {"tasca-ga"}),
    ("Tasca GA", {"tasca-ga"}),                 # PubMed's form, unquoted
    ('"Tasca G"', {"tasca-ga", "tasca-g"}),    # initials narrow when given
    ('"G. A. Tasca"', {"tasca-ga"}),
    ('"Giorgio A. Tasca"', {"tasca-ga"}),
    ('"tasca, b"', {"tasca-b"}),
    ("Muller-Ludenscheidt", {"muller"}),       # accents left out
    ('"Müller Lüdenscheidt, H.F."', {"muller"}),
    ('"Mueller"', set()),
    ('"Lo Coco"', {"lo-coco"}),
    ('"Lo Coco G"', {"lo-coco"}),
    ('"Stiles WB"', {"stiles"}),
    ('"Stiles, W"', {"stiles"}),
])
def test_author_names_in_every_common_form(names_engine, typed, expected):
    engine, _ = names_engine
    assert set(_listed(engine, f"author:{typed}")) == expected
    assert set(_listed(engine, "", author=[typed.strip('"')])) == expected  # the facet filter reads it alike


def test_initials_that_fit_no_author_are_said_and_the_surname_offered(names_engine):
    engine, _ = names_engine
    response = engine.search(SearchRequest(query='author:"Stiles, B"'))
    assert response.corrected and response.suggestion == "author:Stiles"  # no Stiles, B.: Stiles, W. B. is shown
    assert [hit.post.id for hit in response.hits] == ["stiles"]


def test_the_command_line_reads_author_forms_alike(names_engine, capsys):
    import json

    import cli

    engine, root = names_engine
    assert cli.main(["search", "--index", str(root), "--json", "--author", "Tasca G", "--"]) == 0
    assert {hit["id"] for hit in json.loads(capsys.readouterr().out)["hits"]} == {"tasca-ga", "tasca-g"}


@pytest.mark.parametrize(("typed", "expected"), [
    ("RCT", {"tasca-ga"}), ("rct", {"tasca-ga"}), ("trial", {"tasca-ga"}), ('"randomised controlled trial"', {"tasca-ga"}),
    ("MA", {"tasca-b"}), ('"meta analysis"', {"tasca-b"}), ("meta-analysis", {"tasca-b"}),
    ('"systematic review"', {"tasca-g"}), ("SR", {"tasca-g"}),
    ("observational", {"muller"}), ("naturalistic", {"muller"}), ("interviews", {"lo-coco"}),
    ("questionnaire", {"stiles"}),
])
def test_research_types_by_their_usual_names(names_engine, typed, expected):
    engine, _ = names_engine
    assert set(_listed(engine, f"type:{typed}")) == expected
    assert set(_listed(engine, "", type=[typed.strip('"')])) == expected


@pytest.mark.parametrize(("typed", "expected"), [
    ("PTSD", {"tasca-ga"}), ("trauma", {"tasca-ga"}), ("CBT", {"tasca-b"}), ('"cognitive behavioural therapy"', {"tasca-b"}),
    ("training", {"tasca-g", "stiles"}), ("dropout", {"muller"}), ("depressive", {"lo-coco"}),
])
def test_topics_by_their_words(names_engine, typed, expected):
    engine, _ = names_engine
    assert set(_listed(engine, f"topic:{typed}")) == expected


# -- how the query was read -------------------------------------------------------------------------
def test_the_interpretation_names_words_expansions_and_restrictions(names_engine):
    engine, _ = names_engine
    interpreted = engine.search(SearchRequest(query='alliance year:2020 author:"Tasca GA" type:RCT')).interpreted
    assert interpreted["words"] == ["alliance"]
    assert "therapeutic relationship" in interpreted["expansions"]["alliance"]
    assert [(r["field"], r["value"], r["matches"]) for r in interpreted["restrictions"]] == [
        ("year", "2020", ["2020"]), ("author", "Tasca GA", ["Tasca, G. A."]), ("type", "RCT", ["randomized controlled trial"])]
    assert interpreted["unknown"] == []


@pytest.mark.parametrize(("query", "field", "nearest"), [
    ("alliance type:foo", "type", None),
    ('journal:"Jounral of Alliance"', "journal", None),
    ("author:Tascaa", "author", "Tasca"),
    ("topic:Traning", "topic", "Training"),
])
def test_an_unknown_value_is_said_with_the_nearest_known_ones(names_engine, query, field, nearest):
    engine, _ = names_engine
    response = engine.search(SearchRequest(query=query))
    if nearest:  # nothing found, so the engine searched the nearest value instead, and says so
        assert response.corrected and nearest in response.suggestion and response.total
        return
    [unknown] = response.interpreted["unknown"]
    assert unknown["field"] == field and unknown["matches"] == [] and response.total == 0


def test_a_name_that_exists_is_never_corrected(names_engine):
    engine, _ = names_engine
    response = engine.search(SearchRequest(query="author:Muller"))
    assert {hit.post.id for hit in response.hits} == {"muller"} and response.suggestion is None


def test_the_page_shows_how_the_query_was_read(names_engine):
    _, root = names_engine
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    page = BeautifulSoup(client.get("/search", query_string={"q": "alliance year:2020 type:foo"}).get_data(as_text=True),
                         "html.parser")
    line = page.select_one("p.interpreted").get_text(" ", strip=True)
    assert "alliance (also: rapport, therapeutic relationship" in line and "year 2020" in line and "type foo" in line
    assert client.get("/api/search", query_string={"q": "type:RCT"}).get_json()["interpreted"]["restrictions"][0]["matches"] == [
        "randomized controlled trial"]


# -- a journal named in plain words --------------------------------------------------------------
def _journal_years(posts: list[Post], journals: int) -> list[tuple[str, int]]:
    """For the most common journals of more than one word: (journal, a year it has one to three posts in)."""
    from collections import Counter

    pairs = Counter((post.journal, post.year) for post in posts if post.journal and post.year)
    chosen = []
    for journal in _values(posts, "journal", 40):
        if len(journal.split()) < 2:
            continue
        years = sorted(year for (name, year), count in pairs.items() if name == journal and count <= 3)
        if years:
            chosen.append((journal, years[len(years) // 2]))
        if len(chosen) == journals:
            break
    return chosen


def test_a_journal_named_with_a_year_ranks_that_journals_article_of_that_year_first(corpus):
    engine, posts = corpus
    cases = _journal_years(posts, 6)
    assert len(cases) == 6
    for journal, year in cases:
        first = engine.search(SearchRequest(query=f"{journal} {year}")).hits[0].post
        assert (first.journal, first.year) == (journal, year), (journal, year, first.journal, first.year)


def test_a_word_found_only_in_a_journal_name_does_not_carry_a_post(corpus):
    """A post listed for a single word holds that word's terms in its own text (title, summary,
    implications, article title, authors, topics): never only in the name of its journal."""
    from search.analysis import phrase_terms

    engine, posts = corpus
    own = {post.id: set(phrase_terms(" ".join((post.title, post.summary, post.implications, post.article_title or "",
                                                " ".join(post.authors), " ".join(post.topics)))))
           for post in posts}
    journal_words = sorted({word for post in posts if post.journal for word in post.journal.replace(":", " ").split()
                            if len(word) >= 5})
    checked = 0
    for word in journal_words:
        terms = set(phrase_terms(word))
        holders = {post.id for post in posts if post.journal and word in post.journal.split() and not terms & own[post.id]}
        if not terms or not holders:
            continue
        checked += 1
        listed = set(_listed(engine, f'"{word}"'))  # quoted: the word alone, without synonyms
        assert not listed & holders, (word, sorted(listed & holders)[:3])
    assert checked >= 5
