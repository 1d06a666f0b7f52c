"""The Flask web UI and JSON API over the search core.

``create_app(config)`` builds the application. Configuration, each layer overriding the one before
(Flask's factory order): the defaults below, then the instance config file ``pprnet.cfg`` (in Flask's
instance folder), then ``PPRNET_``-prefixed environment variables (``PPRNET_INDEX_DIR``,
``PPRNET_BASE_URL``, ``PPRNET_TRUSTED_HOSTS='["search.example.org"]'``, ``PPRNET_SLOW_SEARCH_MS``),
then the caller's ``config`` (tests). It registers one :class:`~search.engine.SearchEngine` per app
(thread-safe, reopens itself when the index is swapped), the ``pages`` and ``api`` blueprints,
security headers on every response, error pages in the site's look (JSON errors under ``/api``, an
``Allow`` header on every 405) and request size limits. Nothing is bound at import time.

Safe by default: with neither ``BASE_URL`` nor ``TRUSTED_HOSTS`` set, only loopback host names
(``LOOPBACK_HOSTS``) are served, as Django does with an empty ``ALLOWED_HOSTS`` in debug; any other
``Host`` header gets a 400, so no link is ever built from a host name someone else chose.

Production: see README.md (gunicorn with ``--limit-request-line`` above MAX_QUERY_STRING_BYTES).
"""
from __future__ import annotations

import os

from flask import Flask, Response, abort, jsonify, render_template, request
from flask.globals import request_ctx
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, MethodNotAllowed

from search.engine import SearchEngine
from search.query import MAX_QUERY_CHARS
from search.store import IndexUnavailable
from webui.links import checked_base_url

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

ENGINE_KEY = "pprnet_engine"
CONFIG_PREFIX = "PPRNET"
INSTANCE_CONFIG_FILE = "pprnet.cfg"
# The longest query string accepted: a query of MAX_QUERY_CHARS characters of 4 UTF-8 bytes each,
# percent-encoded (12 bytes a character), plus 2,000 bytes of filters. It stays below the request line
# that gunicorn can be told to accept (GUNICORN_LIMIT_REQUEST_LINE, its maximum, set in README's
# command), so every over-long address gets this app's own answer, never gunicorn's bare 414.
MAX_QUERY_STRING_BYTES = 12 * MAX_QUERY_CHARS + 2000
GUNICORN_LIMIT_REQUEST_LINE = 8190
# The Host names served when neither BASE_URL nor TRUSTED_HOSTS is set (werkzeug's TRUSTED_HOSTS cannot
# name an IPv6 address, hence a check of our own: _loopback_only).
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
DEFAULTS = {
    "INDEX_DIR": "index",  # relative to the working directory, never to the installed package
    "BASE_URL": None,  # the public address (https://search.example.org) for absolute links and exports
    "TRUSTED_HOSTS": None,  # Flask's own: the Host headers accepted when BASE_URL is not set
    "SLOW_SEARCH_MS": 1000,  # a search slower than this is logged with its query and time
    "MAX_CONTENT_LENGTH": 32 * 1024,  # a POSTed reading list of 500 post ids is about 30 KB
    "DEBUG": False,
}


class UntrustedHost(BadRequest):
    description = "the Host header names a host this site does not serve"


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes: same data, never markup if misread as HTML."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def create_app(config: dict | None = None, *, instance_path: str | None = None) -> Flask:
    """The application, configured in the order of the module notes. ``instance_path`` is Flask's
    instance folder (default: Flask's choice), where ``pprnet.cfg`` is looked for. Raises ValueError
    for a ``BASE_URL`` that is not an http(s) address."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile(INSTANCE_CONFIG_FILE, silent=True)
    app.config.from_prefixed_env(CONFIG_PREFIX)
    if config:
        app.config.update(config)
    app.config["INDEX_DIR"] = os.path.abspath(str(app.config["INDEX_DIR"]))
    app.config["BASE_URL"] = checked_base_url(app.config["BASE_URL"])
    app.json = HtmlSafeJSONProvider(app)
    app.extensions[ENGINE_KEY] = SearchEngine(app.config["INDEX_DIR"])

    from webui import api, exports, pages
    from webui.formatting import register_filters

    register_filters(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    if not serves_any_host(app):
        app.before_request(_loopback_only)
    app.before_request(_limit_request_size)
    app.after_request(_security_headers)
    app.register_error_handler(IndexUnavailable, _index_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    return app


def serves_any_host(app: Flask) -> bool:
    """Whether the app answers other hosts than loopback ones (``BASE_URL`` or ``TRUSTED_HOSTS`` is set)."""
    return bool(app.config["BASE_URL"] or app.config["TRUSTED_HOSTS"])


def _loopback_only():
    """UntrustedHost (400) for a ``Host`` header whose name is not in LOOPBACK_HOSTS (the port does not matter)."""
    host = request.host.lower()  # "" when the header is missing or malformed
    name = host if host.endswith("]") else host.rpartition(":")[0] or host
    if name not in LOOPBACK_HOSTS:
        raise UntrustedHost()


def _limit_request_size():
    """414 for an over-long query string, 413 for a declared body over MAX_CONTENT_LENGTH (before any work)."""
    if len(request.query_string) > MAX_QUERY_STRING_BYTES:
        abort(414, description=f"This address is too long to search. A search reads the first {MAX_QUERY_CHARS} "
                               "characters of a query: shorten the query or remove some filters.")
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _index_unavailable(error: IndexUnavailable):
    """503: there is no usable index (yet)."""
    if _wants_json():
        return jsonify(status="unavailable", error="the search index is unavailable", reason=str(error)), 503
    return render_template("error.html", code=503, title="Search is not available right now",
                           message="The search index is being built, or is missing or damaged. Please try again in a minute.",
                           reason=str(error)), 503


_TITLES = {400: "That request did not work", 404: "Page not found", 405: "Method not allowed",
           413: "Request too large", 414: "Address too long"}


def _http_error(error: HTTPException):
    if error.code is not None and error.code >= 500:
        return _server_error(error)
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if request_ctx.url_adapter is None or isinstance(error, UntrustedHost):  # no link is built, no host echoed
        message = UntrustedHost.description
        if _wants_json():
            return jsonify(error=message), error.code
        return Response(f"{error.code} {error.name}: {message}\n", error.code, mimetype="text/plain")
    if _wants_json():
        return jsonify(error=error.description), error.code, headers
    title = _TITLES.get(error.code, error.name)
    message = error.description if error.code in (400, 413, 414) else None
    return render_template("error.html", code=error.code, title=title, message=message), error.code, headers


def _server_error(error):
    if _wants_json():
        return jsonify(error="internal error"), 500
    return render_template("error.html", code=500, title="Something went wrong",
                           message="The page could not be shown. Please try again."), 500
