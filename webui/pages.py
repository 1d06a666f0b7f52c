"""HTML pages: home, results, every value of one facet, Atom feed, post (with its references and
Zotero metadata), topics, about."""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, render_template, request

from search.engine import SearchEngine, SearchResponse
from search.post import Post
from search.request import FACETS, InvalidRequest, SearchRequest
from webui import references, zotero
from webui.formatting import FACET_TITLES, facet_label, month_label
from webui.links import external_path, external_url, web_url
from webui.state import ResultsPage, UrlState, facet_page_url, facet_values, listed, request_from_args

bp = Blueprint("pages", __name__)

MAX_ID_CHARS = 200
LATEST_COUNT = 5
FEED_SIZE = 20  # entries when the feed's address gives no page_size (at most MAX_PAGE_SIZE, as a search page)
FEED_TEXT_CHARS = 2000  # an entry's citation and its practice implications are each cut to this, the post links the rest
MAX_TOPICS_SHOWN = 100  # the blog's 36, then other labels the posts carry, up to this many
FACET_PAGE_VALUES = 1000  # the values one facet page lists; "find" narrows the rest
MAX_FIND_CHARS = 100


def engine() -> SearchEngine:
    from webui import ENGINE_KEY

    return current_app.extensions[ENGINE_KEY]


def run_search(search_request: SearchRequest) -> SearchResponse:
    """``engine().search``, with a warning in the app's log (query, filters, page and milliseconds)
    when it takes longer than the ``SLOW_SEARCH_MS`` setting."""
    started = time.perf_counter()
    response = engine().search(search_request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if elapsed_ms > current_app.config["SLOW_SEARCH_MS"]:
        current_app.logger.warning(
            "slow search: %.0f ms for query=%r filters=%r sort=%s page=%d (%s)", elapsed_ms,
            search_request.query, dict(search_request.filters), search_request.sort, search_request.page, request.path,
        )
    return response


def find_post(post_id: str) -> Post:
    """The post with this id. Raises NotFound (404) for any id the index does not hold."""
    if len(post_id) > MAX_ID_CHARS or not post_id.isprintable():
        abort(404)
    post = engine().post(post_id)
    if post is None:
        abort(404)
    return post


def corpus_line(stats: dict) -> str:
    count = stats["posts"]
    text = f"{count} summar{'y' if count == 1 else 'ies'}"
    if stats.get("first_month"):
        first, last = month_label(stats["first_month"]), month_label(stats["last_month"])
        text += f", {first}" if first == last else f", {first} – {last}"
    return text


@bp.get("/")
def home():
    """Search box, the topics with posts (and how many have none yet), latest posts, a line on the corpus."""
    eng = engine()
    stats = eng.stats()
    topics = eng.topic_counts()
    return render_template(
        "home.html",
        corpus_line=corpus_line(stats),
        topics=[topic for topic in topics if topic.count][:MAX_TOPICS_SHOWN],
        empty_topics=len([topic for topic in topics if not topic.count]),
        topic_total=len(topics),
        latest=eng.latest(LATEST_COUNT),
        autofocus=True,
    )


@bp.get("/search")
def search():
    """Ranked, faceted results. Raises BadRequest (400) for invalid parameters."""
    try:
        search_request = request_from_args(request.args)
    except InvalidRequest as error:
        abort(400, description=str(error))
    page = ResultsPage.build(run_search(search_request))
    return render_template("search.html", page=page, query=search_request.query)


@bp.get("/facets/<facet>")
def facet(facet: str):
    """Every value of one facet over a search's results (same parameters as /search), each a toggle
    back to the results, most summaries first (years newest first), at most FACET_PAGE_VALUES of them;
    ``find`` keeps the values containing it. Raises NotFound (404) for an unknown facet, BadRequest
    (400) for invalid parameters."""
    if facet not in FACETS:
        abort(404)
    try:
        search_request = request_from_args(request.args)
    except InvalidRequest as error:
        abort(400, description=str(error))
    find = " ".join(request.args.get("find", "").split())[:MAX_FIND_CHARS]
    response = run_search(replace(search_request, page=1, page_size=1, facet_limit=None))
    counts = listed(facet, response.facets[facet])
    found = [count for count in counts if find.casefold() in facet_label(facet, count.value).casefold()]
    state = UrlState.of(search_request)
    return render_template("facet.html", query=search_request.query, facet=facet, title=FACET_TITLES[facet],
                           state=state, total=len(counts), find=find, found=len(found),
                           values=facet_values(state, facet, found[:FACET_PAGE_VALUES]),
                           results_url=state.url(), results=response.total, all_url=facet_page_url(state, facet))


@bp.get("/search.atom")
def atom():
    """The newest posts matching a search, as an Atom feed (default order: newest first). Each entry
    carries one text, its summary: the citation and the practice implications (or, without them, the
    summary), each cut to FEED_TEXT_CHARS; the entry links the whole post."""
    try:
        search_request = request_from_args(request.args, default_sort="newest")
    except InvalidRequest as error:
        abort(400, description=str(error))
    if not request.args.get("page_size"):
        search_request = replace(search_request, page_size=FEED_SIZE)
    response = run_search(search_request)
    state = UrlState.of(search_request)
    updated = max((hit.post.issue_date for hit in response.results), default=None)
    body = render_template(
        "feed.xml",
        response=response,
        query=search_request.query,
        self_url=external_path(request.script_root + request.full_path.rstrip("?")),
        html_url=external_path(state.url(page=1)),
        entry_url=lambda post: external_url("pages.post", post_id=post.id),
        updated=_atom_date(updated),
        atom_date=_atom_date,
        text_chars=FEED_TEXT_CHARS,
    )
    return Response(body, mimetype="application/atom+xml")


def _atom_date(issue_date: str | None) -> str:
    if issue_date:
        return f"{issue_date}-01T00:00:00Z"
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Related:
    more_like_this: list[Post]
    same_author: list[Post]
    same_journal: list[Post]


@bp.get("/posts/<post_id>")
def post(post_id: str):
    """One summary, with related posts and citation export. Raises NotFound (404)."""
    found = find_post(post_id)
    eng = engine()
    related = Related(
        more_like_this=eng.more_like_this(found.id, limit=5),
        same_author=eng.posts_where("author", found.authors[0], exclude=found.id, limit=10) if found.authors else [],
        same_journal=eng.posts_where("journal", found.journal, exclude=found.id, limit=10) if found.journal else [],
    )
    page_url = external_url("pages.post", post_id=found.id)
    article = references.article_reference(found, page_url)
    blog = references.blog_reference(found, page_url)
    return render_template(
        "post.html",
        canonical_url=page_url,
        post=found,
        original_url=web_url(found.url),
        related=related,
        article=article,
        blog=blog,
        coins=zotero.coins_title(article or blog),
        json_ld=zotero.blog_posting(blog, article, page_url),
        find=references.find_links(found),
        apa_segments=references.apa_segments,
    )


@bp.get("/topics")
def topics():
    """All topics of the taxonomy with their post counts (then other topics, up to MAX_TOPICS_SHOWN in
    all); those without posts listed apart."""
    topics = engine().topic_counts()[:MAX_TOPICS_SHOWN]
    return render_template("topics.html", topics=[topic for topic in topics if topic.count],
                           empty=[topic for topic in topics if not topic.count], topic_total=len(topics))


@bp.get("/about")
def about():
    """What the data is, where it comes from, how to search."""
    stats = engine().stats()
    return render_template("about.html", corpus_line=corpus_line(stats))
