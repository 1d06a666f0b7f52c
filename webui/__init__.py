"""The Flask web UI and JSON API over the search core.

``create_app(config)`` builds the application: defaults, then the caller's overrides; one
:class:`~search.engine.SearchEngine` per app (thread-safe, reopens itself when the index is swapped);
the ``pages`` and ``api`` blueprints; security headers on every response; error pages in the site's
look (JSON errors under ``/api``); request size limits. Nothing is bound at import time.

Production: ``PPRNET_INDEX_DIR=/srv/pprnet/index gunicorn -w 4 -b 0.0.0.0:8000 'webui:create_app()'``.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException, InternalServerError

from search.engine import SearchEngine
from search.store import IndexUnavailable

PROJECT_DIR = Path(__file__).resolve().parent.parent

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
INDEX_DIR_ENV = "PPRNET_INDEX_DIR"
# The longest query string accepted (a 1,000-character query of 4-byte characters is ~12 KB encoded).
MAX_QUERY_STRING_BYTES = 16 * 1024


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """JSON with ``<``, ``>``, ``&`` and ``'`` as ``\\u`` escapes: same data, never markup if misread as HTML."""

    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")


def create_app(config: dict | None = None) -> Flask:
    """The application. Config keys: ``INDEX_DIR`` (the index root) and Flask's own.

    ``INDEX_DIR`` defaults to the environment variable ``PPRNET_INDEX_DIR`` when it is set (how a
    WSGI server such as gunicorn, which calls ``create_app()`` without arguments, is pointed at an
    index), else ``<project>/index``. Debug mode is off unless the caller's config turns it on.
    """
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get(INDEX_DIR_ENV) or str(PROJECT_DIR / "index"),
        MAX_CONTENT_LENGTH=16 * 1024,
        DEBUG=False,
    )
    if config:
        app.config.update(config)
    app.json = HtmlSafeJSONProvider(app)
    app.extensions[ENGINE_KEY] = SearchEngine(app.config["INDEX_DIR"])

    from webui import api, exports, pages
    from webui.formatting import register_filters

    register_filters(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(exports.bp)
    app.before_request(_limit_request_size)
    app.after_request(_security_headers)
    app.register_error_handler(IndexUnavailable, _index_unavailable)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _server_error)
    return app


def _limit_request_size():
    """414 for an over-long query string, 413 for a declared body over MAX_CONTENT_LENGTH (before any work)."""
    if len(request.query_string) > MAX_QUERY_STRING_BYTES:
        abort(414)
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
                           message="The search index is being built, or is missing or damaged. Please try again in a minute."), 503


_TITLES = {400: "That request did not work", 404: "Page not found", 405: "Method not allowed",
           413: "Request too large", 414: "Address too long"}


def _http_error(error: HTTPException):
    if error.code is not None and error.code >= 500:
        return _server_error(error)
    if _wants_json():
        return jsonify(error=error.description), error.code
    title = _TITLES.get(error.code, error.name)
    message = error.description if error.code in (400, 413, 414) else None
    return render_template("error.html", code=error.code, title=title, message=message), error.code


def _server_error(error):
    if _wants_json():
        return jsonify(error="internal error"), 500
    return render_template("error.html", code=500, title="Something went wrong",
                           message="The page could not be shown. Please try again."), 500
