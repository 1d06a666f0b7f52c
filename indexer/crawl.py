"""The crawler: fetch the whole blog politely into ``corpus/crawl/``, resumably.

Order of work, listings and archive first so that the page budget (``max_pages``) goes to them:
robots.txt; the main listing (``?p=1, 2, ...``) until a page yields no new posts; then, from the
filters on the main listing's first page, every Topic (``cat_2``) listing and every Type of Research
(``cat_1``) listing, each with its own pagination; then the old monthly archive: the months the pages
link (and the months those link), then, for each month from ``archive_start`` to the month before
the live listing's first that no page has given yet, the month's address in each of its known
spellings (a 404 there only means "not under this spelling"); last, each post's own page when a
listing links one, at most one page per post the listings showed; last, unless ``--no-crossref``,
the posts' citations are completed from Crossref (:mod:`indexer.crossref`). Settings (politeness,
bounds, start URLs) are a :class:`CrawlSettings`.

Only links on the site are followed (the blog's host and the archive's folder: ``Fetcher.on_site``).
A link the crawler would have followed that leads elsewhere is noted on its page's manifest record
(up to ``MAX_OFF_SITE_NOTED`` a page) for the crawl report, and never requested, nor its host's
robots.txt.

Pages are only stored, with their kind, URL and metadata in the manifest (see
:mod:`indexer.manifest_writer`); the indexer reads them later. The crawler reads a page only for
its post ids (``post_ids``, without the full extractor), its filters and its links. At the end of a
complete run each stored page's posts are digested (:mod:`indexer.post_digests`), so the crawl
report can say which posts changed since the last crawl.

A run that is interrupted (Ctrl+C, the page cap) is resumed by the next one: pages done since the
interrupted run began are not requested again. A run that finished is followed by a full re-crawl
with conditional requests, so unchanged pages cost a 304 and no download. Failures are recorded in
the manifest and retried by the next run; a stored page is never deleted or replaced by a bad copy.
"""
from __future__ import annotations

import enum
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from indexer import archive, crossref
from indexer.crawl_settings import CrawlSettings
from indexer.decode import decode_bytes
from indexer.errors import ExtractionError
from indexer.extract import post_ids
from indexer.fetch import Disallowed, FetchError, Fetcher, Response, site_of
from indexer.manifest import (
    ARCHIVE,
    ARCHIVE_INDEX,
    CRAWL_DIR,
    FLAG_END,
    FLAG_LAYOUT,
    FLAG_LOST_POSTS,
    FLAG_NO_POSTS,
    FLAG_NOT_FOUND,
    FLAGGED_DIR,
    LISTING_KINDS,
    MAIN,
    PAGES_DIR,
    POST,
    TOPIC,
    TYPE,
)
from indexer.manifest_writer import Listing, Manifest, PageRecord, atomic_write_bytes, now_iso
from indexer.page_links import FILTER_PARAMETERS, PAGE_PARAMETER, PageLinks, read_links
from indexer.post_digests import update_post_digests

_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_MONTH_OF_ID = re.compile(r"^(\d{4}-\d{2})-")
MAX_OFF_SITE_NOTED = 20


class StopReason(enum.Enum):
    """Why a run ended before the end. The value is the sentence the summary prints."""

    INTERRUPTED = "interrupted"
    PAGE_CAP = "the page cap (--max-pages) was reached"
    ROBOTS_UNREADABLE = "robots.txt could not be read, so nothing was crawled"


@dataclass
class RunSummary:
    """What one crawl run did. ``stopped`` says why it ended before the end, if it did."""

    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    flagged: int = 0
    resumed: int = 0
    disallowed: int = 0
    not_found: int = 0
    off_site: int = 0
    new_posts: int = 0
    posts_seen: int = 0
    requests: int = 0
    stopped: StopReason | None = None
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
                (self.not_found, "archive addresses not found"),
                (self.off_site, "off-site links not followed"),
            )
            if count
        ]
        if extras:
            line += f" ({', '.join(extras)})"
        line += f"; {self.new_posts} new posts ({self.posts_seen} seen)"
        if self.stopped:
            line += f"; stopped: {self.stopped.value}"
        return line


class _Stop(Exception):
    """Ends the run early."""

    def __init__(self, reason: StopReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class PageContent:
    """What the crawler reads from a page: its post ids, filters and links, and why it is unreadable."""

    posts: list[str]
    links: PageLinks
    problem: str | None = None


@dataclass(frozen=True)
class _Outcome:
    posts: list[str]
    links: PageLinks
    found: bool = True  # False: an archive address that does not exist (404), not a failure


def crawl(
    settings: CrawlSettings | None = None,
    corpus: str | os.PathLike = "corpus",
    *,
    fetcher: Fetcher | None = None,
    on_page: Callable[[str, PageRecord], None] | None = None,
    progress: Callable[[RunSummary, str], None] | None = None,
) -> RunSummary:
    """Crawl the blog into ``<corpus>/crawl/`` and say what happened.

    ``on_page(url, record)`` is called after each page is recorded (and saved); ``progress(summary,
    url)`` before each request. A KeyboardInterrupt ends the run with ``stopped ==
    StopReason.INTERRUPTED``; everything recorded so far is saved and the next run resumes.
    """
    settings = settings or CrawlSettings()
    fetcher = fetcher or Fetcher(settings)
    return _Crawler(settings, Path(corpus) / CRAWL_DIR, fetcher, on_page, progress).run()


def listing_url(base_url: str, kind: str, filter_id: str | None = None, page: int = 1) -> str:
    """The URL of page ``page`` of a listing: ``base``, ``base?p=2``, ``base?cat_2=4&p=2``."""
    parts = urlsplit(base_url)
    drop = (*FILTER_PARAMETERS.values(), PAGE_PARAMETER)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in drop]
    if kind in FILTER_PARAMETERS and filter_id is not None:
        query.append((FILTER_PARAMETERS[kind], filter_id))
    if page > 1:
        query.append((PAGE_PARAMETER, str(page)))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def page_file_name(listing: Listing, url: str) -> str:
    """``main-p0001.html``, ``topic-4-p0002.html``, ``type-25-p0001.html``, ``post-<path>.html``,
    ``archive-pprnet_blog_oct2014.html``, ``archive-index-<path>.html``."""
    if listing.kind in LISTING_KINDS:
        if listing.kind == MAIN or listing.filter_id is None:
            return f"{listing.kind}-p{listing.page:04d}.html"
        return f"{listing.kind}-{_safe(listing.filter_id)}-p{listing.page:04d}.html"
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1] if listing.kind == ARCHIVE else path.strip("/").replace("/", "_")
    name = re.sub(r"\.html?$", "", name, flags=re.I)
    return f"{listing.kind}-{_safe(name) or 'index'}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.html"


def read_page(body: bytes, content_type: str | None, url: str, listing_url: str) -> PageContent:
    """The post ids, filters and links of a fetched page (never raises on bad input)."""
    media_type = (content_type or "text/html").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        return PageContent([], PageLinks(), f"unexpected layout: the page is {media_type}, not HTML")
    try:
        text = decode_bytes(body, is_html=True)
        posts = list(dict.fromkeys(post_ids(text, is_html=True, url=url)))  # refuses a page over the element limit
    except ExtractionError as error:
        return PageContent([], PageLinks(), f"unexpected layout: {error}")
    return PageContent(posts, read_links(text, url, listing_url))


class _Crawler:
    def __init__(self, settings: CrawlSettings, crawl_dir: Path, fetcher: Fetcher, on_page, progress) -> None:
        self.settings = settings
        self.base_url = settings.base_url
        self.crawl_dir = crawl_dir
        self.fetcher = fetcher
        self.on_page = on_page
        self.progress = progress
        self.summary = RunSummary()
        self.pages_requested = 0
        self.seen: set[str] = set()
        self.live_posts: set[str] = set()  # posts of the live blog's pages (not the archive)
        self.visited: set[str] = set()
        self.post_pages: dict[str, None] = {}
        self.archive_links: dict[str, str] = {}  # url -> ARCHIVE or ARCHIVE_INDEX
        self.unreachable_sites: set[str] = set()
        self.off_site: set[str] = set()

    def run(self) -> RunSummary:
        self.crawl_dir.mkdir(parents=True, exist_ok=True)
        self.manifest = Manifest.load(self.crawl_dir)
        if self.manifest.set_aside:
            self.summary.notes.append(self.manifest.set_aside)
        self.known_before = set(self.manifest.known_posts)
        self.resume_since = self._begin_run()
        try:
            self._read_site_robots()
            filters = self._crawl_listing(Listing(MAIN))
            if not (filters[TOPIC] or filters[TYPE]):
                filters = self.manifest.filters
                if filters[TOPIC] or filters[TYPE]:
                    self.summary.notes.append("the first listing page had no filters; used the ones from the last crawl")
            for kind in (TOPIC, TYPE):
                for option in filters[kind]:
                    self._crawl_listing(Listing(kind, option["id"], option["label"]))
            if self.settings.archive_url:
                self._crawl_archive()
            self._crawl_post_pages()
            if self.settings.crossref:
                self.summary.notes += crossref.crawl_step(self.settings, self.crawl_dir)
            update_post_digests(self.manifest, self.crawl_dir)
            self.manifest.run.update(complete=True, finished_at=now_iso())
        except _Stop as stop:
            self.summary.stopped = stop.reason
        except KeyboardInterrupt:
            self.summary.stopped = StopReason.INTERRUPTED
        finally:
            self.summary.new_posts = len(self.seen - self.known_before)
            self.summary.posts_seen = len(self.seen)
            self.summary.off_site = len(self.off_site)
            self.summary.requests = self.fetcher.requests_made
            self._save()
        if self.summary.stopped:
            self.summary.notes.append("run the crawl again to continue where it stopped")
        return self.summary

    # run state ------------------------------------------------------------------------------------

    def _begin_run(self) -> str | None:
        """Start a run, or resume the unfinished one; returns when the resumed run began."""
        run = self.manifest.run
        if run.get("started_at") and not run.get("complete") and self.manifest.base_url == self.base_url:
            self.summary.notes.append(f"resuming the crawl begun {run['started_at']}")
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

    def _read_site_robots(self) -> None:
        try:
            found = self.fetcher.load_robots(self.base_url)
        except FetchError as error:
            self.manifest.robots = {"url": error.url, "checked_at": now_iso(), "error": error.reason}
            self._record_failure(error.url, error.reason, error)
            raise _Stop(StopReason.ROBOTS_UNREADABLE) from None
        self.manifest.robots = {"url": _robots_url(self.base_url), "checked_at": now_iso(), "found": found, "disallowed": []}
        self.manifest.clear_error(_robots_url(self.base_url))

    def _reachable(self, url: str) -> bool:
        """Is ``url``'s site one whose robots.txt was read (reading it now if it was not)?"""
        site = site_of(url)
        if self.fetcher.knows_site(url):
            return True
        if site in self.unreachable_sites:
            return False
        try:
            self.fetcher.load_robots(url)
        except FetchError as error:
            self.unreachable_sites.add(site)
            self._record_failure(error.url, error.reason, error)
            return False
        self.manifest.clear_error(_robots_url(url))
        return True

    def _record_failure(self, url: str, reason: str, error: FetchError) -> None:
        self.manifest.record_error(url, reason, status=error.status, attempts=error.attempts)
        self.summary.failed += 1
        self.summary.problems.append((url, reason))

    # the live blog --------------------------------------------------------------------------------

    def _crawl_listing(self, listing: Listing) -> dict:
        """Every page of one listing, until a page yields no new posts. Returns the first page's filters."""
        seen_here: set[str] = set()
        first_filters = {TOPIC: [], TYPE: []}
        for number in range(1, self.settings.max_listing_pages + 1):
            page_listing = replace(listing, page=number)
            outcome = self._visit(listing_url(self.base_url, listing.kind, listing.filter_id, number), page_listing)
            if outcome is None:
                break
            if number == 1:
                first_filters = outcome.links.filters
            new = [post for post in outcome.posts if post not in seen_here]
            if not new:
                break
            seen_here.update(new)
        return first_filters

    def _crawl_post_pages(self) -> None:
        """The posts' own pages the listings link, at most one per post they showed (a page of
        thousands of links cannot spend the crawl on them)."""
        pages = list(self.post_pages)
        if len(pages) > len(self.live_posts):
            self.summary.notes.append(f"{len(pages) - len(self.live_posts)} links to post pages not followed: "
                                      f"more than the {len(self.live_posts)} posts the listings showed")
        for url in pages[:len(self.live_posts)]:
            if self._reachable(url):
                self._visit(url, Listing(POST))

    # the old archive ------------------------------------------------------------------------------

    def _crawl_archive(self) -> None:
        """The archive months the pages link, then the months none gave, by their address pattern."""
        self._follow_archive_links()
        last = self._last_archive_month()
        if last is None:
            return
        for month in archive.months_between(self.settings.archive_start, last):
            if month in self._months_found():
                continue
            for url in archive.month_urls(self.settings.archive_url, month):
                if url in self.visited or not self._reachable(url):
                    continue
                outcome = self._visit(url, Listing(ARCHIVE), probe=True)
                if outcome is not None and outcome.found:
                    self._follow_archive_links()
                    break

    def _follow_archive_links(self) -> None:
        while pending := [url for url in self.archive_links if url not in self.visited]:
            for url in pending:
                if self._reachable(url):
                    self._visit(url, Listing(self.archive_links[url]))
                else:
                    self.visited.add(url)

    def _months_found(self) -> set[str]:
        months = set()
        for url in self.visited:
            record = self.manifest.pages.get(url)
            if record is not None and record.listing.kind == ARCHIVE and record.posts:
                months.add(archive.month_of(url))
                months.update(_month_of_post(post) for post in record.posts)
        return months - {None}

    def _last_archive_month(self) -> str | None:
        """The month before the live listing's first; without live posts, the archive's last month seen."""
        live = sorted(filter(None, map(_month_of_post, self.live_posts)))
        if live:
            year, month = map(int, live[0].split("-"))
            return f"{year - 1}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"
        found = sorted(self._months_found())
        return found[-1] if found else None

    # one page -------------------------------------------------------------------------------------

    def _visit(self, url: str, listing: Listing, *, probe: bool = False) -> _Outcome | None:
        """Fetch (or, when resuming, reuse) one page and record it. None when it failed."""
        self.visited.add(url)
        record = self.manifest.pages.get(url)
        if record is None:
            record = PageRecord(url=url, listing=listing)
        else:
            record.listing = listing
        if not self.fetcher.allowed(url):
            self.summary.disallowed += 1
            self.manifest.robots.setdefault("disallowed", []).append(url)
            return None
        if self._done_this_run(record):
            self.summary.resumed += 1
            return self._known(record)
        if self.pages_requested >= self.settings.max_pages:
            raise _Stop(StopReason.PAGE_CAP)
        self.pages_requested += 1
        if self.progress:
            self.progress(self.summary, url)
        stored = bool(record.body_file) and (self.crawl_dir / record.body_file).is_file()
        try:
            response = self.fetcher.get(
                url,
                etag=record.etag if stored else None,
                last_modified=record.last_modified if stored else None,
            )
        except Disallowed:
            self.summary.disallowed += 1
            return None
        except FetchError as error:
            outcome = self._failed(record, error, probe)
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

    def _known(self, record: PageRecord) -> _Outcome:
        """A page not downloaded again (unchanged, or done before an interruption): what it held."""
        links = PageLinks()
        if record.body_file and record.flag != FLAG_NOT_FOUND:
            try:
                text = decode_bytes((self.crawl_dir / record.body_file).read_bytes(), is_html=True)
                links = read_links(text, record.url, self.base_url)
            except (OSError, ExtractionError):
                pass
        return self._note(record, PageContent(list(record.posts), links), found=record.flag != FLAG_NOT_FOUND)

    def _note(self, record: PageRecord, content: PageContent, *, found: bool = True) -> _Outcome:
        """Remember what a page gave: its posts, and the post pages and archive months it links."""
        kind = record.listing.kind
        self.seen.update(content.posts)
        if kind in (*LISTING_KINDS, POST):
            self.live_posts.update(content.posts)
        links = content.links
        post_pages = links.post_pages if kind in LISTING_KINDS else ()
        off_site = list(dict.fromkeys(url for url in (*post_pages, *links.archive_months, *links.archive_indexes)
                                      if not self.fetcher.on_site(url)))
        record.off_site_links, record.off_site_count = off_site[:MAX_OFF_SITE_NOTED], len(off_site)
        self.off_site.update(off_site)
        self.post_pages.update(dict.fromkeys(url for url in post_pages if url not in self.off_site))
        for kind_of_link, urls in ((ARCHIVE, links.archive_months), (ARCHIVE_INDEX, links.archive_indexes)):
            for url in urls:
                if url not in self.off_site:
                    self.archive_links.setdefault(url, kind_of_link)
        return _Outcome(content.posts, content.links, found)

    # results --------------------------------------------------------------------------------------

    def _failed(self, record: PageRecord, error: FetchError, probe: bool) -> _Outcome | None:
        listing = record.listing
        record.status = error.status
        record.attempts = error.attempts
        gone = error.status in (404, 410) and not record.file
        if gone and (probe or (listing.kind in LISTING_KINDS and listing.page > 1)):
            # Past the last page of a listing, or a month not under this spelling: not a failure.
            record.checked_at = now_iso()
            record.error = record.error_at = None
            record.posts = []
            if probe:
                record.flag, record.flag_reason = FLAG_NOT_FOUND, f"HTTP {error.status}: no archive month at this address"
                self.summary.not_found += 1
            else:
                record.flag, record.flag_reason = FLAG_END, f"HTTP {error.status}: the end of the listing"
            self.manifest.clear_error(record.url)
            return _Outcome([], PageLinks(), found=False)
        record.error = error.reason
        record.error_at = now_iso()
        if record.file:
            record.error += f" (the copy in {record.file} is kept)"
        self._record_failure(record.url, record.error, error)
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
            self.summary.unchanged += 1
            if record.flag in (FLAG_LAYOUT, FLAG_LOST_POSTS, FLAG_NO_POSTS):
                self.summary.flagged += 1
                self.summary.problems.append((record.url, record.flag_reason or record.flag))
            return self._known(record)
        self.summary.fetched += 1
        record.fetched_at = now
        record.etag = response.etag
        record.last_modified = response.last_modified
        record.sha256 = hashlib.sha256(response.body).hexdigest()
        content = read_page(response.body, response.content_type, record.url, self.base_url)
        name = page_file_name(listing, record.url)
        if content.posts:
            relative = f"{PAGES_DIR}/{name}"
            _store(self.crawl_dir / relative, response.body, record.sha256)
            record.file = record.body_file = relative
            record.flag = record.flag_reason = None
        else:
            relative = f"{FLAGGED_DIR}/{name}"
            _store(self.crawl_dir / relative, response.body, record.sha256)
            record.body_file = relative
            record.flag, record.flag_reason = self._why_empty(record, content)
            if record.flag not in (None, FLAG_END):
                self.summary.flagged += 1
                self.summary.problems.append((record.url, f"{record.flag_reason} (saved as {relative})"))
        record.posts = content.posts
        if listing.kind == MAIN and listing.page == 1 and (content.links.filters[TOPIC] or content.links.filters[TYPE]):
            self.manifest.filters = content.links.filters
        return self._note(record, content)

    @staticmethod
    def _why_empty(record: PageRecord, content: PageContent) -> tuple[str | None, str | None]:
        """The flag of a page that came back without posts, and why."""
        kept = f"; the copy in {record.file} is kept" if record.file else ""
        kind = record.listing.kind
        no_filters = not (content.links.filters[TOPIC] or content.links.filters[TYPE])
        if content.problem or (kind in LISTING_KINDS and no_filters):
            problem = content.problem or "unexpected layout: no posts and no Topic or Type of Research filters on the page"
            return FLAG_LAYOUT, problem + kept
        if record.file:
            return FLAG_LOST_POSTS, f"the page no longer lists any post{kept}"
        if kind in LISTING_KINDS:
            return FLAG_END, "no posts: the end of the listing"
        if kind == ARCHIVE_INDEX:
            return None, None  # read for its links only
        return FLAG_NO_POSTS, "no post was found on the page"


def _month_of_post(post_id: str) -> str | None:
    match = _MONTH_OF_ID.match(post_id)
    return match.group(1) if match else None


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:60]


def _store(path: Path, body: bytes, sha256: str) -> None:
    """Write a page atomically, unless the same bytes are already there (keeps the index current)."""
    try:
        if path.stat().st_size == len(body) and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            return
    except OSError:
        pass
    atomic_write_bytes(path, body)
