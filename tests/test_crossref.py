"""Citations completed from Crossref during the crawl (indexer.crossref, indexer.crossref_record), against
a loopback Crossref that answers in its JSON shape (tests/fixtures/crossref/): a DOI found, a DOI unknown
(404), a slow or failing service, a bibliographic match accepted and one rejected, the cache reused by
the next crawl, and ``index`` completing the posts offline from the cache."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import run
from indexer.build import build_index
from indexer.crawl_settings import CrawlSettings
from indexer.crossref import CACHE_DIR, cache_key, cache_path, complete_from_cache
from indexer.crossref_record import agrees, complete
from search.engine import SearchEngine
from search.post import Post
from tests.fixtures.crossref.server import FIXTURE, FakeCrossref
from tests.fixtures.site.harness import corpus, fast_crawl, posts_by_id, site  # noqa: F401 (pytest fixtures)

BRUGNERA = "2021-01-mentalizing-may-be-a-protective-factor"
ENSINK = "2021-01-can-therapists-train-to-improve-their"
SUMMERS = "2021-01-psychological-practitioner-workplace"  # its DOI is unknown to Crossref
HIEBLER = "2020-09-supervision-in-psychotherapy-the-impact"  # online first: no volume yet
FIRTH = "2020-08-why-does-where-a-patient-lives-affect"  # no DOI: a bibliographic query
TELEPSYCHOLOGY = "2021-02-the-covid-19-telepsychology-revolution"  # no citation: nothing to ask
DOIS = ["10.1080/10503307.2020.1762946", "10.1080/10503307.2013.800950", "10.1002/cpp.2509", "10.1002/cpp.2494"]
MAILTO = "pprnet-team@example.org"


@pytest.fixture
def crossref():
    with FakeCrossref() as service:
        yield service


def _crawl(site, corpus, crossref, **options):
    return fast_crawl(site, corpus, crossref=True, crossref_url=crossref.url, mailto=MAILTO, **options)


def _indexed(corpus: Path, tmp_path: Path, name: str = "index") -> dict[str, Post]:
    build_index(corpus, tmp_path / name)
    engine = SearchEngine(tmp_path / name)
    try:
        return {post_id: engine.post(post_id) for post_id in posts_by_id(corpus)}
    finally:
        engine.close()


def _answers(corpus: Path) -> dict[str, dict]:
    answers = [json.loads(path.read_text(encoding="utf-8")) for path in (corpus / "crawl" / CACHE_DIR).glob("*.json")]
    return {answer["key"]: answer for answer in answers}


def test_crawl_completes_citations_from_crossref_and_index_keeps_both(site, corpus, crossref, tmp_path):
    summary = _crawl(site, corpus, crossref)
    assert summary.complete and summary.failed == 0
    # one request per DOI, one query for the line without a DOI, none for the post without a citation
    works = crossref.paths("/works/")
    assert sorted(works) == sorted(f"/works/{doi}" for doi in DOIS)
    queries = crossref.paths("/works?")
    assert len(queries) == 1 and "query.bibliographic=Firth" in queries[0] and "rows=3" in queries[0]
    assert all(MAILTO in headers["User-Agent"] for path, headers in crossref.requests)
    assert any("crossref: 5 asked (4 found, 1 not found, 0 without an agreeing match, 0 failed)" in note
               for note in summary.notes)

    posts = _indexed(corpus, tmp_path)
    brugnera = posts[BRUGNERA]
    assert brugnera.metadata_source == "crossref" and brugnera.authors_complete
    assert brugnera.authors[0] == "Brugnera, A." and brugnera.authors[4] == "Tasca, G. A."
    assert brugnera.authors[-1] == "Lo Coco, G." and len(brugnera.authors) == 10
    assert (brugnera.volume, brugnera.issue, brugnera.pages) == ("31", "1", "34–46")
    assert brugnera.citation.startswith("Brugnera, A., Zarbo, C., Compare, A., Talia, A., Tasca, G.A., … & Lo Coco")
    assert brugnera.year == 2020  # the blog's year stays (Crossref's print year is 2021)
    details = brugnera.crossref
    assert details["matched_by"] == "doi" and details["type"] == "journal-article"
    assert details["publisher"] == "Informa UK Limited" and details["issn"] == ["1050-3307", "1468-4381"]
    assert details["authors"][4] == {"family": "Tasca", "given": "Giorgio A.", "orcid": "0000-0002-1825-0097"}
    assert len(details["blog"]["authors"]) == 6 and details["blog"]["authors_complete"] is False
    assert details["blog"]["volume"] is None

    hiebler = posts[HIEBLER]  # online first: Crossref adds the ISSN, the hyphen of a name is read as the blog's
    assert hiebler.metadata_source == "crossref" and hiebler.volume is None
    assert hiebler.authors[0] == "Hiebler-Rager, M." and hiebler.crossref["issn"] == ["1063-3995", "1099-0879"]
    assert posts[ENSINK].authors[-1] == "Parent, K." and len(posts[ENSINK].authors) == 7

    summers = posts[SUMMERS]  # 404: the blog's line as it was
    assert summers.metadata_source == "blog" and summers.crossref is None and summers.doi == "10.1002/cpp.2509"

    firth = posts[FIRTH]  # the near miss (another first author and year) is passed over for the agreeing hit
    assert firth.metadata_source == "crossref" and firth.crossref["matched_by"] == "query"
    assert firth.doi == "10.5555/ccp.2019.0391" and firth.crossref["blog"] == {"doi": None}
    assert posts[TELEPSYCHOLOGY].metadata_source == "blog"


def test_a_bibliographic_hit_that_disagrees_is_rejected(site, corpus, crossref, tmp_path):
    crossref.query_answer = "disagreeing"
    summary = _crawl(site, corpus, crossref)
    assert any("1 without an agreeing match" in note for note in summary.notes)
    answer = _answers(corpus)[next(key for key in _answers(corpus) if key.startswith("query:"))]
    assert answer["status"] == "no-match" and answer["work"] is None
    firth = _indexed(corpus, tmp_path)[FIRTH]
    assert firth.metadata_source == "blog" and firth.doi is None and firth.volume == "87"


def test_the_next_crawl_reuses_the_answers_and_index_needs_no_network(site, corpus, crossref, tmp_path):
    _crawl(site, corpus, crossref)
    asked = len(crossref.paths("/works"))
    summary = _crawl(site, corpus, crossref)
    assert len(crossref.paths("/works")) == asked  # found, not found and no match are all reused
    assert any("crossref: 0 asked" in note and "5 answers reused" in note for note in summary.notes)
    crossref.close()  # index reads the cache only
    assert _indexed(corpus, tmp_path)[BRUGNERA].metadata_source == "crossref"


def test_a_stale_answer_is_asked_again(site, corpus, crossref):
    _crawl(site, corpus, crossref)
    for path in (corpus / "crawl" / CACHE_DIR).glob("*.json"):
        answer = json.loads(path.read_text(encoding="utf-8"))
        if answer["status"] != "found" or not answer["work"].get("volume"):  # online first, not found, no match
            answer["checked_at"] = "2020-01-01T00:00:00+00:00"
            path.write_text(json.dumps(answer), encoding="utf-8")
    before = len(crossref.paths("/works"))
    _crawl(site, corpus, crossref)
    again = crossref.paths("/works")[before:]
    assert sorted(again) == ["/works/10.1002/cpp.2494", "/works/10.1002/cpp.2509"]


@pytest.mark.parametrize("fault", [("status", 503), ("sleep", 1.5)], ids=["failing", "slow"])
def test_a_failing_or_slow_crossref_loses_nothing(site, corpus, crossref, tmp_path, fault):
    crossref.fault = fault
    summary = _crawl(site, corpus, crossref, timeout=0.5, retries=1)
    assert summary.complete and summary.failed == 0  # the pages are all there: Crossref is a note
    assert any("Crossref failed 3 times in a row" in note for note in summary.notes)
    assert len(crossref.paths("/works")) == 3 * 2  # three works, two attempts each, then it is left alone
    assert not _answers(corpus)  # failures are not cached: the next crawl asks again
    posts = _indexed(corpus, tmp_path)
    assert len(posts) == 6 and all(post.metadata_source == "blog" for post in posts.values())
    assert posts[BRUGNERA].authors_complete is False  # the blog's list, still marked incomplete
    crossref.fault = None
    _crawl(site, corpus, crossref)
    assert _indexed(corpus, tmp_path, "index2")[BRUGNERA].metadata_source == "crossref"


def test_an_unreachable_crossref_and_no_crossref(site, corpus, crossref, tmp_path, capsys):
    summary = fast_crawl(site, corpus, crossref=True, crossref_url="http://127.0.0.1:9", retries=0)
    assert summary.complete and summary.failed == 0
    assert any("Crossref could not be reached" in note for note in summary.notes)
    status = run.main(["crawl", "--base-url", site.base_url, "--archive-url", "", "--corpus", str(corpus),
                       "--delay", "0", "--no-crossref", "--crossref-url", crossref.url])
    assert status == 0 and not crossref.requests
    assert "crossref:" not in capsys.readouterr().err
    assert len(_indexed(corpus, tmp_path)) == 6


def test_mailto_must_be_an_address():
    with pytest.raises(ValueError, match="--mailto must be an e-mail address"):
        CrawlSettings(mailto="me (at) example")


# -- reading a record -------------------------------------------------------------------------------------
LINE_POST = Post(id="p", url=None, issue_date="2021-01", title="t",
                 citation="Firth, N., Saxon, D., et al. (2019). Therapist and clinic effects in psychotherapy: "
                          "A three-level model of outcome variability. JCCP.",
                 authors=("Firth, N.", "Saxon, D."), authors_complete=False, last_author_known=False, year=2019,
                 article_title="Therapist and clinic effects in psychotherapy: A three-level model of outcome variability")
FIRTH_WORK = FIXTURE["queries"]["agreeing"]["message"]["items"][1]


@pytest.mark.parametrize("change, expected", [
    ({}, True),
    ({"title": ["Therapist and clinic effects in psychotherapy: a three level model of outcome variability"]}, True),
    ({"title": ["Clinic effects in group therapy"]}, False),
    ({"issued": {"date-parts": [[2018]]}, "published-print": {"date-parts": [[2018, 3]]}}, False),
    ({"issued": {"date-parts": [[2018, 11]]}, "published-print": {"date-parts": [[2019, 4]]}}, True),  # online first
    ({"author": [{"given": "Nick", "family": "Furth", "sequence": "first"}]}, False),
    ({"author": [{"given": "Nick", "family": "FIRTH", "sequence": "first"}]}, True),
])
def test_a_hit_agrees_on_title_year_and_first_author(change, expected):
    assert agrees(LINE_POST, FIRTH_WORK | change) is expected


def test_completion_keeps_the_blog_line_and_what_it_replaced():
    post = complete(LINE_POST, FIRTH_WORK | {"author": FIRTH_WORK["author"] + [
        {"given": "Jean-Philippe", "family": "Laurent", "suffix": "Jr.", "sequence": "additional"},
        {"name": "The PPRNet Group", "sequence": "additional"}]}, matched_by="query")
    assert post.citation == LINE_POST.citation and post.article_title == LINE_POST.article_title
    assert post.authors == ("Firth, N.", "Saxon, D.", "Stiles, W. B.", "Barkham, M.", "Laurent, J.-P., Jr.",
                            "The PPRNet Group")
    assert post.authors_complete and post.last_author_known and post.metadata_source == "crossref"
    assert post.crossref["blog"]["authors"] == ["Firth, N.", "Saxon, D."]
    assert post.crossref["authors"][-1] == {"name": "The PPRNet Group"}
    assert (post.volume, post.issue, post.pages, post.journal) == ("87", "4", "345–356",
                                                                   "Journal of Consulting and Clinical Psychology")
    assert json.loads(json.dumps(post.to_dict())) == post.to_dict()


def test_a_shorter_crossref_list_does_not_replace_the_blogs():
    post = complete(LINE_POST.replace(authors=("A, B.", "C, D.", "E, F.", "G, H.", "I, J."), authors_complete=True),
                    FIRTH_WORK, matched_by="query")
    assert post.authors == ("A, B.", "C, D.", "E, F.", "G, H.", "I, J.") and "authors" not in post.crossref["blog"]


def test_a_doi_naming_another_work_is_not_applied(tmp_path):
    post = LINE_POST.replace(doi="10.1/typo", article_title="Something else entirely", authors=("Other, A.",))
    ask_path = tmp_path / "crawl"
    (ask_path / CACHE_DIR).mkdir(parents=True)
    cache_path(ask_path, cache_key(post)).write_text(json.dumps(
        {"key": cache_key(post), "status": "found", "checked_at": "2024-01-01T00:00:00+00:00", "work": FIRTH_WORK}))
    assert complete_from_cache([post], ask_path) == [post]
    assert complete_from_cache([post.replace(authors=("Firth, N.",))], ask_path)[0].metadata_source == "crossref"
