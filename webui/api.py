"""JSON API: search (the JSON of DESIGN.md), one post, autocomplete, health check."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for

from search.request import InvalidRequest
from search.store import IndexUnavailable, index_problem
from webui.pages import engine, find_post
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
    return jsonify(engine().search(search_request).to_dict())


@bp.get("/api/posts/<post_id>")
def post(post_id: str):
    """One post, every field. Raises NotFound (404, JSON error)."""
    return jsonify(find_post(post_id).to_dict())


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
    """200 with index stats, or 503 when there is no usable index: missing, written by another schema
    version, or damaged on disk (a missing or truncated file), even while this process still serves
    the copy it loaded before the damage."""
    eng = engine()
    try:
        stats = eng.stats()
    except IndexUnavailable as error:
        return jsonify(status="unavailable", reason=str(error)), 503
    problem = index_problem(eng.root)
    if problem:
        return jsonify(status="unavailable", reason=problem, serving=stats), 503
    return jsonify(status="ok", **stats)
