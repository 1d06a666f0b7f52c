"""Headers and limits (issue 7, item 7): the security headers on every route of the URL map, on every
error status and on static files; request size limits (414, 413) instead of work or a 500; debug
never on outside development; no stack trace in any response."""
from __future__ import annotations

import re

import pytest
from flask import Flask

import run
from webui import ENGINE_KEY, MAX_QUERY_STRING_BYTES, SECURITY_HEADERS, create_app

FIRTH = "2020-08-why-does-where-a-patient-lives-affect"
SAMPLE_VALUES = {"post_id": FIRTH, "filename": "app.js"}


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
        urls.append(url)
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
    calls = []
    monkeypatch.setattr(Flask, "run", lambda self, **kwargs: calls.append((self.debug, kwargs)))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert run.main(["serve", "--index", str(index_root), "--port", "0"]) == 0
    (debug, kwargs), = calls
    assert debug is False and kwargs["debug"] is False and kwargs["use_reloader"] is False
    assert kwargs["host"] == "127.0.0.1"
    assert re.search(r"http://127\.0\.0\.1:0", capsys.readouterr().out)
