"""The crawler: fetch the blog's listing pages politely into ``corpus/crawl/``, resumably.

Order of work: robots.txt; the main listing (``?p=1, 2, ...``) until a page yields no new posts; then,
from the filters on the main listing's first page, every Topic (``cat_2``) listing and every Type of
Research (``cat_1``) listing, each with its own pagination. Pages are only stored, with their
metadata in the manifest (see :mod:`indexer.manifest`); the indexer reads them later. The crawler
parses a page only to know its posts (where a listing ends) and its filters.

A run that is interrupted (Ctrl+C, the page cap) is resumed by the next one: pages done since the
interrupted run began are not requested again. A run that finished is followed by a full re-crawl
with conditional requests, so unchanged pages cost a 304 and no download. Failures are recorded in
the manifest and retried by the next run; a stored page is never deleted or replaced by a bad copy.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from indexer.blocks import Block, html_to_blocks
from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.extract import extract_page
from indexer.fetch import Disallowed, FetchError, Fetcher, Response
from indexer.manifest import (
    CRAWL_DIR,
    FLAG_END,
    FLAG_LAYOUT,
    FLAG_LOST_POSTS,
    FLAGGED_DIR,
    MAIN,
    PAGES_DIR,
    TOPIC,
    TYPE,
    Listing,
    Manifest,
    PageRecord,
    atomic_write_bytes,
    now_iso,
)
from indexer.taxonomy import read_topic_filter

DEFAULT_BASE_URL = "https://socialsciences.uottawa.ca/pprnet/blog"
DEFAULT_DELAY = 2.0
DEFAULT_MAX_PAGES = 1000
DEFAULT_TIMEOUT = 30.0
# A listing longer than this is a site that never stops answering with "new" posts: stop there.
MAX_LISTING_PAGES = 500

_FILTER_PARAMETER = {TOPIC: "cat_2", TYPE: "cat_1"}
_PAGE_PARAMETER = "p"
_TYPE_FILTER_LINK = re.compile(r"[?&]cat_1=([^&#]+)")
_ANY_OPTION = re.compile(r"^(all|any)$|^-+\s*any\s*-+$|\(clear\)", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass
class CrawlReport:
    """What a crawl did. ``stopped`` says why it ended before the end, if it did."""

    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    flagged: int = 0
    resumed: int = 0
    disallowed: int = 0
    new_posts: int = 0
    posts_seen: int = 0
    requests: int = 0
    stopped: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.stopped is None

    def summary(self) -> str:
        """One line: pages fetched / unchanged / failed, new posts, and anything unusual."""
        line = f"crawl: {self.fetched} pages fetched, {self.unchanged} unchanged, {self.failed} failed"
        extras = [
            f"{count} {what}"
            for count, what in (
                (self.flagged, "flagged"),
                (self.resumed, "already done"),
                (self.disallowed, "disallowed by robots.txt"),
            )
            if count
        ]
        if extras:
            line += f" ({', '.join(extras)})"
        line += f"; {self.new_posts} new posts ({self.posts_seen} seen)"
        if self.stopped:
            line += f"; stopped: {self.stopped}"
        return line


class _Stop(Exception):
    """Ends the run early; the reason goes into the report."""


@dataclass(frozen=True)
class _Outcome:
    posts: list[str]
    filters: dict | None


@dataclass(frozen=True)
class PageContent:
    """What the crawler reads from a page: its post ids, its filters, and a layout problem if any."""

    posts: list[str]
    filters: dict
    problem: str | None = None


def crawl(
    base_url: str = DEFAULT_BASE_URL,
    corpus: str | os.PathLike = "corpus",
    *,
    delay: float = DEFAULT_DELAY,
    max_pages: int = DEFAULT_MAX_PAGES,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = 3,
    backoff: float = 1.0,
    fetcher: Fetcher | None = None,
    on_page: Callable[[str, PageRecord], None] | None = None,
    progress: Callable[[CrawlReport, str], None] | None = None,
) -> CrawlReport:
    """Crawl the blog at ``base_url`` into ``<corpus>/crawl/`` and report what happened.

    ``on_page(url, record)`` is called after each page is recorded (and saved); ``progress(report,
    url)`` before each request. A KeyboardInterrupt ends the run with ``report.stopped ==
    "interrupted"``; everything recorded so far is saved and the next run resumes.
    """
    fetcher = fetcher or Fetcher(delay=delay, timeout=timeout, retries=retries, backoff=backoff)
    crawler = _Crawler(base_url, Path(corpus) / CRAWL_DIR, fetcher, max_pages, on_page, progress)
    return crawler.run()


def listing_url(base_url: str, kind: str, filter_id: str | None = None, page: int = 1) -> str:
    """The URL of page ``page`` of a listing: ``base``, ``base?p=2``, ``base?cat_2=4&p=2``."""
    parts = urlsplit(base_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("cat_1", "cat_2", _PAGE_PARAMETER)]
    if kind in _FILTER_PARAMETER and filter_id is not None:
        query.append((_FILTER_PARAMETER[kind], filter_id))
    if page > 1:
        query.append((_PAGE_PARAMETER, str(page)))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def page_file_name(listing: Listing) -> str:
    """``main-p0001.html``, ``topic-4-p0002.html``, ``type-25-p0001.html``."""
    if listing.kind == MAIN or listing.filter_id is None:
        return f"{listing.kind}-p{listing.page:04d}.html"
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "_", listing.filter_id)[:40]
    return f"{listing.kind}-{safe_id}-p{listing.page:04d}.html"


def read_filters(blocks: list[Block]) -> dict:
    """The page's Topic (``cat_2``) and Type of Research (``cat_1``) filters: ``{kind: [{id, label}]}``."""
    topics = [
        {"id": unquote(option.filter_id), "label": option.label}
        for option in read_topic_filter(blocks)
        if option.filter_id and not _ANY_OPTION.search(option.filter_id)
    ]
    types: dict[str, dict] = {}
    for block in blocks:
        match = _TYPE_FILTER_LINK.search(block.link or "")
        if match and not _ANY_OPTION.search(match.group(1)) and not _ANY_OPTION.search(block.text):
            types.setdefault(block.text, {"id": unquote(match.group(1)), "label": block.text})
    return {TOPIC: topics, TYPE: list(types.values())}


def read_page(body: bytes, content_type: str | None, url: str) -> PageContent:
    """The posts and filters of a fetched page (never raises on bad input)."""
    media_type = (content_type or "text/html").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        return PageContent([], {TOPIC: [], TYPE: []}, f"unexpected layout: the page is {media_type}, not HTML")
    try:
        text = decode_bytes(body, is_html=True)
    except ExtractionError as error:
        return PageContent([], {TOPIC: [], TYPE: []}, f"unexpected layout: {error}")
    filters = read_filters(html_to_blocks(text))
    try:
        posts, _skipped = extract_page(text, is_html=True, url=url)
    except ExtractionError:
        posts = []
    problem = None
    if not posts and not (filters[TOPIC] or filters[TYPE]):
        problem = "unexpected layout: no posts and no Topic or Type of Research filters on the page"
    return PageContent(list(dict.fromkeys(post.id for post in posts)), filters, problem)


class _Crawler:
    def __init__(self, base_url, crawl_dir, fetcher, max_pages, on_page, progress) -> None:
        self.base_url = base_url
        self.crawl_dir = crawl_dir
        self.fetcher = fetcher
        self.max_pages = max_pages
        self.on_page = on_page
        self.progress = progress
        self.report = CrawlReport()
        self.pages_requested = 0
        self.seen: set[str] = set()

    def run(self) -> CrawlReport:
        self.crawl_dir.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest.load(self.crawl_dir)
        if self.manifest.set_aside:
            self.report.notes.append(self.manifest.set_aside)
        self.known_before = set(self.manifest.known_posts)
        self.resume_since = self._begin_run()
        try:
            self._read_robots()
            filters = self._crawl_listing(Listing(MAIN))
            if not (filters and (filters[TOPIC] or filters[TYPE])):
                filters = self.manifest.filters
                if filters[TOPIC] or filters[TYPE]:
                    self.report.notes.append("the first listing page had no filters; used the ones from the last crawl")
            for kind in (TOPIC, TYPE):
                for option in filters[kind]:
                    self._crawl_listing(Listing(kind, option["id"], option["label"]))
            self.manifest.run.update(complete=True, finished_at=now_iso())
        except _Stop as stop:
            self.report.stopped = str(stop)
        except KeyboardInterrupt:
            self.report.stopped = "interrupted"
        finally:
            self.report.new_posts = len(self.seen - self.known_before)
            self.report.posts_seen = len(self.seen)
            self.report.requests = self.fetcher.requests_made
            self._save()
        if self.report.stopped:
            self.report.notes.append("run the crawl again to continue where it stopped")
        return self.report

    # run state ------------------------------------------------------------------------------------

    def _begin_run(self) -> str | None:
        """Start a run, or resume the unfinished one; returns when the resumed run began."""
        run = self.manifest.run
        if run.get("started_at") and not run.get("complete") and self.manifest.base_url == self.base_url:
            self.report.notes.append(f"resuming the crawl begun {run['started_at']}")
            resume_since = run["started_at"]
        else:
            self.manifest.run = {"started_at": now_iso(), "finished_at": None, "complete": False}
            resume_since = None
        self.manifest.base_url = self.base_url
        self._save()
        return resume_since

    def _save(self) -> None:
        self.manifest.known_posts = sorted(self.known_before | self.seen)
        self.manifest.save()

    def _read_robots(self) -> None:
        try:
            found = self.fetcher.load_robots(self.base_url)
        except FetchError as error:
            self.manifest.robots = {"url": error.url, "checked_at": now_iso(), "error": error.reason}
            self.manifest.record_error(error.url, error.reason, status=error.status, attempts=error.attempts)
            self.report.failed += 1
            self.report.problems.append((error.url, error.reason))
            raise _Stop("robots.txt could not be read, so nothing was crawled") from None
        self.manifest.robots = {
            "url": _robots_url(self.base_url),
            "checked_at": now_iso(),
            "found": found,
            "disallowed": [],
        }
        self.manifest.clear_error(_robots_url(self.base_url))

    # listings -------------------------------------------------------------------------------------

    def _crawl_listing(self, listing: Listing) -> dict | None:
        """Every page of one listing, until a page yields no new posts. Returns the first page's filters."""
        seen_here: set[str] = set()
        first_filters = None
        for number in range(1, MAX_LISTING_PAGES + 1):
            page_listing = replace(listing, page=number)
            outcome = self._visit(listing_url(self.base_url, listing.kind, listing.filter_id, number), page_listing)
            if number == 1 and outcome is not None:
                first_filters = outcome.filters
            if outcome is None:
                break
            new = [post for post in outcome.posts if post not in seen_here]
            if not new:
                break
            seen_here.update(new)
        return first_filters

    def _visit(self, url: str, listing: Listing) -> _Outcome | None:
        """Fetch (or, when resuming, reuse) one page and record it. None when it failed."""
        record = self.manifest.pages.get(url)
        if record is None:
            record = PageRecord(url=url, listing=listing)
        else:
            record.listing = listing
        if not self.fetcher.allowed(url):
            self.report.disallowed += 1
            self.manifest.robots.setdefault("disallowed", []).append(url)
            return None
        if self._done_this_run(record):
            self.report.resumed += 1
            self.seen.update(record.posts)
            return _Outcome(record.posts, self._remembered_filters(listing))
        if self.pages_requested >= self.max_pages:
            raise _Stop(f"the page cap ({self.max_pages}) was reached")
        self.pages_requested += 1
        if self.progress:
            self.progress(self.report, url)
        stored = bool(record.body_file) and (self.crawl_dir / record.body_file).is_file()
        try:
            response = self.fetcher.get(
                url,
                etag=record.etag if stored else None,
                last_modified=record.last_modified if stored else None,
            )
        except Disallowed:
            self.report.disallowed += 1
            return None
        except FetchError as error:
            outcome = self._failed(record, error)
        else:
            outcome = self._received(record, response)
        self.manifest.pages[url] = record
        self._save()
        if self.on_page:
            self.on_page(url, record)
        return outcome

    def _done_this_run(self, record: PageRecord) -> bool:
        return bool(
            self.resume_since
            and record.checked_at
            and record.checked_at >= self.resume_since
            and record.error is None
        )

    def _remembered_filters(self, listing: Listing) -> dict | None:
        return self.manifest.filters if listing.kind == MAIN and listing.page == 1 else None

    # results --------------------------------------------------------------------------------------

    def _failed(self, record: PageRecord, error: FetchError) -> _Outcome | None:
        listing = record.listing
        record.status = error.status
        record.attempts = error.attempts
        if error.status in (404, 410) and listing.page > 1 and not record.file:
            # Past the last page of a listing: not a failure.
            record.checked_at = now_iso()
            record.error = record.error_at = None
            record.posts = []
            record.flag, record.flag_reason = FLAG_END, f"HTTP {error.status}: the end of the listing"
            self.manifest.clear_error(record.url)
            return _Outcome([], None)
        record.error = error.reason
        record.error_at = now_iso()
        if record.file:
            record.error += f" (the copy in {record.file} is kept)"
        self.manifest.record_error(record.url, record.error, status=error.status, attempts=error.attempts)
        self.report.failed += 1
        self.report.problems.append((record.url, record.error))
        return None

    def _received(self, record: PageRecord, response: Response) -> _Outcome:
        now = now_iso()
        record.final_url = response.final_url
        record.status = response.status
        record.checked_at = now
        record.attempts = response.attempts
        record.error = record.error_at = None
        self.manifest.clear_error(record.url)
        listing = record.listing
        if response.status == 304:
            self.report.unchanged += 1
            self.seen.update(record.posts)
            if record.flag in (FLAG_LAYOUT, FLAG_LOST_POSTS):
                self.report.flagged += 1
                self.report.problems.append((record.url, record.flag_reason or record.flag))
            return _Outcome(record.posts, self._remembered_filters(listing))
        self.report.fetched += 1
        record.fetched_at = now
        record.etag = response.etag
        record.last_modified = response.last_modified
        record.sha256 = hashlib.sha256(response.body).hexdigest()
        content = read_page(response.body, response.content_type, record.url)
        name = page_file_name(listing)
        if content.posts:
            relative = f"{PAGES_DIR}/{name}"
            _store(self.crawl_dir / relative, response.body, record.sha256)
            record.file = record.body_file = relative
            record.flag = record.flag_reason = None
        else:
            relative = f"{FLAGGED_DIR}/{name}"
            _store(self.crawl_dir / relative, response.body, record.sha256)
            record.body_file = relative
            kept = f"; the copy in {record.file} is kept" if record.file else ""
            if content.problem:
                record.flag, record.flag_reason = FLAG_LAYOUT, content.problem + kept
            elif record.file:
                record.flag, record.flag_reason = FLAG_LOST_POSTS, f"the page no longer lists any post{kept}"
            else:
                record.flag, record.flag_reason = FLAG_END, "no posts: the end of the listing"
            if record.flag != FLAG_END:
                self.report.flagged += 1
                self.report.problems.append((record.url, f"{record.flag_reason} (saved as {relative})"))
        record.posts = content.posts
        self.seen.update(content.posts)
        if listing.kind == MAIN and listing.page == 1 and (content.filters[TOPIC] or content.filters[TYPE]):
            self.manifest.filters = content.filters
        return _Outcome(content.posts, content.filters if listing.kind == MAIN and listing.page == 1 else None)


def _robots_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def _store(path: Path, body: bytes, sha256: str) -> None:
    """Write a page atomically, unless the same bytes are already there (keeps the index current)."""
    try:
        if path.stat().st_size == len(body) and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return
    except OSError:
        pass
    atomic_write_bytes(path, body)
