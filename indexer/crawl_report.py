"""The crawl report: what a maintainer needs to trust a crawl, computed from the manifest alone.

Posts per year; months between the first and the last post that have none (a likely miss); live
posts seen in only one filtered listing, or in none (the blog files every post under a topic and a
type of research, so one filter means the other listing missed it); pages that yielded nothing or
failed; links the crawler would have followed but did not, because they lead off the site (another
host or port, or outside the archive's folder); and the posts whose text changed since the last
complete crawl, by their digests (see :mod:`indexer.post_digests`). ``run.py crawl`` prints it
after a crawl; ``run.py crawl --report`` prints it again from the manifest, without fetching.
"""
from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.archive import months_between
from indexer.fetch import OFF_SITE
from indexer.manifest import (
    ARCHIVE_INDEX,
    CRAWL_DIR,
    EXPECTED_FLAGS,
    LISTING_KINDS,
    POST,
    TOPIC,
    TYPE,
    ManifestData,
)

_MONTH_OF_ID = re.compile(r"^(\d{4})-(\d{2})-")
_KIND_NAMES = {"main": "listing", TOPIC: "topic listing", TYPE: "type listing", POST: "post page",
               "archive": "archive month", ARCHIVE_INDEX: "archive index"}


@dataclass(frozen=True)
class CrawlReport:
    """The numbers of the report; ``render()`` writes it for a person."""

    complete: bool
    finished_at: str | None
    pages_by_kind: dict[str, int]
    posts: int
    posts_per_year: dict[str, int]
    first_month: str | None
    last_month: str | None
    missing_months: list[str]
    single_filter_posts: dict[str, str]  # post id -> the one filter it was seen in
    unfiltered_posts: list[str]  # live posts seen in no filtered listing (when any was crawled)
    empty_pages: list[tuple[str, str]]  # (url, why)
    failed_pages: list[tuple[str, str]]
    off_site_links: list[tuple[str, str]]  # (link, the page that has it); the first few of each page
    off_site_count: int
    changed_posts: list[str]
    new_posts: list[str]
    gone_posts: list[str]
    compared: bool = field(default=False)  # False: no earlier complete crawl to compare with

    def render(self) -> str:
        state = "complete" if self.complete else "unfinished (run the crawl again to continue)"
        lines = [f"crawl report: last crawl {state}" + (f", finished {self.finished_at}" if self.finished_at else "")]
        lines.append("pages read: " + (", ".join(f"{count} {_KIND_NAMES.get(kind, kind)}" for kind, count in self.pages_by_kind.items()) or "none"))
        years = ", ".join(f"{year}: {count}" for year, count in self.posts_per_year.items())
        lines.append(f"posts: {self.posts}" + (f" ({years})" if years else ""))
        if self.first_month:
            span = f"between {self.first_month} and {self.last_month}"
            lines.append(
                f"months {span} with no post (a likely miss): {', '.join(self.missing_months)}"
                if self.missing_months else f"every month {span} has a post"
            )
        lines.append(_listed("posts seen in only one filter (the other listing may have missed them)",
                             [f"{post_id} ({where})" for post_id, where in self.single_filter_posts.items()]))
        lines.append(_listed("posts of the blog seen in no filter", self.unfiltered_posts))
        lines.append(_listed("pages that yielded nothing", [f"{url}: {why}" for url, why in self.empty_pages]))
        lines.append(_listed("pages that failed", [f"{url}: {why}" for url, why in self.failed_pages]))
        lines.append(_listed("links not followed", [f"{link}: {OFF_SITE} (on {page})" for link, page in self.off_site_links],
                             self.off_site_count))
        if self.compared:
            lines.append(f"since the last crawl: {len(self.changed_posts)} posts changed, {len(self.new_posts)} new, {len(self.gone_posts)} gone")
            lines.extend(f"  changed: {post_id}" for post_id in self.changed_posts)
        else:
            lines.append("since the last crawl: no earlier complete crawl to compare with")
        return "\n".join(lines)


def crawl_report(corpus: str | os.PathLike) -> CrawlReport:
    """The report of the crawl in ``<corpus>/crawl/``. Raises OSError (no crawl) or ValueError (unreadable)."""
    manifest = ManifestData.read(Path(corpus) / CRAWL_DIR)
    posts: set[str] = set()
    live: set[str] = set()
    filters: dict[str, list[str]] = defaultdict(list)
    filtered_pages = False
    empty, failed = [], []
    for page in manifest.pages:
        posts.update(page.posts)
        if page.kind in (*LISTING_KINDS, POST):
            live.update(page.posts)
        if page.kind in (TOPIC, TYPE):
            filtered_pages = True
            where = f"{'Topic' if page.kind == TOPIC else 'Type of Research'}: {page.label or page.filter_id}"
            for post_id in page.posts:
                if where not in filters[post_id]:
                    filters[post_id].append(where)
        if page.error:
            failed.append((page.url, page.error))
        elif page.flag and page.flag not in EXPECTED_FLAGS and not page.posts:
            empty.append((page.url, page.flag_reason or page.flag))
    months = sorted({f"{m.group(1)}-{m.group(2)}" for m in map(_MONTH_OF_ID.match, posts) if m})
    first, last = (months[0], months[-1]) if months else (None, None)
    missing = [month for month in months_between(first, last) if month not in set(months)] if months else []
    current, previous = manifest.digests, manifest.previous_digests
    return CrawlReport(
        complete=bool(manifest.run.get("complete")),
        finished_at=manifest.run.get("finished_at"),
        pages_by_kind=dict(Counter(page.kind for page in manifest.pages if not page.error and page.flag not in EXPECTED_FLAGS)),
        posts=len(posts),
        posts_per_year=dict(sorted(Counter(post_id[:4] for post_id in posts if _MONTH_OF_ID.match(post_id)).items())),
        first_month=first,
        last_month=last,
        missing_months=missing,
        single_filter_posts={post_id: filters[post_id][0] for post_id in sorted(live) if len(filters[post_id]) == 1},
        unfiltered_posts=sorted(post_id for post_id in live if not filters[post_id]) if filtered_pages else [],
        empty_pages=sorted(empty),
        failed_pages=sorted(failed),
        off_site_links=[(link, page.url) for page in manifest.pages for link in page.off_site_links],
        off_site_count=sum(page.off_site_count for page in manifest.pages),
        changed_posts=sorted(post_id for post_id in current if post_id in previous and previous[post_id] != current[post_id]),
        new_posts=sorted(set(current) - set(previous)) if previous else [],
        gone_posts=sorted(set(previous) - set(current)) if previous else [],
        compared=bool(previous),
    )


def _listed(title: str, items: list[str], count: int | None = None) -> str:
    """A titled list; ``count``, when more than the items shown, is said with it."""
    if not items:
        return f"{title}: none"
    shown = f"{count} (the first {len(items)} shown)" if count and count > len(items) else f"{len(items)}"
    return "\n".join([f"{title}: {shown}", *(f"  {item}" for item in items)])
