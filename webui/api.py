"""JSON API: search (docs/json-api.md), one post, autocomplete, health check.

A post's ``url`` in the JSON is its http(s) address or null (never a ``javascript:`` link taken
from a page). The health check says "ready" once the engine has the current index open, and answers
while searches run.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from search.request import InvalidRequest
from search.store import current_build, index_problem, read_meta
from webui.links import web_url
from webui.pages import engine, find_post, run_search
from webui.state import UrlState, request_from_args

bp = Blueprint("api", __name__)

SUGGEST_LIMIT = 8


@bp.get("/api/search")
def search():
    """Same parameters as /search. Raises BadRequest (400, JSON error) for invalid ones."""
    try:
        search_request = request_from_args(request.args)
    except InvalidRequest as error:
        abort(400, description=str(error))
    data = run_search(search_request).to_dict()
    for hit in data["hits"]:
        hit["url"] = web_url(hit.get("url"))
    return jsonify(data)


@bp.get("/api/posts/<post_id>")
def post(post_id: str):
    """One post, every field. Raises NotFound (404, JSON error)."""
    data = find_post(post_id).to_dict()
    data["url"] = web_url(data.get("url"))
    return jsonify(data)


@bp.get("/api/suggest")
def suggest():
    """Autocomplete: titles, topics, authors and journals with a word starting with ``q``."""
    prefix = request.args.get("q", "")[:100]
    suggestions = []
    for suggestion in engine().suggest(prefix, limit=SUGGEST_LIMIT):
        entry = suggestion.to_dict()
        if suggestion.kind == "title" and suggestion.post_id:
            entry["url"] = url_for("pages.post", post_id=suggestion.post_id)
        else:
            entry["url"] = UrlState().with_filters({suggestion.kind: (suggestion.label,)}).url()
        suggestions.append(entry)
    return jsonify(query=prefix, suggestions=suggestions)


@bp.get("/healthz")
def healthz():
    """200 "ready" with the index's post count and build once this process can answer a search over it
    (its snapshot open: search.engine), or 503 with the reason: the index on disk missing, written by
    another schema version or damaged (a missing or truncated file), or not readable. It never waits
    for a running search: a slow search does not make the process look dead."""
    root = current_app.config["INDEX_DIR"]
    problem = index_problem(root) or engine().problem()
    if problem:
        return jsonify(status="unavailable", reason=problem), 503
    meta = read_meta(root) or {}
    build = current_build(root)
    return jsonify(status="ready", posts=meta.get("post_count"), build=build.name if build else None,
                   built_at=meta.get("built_at"))

