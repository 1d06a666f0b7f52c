"""The crawl's storage: raw pages under ``corpus/crawl/`` and ``manifest.json`` describing them.

Layout of ``<corpus>/crawl/``::

    manifest.json             what was fetched, when, from where, and which listing each page is
    pages/main-p0001.html     raw pages that hold posts (the indexer reads these)
    .flagged/...              raw pages that held no posts (kept for a person to look at; the
                              indexer skips dot folders)

Every write is atomic (a temporary file in the same folder, then ``os.replace``), so an interrupted
crawl leaves either the old file or the new one, never half of one. A page that was good stays on
disk when a later fetch of it fails or comes back empty.

The reading side, for the indexer: :class:`CrawlCatalog` finds the manifest of a crawled page file,
and :class:`SiteListings` turns "this post was listed under topic T / type Y" into site topics and
research types.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from indexer.enrich import site_research_types, with_site_types
from search.post import TOPICS_FROM_SITE, Post

CRAWL_DIR = "crawl"
MANIFEST_NAME = "manifest.json"
PAGES_DIR = "pages"
FLAGGED_DIR = ".flagged"
MANIFEST_VERSION = 1

MAIN, TOPIC, TYPE = "main", "topic", "type"
# Flags of a page that held no posts. Only END (the page after a listing's last) is expected.
FLAG_END = "end-of-listing"
FLAG_LOST_POSTS = "lost-posts"
FLAG_LAYOUT = "unexpected-layout"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


@dataclass
class Listing:
    """Which listing a page belongs to: the main one, or one filtered by a topic or research type."""

    kind: str
    filter_id: str | None = None
    label: str | None = None
    page: int = 1


@dataclass
class PageRecord:
    """What the manifest knows about one URL. ``file`` is the stored copy the indexer reads (relative
    to the crawl folder); it is kept when a later fetch fails or comes back without posts."""

    url: str
    listing: Listing
    final_url: str | None = None
    status: int | None = None
    fetched_at: str | None = None
    checked_at: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None
    file: str | None = None
    body_file: str | None = None
    posts: list[str] = field(default_factory=list)
    flag: str | None = None
    flag_reason: str | None = None
    error: str | None = None
    error_at: str | None = None
    attempts: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PageRecord":
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in data.items() if key in known}
        values["listing"] = Listing(**{k: v for k, v in (data.get("listing") or {"kind": MAIN}).items() if k in Listing.__dataclass_fields__})
        values["posts"] = list(values.get("posts") or [])
        return cls(**values)


@dataclass
class Manifest:
    """``crawl/manifest.json`` in memory. ``save()`` writes it atomically."""

    crawl_dir: Path
    base_url: str | None = None
    run: dict = field(default_factory=dict)
    robots: dict = field(default_factory=dict)
    filters: dict = field(default_factory=lambda: {TOPIC: [], TYPE: []})
    known_posts: list[str] = field(default_factory=list)
    pages: dict[str, PageRecord] = field(default_factory=dict)
    errors: dict[str, dict] = field(default_factory=dict)
    set_aside: str | None = None

    @property
    def path(self) -> Path:
        return self.crawl_dir / MANIFEST_NAME

    @classmethod
    def load(cls, crawl_dir: str | os.PathLike) -> "Manifest":
        """The manifest in ``crawl_dir``; a fresh one when there is none. An unreadable manifest is
        renamed aside (``manifest.json.unreadable-<time>``), never overwritten, and a fresh one begun."""
        crawl_dir = Path(crawl_dir)
        path = crawl_dir / MANIFEST_NAME
        if not path.exists():
            return cls(crawl_dir)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("pages", {}), dict):
                raise ValueError("not a crawl manifest")
            return cls(
                crawl_dir,
                base_url=data.get("base_url"),
                run=dict(data.get("run") or {}),
                robots=dict(data.get("robots") or {}),
                filters={TOPIC: list((data.get("filters") or {}).get(TOPIC) or []), TYPE: list((data.get("filters") or {}).get(TYPE) or [])},
                known_posts=list(data.get("known_posts") or []),
                pages={url: PageRecord.from_dict(record) for url, record in data.get("pages", {}).items()},
                errors=dict(data.get("errors") or {}),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            aside = path.with_name(f"{MANIFEST_NAME}.unreadable-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}")
            os.replace(path, aside)
            manifest = cls(crawl_dir)
            manifest.set_aside = f"{path} could not be read ({error}); it was moved to {aside.name}"
            return manifest

    def to_dict(self) -> dict:
        return {
            "version": MANIFEST_VERSION,
            "base_url": self.base_url,
            "run": self.run,
            "robots": self.robots,
            "filters": self.filters,
            "known_posts": self.known_posts,
            "pages": {url: record.to_dict() for url, record in self.pages.items()},
            "errors": self.errors,
        }

    def save(self) -> None:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        atomic_write_bytes(self.path, text.encode("utf-8"))

    def record_error(self, url: str, reason: str, *, status: int | None, attempts: int) -> None:
        self.errors[url] = {"error": reason, "status": status, "at": now_iso(), "attempts": attempts}

    def clear_error(self, url: str) -> None:
        self.errors.pop(url, None)


# The reading side, for the indexer --------------------------------------------------------------


@dataclass(frozen=True)
class CrawledPage:
    """A stored page as the indexer needs it: the URL it came from and the listing it was."""

    url: str
    kind: str
    filter_id: str | None
    label: str | None


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
            pages: dict[Path, CrawledPage] = {}
            try:
                data = json.loads(manifest_path.read_text(encoding="utf-8"))
                for url, record in (data.get("pages") or {}).items():
                    listing = record.get("listing") or {}
                    if record.get("file"):
                        pages[(manifest_path.parent / record["file"]).resolve()] = CrawledPage(
                            url=record.get("url") or url,
                            kind=listing.get("kind") or MAIN,
                            filter_id=listing.get("filter_id"),
                            label=listing.get("label"),
                        )
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
        ``indexer.enrich.with_site_types``), and the URL of the main listing page where each was seen."""
        result = []
        for post in posts:
            key = _key(post)
            changes: dict = {}
            if self._topics.get(key):
                changes.update(topics=tuple(dict.fromkeys(self._topics[key])), topics_source=TOPICS_FROM_SITE)
            site_types = tuple(label for name in self._types.get(key, ()) for label in site_research_types(name))
            if site_types:
                changes["research_types"] = with_site_types(post.research_types, site_types)
            url = self._main_url.get(key) or post.url or self._any_url.get(key)
            if url != post.url:
                changes["url"] = url
            result.append(post.replace(**changes) if changes else post)
        return result


def _key(post: Post) -> tuple[str, str]:
    return post.issue_date, " ".join(post.title.split()).casefold()
