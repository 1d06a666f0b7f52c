"""What the crawler reads from a page besides its posts: its filters and the links worth following.

- Filters: the Topic (``cat_2``) and Type of Research (``cat_1``) options, from links carrying the
  parameter (``?cat_2=14``; not pager links, which carry ``p``) or a ``<select name="cat_2">``; each label is the link's or option's
  own text, never guessed from the id.
- Old archive months: links to ``pprnet_blog_<month><year>.html`` or ``pprnet_blog.html``.
- Archive indexes: other links whose text says "archive(s)", read for their links to archive months.
- Post pages: links below the listing's own path (``/pprnet/blog/<something>``) without a query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

from bs4 import BeautifulSoup

from indexer.manifest import TOPIC, TYPE

FILTER_PARAMETERS = {TOPIC: "cat_2", TYPE: "cat_1"}
PAGE_PARAMETER = "p"
# An archive month page's file name: pprnet_blog_<month name as spelled><year>.html, or pprnet_blog.html.
ARCHIVE_FILE = re.compile(r"^pprnet_blog(?:_([a-z]+)(\d{4}))?\.html?$", re.I)
_ANY_OPTION = re.compile(r"^(all|any)$|^-+\s*any\s*-+$|\(clear\)", re.I)
_ARCHIVE_WORD = re.compile(r"\barchives?\b", re.I)


@dataclass(frozen=True)
class PageLinks:
    """Filters as ``{kind: [{"id", "label"}]}`` and the URLs (no fragments) of each kind of link."""

    filters: dict = field(default_factory=lambda: {TOPIC: [], TYPE: []})
    archive_months: tuple[str, ...] = ()
    archive_indexes: tuple[str, ...] = ()
    post_pages: tuple[str, ...] = ()


def read_links(html: str, page_url: str, listing_url: str) -> PageLinks:
    """The filters and links of the page at ``page_url``; ``listing_url`` is the blog's listing."""
    soup = BeautifulSoup(html, "html.parser")
    base = page_url
    tag = soup.find("base", href=True)
    if tag is not None:
        base = urljoin(page_url, tag["href"])
    filters: dict[str, dict[str, str]] = {TOPIC: {}, TYPE: {}}
    for select in soup.find_all("select"):
        kind = _kind_of_parameter(select.get("name"))
        for option in select.find_all("option") if kind else ():
            _add_option(filters[kind], option.get("value"), option.get_text(" ", strip=True))
    months: dict[str, None] = {}
    indexes: dict[str, None] = {}
    posts: dict[str, None] = {}
    listing = urlsplit(listing_url)
    below_listing = listing.path.rstrip("/") + "/"
    for anchor in soup.find_all("a", href=True):
        url = urljoin(base, anchor["href"].strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            continue
        text = " ".join(anchor.get_text(" ", strip=True).split())
        query = parse_qsl(parts.query)
        for key, value in query if not any(key == PAGE_PARAMETER for key, _ in query) else ():
            kind = _kind_of_parameter(key)
            if kind:
                _add_option(filters[kind], value, text)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        file_name = parts.path.rsplit("/", 1)[-1]
        if ARCHIVE_FILE.match(file_name):
            months[url] = None
        elif _ARCHIVE_WORD.search(text) and not any(_kind_of_parameter(key) for key, _ in query):
            indexes[url] = None
        elif parts.hostname == listing.hostname and parts.path.startswith(below_listing) and not parts.query:
            if parts.path.strip("/") != listing.path.strip("/"):
                posts[url] = None
    return PageLinks(
        filters={kind: [{"id": key, "label": label} for key, label in options.items()] for kind, options in filters.items()},
        archive_months=tuple(months),
        archive_indexes=tuple(indexes),
        post_pages=tuple(posts),
    )


def _kind_of_parameter(name: str | None) -> str | None:
    return next((kind for kind, parameter in FILTER_PARAMETERS.items() if parameter == name), None)


def _add_option(options: dict[str, str], value: str | None, label: str) -> None:
    value = (value or "").strip()
    if value and label and not _ANY_OPTION.search(value) and not _ANY_OPTION.search(label):
        options.setdefault(value, label)
