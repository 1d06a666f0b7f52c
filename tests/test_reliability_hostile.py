"""Hostile input, hostile content and hostile paths (issue 7, items 1-3).

1. A property test (hypothesis) throws arbitrary query text and parameters at ``/search``,
   ``/search.atom``, ``/api/search``, ``/api/suggest`` (Flask test client) and at ``run.py search``
   (``run.main`` in-process): unicode of every class, control characters and NUL, 10,000-character
   queries, unbalanced quotes and parentheses, ``field:`` with no value, ranges, wildcards alone,
   every operator alone, unknown fields, huge or negative page numbers, repeated parameters, raw
   bytes that are not UTF-8. Every answer is 200 or 400 (414 only for a query string over the limit)
   with well-formed HTML, XML or JSON, no trace, within ``TIME_LIMIT`` CPU seconds (and a looser wall
   clock bound). The strategies and checks live in ``bench/hostile_inputs.py``, which
   ``bench/fuzz_long.py`` runs for 20,000 examples.
2. Hostile content: posts whose every text field carries ``<script>``, ``javascript:`` URLs,
   ``"onerror=`` attributes and HTML entities render inert on the results page (facets and chips
   too), the post page, the Atom feed, the JSON API and autocomplete; and in Chromium (no dialog,
   no element or handler from content, no ``javascript:`` link), for the pieces
   ``tests/test_browser.py`` does not drive (facets, chips, the post page's links, feed and JSON).
3. Paths: ``/posts/<id>`` (and ``.bib``/``.ris``, and ``/static/``) with ``..``, encoded dots and
   slashes, very long and unicode ids give 404 and read no file.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings

import run
from bench.hostile_inputs import (
    CLI_OPTIONS,
    CLI_WORDS,
    FUZZ_SETTINGS,
    PATHS,
    QUERY_STRING,
    assert_valid_html,
    check_cli,
    check_http,
    encode_query,
)
from search.post import Post
from search.store import write_index
from webui import ENGINE_KEY, create_app

EXAMPLES = 500
PROJECT = Path(__file__).resolve().parent.parent
WEBUI = PROJECT / "webui"


# --------------------------------------------------------------------------------------------------
# 1. Hostile queries
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_app(index_root):
    app = create_app({"INDEX_DIR": str(index_root)})  # not TESTING: errors are handled as in production
    yield app
    app.extensions[ENGINE_KEY].close()


@pytest.fixture(scope="module")
def seed_client(seed_app):
    return seed_app.test_client()


def test_checks_catch_what_they_are_for():
    """The well-formedness check fails on the faults it exists to find."""
    with pytest.raises(AssertionError):
        assert_valid_html("<!doctype html><html><body><main id=main><p>x</b></main></body></html>")
    with pytest.raises(AssertionError):
        assert_valid_html("<html><body></body></html>")


def test_every_page_of_the_site_is_well_formed(seed_client):
    for url in ("/", "/search", "/search?q=burnout", "/search?q=burnout&topic=Training&sort=newest", "/topics",
                "/about", "/posts/2020-08-why-does-where-a-patient-lives-affect", "/nope", "/search?page=0"):
        response = seed_client.get(url)
        assert_valid_html(response.get_data(as_text=True))


@pytest.mark.parametrize("query", ["*", "?", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")", '"', "author:",
                                   "nosuchfield:x", "year:[2019 TO", "year:[* TO *]", "year:{0 TO 9999}",
                                   "NOT NOT x", "x ANDNOT ANDNOT y", "(" * 1000, "\x00", "x" * 10_000])
def test_named_hostile_queries(seed_client, index_root, query):
    for path in ("/search", "/search.atom", "/api/search", "/api/suggest"):
        check_http(seed_client, path, encode_query([("q", query)]))
    check_cli(index_root, ["--json"], [query])


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(path=PATHS, query_string=QUERY_STRING)
def test_http_endpoints_survive_arbitrary_parameters(seed_client, path, query_string):
    check_http(seed_client, path, query_string)


@settings(max_examples=EXAMPLES, **FUZZ_SETTINGS)
@given(options=CLI_OPTIONS, words=CLI_WORDS)
def test_cli_search_survives_arbitrary_arguments(index_root, options, words):
    check_cli(index_root, options, words)


def _patterns(query: str) -> set[str]:
    from whoosh.query import Prefix, Wildcard

    from search.query import parse_query

    return {leaf.text for leaf in parse_query(query).query.leaves() if isinstance(leaf, (Prefix, Wildcard))}


def test_wildcards_are_bounded():
    """Each wildcard word expands to every matching term: a query holds at most MAX_WILDCARD_WORDS of
    them, none leading, each with 3 letters before it, also after -, + and field: (on 10,000 posts,
    ``+a*`` took 3.0 s, ``text:a*`` 2.3 s and 100 prefixes 4.2 s before these bounds)."""
    from search.query import MAX_WILDCARD_WORDS

    many = " ".join(f"{a}{b}{c}*" for a in "tspa" for b in "aeiou" for c in "rnt")
    assert len(_patterns(many)) == MAX_WILDCARD_WORDS
    assert len(_patterns(" ".join(f"title:{w}* -{w}x* +{w}y*" for w in ("bur", "sup", "the", "men")))) == 3
    for query in ("+a*", "-a*", "+*", "text:a*", "title:*", "implications:t*", "summary:?x", "*burn", "-?*",
                  "author:Sm*", "NOT a*", "(b* OR c*)"):
        assert _patterns(query) == set(), query
    assert _patterns("+burn*") == _patterns("burn*") == _patterns("-burn*") == {"burn"}
    assert len(_patterns("title:supervis*")) == 1


def test_ranges_are_over_years_only():
    """A range over words expands to every term (``summary:[a TO zzz]`` took 6 s and an unknown field's
    ``{* TO *}`` 25 s on 10,000 posts): no range over terms is ever built; a year range is a restriction
    on the years the posts have (search.restrict)."""
    from whoosh.query import NumericRange, TermRange

    from search.query import Restriction, parse_query

    def ranges(query: str) -> list:
        return [leaf for leaf in parse_query(query).query.leaves() if isinstance(leaf, (TermRange, NumericRange))]

    for query in ("summary:[a TO zzz]", "title:[a TO z]", "AUTHOR:{* TO *}", "citation:[3 TO 9]", "topics:{0 TO *}",
                  "nosuchfield:[a TO b] burnout", "doi:[10 TO 11]", "YEAR:[2015 TO 2020]", "year:[2015 TO 2020]"):
        assert ranges(query) == [], query
    assert parse_query("title:[a TO z]").restrictions == ()
    assert parse_query("py:[2015 TO 2020] burnout").restrictions == (Restriction("year", "[2015 TO 2020]"),)


def test_cli_search_in_process_with_plain_string_capture(index_root):
    """run.main works when the caller captures output with io.StringIO (no ``reconfigure``)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = run.main(["search", "--index", str(index_root), "--json", "--", "burnout"])
    assert status == 0 and json.loads(out.getvalue())["total"] == 3


# --------------------------------------------------------------------------------------------------
# 2. Hostile content
# --------------------------------------------------------------------------------------------------
SCRIPT = '<script>alert("xss")</script>'
HOSTILE_ID = "2021-01-burnout-script-alert-xss"
HOSTILE_POST = Post(
    id=HOSTILE_ID,
    url="javascript:alert(document.cookie)",
    issue_date="2021-01",
    title=f'Burnout {SCRIPT} "onerror=alert(1) &amp; &lt;b&gt;bold&lt;/b&gt; Resilience',
    citation=f'Smith, <img src=x onerror=alert(2)>. (2020). Resilience {SCRIPT}. J. <b>Evil</b>, 1(2), 3–4. javascript:alert(3)',
    authors=('Smith, <img src=x onerror="alert(4)">', '"onerror=alert(5) x="', "O'Hara, &amp; J."),
    year=2020,
    article_title=f"Resilience {SCRIPT}",
    journal='Journal of <script>alert(6)</script> "Testing"',
    volume='1"><script>alert(7)</script>',
    issue="<b>IssueTwo</b>",
    pages="3–4",
    doi='10.1000/x"><script>alert(8)</script>',
    summary=(f"Resilience matters for therapists. {SCRIPT} <img src=x onerror=alert(9)> &lt;i&gt;entities&lt;/i&gt; "
             "&#60;script&#62; In this study of 120 therapists, resilience predicted lower burnout.\n\n"
             "<a href=\"javascript:alert(10)\">click</a> second paragraph about supervision."),
    implications=f'Therapists should attend to resilience "onerror=alert(11) {SCRIPT} and seek supervision.',
    topics=("Training", '<svg onload="alert(12)">'),
    topics_source="site",
    research_types=('survey"><img src=x onerror=alert(13)>',),
    sample_size=120,
)
HOSTILE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PPRNet Blog</title>
<link rel="canonical" href="javascript:alert(14)"></head>
<body><main>
<h2>February 2021</h2>
<h3>Entities &amp;lt;script&amp;gt;alert(15)&amp;lt;/script&amp;gt; and &lt;iframe src="javascript:alert(16)"&gt; Alliance</h3>
<p>Jones, B. &lt;script&gt;alert(17)&lt;/script&gt;, &amp; Lee, C. (2019). Alliance "onerror=alert(18). Psychotherapy, 5(1), 1–9.</p>
<p>The alliance predicts outcome. &lt;img src=x onerror=alert(19)&gt; javascript:alert(20) In this study of 80 clients, alliance
predicted outcome.</p>
<p><strong>Practice Implications:</strong></p>
<p>Therapists should repair ruptures &lt;svg onload=alert(21)&gt; in the alliance.</p>
</main></body></html>
"""


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    """Two posts: one written directly with every field hostile, one extracted from a hostile page."""
    corpus = tmp_path_factory.mktemp("reliability-hostile-corpus")
    (corpus / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    from indexer.extract import extract_paths

    extracted = extract_paths([corpus]).posts
    assert len(extracted) == 1
    index = tmp_path_factory.mktemp("reliability-hostile-index")
    write_index([HOSTILE_POST, *extracted], index)
    return index


@pytest.fixture(scope="module")
def hostile_client(hostile_index):
    app = create_app({"INDEX_DIR": str(hostile_index)})
    yield app.test_client()
    app.extensions[ENGINE_KEY].close()


def _extracted_id(client) -> str:
    return next(hit["id"] for hit in client.get("/api/search?q=alliance").get_json()["hits"])


_HOSTILE_INNER_TEXTS = ("Evil", "bold", "IssueTwo", "entities", "click")


def assert_inert(text: str) -> BeautifulSoup:
    """No element, attribute or URL that came from content can run."""
    page = assert_valid_html(text)
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":  # a data block, never run: JSON with "<" escaped
            assert "<" not in script.string and json.loads(script.string)["@type"] == "BlogPosting"
            continue
        assert script.get("src") in ("/static/app.js", "/static/selection.js") and not script.string, script
    for element in page.find_all(True):
        assert element.name not in ("img", "svg", "iframe", "object", "embed"), element
        if element.name in ("b", "i", "a"):  # the site's own italics (APA journal) are fine; content's are not
            assert element.get_text() not in _HOSTILE_INNER_TEXTS, element
        assert not [name for name in element.attrs if name.lower().startswith("on")], element
        for name in ("href", "src", "action", "formaction"):
            value = str(element.get(name, "")).strip().lower()
            if element.name == "link" and element.get("rel") == ["icon"] and value == "data:,":
                continue  # the site's own empty favicon
            assert not value.startswith(("javascript:", "data:", "vbscript:")), element
    for mark in page.select("mark"):
        assert not mark.find(True)
    return page


def test_hostile_index_holds_the_hostile_text(hostile_client):
    data = hostile_client.get(f"/api/posts/{HOSTILE_ID}").get_json()
    # JSON consumers get the text exactly back; only the javascript: address is withheld (null)
    assert data == {**json.loads(json.dumps(HOSTILE_POST.to_dict())), "url": None}


@pytest.mark.parametrize("query_string", [
    "q=burnout", "q=resilience", "q=alliance", "q=script", "q=alert", "q=onerror", "q=javascript",
    "q=" + quote(SCRIPT), "author=" + quote(HOSTILE_POST.authors[0]), "journal=" + quote(HOSTILE_POST.journal),
    "topic=" + quote(HOSTILE_POST.topics[1]) + "&type=" + quote(HOSTILE_POST.research_types[0]),
    "q=supervision&sort=newest&author=" + quote(HOSTILE_POST.authors[1]),
])
def test_results_page_facets_and_chips_are_inert(hostile_client, query_string):
    response = hostile_client.get(f"/search?{query_string}")
    assert response.status_code == 200
    page = assert_inert(response.get_data(as_text=True))
    assert page.select("article.result")
    if "q=burnout" in query_string:
        assert SCRIPT in page.select_one("article.result h2 a").get_text()  # shown as text, not dropped
        facet_text = page.select_one("aside#facets").get_text()
        assert HOSTILE_POST.journal in facet_text and HOSTILE_POST.topics[1] in facet_text


def test_post_pages_are_inert_and_link_only_to_the_web(hostile_client):
    for post_id in (HOSTILE_ID, _extracted_id(hostile_client)):
        response = hostile_client.get(f"/posts/{post_id}")
        assert response.status_code == 200
        page = assert_inert(response.get_data(as_text=True))
        for link in page.select("a[href]"):
            assert link["href"].startswith(("/", "#", "https://", "http://")), link
    page = BeautifulSoup(hostile_client.get(f"/posts/{HOSTILE_ID}").get_data(as_text=True), "html.parser")
    assert page.h1.get_text() == HOSTILE_POST.title
    assert "&lt;i&gt;entities&lt;/i&gt; &#60;script&#62;" in page.select_one("section.summary").get_text()


def test_exports_are_downloads_not_pages(hostile_client):
    for suffix, mimetype in ((".bib", "application/x-bibtex"), (".ris", "application/x-research-info-systems")):
        response = hostile_client.get(f"/posts/{HOSTILE_ID}{suffix}")
        assert response.status_code == 200 and response.mimetype == mimetype
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_atom_feed_is_inert(hostile_client):
    for query in ("", "burnout", "alliance", quote(SCRIPT)):
        response = hostile_client.get(f"/search.atom?q={query}")
        assert response.status_code == 200
        root = ET.fromstring(response.data)
        atom = "{http://www.w3.org/2005/Atom}"
        for element in root.iter():
            assert not element.tag.startswith("{http://www.w3.org/1999/xhtml}"), element.tag
            assert not [name for name in element.attrib if name.lower().startswith("on")]
        for link in root.iter(f"{atom}link"):
            assert link.get("href", "").startswith("http://localhost/"), link.attrib
        if query == "burnout":
            entry = root.find(f"{atom}entry")
            assert entry.find(f"{atom}title").text == HOSTILE_POST.title
            for child in entry:
                assert child.get("type") in (None, "text", "application/atom+xml", "text/html") or child.tag.endswith("link")
                if child.get("type") == "html":  # pragma: no cover - the feed uses text content
                    assert "<script" not in (child.text or "")


def test_json_api_escapes_markup(hostile_client):
    urls = ["/api/search?q=burnout", "/api/search?q=alliance", f"/api/posts/{HOSTILE_ID}", "/api/suggest?q=burnout",
            "/api/suggest?q=smith", "/api/suggest?q=journal", "/api/suggest?q=entities", "/api/search?q=" + quote(SCRIPT)]
    for url in urls:
        response = hostile_client.get(url)
        assert response.status_code == 200 and response.mimetype == "application/json", url
        assert not set(b"<>'") & set(response.data), url  # \u003c, \u003e, \u0027: never markup if sniffed
        json.loads(response.data)
    suggestions = hostile_client.get("/api/suggest?q=smith").get_json()["suggestions"]
    assert any(s["kind"] == "author" and s["label"] == HOSTILE_POST.authors[0] for s in suggestions)
    for s in suggestions + hostile_client.get("/api/suggest?q=burnout").get_json()["suggestions"]:
        assert s["url"].startswith("/") and not s["url"].startswith("//"), s


# --------------------------------------------------------------------------------------------------
# 2b. The same in Chromium: what test_browser.py does not drive (facets, chips, post links)
# --------------------------------------------------------------------------------------------------
_STATE_JS = """() => ({
  pwned: typeof window.__pwned,
  scripts: Array.from(document.scripts).filter(s => !s.src.endsWith('/static/app.js') && !s.src.endsWith('/static/selection.js'))
    .filter(s => !(s.type === 'application/ld+json' && !s.textContent.includes('<'))).map(s => s.outerHTML),
  handlers: Array.from(document.querySelectorAll('*'))
    .filter(e => Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on')))
    .map(e => e.outerHTML.slice(0, 160)),
  injected: Array.from(document.querySelectorAll('img, svg, iframe, object, embed, b, i, a'))
    .filter(e => e.matches('img, svg, iframe, object, embed') || ['Evil', 'bold', 'IssueTwo', 'entities', 'click'].includes(e.textContent))
    .map(e => e.outerHTML.slice(0, 160)),
  badLinks: Array.from(document.querySelectorAll('a[href], link[href]:not([rel=icon]), form[action]'))
    .map(e => e.getAttribute('href') || e.getAttribute('action'))
    .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
})"""


@pytest.mark.browser
def test_hostile_content_is_inert_in_chromium(hostile_index):
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    app = create_app({"INDEX_DIR": str(hostile_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    dialogs: list[str] = []
    errors: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
            )
            try:
                # CSP bypassed: escaping alone must make the content inert; the CSP is the second wall.
                context = browser.new_context(base_url=base, bypass_csp=True)
                context.set_default_timeout(10_000)
                page = context.new_page()
                page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
                page.on("pageerror", lambda error: errors.append(str(error)))
                urls = [
                    "/search?q=burnout",
                    "/search?author=" + quote(HOSTILE_POST.authors[0]) + "&journal=" + quote(HOSTILE_POST.journal),
                    "/search?topic=" + quote(HOSTILE_POST.topics[1]),
                    f"/posts/{HOSTILE_ID}",
                    "/search?q=alliance",
                    f"/posts/{_extracted_id(app.test_client())}",
                ]
                for url in urls:
                    page.goto(url)
                    page.wait_for_load_state("load")
                    page.locator("main#main").hover()
                    for link in page.locator("main a").all()[:40]:
                        link.hover()
                    state = page.evaluate(_STATE_JS)
                    assert state == {"pwned": "undefined", "scripts": [], "handlers": [], "injected": [],
                                     "badLinks": []}, url
                # Chips and facet labels show the hostile values as text.
                page.goto(urls[1])
                chips = page.locator("#chips a.chip").all_inner_texts()
                assert any(HOSTILE_POST.authors[0] in chip for chip in chips), chips
                # Autocomplete renders a hostile author label as text.
                page.goto("/")
                page.locator("#q").press_sequentially("smith", delay=30)
                option = page.locator("#suggestions [role=option]").filter(has_text="onerror")
                option.first.wait_for()
                assert page.evaluate(_STATE_JS)["injected"] == []
                context.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        app.extensions[ENGINE_KEY].close()
    assert dialogs == [] and errors == []


# --------------------------------------------------------------------------------------------------
# 3. Paths and identifiers
# --------------------------------------------------------------------------------------------------
FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
ODD_IDS = [
    "..", "...", "%2e%2e", "%2E%2E%2F", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f..%2f..%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd", "..%5c..%5cwindows%5cwin.ini", "....%2f%2f....%2f%2fetc%2fpasswd",
    "%2Fetc%2Fpasswd", "a%2Fb", "%00", "x%00.html", "%0d%0aSet-Cookie:x=1", "~root", "%C0%AE%C0%AE%C0%AF",
    "x" * 201, "x" * 10_000, "caf%C3%A9", "%E2%80%AE" + "x" * 5, "%F0%9F%99%82" * 60, "%FF%FE",
    FIRTH + "%2f..", FIRTH + "%00", FIRTH.upper(), " " + FIRTH, "..%2f" + FIRTH, FIRTH + ".bib", FIRTH + ".ris",
    "..%2fpprnet-index.json", "..%2f..%2frun.py", "current", "builds",
]


class _FileSpy:
    """Records every file the app opens while a request runs (builtins.open and os.open)."""

    def __init__(self, monkeypatch) -> None:
        self.opened: list[str] = []
        real_open, real_os_open = builtins.open, os.open

        def spy_open(file, *args, **kwargs):
            self.opened.append(os.fspath(file) if not isinstance(file, int) else f"fd:{file}")
            return real_open(file, *args, **kwargs)

        def spy_os_open(path, *args, **kwargs):
            self.opened.append(os.fspath(path))
            return real_os_open(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", spy_open)
        monkeypatch.setattr(io, "open", spy_open)
        monkeypatch.setattr(os, "open", spy_os_open)


@pytest.mark.parametrize("post_id", ODD_IDS)
def test_odd_post_ids_are_404_and_read_no_file(seed_client, monkeypatch, post_id):
    for warm in ("/nope", f"/posts/{FIRTH}"):
        seed_client.get(warm)  # templates compiled, snapshot open: a request then opens nothing
    spy = _FileSpy(monkeypatch)
    for prefix in ("/posts/", "/api/posts/"):
        for suffix in ("", ".bib", ".ris", ".BIB", ".bib.bib", "%2ebib", ".ris%00"):
            if prefix == "/api/posts/" and suffix:
                continue
            url = f"{prefix}{post_id}{suffix}"
            if post_id in (FIRTH + ".bib", FIRTH + ".ris") and suffix in ("", ".bib", ".ris"):
                continue  # a real export of a real post (with ".bib" also meaning the double suffix below)
            response = seed_client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            body = response.get_data(as_text=True)
            assert "root:" not in body and "schema_version" not in body and "def main" not in body
            if prefix == "/posts/":
                assert_valid_html(body)
            else:
                assert json.loads(body)["error"]
    assert spy.opened == [], spy.opened


@pytest.mark.parametrize("path", [
    "/static/..%2frun.py", "/static/%2e%2e/run.py", "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5c..%5crun.py", "/static/%00", "/static/app.js%00", "/static/" + "x" * 5000,
    "/static/..%252f..%252frun.py", "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/posts/", "/posts",
    "/posts/%2e%2e/%2e%2e/etc/passwd", "/api/posts/", "/api/posts/%2e%2e%2f%2e%2e%2frun.py",
])
def test_traversal_outside_static_is_404(seed_client, path):
    with seed_client.get(path) as response:
        assert response.status_code in (404, 308), (path, response.status_code)
        if response.status_code == 308:  # werkzeug's slash redirect stays on the site
            assert response.headers["Location"].startswith(("/", "http://localhost/"))
            return
        body = response.get_data()
    assert b"[build-system]" not in body and b"def main" not in body and b"root:x" not in body


def test_real_exports_still_work(seed_client):
    for suffix in (".bib", ".ris"):
        with seed_client.get(f"/posts/{FIRTH}{suffix}") as response:
            assert response.status_code == 200


# --------------------------------------------------------------------------------------------------
# 3. Exported and linked URLs are http(s) only (webui.links.web_url, the one check)
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url, safe", [
    ("https://socialsciences.uottawa.ca/pprnet/blog#post-3", True),
    ("http://www.med.uottawa.ca/pprnet/eng/pprnet_blog_oct2014.html", True),
    ("  https://example.org/a  ", True),  # surrounding space is trimmed
    ("javascript:alert(1)", False),
    ("JaVaScRiPt:alert(1)", False),
    (" javascript:alert(1)", False),
    ("java\nscript:alert(1)", False),
    ("data:text/html,<script>alert(1)</script>", False),
    ("vbscript:msgbox(1)", False),
    ("ftp://example.org/file", False),
    ("//example.org/no-scheme", False),
    ("/posts/relative", False),
    ("https://", False),
    ("https://exa mple.org/", False),
    ('https://example.org/"><script>', False),
    ("http://[::1", False),  # urlsplit raises ValueError
    ("", False),
    (None, False),
])
def test_web_url_lets_only_http_addresses_through(url, safe):
    from webui.links import web_url

    assert (web_url(url) == url.strip()) if safe else web_url(url) is None


def test_a_javascript_url_from_a_page_never_reaches_an_export_or_a_link(hostile_client):
    for post_id in (HOSTILE_ID, _extracted_id(hostile_client)):
        page_url = f"http://localhost/posts/{post_id}"  # the canonical address of the page
        bibtex = hostile_client.get(f"/posts/{post_id}.bib").get_data(as_text=True)
        ris = hostile_client.get(f"/posts/{post_id}.ris").get_data(as_text=True)
        post = hostile_client.get(f"/api/posts/{post_id}").get_json()
        hits = hostile_client.get("/api/search?page_size=50").get_json()["hits"]
        html = BeautifulSoup(hostile_client.get(f"/posts/{post_id}").get_data(as_text=True), "html.parser")
        exported = [line.split("{", 1)[1].rstrip("},") for line in bibtex.splitlines() if line.strip().startswith("url =")]
        exported += [line[len("UR  - "):] for line in ris.split("\r\n") if line.startswith("UR  -")]
        notes = [line for line in bibtex.splitlines() + ris.split("\r\n") if line.strip().startswith(("note =", "N1  -"))]
        assert not [note for note in notes if any(word.lower().startswith("javascript:") for word in note.split())]
        assert all(url.startswith(("https://", "http://")) for url in exported), exported
        assert post["url"] is None and all(hit["url"] is None or hit["url"].startswith("http") for hit in hits)
        hrefs = [tag.get("href") for tag in html.select("a[href], link[rel=canonical], link[rel=alternate]")]
        assert not [href for href in hrefs if not href.startswith(("/", "#", "https://", "http://"))], hrefs
        assert html.select_one("link[rel=canonical]")["href"] == page_url
