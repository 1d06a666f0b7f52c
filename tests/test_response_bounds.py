"""Every response has an upper bound in bytes, the one README.md states (issue 21, item 5).

The attack: 100 posts of 1 MB gave a 100 MB Atom feed (each entry printed the practice implications
twice, whole), 8.4 s and 1 GB in the server. Here:

- a page whose post carries 1 MB of practice implications is indexed with the post cut to the limits
  of ``indexer.post_limits``, and ``index`` names the cut;
- an index of posts of 1 MB written without those limits (as an index built before them would be)
  still gives a feed within its bound: entries carry the text once, cut;
- indexes of 50 posts with every field at its limit, of the characters that grow most when escaped
  (emoji in JSON and URLs, ``&"<~`` in HTML and BibTeX), give every route an answer within the bound
  of README's "Response sizes" table, which names every route of the app.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import run
from indexer.post_limits import DROPPED_OVER, MAX_CHARS, MAX_ITEMS, within_limits
from search.evidence import RESEARCH_TYPES
from search.post import Post
from search.request import MAX_PAGE_SIZE
from search.store import write_index
from webui import ENGINE_KEY, MAX_QUERY_STRING_BYTES, create_app
from webui.exports import MAX_EXPORT
from webui.pages import FEED_TEXT_CHARS

README = Path(__file__).resolve().parent.parent / "README.md"
ATOM = "{http://www.w3.org/2005/Atom}"
POSTS = 50
UNITS = {"KB": 1024, "MB": 1024 * 1024}
ERROR_ROW = "an error"


def readme_bounds() -> dict[str, int]:
    """README's "Response sizes" table: each route (or "an error") -> its bound in bytes."""
    section = README.read_text(encoding="utf-8").split("### Response sizes", 1)[1].split("\n#", 1)[0]
    bounds = {}
    for routes, size in re.findall(r"^\| (.+?) \| (\d+ [KM]B) \|", section, re.M):
        number, unit = size.split()
        for route in re.findall(r"`([^`]+)`", routes) or [routes.split(" (")[0]]:
            bounds[route] = int(number) * UNITS[unit]
    return bounds


BOUNDS = readme_bounds()


def _fill(start: str, pattern: str, chars: int) -> str:
    """``start``, then ``pattern`` over and over, ``chars`` characters in all."""
    return (start + pattern * (chars // len(pattern) + 1))[:chars]


def maximal_post(number: int, pattern: str, *, text_chars: int | None = None) -> Post:
    """A post with every field and list at its limit, of ``pattern``. Even posts have many short
    authors and topics, odd ones fewer of the longest (both fill the list's characters).
    ``text_chars`` shortens the summary and implications (for posts seen only in lists)."""
    (most_authors, author_chars, authors_total), (most_topics, topic_chars, topics_total), _ = MAX_ITEMS.values()
    many = number % 2 == 0
    authors = tuple(_fill(f"Author{number}x{n}, ", pattern, authors_total // most_authors if many else author_chars)
                    for n in range(most_authors if many else authors_total // author_chars))
    topics = tuple(_fill(f"Topic{number}x{n} ", pattern, topics_total // most_topics if many else topic_chars)
                   for n in range(most_topics if many else topics_total // topic_chars))
    month = f"2020-{number % 12 + 1:02d}"
    text = {name: _fill(f"Therapy{number} ", pattern, chars) for name, chars in MAX_CHARS.items()}
    if text_chars:
        text.update(summary=text["summary"][:text_chars], implications=text["implications"][:text_chars])
    return Post(
        id=f"{month}-post-{number}", url=_fill(f"https://blog.test/{number}/", pattern, DROPPED_OVER["url"]),
        url_kind="post", issue_date=month, authors=authors, authors_complete=False, year=1950 + number,
        doi=_fill(f"10.1000/{number}", pattern, DROPPED_OVER["doi"]), topics=topics, topics_source="site",
        research_types=tuple(RESEARCH_TYPES), sample_size=10**9, **text,
    )


@pytest.fixture(scope="module", params=["😀", '&"<~'], ids=["emoji", "markup"])
def maximal_client(request, tmp_path_factory):
    """50 posts at the limits. Past the first two (whose own pages are asked for), summary and
    implications stop at twice what any list shows of them (the feed's cut; snippets are shorter),
    which keeps the build short and changes no list."""
    posts = [maximal_post(number, request.param, text_chars=None if number < 2 else 2 * FEED_TEXT_CHARS)
             for number in range(POSTS)]
    assert all(within_limits(post) == (post, []) for post in posts)  # at the limits, not over them
    root = tmp_path_factory.mktemp("maximal-index")
    write_index(posts, root)
    app = create_app({"INDEX_DIR": str(root)})
    yield app, posts
    app.extensions[ENGINE_KEY].close()


def _bound(app, path: str, status: int) -> int:
    if status >= 400:
        return BOUNDS[ERROR_ROW]
    rule, _ = app.url_map.bind("localhost").match(path.split("?")[0], return_rule=True)
    return BOUNDS[rule.rule]


def test_every_route_of_the_app_has_a_bound_in_the_readme(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules <= set(BOUNDS), sorted(rules - set(BOUNDS))
    assert ERROR_ROW in BOUNDS


def test_every_route_answers_within_its_bound_with_posts_at_the_limits(maximal_client):
    app, posts = maximal_client
    client = app.test_client()
    ids = [post.id for post in posts]
    selection = "&".join(f"id={post_id}" for post_id in ids)
    requests = [
        ("/", 200), ("/topics", 200), ("/about", 200), ("/healthz", 200), ("/api/suggest?q=therapy", 200),
        (f"/search?page_size={MAX_PAGE_SIZE}", 200), (f"/search?sort=oldest&page_size={MAX_PAGE_SIZE}", 200),
        (f"/search.atom?page_size={MAX_PAGE_SIZE}", 200), (f"/api/search?page_size={MAX_PAGE_SIZE}", 200),
        ("/static/style.css", 200), ("/static/app.js", 200), ("/facets/author", 200), ("/facets/topic?q=therapy", 200),
        ("/nope", 404), ("/search?page_size=" + "9" * 5000, 400), ("/search?q=" + "x" * MAX_QUERY_STRING_BYTES, 414),
    ]
    for post_id in ids[:2]:  # one of each shape
        requests += [(f"/posts/{post_id}", 200), (f"/api/posts/{post_id}", 200)]
        requests += [(f"/posts/{post_id}{kind}.{extension}", 200) for extension in ("bib", "ris", "json")
                     for kind in ("", "/summary")]
    for path, status in requests:
        with client.get(path) as response:
            assert response.status_code == status, path
            assert len(response.data) <= _bound(app, path, status), (path, len(response.data))
    assert len(client.get("/search.atom").data) <= BOUNDS["/search.atom"]  # the default page size

    # Reference files grow with the number of references: each within the bound of one reference,
    # and the most an export holds (MAX_EXPORT) within the bound of an export.
    per_reference = BOUNDS["/posts/<post_id>.bib"]
    assert MAX_EXPORT * per_reference <= BOUNDS["/export.bib"]
    for extension in ("bib", "ris", "json"):
        assert BOUNDS[f"/posts/<post_id>.{extension}"] == per_reference
        assert BOUNDS[f"/export.{extension}"] == BOUNDS[f"/search.{extension}"] == BOUNDS["/export.bib"]
        for path in (f"/export.{extension}?{selection}", f"/search.{extension}"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert len(response.data) <= POSTS * per_reference, (path, len(response.data))


def test_a_feed_of_posts_of_a_megabyte_carries_each_text_once_and_cut(tmp_path):
    posts = [Post(id=f"2020-{n % 12 + 1:02d}-big-{n}", url=None, issue_date=f"2020-{n % 12 + 1:02d}", title=f"Big post {n}",
                  citation="Doe, J. (2020). A study. Journal, 1(1), 1-2. " + "&" * 2 ** 20,
                  summary="A study of therapists.", implications="Act on this. " + '"<' * 2 ** 19) for n in range(10)]
    write_index(posts, tmp_path)  # no limits applied: an index built before them
    app = create_app({"INDEX_DIR": str(tmp_path)})
    try:
        response = app.test_client().get(f"/search.atom?page_size={MAX_PAGE_SIZE}")
    finally:
        app.extensions[ENGINE_KEY].close()
    assert response.status_code == 200
    assert len(response.data) <= 10 * 2 * 6 * FEED_TEXT_CHARS + 10 * 1024  # 10 entries of 2 cut texts (6 bytes a character)
    entries = ET.fromstring(response.data).findall(f"{ATOM}entry")
    assert len(entries) == 10
    for entry in entries:
        assert entry.find(f"{ATOM}content") is None
        text = entry.find(f"{ATOM}summary").text
        assert text.count("Practice implications: Act on this.") == 1 and text.endswith("…")


def test_a_page_whose_post_carries_a_megabyte_is_indexed_cut_and_says_so(tmp_path, capsys):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    implications = "Therapists should attend to the alliance. " * 25_000  # 1 MB
    (corpus / "big.html").write_text(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>PPRNet Blog</title></head>
<body><main><h2>March 2021</h2>
<h3>The Alliance Predicts Outcome in Group Therapy</h3>
<p>Doe, J., &amp; Roe, R. (2021). The alliance in group therapy. Psychotherapy Research, 31(2), 100–110.</p>
<p>In this study of 120 clients in group therapy, the alliance with the group predicted outcome.</p>
<p><strong>Practice Implications:</strong></p>
<p>{implications}</p>
</main></body></html>""", encoding="utf-8")

    assert run.main(["index", "--corpus", str(corpus), "--index", str(index)]) == 0

    err = capsys.readouterr().err
    assert re.search(r"post 2021-03-the-alliance-predicts-outcome-in-group: implications cut from 1,0\d\d,\d\d\d to "
                     r"20,000 characters \(the most a post holds\)", err), err
    app = create_app({"INDEX_DIR": str(index)})
    try:
        post = app.test_client().get("/api/posts/2021-03-the-alliance-predicts-outcome-in-group").get_json()
    finally:
        app.extensions[ENGINE_KEY].close()
    assert len(post["implications"]) == MAX_CHARS["implications"] and post["implications"].endswith("…")
    assert post["implications"].startswith("Therapists should attend to the alliance.")


def test_a_post_over_the_limits_is_cut_and_each_cut_is_named():
    post = Post(id="2021-03-x", url="https://blog.test/" + "p" * 2000, issue_date="2021-03", title="T" * 400,
                citation="Doe, J. (2021). A study.", authors=("Doe, J.",) * 150, doi="10.1/" + "d" * 300,
                summary="s" * 20_000, implications="i" * 25_000, topics=("x" * 300,))
    cut, reasons = within_limits(post)
    assert reasons == [
        "title cut from 400 to 300 characters",
        "implications cut from 25,000 to 20,000 characters",
        "url dropped: 2,018 characters, over 1,000",
        "doi dropped: 305 characters, over 200",
        "authors cut: 100 of 150 kept (at most 100, of 100 characters each, 2,000 in all)",
        "topics cut: 1 of 1 kept (at most 50, of 200 characters each, 2,000 in all)",
    ]
    assert cut.title == "T" * 299 + "…" and cut.implications == "i" * 19_999 + "…" and cut.summary == post.summary
    assert cut.url is None and cut.doi is None and cut.citation == post.citation
    assert len(cut.authors) == 100 and not cut.authors_complete  # the list is no longer whole
    assert cut.topics == ("x" * 199 + "…",)
    assert within_limits(cut) == (cut, [])  # within the limits now: nothing more to cut
