"""Raw posts to Post records: citation fields, stable ids, inferred topics, research types, sample size."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from indexer.citation import parse_citation
from indexer.enrich import article_research_types, sample_size
from indexer.structure import RawPost
from indexer.topics import infer_topics
from search.post import TOPICS_FROM_SITE, TOPICS_INFERRED, URL_ARCHIVE, URL_LISTING, URL_POST, Post

_SLUG_MAX_CHARS = 40
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_chars: int = _SLUG_MAX_CHARS) -> str:
    """ASCII, lowercase, hyphen-separated, cut on a word boundary: ``"Can Therapists Train"`` -> ``can-therapists-train``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = [word for word in _NOT_SLUG.split(ascii_text.lower().replace("'", "")) if word]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_chars and slug:
            break
        slug = candidate[:max_chars]
    return slug or "untitled"


def post_id(issue_date: str, title: str) -> str:
    """Stable id: blog month + title slug (``2021-01-mentalizing-may-be-a-protective-factor``)."""
    return f"{issue_date}-{slugify(title)}"


def disambiguated_id(post: Post) -> str:
    """The id for a different post whose id collides with another's: the full title's hash appended."""
    digest = hashlib.sha1(post.title.encode("utf-8")).hexdigest()[:6]
    return f"{post.id}-{digest}"


def build_post(
    raw: RawPost,
    *,
    url: str | None,
    url_kind: str | None = None,
    taxonomy: tuple[str, ...],
    site_topics: tuple[str, ...] = (),
) -> Post:
    """One Post from a raw post. ``site_topics``, when the site said which topics list the post, win."""
    citation = parse_citation(raw.citation) if raw.citation else None
    summary = "\n\n".join(raw.summary)
    implications = "\n\n".join(raw.implications)
    if site_topics:
        topics, topics_source = site_topics, TOPICS_FROM_SITE
    else:
        text = " ".join(filter(None, (citation and citation.article_title, summary, implications)))
        topics, topics_source = infer_topics(raw.title, text, taxonomy), TOPICS_INFERRED
    return Post(
        id=post_id(raw.issue_date, raw.title),
        url=url,
        url_kind=url_kind,
        issue_date=raw.issue_date,
        title=raw.title,
        citation=raw.citation,
        authors=citation.authors if citation else (),
        authors_complete=citation.authors_complete if citation else True,
        last_author_known=citation.last_author_known if citation else True,
        year=citation.year if citation else None,
        article_title=citation.article_title if citation else None,
        journal=citation.journal if citation else None,
        volume=citation.volume if citation else None,
        issue=citation.issue if citation else None,
        pages=citation.pages if citation else None,
        doi=citation.doi if citation else None,
        summary=summary,
        implications=implications,
        topics=topics,
        topics_source=topics_source,
        research_types=article_research_types(
            raw.title, citation and citation.article_title, summary,
            is_chapter=bool(citation and citation.kind == "chapter"),
        ),
        sample_size=sample_size(summary),
    )


def merge_duplicates(posts: list[Post]) -> list[Post]:
    """One record per post seen in several files: topics merged, the most stable address kept (its own
    page, else its archive month, else a listing), first seen order.

    Two different posts whose ids collide (same month, same title start) both stay, the later one
    with a disambiguated id.
    """
    merged: dict[str, Post] = {}
    for post in posts:
        known = merged.get(post.id)
        if known is None:
            merged[post.id] = post
        elif known.title.casefold() == post.title.casefold():
            merged[post.id] = _merge_pair(known, post)
        else:
            merged.setdefault(disambiguated_id(post), post.replace(id=disambiguated_id(post)))
    return list(merged.values())


def _merge_pair(first: Post, second: Post) -> Post:
    site = [post for post in (first, second) if post.topics_source == TOPICS_FROM_SITE]
    if site:
        topics = tuple(dict.fromkeys(topic for post in site for topic in post.topics))
        source = TOPICS_FROM_SITE
    else:
        topics = tuple(dict.fromkeys(first.topics + second.topics))
        source = TOPICS_INFERRED
    richer = first if len(first.summary) + len(first.implications) >= len(second.summary) + len(second.implications) else second
    stable = min((first, second), key=_address_rank)
    return richer.replace(
        url=stable.url,
        url_kind=stable.url_kind,
        topics=topics,
        topics_source=source,
    )


# Most stable first: the post's own page, its archive month page, a listing page, no address.
_ADDRESS_ORDER = (URL_POST, URL_ARCHIVE, URL_LISTING)


def _address_rank(post: Post) -> int:
    if not post.url:
        return len(_ADDRESS_ORDER) + 1
    return _ADDRESS_ORDER.index(post.url_kind) if post.url_kind in _ADDRESS_ORDER else len(_ADDRESS_ORDER)
