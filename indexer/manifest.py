"""The crawl's storage layout, and its reading side for the indexer and the crawl report.

Layout of ``<corpus>/crawl/``::

    manifest.json             what was fetched, when, from where, and what kind of page each is
    pages/main-p0001.html     raw pages that hold posts (the indexer reads these); also
                              topic-/type- listings, post- pages and archive- months
    .flagged/...              raw pages that held no posts (kept for a person to look at; the
                              indexer skips dot folders)

Each page's kind (``main`` listing, ``topic`` or ``type`` listing, ``post`` page, ``archive`` month,
``archive-index``) and URL are recorded, so the extractor can give each post its most stable
address. The writing side is :mod:`indexer.manifest_writer`. Here: :class:`ManifestData` reads a
manifest, :class:`CrawlCatalog` finds the manifest entry of a crawled page file, and
:class:`SiteListings` turns "this post was listed under topic T / type Y" into site topics and
research types.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.enrich import site_research_types, with_site_types
from search.post import TOPICS_FROM_SITE, URL_ARCHIVE, URL_POST, Post

CRAWL_DIR = "crawl"
MANIFEST_NAME = "manifest.json"
PAGES_DIR = "pages"
FLAGGED_DIR = ".flagged"
MANIFEST_VERSION = 2

# Page kinds. MAIN, TOPIC and TYPE are the live blog's listings (unfiltered, filtered by a Topic
# ``cat_2`` or a Type of Research ``cat_1``); POST a post's own page; ARCHIVE a month of the old
# archive; ARCHIVE_INDEX a page read only for its links to archive months.
MAIN, TOPIC, TYPE = "main", "topic", "type"
POST, ARCHIVE, ARCHIVE_INDEX = "post", "archive", "archive-index"
LISTING_KINDS = (MAIN, TOPIC, TYPE)
# Flags of a page that held no posts. END (the page after a listing's last) and NOT_FOUND (an archive
# month not found under one spelling of its address) are expected; the others are worth a look.
FLAG_END = "end-of-listing"
FLAG_NOT_FOUND = "not-found"
FLAG_LOST_POSTS = "lost-posts"
FLAG_LAYOUT = "unexpected-layout"
FLAG_NO_POSTS = "no-posts"
EXPECTED_FLAGS = frozenset({FLAG_END, FLAG_NOT_FOUND})


@dataclass(frozen=True)
class CrawledPage:
    """One page of the manifest as its readers need it: the URL it came from, its kind (and, for a
    filtered listing, the filter), the stored copy, what the crawl found on it."""

    url: str
    kind: str
    filter_id: str | None
    label: str | None
    file: str | None = None
    status: int | None = None
    posts: tuple[str, ...] = ()
    post_digests: dict[str, str] = field(default_factory=dict, compare=False)
    flag: str | None = None
    flag_reason: str | None = None
    error: str | None = None
    off_site_links: tuple[str, ...] = ()  # links it would have followed off the site (the first few)
    off_site_count: int = 0

    @classmethod
    def from_entry(cls, url: str, entry: dict) -> "CrawledPage":
        listing = entry.get("listing") or {}
        return cls(
            url=entry.get("url") or url,
            kind=listing.get("kind") or MAIN,
            filter_id=listing.get("filter_id"),
            label=listing.get("label"),
            file=entry.get("file"),
            status=entry.get("status"),
            posts=tuple(entry.get("posts") or ()),
            post_digests=dict(entry.get("post_digests") or {}),
            flag=entry.get("flag"),
            flag_reason=entry.get("flag_reason"),
            error=entry.get("error"),
            off_site_links=tuple(entry.get("off_site_links") or ()),
            off_site_count=int(entry.get("off_site_count") or 0),
        )


@dataclass(frozen=True)
class ManifestData:
    """A crawl manifest as read from disk: its pages and the post digests of the last two complete crawls."""

    pages: tuple[CrawledPage, ...] = ()
    run: dict = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    previous_digests: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, crawl_dir: str | os.PathLike) -> "ManifestData":
        """The manifest in ``crawl_dir``. Raises OSError when missing, ValueError when unreadable."""
        data = json.loads((Path(crawl_dir) / MANIFEST_NAME).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("pages", {}), dict):
            raise ValueError("not a crawl manifest")
        digests = data.get("post_digests") or {}
        return cls(
            pages=tuple(CrawledPage.from_entry(url, entry) for url, entry in data.get("pages", {}).items()),
            run=dict(data.get("run") or {}),
            digests=dict(digests.get("current") or {}),
            previous_digests=dict(digests.get("previous") or {}),
        )


class CrawlCatalog:
    """Finds, for a page file, the crawl manifest that describes it (in a parent folder)."""

    _MAX_LEVELS = 3

    def __init__(self) -> None:
        self._by_manifest: dict[Path, dict[Path, CrawledPage]] = {}

    def lookup(self, path: str | os.PathLike) -> CrawledPage | None:
        path = Path(path).resolve()
        for level, folder in enumerate(path.parents):
            if level >= self._MAX_LEVELS:
                break
            manifest = folder / MANIFEST_NAME
            if manifest in self._by_manifest or manifest.is_file():
                return self._pages_of(manifest).get(path)
        return None

    def _pages_of(self, manifest_path: Path) -> dict[Path, CrawledPage]:
        if manifest_path not in self._by_manifest:
            try:
                manifest = ManifestData.read(manifest_path.parent)
                pages = {(manifest_path.parent / page.file).resolve(): page for page in manifest.pages if page.file}
            except (OSError, ValueError, AttributeError, TypeError):
                pages = {}
            self._by_manifest[manifest_path] = pages
        return self._by_manifest[manifest_path]


class SiteListings:
    """What the site's filtered listings say about posts: topics, research types, where each was seen.

    Posts are matched by blog month and title, so a post seen on the main listing, on three topic
    listings and in a saved file is one post with three site topics.
    """

    def __init__(self) -> None:
        self._topics: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._types: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._main_url: dict[tuple[str, str], str] = {}
        self._any_url: dict[tuple[str, str], str] = {}

    def note(self, page: CrawledPage, posts: list[Post]) -> None:
        for post in posts:
            key = _key(post)
            if page.kind == TOPIC and page.label:
                self._topics[key].append(page.label)
            elif page.kind == TYPE and page.label:
                self._types[key].append(page.label.lower())
            elif page.kind == MAIN:
                self._main_url.setdefault(key, page.url)
            self._any_url.setdefault(key, page.url)

    def apply(self, posts: list[Post]) -> list[Post]:
        """Posts with site topics (which win over inferred ones), the site's research types (a type
        label that names a level of evidence replaces inferred types of other levels, see
        ``indexer.enrich.with_site_types``), and the most stable address of each (see ``_stable_url``)."""
        result = []
        for post in posts:
            key = _key(post)
            changes: dict = {}
            if self._topics.get(key):
                changes.update(topics=tuple(dict.fromkeys(self._topics[key])), topics_source=TOPICS_FROM_SITE)
            site_types = tuple(label for name in self._types.get(key, ()) for label in site_research_types(name))
            if site_types:
                changes["research_types"] = with_site_types(post.research_types, site_types)
            url = self._stable_url(post, key)
            if url != post.url:
                changes["url"] = url
            result.append(post.replace(**changes) if changes else post)
        return result

    def _stable_url(self, post: Post, key: tuple[str, str]) -> str | None:
        """A post's own page or archive address stays; a listing address becomes the main listing page
        where the post was seen (its text fragment kept), which outlives a filtered listing's page."""
        if post.url_kind in (URL_POST, URL_ARCHIVE):
            return post.url
        main = self._main_url.get(key)
        if main is None:
            return post.url or self._any_url.get(key)
        fragment = (post.url or "").partition("#")[2]
        return f"{main}#{fragment}" if fragment else main


def _key(post: Post) -> tuple[str, str]:
    return post.issue_date, " ".join(post.title.split()).casefold()
