"""Reference-file downloads: one post, a reading list of chosen posts, or a whole result set.

``/posts/<id>.bib|.ris|.json`` (and ``/posts/<id>/summary.*``, the blog post itself, for "Cite this
summary"), ``/export.bib|.ris|.json`` with repeated ``id`` (a POSTed form: a reading list of up to
``MAX_EXPORT`` ids is too long for an address; GET works for a few) and
``/search.bib|.ris|.json?<the parameters of /search>`` (``MAX_EXPORT`` posts a file, in the order the
results page shows them, through the engine's own search; ``part=2`` is the next ``MAX_EXPORT``).
Each post is exported as the article it
summarises, or as the blog post when it cites none (:func:`webui.references.primary_reference`).
"""
from __future__ import annotations

import functools
from dataclasses import replace

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict

from search.request import InvalidRequest
from search.post import Post
from webui.links import external_url
from webui.pages import MAX_ID_CHARS, engine, find_post
from webui.reference_files import FORMATS
from webui.references import blog_reference, find_links, primary_reference
from webui.state import MAX_EXPORT, MAX_EXPORT_PARTS, request_from_args
from webui.zotero import coins_title

bp = Blueprint("exports", __name__)


def _route(path: str, methods: tuple[str, ...] = ("GET",)):
    """Register ``view(extension, ...)`` under ``path`` + ``.bib``, ``.ris`` and ``.json``, as the
    endpoints ``exports.<view>_bib``, ``_ris`` and ``_json``."""
    def register(view):
        for extension in FORMATS:
            bp.add_url_rule(f"{path}.{extension}", endpoint=f"{view.__name__}_{extension}",
                            view_func=functools.partial(view, extension=extension), methods=list(methods))
        return view
    return register


def reference(post: Post):
    """The post's export: its article, or the blog post cited at this site's page of it when the blog
    gives the post no address of its own."""
    return primary_reference(post, external_url("pages.post", post_id=post.id))


def _download(references, extension: str, filename: str) -> Response:
    write, mimetype = FORMATS[extension]
    response = Response(write(references), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


@_route("/posts/<post_id>")
def post_file(post_id: str, extension: str):
    """One post's reference as BibTeX, RIS or CSL-JSON. Raises NotFound (404)."""
    found = find_post(post_id)
    return _download([reference(found)], extension, found.id)


@_route("/posts/<post_id>/summary")
def summary_file(post_id: str, extension: str):
    """The summary itself, as a blog post ("Cite this summary"). Raises NotFound (404)."""
    found = find_post(post_id)
    return _download([blog_reference(found, external_url("pages.post", post_id=found.id))], extension,
                     f"{found.id}-summary")


@_route("/export", methods=("GET", "POST"))
def selection_file(extension: str):
    """The chosen posts (repeated ``id``, in the form or the address), in the order given; ids the index
    no longer holds are left out and named in the ``X-Not-Found`` header. Raises BadRequest (400) for no
    ids (the form sent with nothing ticked) or too many, NotFound (404) when none is known."""
    values = request.form if request.method == "POST" else request.args
    ids = list(dict.fromkeys(value.strip() for value in values.getlist("id") if value.strip()))
    if not ids:
        abort(400, description="Tick at least one summary in the results, then export the selection.")
    if len(ids) > MAX_EXPORT:
        abort(400, description=f"At most {MAX_EXPORT} summaries can be exported at once, not {len(ids)}.")
    eng = engine()
    posts, missing = [], []
    for post_id in ids:
        post = eng.post(post_id) if len(post_id) <= MAX_ID_CHARS and post_id.isprintable() else None
        (posts.append(post) if post else missing.append(post_id))
    if not posts:
        abort(404, description="None of the chosen summaries is in the index any more.")
    response = _download([reference(post) for post in posts], extension, "pprnet-selection")
    if missing:
        shown = " ".join("".join(c if c.isascii() and c.isprintable() else "?" for c in post_id) for post_id in missing)
        response.headers["X-Not-Found"] = shown[:2000]
    return response


@_route("/search")
def results_file(extension: str):
    """The results of a search, MAX_EXPORT a file: ``part`` N (default 1) holds results
    (N-1)*MAX_EXPORT+1 to N*MAX_EXPORT; same parameters as /search. Raises BadRequest (400) for invalid
    parameters, NotFound (404) for a part past the results."""
    args = MultiDict([(name, value) for name, value in request.args.items(multi=True)
                      if name not in ("page", "page_size")])
    part = request.args.get("part", "1").strip()
    if not (part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_EXPORT_PARTS):
        abort(400, description=f"part must be a whole number from 1 to {MAX_EXPORT_PARTS}, not {part!r}")
    try:
        search_request = request_from_args(args)
    except InvalidRequest as error:
        abort(400, description=str(error))
    number = int(part)
    response = engine().search(replace(search_request, page=number, page_size=MAX_EXPORT))
    first = (number - 1) * MAX_EXPORT + 1
    if number > 1 and response.total < first:
        abort(404, description=f"These results number {response.total}: part {number} would begin at result {first}.")
    last = min(number * MAX_EXPORT, response.total)
    name = "pprnet-results" if response.total <= MAX_EXPORT else f"pprnet-results-{first}-{last}"
    return _download([reference(hit.post) for hit in response.results], extension, name)


@bp.app_context_processor
def reference_helpers() -> dict:
    """What result cards render beside each post: its reference (for COinS) and where to find it."""
    return {"primary_reference": reference, "coins_title": coins_title, "find_links": find_links,
            "max_export": MAX_EXPORT}
