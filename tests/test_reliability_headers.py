"""Headers and limits (issue 7, item 7): the security headers on every route of the URL map, on every
error status and on static files; request size limits (414, 413) instead of work or a 500; debug
never on outside development; no stack trace in any response."""
from __future__ import annotations

import re

import pytest
from flask import Flask

import run
from bench.load import readme_gunicorn_options
from webui import ENGINE_KEY, MAX_QUERY_STRING_BYTES, SECURITY_HEADERS, create_app

FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
SAMPLE_VALUES = {"post_id": FIRTH, "filename": "app.js", "facet": "author"}
SAMPLE_QUERIES = {"/export": f"?id={FIRTH}"}  # routes that need a query string (path without extension)


@pytest.fixture(scope="module")
def prod_app(index_root):
    app = create_app({"INDEX_DIR": str(index_root)})  # not TESTING: as in production
    yield app
    app.extensions[ENGINE_KEY].close()


@pytest.fixture(scope="module")
def client(prod_app):
    return prod_app.test_client()


def _route_urls(app: Flask) -> list[str]:
    """One URL per GET route of the app (new routes are covered without editing this test)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<{name}>", SAMPLE_VALUES[name]).replace(f"<path:{name}>", SAMPLE_VALUES[name])
        assert "<" not in url, f"no sample value for {rule.rule}: add it to SAMPLE_VALUES"
        urls.append(url + SAMPLE_QUERIES.get(url.rsplit(".", 1)[0], ""))
    return sorted(urls)


def _assert_security_headers(response, where) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (where, name, response.headers.get(name))
    csp = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'" and csp["frame-ancestors"] == "'none'"
    assert csp["base-uri"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_every_route_of_the_url_map_is_checked(prod_app):
    urls = _route_urls(prod_app)
    assert {"/", "/search", "/search.atom", "/api/search", "/api/suggest", "/healthz", f"/posts/{FIRTH}",
            f"/posts/{FIRTH}.bib", f"/posts/{FIRTH}.ris", f"/api/posts/{FIRTH}", "/static/app.js"} <= set(urls)


def test_security_headers_on_every_route_and_method(client, prod_app):
    for url in _route_urls(prod_app):
        for method in ("GET", "HEAD", "OPTIONS"):
            with client.open(url, method=method) as response:
                assert response.status_code == 200, (method, url)
                _assert_security_headers(response, (method, url))
    with client.get("/static/style.css") as response:
        _assert_security_headers(response, "static css")


ERROR_REQUESTS = [
    ("GET", "/search?page=0", 400),
    ("GET", "/api/search?sort=random", 400),
    ("GET", "/nope", 404),
    ("GET", "/static/nope.js", 404),
    ("GET", "/api/nope", 404),
    ("GET", "/posts/nope.bib", 404),
    ("POST", "/search", 405),
    ("DELETE", "/api/search", 405),
    ("TRACE", "/", 405),
    ("PUT", "/static/app.js", 405),
    ("GET", "/search?q=" + "x" * (MAX_QUERY_STRING_BYTES + 1), 414),
    ("GET", "/api/search?" + "&".join(["topic=t"] * 5000), 414),
]


@pytest.mark.parametrize("method, url, status", ERROR_REQUESTS)
def test_security_headers_and_no_trace_on_errors(client, method, url, status):
    with client.open(url, method=method) as response:
        assert response.status_code == status
        _assert_security_headers(response, url)
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "werkzeug" not in body.lower()
        if url.startswith("/api/"):
            assert response.is_json and response.get_json()["error"]
        else:
            assert "<main id=\"main\"" in body  # the site's look


def test_huge_body_is_413_before_any_work(client, prod_app):
    calls = []
    engine = prod_app.extensions[ENGINE_KEY]
    real_search = engine.search
    engine.search = lambda request: calls.append(request) or real_search(request)
    try:
        body = b"x" * (prod_app.config["MAX_CONTENT_LENGTH"] + 1)
        for method, url in (("GET", "/search?q=burnout"), ("GET", "/api/search?q=burnout"), ("POST", "/search")):
            response = client.open(url, method=method, data=body, content_type="application/octet-stream")
            assert response.status_code == 413, (method, url)
            _assert_security_headers(response, url)
            assert "Traceback" not in response.get_data(as_text=True)
        assert calls == []
        ok = client.get("/api/search?q=burnout", data=b"x" * 100)  # a small body on a GET is ignored
        assert ok.status_code == 200
    finally:
        del engine.search


def test_huge_query_string_is_414_on_every_endpoint(client):
    for path in ("/", "/search", "/search.atom", "/api/search", "/api/suggest", f"/posts/{FIRTH}", "/healthz"):
        response = client.get(f"{path}?q={'%F0%9F%99%82' * 5000}")
        assert response.status_code == 414, path
        _assert_security_headers(response, path)
    assert client.get("/search?q=" + "x" * 1000).status_code == 200  # the longest query a person may type


def test_internal_errors_on_every_route_show_no_trace(index_root, monkeypatch):
    app = create_app({"INDEX_DIR": str(index_root)})
    engine = app.extensions[ENGINE_KEY]

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals at /etc/pprnet")

    for name in ("search", "post", "stats", "topic_counts", "latest", "suggest", "more_like_this", "posts_where"):
        monkeypatch.setattr(engine, name, broken)
    client = app.test_client()
    try:
        for url in _route_urls(app):
            with client.get(url) as response:
                if url.startswith("/static/") or url == "/healthz":  # neither asks the engine
                    assert response.status_code == 200
                    continue
                assert response.status_code == 500, url
                body = response.get_data(as_text=True)
                assert "secret internals" not in body and "Traceback" not in body and "RuntimeError" not in body
                _assert_security_headers(response, url)
    finally:
        engine.close()


def test_debug_is_off_by_default_even_with_flask_debug_in_the_environment(index_root, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_ENV", "development")
    app = create_app({"INDEX_DIR": str(index_root)})
    try:
        assert app.debug is False and app.config["DEBUG"] is False
        assert not app.config.get("PROPAGATE_EXCEPTIONS") and not app.testing
    finally:
        app.extensions[ENGINE_KEY].close()


def test_index_dir_comes_from_the_environment_for_wsgi_servers(index_root, monkeypatch, tmp_path):
    monkeypatch.setenv("PPRNET_INDEX_DIR", str(index_root))
    app = create_app()
    try:
        assert app.config["INDEX_DIR"] == str(index_root)
        assert app.test_client().get("/healthz").get_json()["posts"] == 6
    finally:
        app.extensions[ENGINE_KEY].close()
    explicit = create_app({"INDEX_DIR": str(tmp_path)})  # the caller's config wins
    assert explicit.config["INDEX_DIR"] == str(tmp_path)
    explicit.extensions[ENGINE_KEY].close()


def test_run_py_serve_never_turns_debug_on(index_root, monkeypatch, capsys):
    from werkzeug.serving import BaseWSGIServer

    apps = []
    monkeypatch.setattr(BaseWSGIServer, "serve_forever", lambda server: apps.append(server.app))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert run.main(["serve", "--index", str(index_root), "--port", "0"]) == 0
    (app,) = apps
    assert app.debug is False and app.config["DEBUG"] is False
    assert re.search(r"Serving pprnet-search on http://127\.0\.0\.1:\d+ ", capsys.readouterr().out)


# --------------------------------------------------------------------------------------------------
# Configuration: defaults -> instance pprnet.cfg -> PPRNET_ environment -> the caller's overrides
# --------------------------------------------------------------------------------------------------
def test_configuration_layers_in_the_factory_order(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "pprnet.cfg").write_text(
        'INDEX_DIR = "/srv/from-instance"\nBASE_URL = "https://instance.example"\nSLOW_SEARCH_MS = 5\n', encoding="utf-8")
    monkeypatch.delenv("PPRNET_INDEX_DIR", raising=False)
    monkeypatch.setenv("PPRNET_BASE_URL", "https://env.example/pprnet/")
    monkeypatch.setenv("PPRNET_SLOW_SEARCH_MS", "7")
    monkeypatch.setenv("PPRNET_TRUSTED_HOSTS", '["env.example"]')
    app = create_app({"SLOW_SEARCH_MS": 9}, instance_path=str(instance))
    try:
        assert app.config["INDEX_DIR"] == "/srv/from-instance"  # instance file over the default
        assert app.config["BASE_URL"] == "https://env.example/pprnet"  # environment over the instance file
        assert app.config["TRUSTED_HOSTS"] == ["env.example"]  # JSON values from the environment
        assert app.config["SLOW_SEARCH_MS"] == 9  # the caller's overrides last
        assert app.config["MAX_CONTENT_LENGTH"] == 32 * 1024  # untouched defaults stay
    finally:
        app.extensions[ENGINE_KEY].close()


@pytest.mark.parametrize("base_url", ["javascript:alert(1)", "ftp://example.org", "example.org", "https://",
                                      "https://example.org/?q=1", "https://example.org/#top", "https://exa mple.org"])
def test_a_base_url_that_is_not_a_web_address_fails_at_start(base_url, tmp_path):
    with pytest.raises(ValueError, match="BASE_URL"):
        create_app({"INDEX_DIR": str(tmp_path), "BASE_URL": base_url})


# --------------------------------------------------------------------------------------------------
# Links that a request cannot steer
# --------------------------------------------------------------------------------------------------
def _absolute_links(client, headers) -> list[str]:
    import xml.etree.ElementTree as ET

    from bs4 import BeautifulSoup

    atom = ET.fromstring(client.get("/search.atom?q=burnout", headers=headers).data)
    ns = "{http://www.w3.org/2005/Atom}"
    links = [link.get("href") for link in atom.iter(f"{ns}link")] + [element.text for element in atom.iter(f"{ns}id")]
    page = BeautifulSoup(client.get(f"/posts/{FIRTH}", headers=headers).get_data(as_text=True), "html.parser")
    links.append(page.select_one("link[rel=canonical]")["href"])
    return links


def test_links_use_the_base_url_whatever_the_host_header(index_root):
    app = create_app({"INDEX_DIR": str(index_root), "BASE_URL": "https://search.example.org/pprnet/"})
    client = app.test_client()
    try:
        links = _absolute_links(client, {"Host": "evil.example"})
        assert len(links) > 5
        assert all(link.startswith("https://search.example.org/pprnet/") for link in links), links
        assert f"https://search.example.org/pprnet/posts/{FIRTH}" in links
        for url in ("/search.atom?q=burnout", f"/posts/{FIRTH}", f"/posts/{FIRTH}.bib", f"/posts/{FIRTH}.ris",
                    "/api/search?q=burnout", f"/api/posts/{FIRTH}"):
            assert b"evil.example" not in client.get(url, headers={"Host": "evil.example"}).data, url
    finally:
        app.extensions[ENGINE_KEY].close()


def test_without_a_base_url_trusted_hosts_limit_the_host_header(index_root):
    app = create_app({"INDEX_DIR": str(index_root), "TRUSTED_HOSTS": ["search.example.org"]})
    client = app.test_client()
    try:
        for url in ("/search.atom?q=burnout", f"/posts/{FIRTH}", f"/posts/{FIRTH}.bib", "/api/search?q=x"):
            response = client.get(url, headers={"Host": "evil.example"})
            assert response.status_code == 400 and b"evil.example" not in response.data, url
            _assert_security_headers(response, url)
        links = _absolute_links(client, {"Host": "search.example.org"})
        assert all(link.startswith("http://search.example.org/") for link in links), links
    finally:
        app.extensions[ENGINE_KEY].close()


def test_by_default_only_loopback_host_names_are_served(index_root, monkeypatch):
    """Issue 21, item 8: with neither BASE_URL nor TRUSTED_HOSTS set, the Atom feed's links were built
    from any Host header (evil.example). Now only loopback names are answered, on any port."""
    for name in ("PPRNET_BASE_URL", "PPRNET_TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    app = create_app({"INDEX_DIR": str(index_root)})
    client = app.test_client()
    try:
        assert app.config["BASE_URL"] is None and app.config["TRUSTED_HOSTS"] is None
        for host in ("evil.example", "evil.example:5000", "127.0.0.2", "localhost.evil.example", "[::2]:5000",
                     "10.0.0.1", "", "bad host"):
            for url in ("/search.atom?q=burnout", f"/posts/{FIRTH}", "/api/search?q=x", "/static/app.js", "/nope"):
                response = client.get(url, headers={"Host": host})
                assert response.status_code == 400, (host, url, response.status_code)
                assert b"the Host header names a host this site does not serve" in response.data
                assert host.encode() not in response.data or not host, (host, url)
                _assert_security_headers(response, (host, url))
        for host in ("localhost", "localhost:5000", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:5000"):
            assert client.get("/search.atom?q=burnout", headers={"Host": host}).status_code == 200, host
        links = _absolute_links(client, {"Host": "127.0.0.1:8000"})
        assert all(link.startswith("http://127.0.0.1:8000/") for link in links), links
        assert client.get("/api/search?q=x", headers={"Host": "evil.example"}).get_json() == {
            "error": "the Host header names a host this site does not serve"}
    finally:
        app.extensions[ENGINE_KEY].close()


def test_serving_another_address_without_a_base_url_says_how_to_open_it_up(index_root, monkeypatch, capsys):
    import cli

    for name in ("PPRNET_BASE_URL", "PPRNET_TRUSTED_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("werkzeug.serving.BaseWSGIServer.serve_forever", lambda self, *args, **kwargs: None)
    assert cli.main(["serve", "--index", str(index_root), "--host", "0.0.0.0", "--port", "0"]) == 0
    assert "set PPRNET_BASE_URL or PPRNET_TRUSTED_HOSTS" in capsys.readouterr().err
    assert cli.main(["serve", "--index", str(index_root), "--port", "0"]) == 0  # loopback: nothing to say
    assert capsys.readouterr().err == ""


# --------------------------------------------------------------------------------------------------
# 405 says what is allowed
# --------------------------------------------------------------------------------------------------
def test_every_405_carries_allow(client, prod_app):
    checked = 0
    for rule in prod_app.url_map.iter_rules():
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<{name}>", SAMPLE_VALUES[name]).replace(f"<path:{name}>", SAMPLE_VALUES[name])
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            if method in rule.methods:
                continue
            response = client.open(url, method=method)
            assert response.status_code == 405, (method, url)
            allowed = {part.strip() for part in response.headers["Allow"].split(",")}
            assert allowed == set(rule.methods), (url, allowed)
            checked += 1
    assert checked >= 40


# --------------------------------------------------------------------------------------------------
# /healthz while a search runs; slow searches are logged
# --------------------------------------------------------------------------------------------------
def test_healthz_answers_while_a_search_is_running(index_root, monkeypatch):
    """A search held inside the engine (after it has taken whatever it holds) does not hold up the
    health check. Events, not timing: the test waits at most 60 s for each step."""
    import threading

    import search.engine

    app = create_app({"INDEX_DIR": str(index_root)})
    client = app.test_client()
    assert client.get("/api/search?q=burnout").status_code == 200  # the index is open
    entered, release = threading.Event(), threading.Event()
    real_parse = search.engine.parse_query

    def held_parse(text):
        if "zebrafish" in text:
            entered.set()
            release.wait(60)
        return real_parse(text)

    monkeypatch.setattr(search.engine, "parse_query", held_parse)
    answers: dict[str, int] = {}

    def fetch(name: str, url: str) -> None:
        answers[name] = app.test_client().get(url).status_code

    searching = threading.Thread(target=fetch, args=("search", "/api/search?q=zebrafish+alliance"))
    searching.start()
    try:
        assert entered.wait(60), "the search never reached the engine"
        health = threading.Thread(target=fetch, args=("health", "/healthz"))
        health.start()
        health.join(60)
        assert answers.get("health") == 200 and "search" not in answers  # answered while the search is held
    finally:
        release.set()
        searching.join(60)
        app.extensions[ENGINE_KEY].close()
    assert answers["search"] == 200


def test_slow_searches_are_logged_with_query_and_time(index_root, caplog):
    slow = create_app({"INDEX_DIR": str(index_root), "SLOW_SEARCH_MS": 0})  # every search counts as slow
    fast = create_app({"INDEX_DIR": str(index_root), "SLOW_SEARCH_MS": 10**9})
    try:
        with caplog.at_level("WARNING", logger=slow.logger.name):
            slow.test_client().get("/search?q=burnout+supervision&topic=Training")
            slow.test_client().get("/api/search?q=alliance")
            fast.test_client().get("/search?q=mentalizing")
        lines = [record.getMessage() for record in caplog.records if "slow search" in record.getMessage()]
        assert len(lines) == 2, lines
        assert "'burnout supervision'" in lines[0] and "Training" in lines[0] and re.search(r"\d+ ms", lines[0])
        assert "'alliance'" in lines[1] and "/api/search" in lines[1]
    finally:
        slow.extensions[ENGINE_KEY].close()
        fast.extensions[ENGINE_KEY].close()


# --------------------------------------------------------------------------------------------------
# gunicorn as README documents it: the app's own answer for long queries, never gunicorn's 414
# --------------------------------------------------------------------------------------------------
def test_readme_gunicorn_command_accepts_every_query_the_app_accepts():
    from search.query import MAX_QUERY_CHARS
    from webui import GUNICORN_LIMIT_REQUEST_LINE

    options = readme_gunicorn_options()
    limit = int(options["--limit-request-line"])
    assert limit == GUNICORN_LIMIT_REQUEST_LINE
    longest_path = "/api/search.atom?"  # longer than any search endpoint's path
    assert len(f"GET {longest_path} HTTP/1.1") + MAX_QUERY_STRING_BYTES <= limit
    assert 12 * MAX_QUERY_CHARS < MAX_QUERY_STRING_BYTES  # a whole query of 4-byte characters fits
    assert int(options["--timeout"]) > 0 and int(options["--workers"]) > 0


def test_gunicorn_as_documented_answers_long_accented_queries_itself(index_root, tmp_path):
    from urllib.parse import quote

    from search.query import MAX_QUERY_CHARS
    from bench.load import Gunicorn, get

    options = readme_gunicorn_options()
    limits = ("--limit-request-line", options["--limit-request-line"])
    with Gunicorn(index_root, workers=1, log_path=tmp_path / "gunicorn.log", extra_args=limits) as server:
        accented = quote("é" * 700)  # 4,200 bytes: more than gunicorn's default request line
        status, body = get(server.port, f"/search?q={accented}")
        assert status == 200 and b'class="notice"' in body  # searched in part, and the page says so
        status, body = get(server.port, f"/api/search?q={accented}")
        assert status == 200 and b"notice" in body
        over = "x" * (MAX_QUERY_STRING_BYTES + 1)
        status, body = get(server.port, f"/search?q={over}")
        assert status == 414 and b'<main id="main"' in body  # the app's own page, not gunicorn's
        assert f"first {MAX_QUERY_CHARS} characters".encode() in body
