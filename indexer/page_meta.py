"""What a page says about itself: its address, its kind, its date and its tags, from its own markup.

Read from the ``<head>`` and the semantic elements of an HTML page: ``<link rel=canonical>`` /
``og:url``, ``<title>`` / ``og:title``, ``og:type``, ``article:published_time``, JSON-LD
``BlogPosting`` (``headline``, ``datePublished``, ``url``), and the ``rel="tag"`` links of each
``<article>`` (the site's own topics for that post; key None for a page without articles). Also
whether an address is an old archive month page or a listing page.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from indexer.blocks import outermost_articles
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
    article_tags: dict[int | None, tuple[str, ...]] = field(default_factory=dict)


def read_page_meta(soup: BeautifulSoup) -> PageMeta:
    """The page's address, title, whether it declares itself one post, its month (``YYYY-MM``) and tags."""
    json_ld = list(_json_ld_posts(soup))
    og_type = _meta(soup, "og:type")
    url = _link_href(soup, "canonical") or _meta(soup, "og:url") or next(
        (item["url"] for item in json_ld if isinstance(item.get("url"), str)), None
    )
    title_tag = soup.find("title")
    headline = next((item["headline"] for item in json_ld if isinstance(item.get("headline"), str)), None)
    headline = squeeze_spaces(headline or "") or _meta(soup, "og:title")
    published = _meta(soup, "article:published_time") or next(
        (item["datePublished"] for item in json_ld if isinstance(item.get("datePublished"), str)), None
    )
    return PageMeta(
        url=url,
        title=squeeze_spaces(title_tag.get_text()) or None if title_tag else None,
        headline=headline or None,
        single_post=(og_type or "").lower() == "article" or len(json_ld) == 1,
        published=iso_month(published) if published else None,
        article_tags=_article_tags(soup),
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


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    content = tag.get("content") if isinstance(tag, Tag) else None
    return squeeze_spaces(content) or None if isinstance(content, str) else None


def _link_href(soup: BeautifulSoup, rel: str) -> str | None:
    for tag in soup.find_all("link", href=True):
        if rel in (tag.get("rel") or []):
            return tag["href"].strip() or None
    return None


def _json_ld_posts(soup: BeautifulSoup):
    """The JSON-LD objects that describe a blog post or article."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        text = script.string or ""
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


def _article_tags(soup: BeautifulSoup) -> dict[int | None, tuple[str, ...]]:
    """``rel="tag"`` link labels per outermost ``<article>`` (number in page order)."""
    tags: dict[int | None, tuple[str, ...]] = {}
    articles = outermost_articles(soup)
    for number, container in list(enumerate(articles)) or [(None, soup)]:
        labels = [
            squeeze_spaces(link.get_text())
            for link in container.find_all("a", href=True)
            if "tag" in (link.get("rel") or []) and "category" not in (link.get("rel") or [])
        ]
        if any(labels):
            tags[number] = tuple(dict.fromkeys(label for label in labels if label))
    return tags
