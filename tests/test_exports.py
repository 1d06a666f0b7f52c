"""Reference files (webui.reference_files) and their routes (webui.exports): every fixture post exported
as BibTeX, RIS and CSL-JSON and read back with bibtexparser, rispy and json; an elided author list stays
incomplete; a selection and a whole result set export in one file."""
from __future__ import annotations

import json

import bibtexparser
import pytest
import rispy

from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from webui.reference_files import INCOMPLETE_NOTE, bibtex, csl_json, ris
from webui.references import blog_reference, primary_reference

BRUGNERA = "2021-01-mentalizing-may-be-a-protective-factor"
TELEPSYCHOLOGY = "2021-02-the-covid-19-telepsychology-revolution"

# Posts whose references stress the writers: TeX specials, a book, 25 authors, a hostile address.
ODD_POSTS = [
    Post(id="odd-tex", url="https://example.org/post?a=1&b=%7Bx%7D", issue_date="2019-03", title="Costs & {benefits}",
         citation="…", authors=("Çelik, Ö.", "O'Brien, S."), year=2018, article_title="Costs_of 100% $care$ #1 ~ ^",
         journal="J & K", volume="3", issue="2", pages="e1234", doi="10.1/x_y"),
    Post(id="odd-book", url=None, issue_date="2016-05", title="The Great Debate",
         citation="Wampold, B. E., & Imel, Z. E. (2015). The great psychotherapy debate (2nd ed.). New York: Routledge.",
         authors=("Wampold, B. E.", "Imel, Z. E."), year=2015, article_title="The great psychotherapy debate (2nd ed.)"),
    Post(id="odd-many", url="javascript:alert(1)", issue_date="2022-11", title="Many hands",
         citation="…", authors=tuple(f"Author{i}, A." for i in range(25)), year=2022, article_title="Many hands",
         journal="Psychotherapy", volume="59", pages="1–9"),
    Post(id="odd-elided", url=None, issue_date="2023-01", title="Et al.", citation="Smith, J., Lee, K., et al. (2021). X. Y.",
         authors=("Smith, J.", "Lee, K."), authors_complete=False, year=2021, article_title="X", journal="Y"),
]


def _all_posts(seed_posts) -> list[Post]:
    return [Post.from_dict(p) for p in seed_posts] + ODD_POSTS


def test_bibtex_round_trips_every_post(seed_posts):
    posts = _all_posts(seed_posts)
    references = [primary_reference(post) for post in posts]
    entries = bibtexparser.loads(bibtex(references)).entries
    assert len(entries) == len(posts)
    assert len({entry["ID"] for entry in entries}) == len(entries)
    for post, reference, entry in zip(posts, references, entries):
        names = [name.strip() for name in entry["author"].split(" and ")]
        assert names[-1] == "others" if not reference.authors_complete else "others" not in names
        assert [n for n in names if n != "others"] == list(reference.authors)
        assert entry["ENTRYTYPE"] == ("article" if post.journal else "misc")
        if post.year:
            assert entry["year"] == str(post.year)
        if post.doi:
            assert entry["doi"].replace("\\_", "_") == post.doi


def test_bibtex_escapes_tex_specials():
    text = bibtex([primary_reference(ODD_POSTS[0])])
    assert r"title = {Costs\_of 100\% \$care\$ \#1 \textasciitilde{} \textasciicircum{}}" in text
    assert r"journal = {J \& K}" in text
    assert "url = " not in text  # the post's address is the summary's, not the article's: it goes in the note
    entry = bibtexparser.loads(text).entries[0]
    assert entry["note"].endswith("https://example.org/post?a=1\\&b=\\%7Bx\\%7D")
    assert entry["ID"] == "Celik2018Costsof"
    blog = bibtexparser.loads(bibtex([blog_reference(ODD_POSTS[0])])).entries[0]
    assert blog["url"] == "https://example.org/post?a=1&b=%7Bx%7D"  # an address with raw braces is no address (webui.links)


def test_ris_round_trips_every_post(seed_posts):
    posts = _all_posts(seed_posts)
    references = [primary_reference(post) for post in posts]
    text = ris(references)
    assert "\r\n" in text and "\n1." not in text
    records = rispy.loads(text)
    assert len(records) == len(posts)
    for post, reference, record in zip(posts, references, records):
        assert record["authors"] == list(reference.authors)
        assert record.get("title") == reference.title
        assert (INCOMPLETE_NOTE in record.get("notes", [])) == (not reference.authors_complete)
        assert record["type_of_reference"] == {"article": "JOUR", "blog-post": "BLOG"}.get(reference.kind, "GEN")
        for url in record.get("urls", []):
            assert url.startswith(("http://", "https://"))
        if post.doi:
            assert record["doi"] == post.doi


def test_csl_json_items(seed_posts):
    posts = _all_posts(seed_posts)
    items = json.loads(csl_json([primary_reference(post) for post in posts]))
    assert len(items) == len(posts)
    by_title = {item["title"]: item for item in items}
    firth = by_title["Therapist and clinic effects in psychotherapy: A three-level model of outcome variability"]
    assert firth["type"] == "article-journal" and firth["page"] == "345-356"
    assert firth["author"][0] == {"family": "Firth", "given": "N."} and firth["issued"] == {"date-parts": [[2019]]}
    blog = by_title["The COVID-19 Telepsychology Revolution"]
    assert blog["type"] == "post-weblog" and blog["issued"] == {"date-parts": [[2021, 2]]}
    assert blog["author"] == [{"family": "Tasca", "given": "G. A."}]
    assert INCOMPLETE_NOTE in by_title["Self-reported reflective functioning mediates the association between attachment insecurity and well-being among psychotherapists"]["note"]
    assert "URL" not in by_title["Many hands"]  # javascript: is never exported


# -- routes -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("extension, mimetype", [
    ("bib", "application/x-bibtex"), ("ris", "application/x-research-info-systems"),
    ("json", "application/vnd.citationstyles.csl+json")])
def test_post_exports(client, extension, mimetype):
    response = client.get(f"/posts/{BRUGNERA}.{extension}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.headers["Content-Disposition"] == f'attachment; filename="{BRUGNERA}.{extension}"'
    assert client.get(f"/posts/no-such-post.{extension}").status_code == 404


def test_elided_author_list_round_trips_as_incomplete(client):
    entry = bibtexparser.loads(client.get(f"/posts/{BRUGNERA}.bib").get_data(as_text=True)).entries[0]
    assert entry["author"].endswith(" and others")
    record = rispy.loads(client.get(f"/posts/{BRUGNERA}.ris").get_data(as_text=True))[0]
    assert INCOMPLETE_NOTE in record["notes"]
    item = client.get(f"/posts/{BRUGNERA}.json").get_json()[0]
    assert INCOMPLETE_NOTE in item["note"]


def test_selection_export_keeps_order_and_reports_unknown_ids(client, seed_posts):
    ids = [seed_posts[3]["id"], seed_posts[0]["id"], seed_posts[5]["id"]]
    response = client.get("/export.ris", query_string=[("id", i) for i in ids + ["gone-since-reindex"]])
    assert response.status_code == 200
    records = rispy.loads(response.get_data(as_text=True))
    assert [r["title"] for r in records] == [primary_reference(Post.from_dict(p)).title
                                             for i in ids for p in seed_posts if p["id"] == i]
    assert response.headers["X-Not-Found"] == "gone-since-reindex"


@pytest.mark.parametrize("query, status", [([("id", "nope")], 404), ([("id", f"x{i}") for i in range(501)], 400),
                                           ([("id", "a\nb")], 404)])
def test_selection_export_bad_input(client, query, status):
    response = client.get("/export.bib", query_string=query)
    assert response.status_code == status
    assert response.mimetype == "text/html"


def test_empty_selection_says_what_to_do(client):
    response = client.get("/export.bib")
    assert response.status_code == 400 and "Tick at least one summary" in response.get_data(as_text=True)


def test_result_set_export_is_the_search(client, index_root):
    engine = SearchEngine(index_root)
    try:
        expected = engine.search(SearchRequest(query="burnout", filters={"type": ("survey",)}, page_size=50))
    finally:
        engine.close()
    response = client.get("/search.bib", query_string={"q": "burnout", "type": "survey", "page": "2", "page_size": "1"})
    entries = bibtexparser.loads(response.get_data(as_text=True)).entries
    assert len(entries) == expected.total >= 2  # page and page_size are ignored: the whole set
    assert [e["title"] for e in entries] == [primary_reference(hit.post).title for hit in expected.hits]
    assert client.get("/search.ris", query_string={"sort": "sideways"}).status_code == 400
    assert client.get("/search.json?q=").status_code == 200


def test_results_page_links_the_result_set_exports(client):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/search?q=burnout&type=survey").get_data(as_text=True), "html.parser")
    assert page.select_one("a.all-ris")["href"] == "/search.ris?q=burnout&type=survey"
    form = page.select_one("form#selection")
    assert form["method"] == "get" and form["action"] == "/export.bib"
    boxes = page.select('input[type=checkbox][name=id][form=selection]')
    assert len(boxes) == len(page.select("article.result"))
