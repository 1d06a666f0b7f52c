"""Every route answers: status codes, content types, parameter errors (400), unknown ids (404),
security headers, health check and the 503 page when there is no index. Never a 500."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from webui import SECURITY_HEADERS, create_app

FIRTH = "2020-08-why-does-where-a-patient-lives-affect"

PAGES = [
    "/",
    "/search?q=burnout",
    "/search",
    "/search?topic=Training",
    "/topics",
    "/about",
    f"/posts/{FIRTH}",
]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def assert_site_page(page: BeautifulSoup) -> None:
    """The chrome every page shares (the DOM contract)."""
    assert page.select_one("header a[href='/']")
    assert page.select_one("main#main")
    assert page.select_one("footer")
    assert page.select_one("a.skip-link[href^='#']")
    form = page.select_one("form[role=search][action='/search'][method=get]")
    assert form is not None
    assert form.select_one("label[for=q]")
    box = form.select_one("input#q[name=q][type=search][autocomplete=off]")
    assert box is not None and box["role"] == "combobox" and box["aria-controls"] == "suggestions"
    assert form.select_one("button[type=submit]")


@pytest.mark.parametrize("url", PAGES)
def test_pages_render_in_the_site_look(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert_site_page(soup(response))


def test_home_autofocuses_the_search_box_and_other_pages_do_not(client):
    assert soup(client.get("/")).select_one("#q").has_attr("autofocus")
    assert not soup(client.get("/about")).select_one("#q").has_attr("autofocus")


def test_no_inline_scripts_or_style_attributes(client):
    for url in PAGES:
        page = soup(client.get(url))
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":  # a data block (schema.org), never run
                json.loads(script.string)
                continue
            assert script.get("src", "").startswith("/static/"), url
            assert not script.string, url
        assert not page.select("[style]"), url
        assert not page.find_all("style"), url


@pytest.mark.parametrize("url", PAGES + ["/api/search?q=x", "/healthz", "/nope", "/search?page=0", "/static/style.css"])
def test_security_headers_on_every_response(client, url):
    with client.get(url) as response:  # static files are streamed: close them
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (url, name)
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_app_defaults_are_safe(app):
    fresh = create_app({"INDEX_DIR": app.config["INDEX_DIR"]})
    assert fresh.debug is False
    assert 0 < fresh.config["MAX_CONTENT_LENGTH"] <= 64 * 1024


@pytest.mark.parametrize(
    "query, fragment",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=%EF%BC%92", "page"),  # a full-width digit 2
        ("year=abc", "year takes a year (2019), a range"),
        ("year=2019&year=20190", "year takes a year (2019), a range"),
        ("page=100000", "page"),
        ("page_size=10000", "page_size"),
        ("page_size=0", "page_size"),
        ("sort=random", "sort"),
        ("sort=", None),  # empty sort is the default, not an error
        ("topic=" + "&topic=".join(f"t{i}" for i in range(21)), "topic"),
    ],
)
def test_bad_parameters_are_400_on_html_and_json(client, query, fragment):
    html = client.get(f"/search?{query}")
    api = client.get(f"/api/search?{query}")
    atom = client.get(f"/search.atom?{query}")
    if fragment is None:
        assert html.status_code == api.status_code == atom.status_code == 200
        return
    assert html.status_code == 400
    page = soup(html)
    assert_site_page(page)
    assert fragment in page.select_one(".error-message").get_text()
    assert api.status_code == 400
    assert api.is_json and fragment in api.get_json()["error"]
    assert atom.status_code == 400


def test_an_over_long_query_is_searched_in_part_and_says_so_everywhere(client, index_root, capsys):
    """One query-length limit (search.query.MAX_QUERY_CHARS) for the page, the API and the CLI: the
    first MAX_QUERY_CHARS characters are searched, a notice says so, and the search box keeps it all."""
    from search.query import MAX_QUERY_CHARS
    import cli

    words = ("supervision burnout attachment " * 100)[: 2 * MAX_QUERY_CHARS].strip()
    html = client.get("/search", query_string={"q": words})
    assert html.status_code == 200
    page = soup(html)
    assert str(MAX_QUERY_CHARS) in page.select_one(".notice").get_text()
    assert page.select_one("input#q")["value"] == words  # nothing typed is lost
    assert page.select("article.result")
    api = client.get("/api/search", query_string={"q": words}).get_json()
    assert str(MAX_QUERY_CHARS) in api["notice"] and api["total"] > 0
    assert client.get("/search", query_string={"q": words[:MAX_QUERY_CHARS]}).status_code == 200
    assert soup(client.get("/search", query_string={"q": "burnout"})).select_one(".notice") is None
    assert cli.main(["search", "--index", str(index_root), "--", words]) == 0
    assert str(MAX_QUERY_CHARS) in capsys.readouterr().out


def test_page_size_fifty_is_allowed(client):
    assert client.get("/api/search?page_size=50").status_code == 200


def test_page_past_the_end_shows_the_last_page(client):
    data = client.get("/api/search?q=therapist&page=99").get_json()
    assert data["total"] > 0 and data["hits"] and data["page"] == 1


def test_unknown_facet_value_matches_nothing_and_is_removable(client):
    response = client.get("/search?q=burnout&topic=No+Such+Topic")
    assert response.status_code == 200
    page = soup(response)
    assert "0 results" in page.select_one("#result-count").get_text()
    chip = page.select_one("#chips a.chip")
    assert "No Such Topic" in chip.get_text()
    assert chip["href"] == "/search?q=burnout"
    assert page.select_one(".empty-state")
    api = client.get("/api/search?q=burnout&year=1850-1860&author=%3Cb%3E")
    assert api.status_code == 200 and api.get_json()["total"] == 0


def test_unknown_parameters_are_ignored(client):
    assert client.get("/search?q=burnout&colour=blue").status_code == 200


@pytest.mark.parametrize(
    "post_id",
    ["nope", "..", "%2E%2E", "a%2Fb", "..%2F..%2Fetc%2Fpasswd", "x" * 2000, "caf%C3%A9-%E2%98%83", "%00", "%0A", " "],
)
def test_unknown_or_odd_post_ids_are_404_in_the_site_look(client, post_id):
    for suffix in ("", ".bib", ".ris"):
        response = client.get(f"/posts/{post_id}{suffix}")
        assert response.status_code == 404, (post_id, suffix)
        assert_site_page(soup(response))
    api = client.get(f"/api/posts/{post_id}")
    assert api.status_code == 404
    assert api.is_json and "error" in api.get_json()


def test_unknown_page_is_404_in_the_site_look(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = soup(response)
    assert_site_page(page)
    assert "not found" in page.h1.get_text().lower()


def test_post_method_is_405_not_500(client):
    response = client.post("/search", data={"q": "x"})
    assert response.status_code == 405
    assert_site_page(soup(response))
    assert client.post("/api/search").status_code == 405


def test_internal_errors_render_the_site_500_page_without_a_trace(index_root, monkeypatch):
    app = create_app({"INDEX_DIR": str(index_root)})  # not TESTING: errors are handled, not raised
    from webui import ENGINE_KEY

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions[ENGINE_KEY], "topic_counts", broken)
    monkeypatch.setattr(app.extensions[ENGINE_KEY], "search", broken)
    client = app.test_client()
    response = client.get("/topics")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text
    assert_site_page(soup(response))
    api = client.get("/api/search?q=x")
    assert api.status_code == 500 and api.get_json() == {"error": "internal error"}


def test_healthz_says_ready(client, index_root):
    from search.store import current_build

    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ready" and data["posts"] == 6
    assert data["build"] == current_build(index_root).name and data["built_at"]


def test_missing_index_gives_503_pages_and_health(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "empty"), "TESTING": True}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable" and health.get_json()["reason"]
    for url in ["/", "/search?q=burnout", "/topics", "/about", f"/posts/{FIRTH}", "/search.atom"]:
        response = client.get(url)
        assert response.status_code == 503, url
        page = soup(response)
        assert_site_page(page)
        assert "not available" in page.h1.get_text()
    for url in ["/api/search?q=x", "/api/suggest?q=bur", f"/api/posts/{FIRTH}"]:
        response = client.get(url)
        assert response.status_code == 503 and response.is_json, url


def test_index_appearing_later_is_picked_up(tmp_path):
    from indexer.build import build_index

    root = tmp_path / "later"
    client = create_app({"INDEX_DIR": str(root), "TESTING": True}).test_client()
    assert client.get("/healthz").status_code == 503
    build_index("corpus", root)
    assert client.get("/healthz").status_code == 200


def test_suggest_gives_titles_and_topics(client):
    response = client.get("/api/suggest?q=bur")
    assert response.status_code == 200
    suggestions = response.get_json()["suggestions"]
    assert any(s["kind"] == "title" and "Burnout" in s["label"] for s in suggestions)
    title = next(s for s in suggestions if s["kind"] == "title")
    assert title["url"] == f"/posts/{title['post_id']}"
    topics = client.get("/api/suggest?q=train").get_json()["suggestions"]
    topic = next(s for s in topics if s["kind"] == "topic")
    assert topic["label"] == "Training" and topic["url"] == "/search?topic=Training"
    authors = client.get("/api/suggest?q=firth").get_json()["suggestions"]
    assert {"kind": "author", "label": "Firth, N."}.items() <= authors[0].items()
    assert authors[0]["url"] == "/search?author=Firth%2C+N."


@pytest.mark.parametrize("prefix", ["", "b", "%3Cscript%3E", "x" * 5000, "%F0%9F%98%80%F0%9F%98%80"])
def test_suggest_odd_prefixes(client, prefix):
    response = client.get(f"/api/suggest?q={prefix}")
    assert response.status_code == 200
    assert isinstance(response.get_json()["suggestions"], list)


def test_static_assets_are_local(client):
    for name in ("style.css", "app.js"):
        with client.get(f"/static/{name}") as response:
            assert response.status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert "http://" not in page.split("<body")[0] and "https://" not in page.split("<body")[0]
