"""What a page says about itself: its address, its kind and its date, from its own markup.

Read from the metadata elements of an HTML page (in its ``<head>`` or not): ``<link rel=canonical>``
/ ``og:url``, ``<title>`` / ``og:title``, ``og:type``, ``article:published_time``, JSON-LD
``BlogPosting`` (``headline``, ``datePublished``, ``url``). Also whether an address is an old
archive month page or a listing page. (A post's ``rel="tag"`` links are read with its text, by
:mod:`indexer.blocks`.)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from indexer.blocks import MetaElement
from indexer.decode import squeeze_spaces
from indexer.months import iso_month

_POST_TYPES = frozenset({"blogposting", "article", "newsarticle", "socialmediaposting", "scholarlyarticle"})
_MAX_JSON_LD_CHARS = 200_000
_LISTING_QUERY = re.compile(r"(?:^|&)(?:p|page|cat_\d+)=", re.I)
# Old monthly archive pages: ``pprnet_blog_june2014.html``; ``pprnet_blog.html`` was the current month.
_ARCHIVE_PAGE = re.compile(r"(?:^|/)pprnet_blog[^/]*\.html?$", re.I)


@dataclass(frozen=True)
class PageMeta:
    """The page's own statements about itself; every field may be missing.

    ``title`` is the ``<title>`` text (often "Post title | Blog | Site"); ``headline`` the post title
    as JSON-LD ``headline`` or ``og:title`` state it.
    """

    url: str | None = None
    title: str | None = None
    headline: str | None = None
    single_post: bool = False
    published: str | None = None


def read_page_meta(tags: list[MetaElement]) -> PageMeta:
    """The page's address, title, whether it declares itself one post, and its month (``YYYY-MM``),
    from its metadata elements (see :func:`indexer.blocks.read_html`)."""
    json_ld = list(_json_ld_posts(tags))
    og_type = _meta(tags, "og:type")
    url = _link_href(tags, "canonical") or _meta(tags, "og:url") or next(
        (item["url"] for item in json_ld if isinstance(item.get("url"), str)), None
    )
    title_tag = next((tag for tag in tags if tag.name == "title"), None)
    headline = next((item["headline"] for item in json_ld if isinstance(item.get("headline"), str)), None)
    headline = squeeze_spaces(headline or "") or _meta(tags, "og:title")
    published = _meta(tags, "article:published_time") or next(
        (item["datePublished"] for item in json_ld if isinstance(item.get("datePublished"), str)), None
    )
    return PageMeta(
        url=url,
        title=squeeze_spaces(title_tag.text) or None if title_tag else None,
        headline=headline or None,
        single_post=(og_type or "").lower() == "article" or len(json_ld) == 1,
        published=iso_month(published) if published else None,
    )


def is_archive_address(address: str | None) -> bool:
    """An old archive month page (one month per page, posts reached by anchors)."""
    return bool(address) and _ARCHIVE_PAGE.search(urlsplit(address).path) is not None


def is_listing_address(address: str | None) -> bool:
    """A listing page: the blog's front page (``.../blog``), a page of it (``?p=``) or a filter (``?cat_2=``)."""
    if not address:
        return False
    parts = urlsplit(address)
    return bool(_LISTING_QUERY.search(parts.query)) or parts.path.rstrip("/").lower().endswith("/blog")


def _meta(tags: list[MetaElement], name: str) -> str | None:
    metas = [tag for tag in tags if tag.name == "meta"]
    tag = next((tag for tag in metas if tag.attrs.get("property") == name), None) or next(
        (tag for tag in metas if tag.attrs.get("name") == name), None
    )
    content = tag.attrs.get("content") if tag else None
    return squeeze_spaces(content) or None if content is not None else None


def _link_href(tags: list[MetaElement], rel: str) -> str | None:
    for tag in tags:
        if tag.name == "link" and "href" in tag.attrs and rel in (tag.attrs.get("rel") or "").split():
            return tag.attrs["href"].strip() or None
    return None


def _json_ld_posts(tags: list[MetaElement]):
    """The JSON-LD objects that describe a blog post or article."""
    for script in tags:
        if script.name != "script" or script.attrs.get("type") != "application/ld+json":
            continue
        text = script.text
        if len(text) > _MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if not isinstance(item, dict):
                continue
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(kind, str) and kind.lower() in _POST_TYPES for kind in kinds):
                yield item
