"""Every cap says so and offers the rest (Flask test client, over 600 generated posts): a facet lists
at most 50 values, says so and links the page of all of them (with a box that finds one); a result set
exports 500 posts a file, names how many and offers the others as further files; a page past the last
says so; the JSON says how many values each facet has."""
from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup

from search.engine import SearchEngine
from search.facets import MAX_FACET_VALUES
from search.request import SearchRequest
from webui import ENGINE_KEY, create_app
from webui.state import MAX_EXPORT

QUERY = "therapist"


@pytest.fixture(scope="module")
def synth_client(synth_index):
    app = create_app({"INDEX_DIR": str(synth_index), "TESTING": True})
    yield app.test_client()
    app.extensions[ENGINE_KEY].close()


@pytest.fixture(scope="module")
def every_author(synth_index) -> list[tuple[str, int]]:
    """The engine's own list of every author of the query's results, with counts."""
    engine = SearchEngine(synth_index)
    try:
        response = engine.search(SearchRequest(query=QUERY, facet_limit=None))
    finally:
        engine.close()
    return [(count.value, count.count) for count in response.facets["author"]]


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def params(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def test_a_facet_with_more_values_than_it_lists_says_so_and_links_them_all(synth_client, every_author):
    total = len(every_author)
    assert total > MAX_FACET_VALUES
    page = soup(synth_client.get("/search", query_string={"q": QUERY}))
    authors = page.select_one('section[data-facet="author"]')
    assert len(authors.select("a.facet-value")) == MAX_FACET_VALUES
    cap = authors.select_one("p.facet-cap")
    assert " ".join(cap.get_text().split()) == f"{MAX_FACET_VALUES} of {total} listed. Show all {total} authors"
    link = cap.select_one("a.facet-all")["href"]
    assert urlsplit(link).path == "/facets/author" and params(link) == {"q": [QUERY]}
    assert synth_client.get("/api/search", query_string={"q": QUERY}).get_json()["facet_totals"]["author"] == total
    topics = page.select_one('section[data-facet="topic"]')  # 36 topics: all listed, nothing to add
    assert topics.select_one("p.facet-cap") is None and len(topics.select("a.facet-value")) == 36


def test_the_page_of_all_authors_lists_them_most_summaries_first_each_a_toggle(synth_client, every_author):
    from webui.pages import FACET_PAGE_VALUES

    page = soup(synth_client.get("/facets/author", query_string={"q": QUERY}))
    assert page.h1.get_text() == f"All {len(every_author)} authors"
    links = page.select("#facet-values a.facet-value")
    listed = min(len(every_author), FACET_PAGE_VALUES)
    assert [(a.contents[0].strip(), int(a.select_one(".count").get_text())) for a in links] == every_author[:listed]
    if len(every_author) > FACET_PAGE_VALUES:
        assert page.select_one("#facet-count").get_text().startswith(f"The {FACET_PAGE_VALUES} with the most summaries")
    first = links[0]
    assert params(first["href"]) == {"q": [QUERY], "author": [every_author[0][0]]}
    assert urlsplit(first["href"]).path == "/search"
    back = page.select_one(".breadcrumb a")["href"]
    assert params(back) == {"q": [QUERY]}
    results = soup(synth_client.get(first["href"]))
    pressed = results.select('section[data-facet="author"] a.facet-value[aria-pressed="true"]')
    assert [a.contents[0].strip() for a in pressed] == [every_author[0][0]]


def test_the_find_box_narrows_the_list_and_keeps_the_search(synth_client, every_author):
    wanted = [(name, count) for name, count in every_author if "smi" in name.casefold()]
    assert 0 < len(wanted) < len(every_author)
    page = soup(synth_client.get("/facets/author", query_string={"q": QUERY, "topic": "Training", "find": "SMI"}))
    form = page.select_one("form.facet-filter")
    assert {(i["name"], i["value"]) for i in form.select("input[type=hidden]")} == {("q", QUERY), ("topic", "Training")}
    engine_found = [a.contents[0].strip() for a in page.select("#facet-values a.facet-value")]
    assert engine_found and all("smi" in name.casefold() for name in engine_found)
    page = soup(synth_client.get("/facets/author", query_string={"q": QUERY, "find": "smi"}))
    assert [a.contents[0].strip() for a in page.select("#facet-values a.facet-value")] == [name for name, _ in wanted]
    assert page.select_one("#facet-count").get_text().startswith(f"{len(wanted)} of {len(every_author)} authors contain “smi”")
    assert params(page.select_one("#facet-count a")["href"]) == {"q": [QUERY]}
    nothing = soup(synth_client.get("/facets/author", query_string={"q": QUERY, "find": "zzzzqq"}))
    assert nothing.select_one("#facet-values .facet-empty").get_text() == "None."


def test_the_facet_page_refuses_what_it_cannot_show(synth_client):
    assert synth_client.get("/facets/colour").status_code == 404
    assert synth_client.get("/facets/author?year=abc").status_code == 400
    years = soup(synth_client.get("/facets/year"))
    listed = [int(a.contents[0].strip()) for a in years.select("#facet-values a.facet-value")]
    assert listed == sorted(listed, reverse=True) and len(listed) > 10  # years newest first


def _csl_entries(entries: list[dict]) -> list[str]:
    """CSL-JSON entries without their ids (a file makes its ids distinct within itself)."""
    return [json.dumps({key: value for key, value in entry.items() if key != "id"}, sort_keys=True) for entry in entries]


def test_a_result_set_exports_500_a_file_and_offers_the_rest(synth_client, synth_index):
    from webui.exports import reference
    from webui.reference_files import csl_json

    total = synth_client.get("/api/search", query_string={"q": QUERY}).get_json()["total"]
    assert MAX_EXPORT < total <= 2 * MAX_EXPORT
    page = soup(synth_client.get("/search", query_string={"q": QUERY}))
    bar = page.select_one(".export-all")
    assert " ".join(bar.get_text().split()) == f"Results 1–{MAX_EXPORT} of {total}: BibTeX RIS CSL-JSON"
    first_url = bar.select_one("a.all-json")["href"]
    parts = page.select_one("details.export-parts")
    assert " ".join(parts.summary.get_text().split()) == f"Export the other {total - MAX_EXPORT} results, {MAX_EXPORT} a file"
    rows = parts.select("li")
    assert len(rows) == 1 and rows[0].get_text(" ", strip=True).startswith(f"Results {MAX_EXPORT + 1}–{total}:")
    second_url = rows[0].select('a[href*=".json"]')[0]["href"]
    assert params(second_url) == {"q": [QUERY], "part": ["2"]}

    first, second = synth_client.get(first_url), synth_client.get(second_url)
    engine = SearchEngine(synth_index)
    try:  # the results in the order the results pages show them, 500 a page
        results = [hit.post for page in (1, 2)
                   for hit in engine.search(SearchRequest(query=QUERY, page=page, page_size=MAX_EXPORT)).results]
    finally:
        engine.close()
    with synth_client.application.test_request_context():  # the export links this site's page of each post
        expected = _csl_entries(json.loads(csl_json([reference(post) for post in results])))
    assert len(expected) == total
    assert _csl_entries(json.loads(first.get_data(as_text=True))) == expected[:MAX_EXPORT]
    assert _csl_entries(json.loads(second.get_data(as_text=True))) == expected[MAX_EXPORT:]
    assert 'filename="pprnet-results-1-500.json"' in first.headers["Content-Disposition"]
    assert f'filename="pprnet-results-501-{total}.json"' in second.headers["Content-Disposition"]
    assert synth_client.get("/search.json", query_string={"q": QUERY, "part": "3"}).status_code == 404
    for wrong in ("0", "abc", "２", "21"):
        assert synth_client.get("/search.ris", query_string={"q": QUERY, "part": wrong}).status_code == 400, wrong


def test_results_past_the_offered_files_are_said(synth_client, monkeypatch):
    import webui.state

    monkeypatch.setattr(webui.state, "MAX_EXPORT_PARTS", 1)
    page = soup(synth_client.get("/search", query_string={"q": QUERY}))
    note = page.select_one("details.export-parts p").get_text(" ", strip=True)
    assert note.startswith(f"Results after {MAX_EXPORT} are not offered as files: narrow the search")


def test_a_small_result_set_names_its_number(client):
    page = soup(client.get("/search", query_string={"q": "burnout"}))
    assert " ".join(page.select_one(".export-all").get_text().split()) == "All 3 results: BibTeX RIS CSL-JSON"
    assert page.select_one("details.export-parts") is None
    one = soup(client.get("/search", query_string={"q": "Firth"}))
    assert one.select_one(".export-all").get_text().split()[:3] == ["All", "1", "result:"]


def test_a_page_past_the_last_says_so(client):
    page = soup(client.get("/search", query_string={"q": "therapists", "page": "99"}))
    notices = [p.get_text() for p in page.select("p.notice")]
    assert "There is no page 99: these results fill 1 page, so this is page 1." in notices
    assert len(page.select("article.result")) == 6
    assert not soup(client.get("/search", query_string={"q": "therapists"})).select("p.notice")
