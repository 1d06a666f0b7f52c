"""The crawl manifest's writing side: the crawler's working copy of ``crawl/manifest.json``.

:class:`Manifest` is loaded at the start of a crawl, updated page by page and saved atomically
after each one (a temporary file in the same folder, then ``os.replace``), so an interrupted crawl
leaves either the old manifest or the new one, never half of one. Stored pages are written the same
way; a page that was good stays on disk when a later fetch of it fails or comes back empty. The
layout and the reading side (for the indexer and the crawl report) are in :mod:`indexer.manifest`.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from indexer.manifest import MAIN, MANIFEST_NAME, MANIFEST_VERSION, TOPIC, TYPE


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
    """What kind of page a URL is (see the kinds in :mod:`indexer.manifest`) and, for a listing, which
    one: the main one, or one filtered by a topic or research type, and its page number."""

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
    post_digests: dict[str, str] = field(default_factory=dict)
    digests_sha256: str | None = None  # the stored copy ``post_digests`` were computed from
    flag: str | None = None
    flag_reason: str | None = None
    error: str | None = None
    error_at: str | None = None
    attempts: int = 0
    off_site_links: list[str] = field(default_factory=list)  # links it would have followed off the site (the first few)
    off_site_count: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PageRecord":
        known = {name for name in cls.__dataclass_fields__}
        values = {key: value for key, value in data.items() if key in known}
        values["listing"] = Listing(**{k: v for k, v in (data.get("listing") or {"kind": MAIN}).items() if k in Listing.__dataclass_fields__})
        values["posts"] = list(values.get("posts") or [])
        values["post_digests"] = dict(values.get("post_digests") or {})
        values["off_site_links"] = list(values.get("off_site_links") or [])
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
    # post id -> digest of its text, as of the last complete crawl and the one before it
    post_digests: dict[str, dict[str, str]] = field(default_factory=lambda: {"current": {}, "previous": {}})
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
                post_digests={
                    "current": dict((data.get("post_digests") or {}).get("current") or {}),
                    "previous": dict((data.get("post_digests") or {}).get("previous") or {}),
                },
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
            "post_digests": self.post_digests,
        }

    def save(self) -> None:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=1)
        atomic_write_bytes(self.path, text.encode("utf-8"))

    def record_error(self, url: str, reason: str, *, status: int | None, attempts: int) -> None:
        self.errors[url] = {"error": reason, "status": status, "at": now_iso(), "attempts": attempts}

    def clear_error(self, url: str) -> None:
        self.errors.pop(url, None)


