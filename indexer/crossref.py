"""Crossref, the DOI registry's open metadata service: asked during the crawl, cached beside the pages.

:func:`ask_crossref` runs at the end of a crawl: for each post of the stored pages it asks Crossref's
REST API about the cited work, once per work: ``/works/{doi}`` for a post with a DOI, else a
bibliographic query (``/works?query.bibliographic=<the citation line>``) whose best hits are accepted
only when title, year and first author agree with the blog's line (:func:`indexer.crossref_record.agrees`).
Requests go through the crawler's :class:`~indexer.fetch.Fetcher` (its delay, retries, time limits and
Crossref's robots.txt), with the ``--mailto`` address in the User-Agent as Crossref asks of its users.

Each answer is a small JSON file in ``<corpus>/crawl/crossref/`` (a found work, trimmed to the fields
read; "not found"; "no match"), written as it arrives, so an interrupted crawl resumes where it
stopped. An answer is reused by later crawls: a work with its volume and pages for a year, one still
"online first" (no volume or pages yet), a "not found" and a "no match" for 30 days. A failure is not
cached (the next crawl asks again); after three failures in a row Crossref is left alone until the
next crawl. Nothing of the pages depends on Crossref: ``--no-crossref``, or Crossref unreachable,
leaves the blog's citations as they are.

:func:`complete_from_cache` is the index-time side: it reads only the cache (no network) and completes
each post from its work (:func:`indexer.crossref_record.complete`).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

from indexer.crawl_settings import CrawlSettings
from indexer.extract import extract_paths
from indexer.crossref_record import KEPT_FIELDS, agrees, complete, plausible, trimmed
from indexer.fetch import FetchError, Fetcher
from indexer.manifest_writer import atomic_write_bytes, now_iso
from search.post import Post

CACHE_DIR = "crossref"
FOUND, NOT_FOUND, NO_MATCH = "found", "not-found", "no-match"
QUERY_ROWS = 3
MAX_FAILURES_IN_A_ROW = 3
_KEPT_FINAL = timedelta(days=365)  # a work with its volume and pages
_KEPT_OTHER = timedelta(days=30)   # online first, not found, no match
_SELECT = ",".join(KEPT_FIELDS)  # a query's hits carry only these fields


@dataclass
class CrossrefSummary:
    """What one crawl's Crossref step did."""

    asked: int = 0
    found: int = 0
    not_found: int = 0
    no_match: int = 0
    cached: int = 0
    failed: int = 0
    stopped: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        text = (f"crossref: {self.asked} asked ({self.found} found, {self.not_found} not found, "
                f"{self.no_match} without an agreeing match, {self.failed} failed), {self.cached} answers reused")
        return text + (f"; {self.stopped}" if self.stopped else "")


def cache_key(post: Post) -> str | None:
    """What Crossref is asked about a post: its DOI, else its citation line (when the line names a title,
    a year and an author, so an answer can be checked); None when neither."""
    if post.doi:
        return f"doi:{post.doi.lower()}"
    if post.citation and post.article_title and post.year and post.authors:
        return "query:" + " ".join(post.citation.split())
    return None


def cache_path(crawl_dir: Path, key: str) -> Path:
    return crawl_dir / CACHE_DIR / f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:24]}.json"


def read_answer(crawl_dir: Path, key: str) -> dict | None:
    """The cached answer for ``key``, or None (none, or unreadable: asked again)."""
    try:
        answer = json.loads(cache_path(crawl_dir, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) and answer.get("key") == key else None


def complete_from_cache(posts: list[Post], crawl_dir: str | os.PathLike) -> list[Post]:
    """The posts, each completed from its cached Crossref work when there is one (no network)."""
    crawl_dir = Path(crawl_dir)
    if not (crawl_dir / CACHE_DIR).is_dir():
        return posts
    result = []
    for post in posts:
        key = cache_key(post)
        answer = read_answer(crawl_dir, key) if key else None
        work = answer.get("work") if answer and answer.get("status") == FOUND else None
        if isinstance(work, dict) and (agrees(post, work) if key.startswith("query:") else plausible(post, work)):
            post = complete(post, work, matched_by=key.partition(":")[0])
        result.append(post)
    return result


def crawl_step(settings: CrawlSettings, crawl_dir: str | os.PathLike) -> list[str]:
    """The crawl's Crossref step: ask about the works of the stored pages' posts. Returns the lines to
    print (the problems, then the summary): a Crossref failure is a note, never a failed crawl."""
    summary = ask_crossref(settings, crawl_dir, extract_paths([crawl_dir]).posts)
    return [f"crossref {url}: {reason}" for url, reason in summary.problems] + [summary.line()]


def ask_crossref(settings: CrawlSettings, crawl_dir: str | os.PathLike, posts: list[Post],
                 *, fetcher: Fetcher | None = None) -> CrossrefSummary:
    """Ask Crossref about each post's work that has no fresh answer in the cache; say what happened."""
    return _Asker(settings, Path(crawl_dir), fetcher or Fetcher(crossref_settings(settings))).run(posts)


def crossref_settings(settings: CrawlSettings) -> CrawlSettings:
    """The crawler's settings for Crossref: its host is the only site requested (the fetcher stays on
    its site), with the contact address in the User-Agent, as Crossref's etiquette asks."""
    agent = settings.user_agent
    if settings.mailto:
        agent = f"{agent[:-1]}; mailto:{settings.mailto})" if agent.endswith(")") else f"{agent} (mailto:{settings.mailto})"
    return replace(settings, base_url=settings.crossref_url, archive_url="", user_agent=agent)


class _Asker:
    def __init__(self, settings: CrawlSettings, crawl_dir: Path, fetcher: Fetcher) -> None:
        self.api = settings.crossref_url.rstrip("/")
        self.crawl_dir = crawl_dir
        self.fetcher = fetcher
        self.summary = CrossrefSummary()
        self.failures_in_a_row = 0

    def run(self, posts: list[Post]) -> CrossrefSummary:
        pending: dict[str, Post] = {}
        for post in posts:
            key = cache_key(post)
            if key and key not in pending:
                pending[key] = post
        now = datetime.now(timezone.utc)
        works = len(pending)
        pending = {key: post for key, post in pending.items() if not self._fresh(read_answer(self.crawl_dir, key), now)}
        self.summary.cached = works - len(pending)
        if not pending:
            return self.summary
        try:
            self.fetcher.load_robots(self.api + "/")
        except FetchError as error:
            self.summary.stopped = f"Crossref could not be reached ({error.reason}); asked again at the next crawl"
            return self.summary
        for key, post in pending.items():
            if self.failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                self.summary.stopped = (f"Crossref failed {MAX_FAILURES_IN_A_ROW} times in a row; "
                                        f"the other works are asked at the next crawl")
                break
            self._ask(key, post)
        return self.summary

    @staticmethod
    def _fresh(answer: dict | None, now: datetime) -> bool:
        if answer is None:
            return False
        try:
            checked = datetime.fromisoformat(answer["checked_at"])
        except (KeyError, TypeError, ValueError):
            return False
        work = answer.get("work") or {}
        final = answer.get("status") == FOUND and work.get("volume") and (work.get("page") or work.get("article-number"))
        return now - checked < (_KEPT_FINAL if final else _KEPT_OTHER)

    def _ask(self, key: str, post: Post) -> None:
        kind, _, subject = key.partition(":")
        if kind == "doi":
            url = f"{self.api}/works/{quote(subject, safe='/')}"
        else:
            url = f"{self.api}/works?" + urlencode({"query.bibliographic": subject, "rows": QUERY_ROWS, "select": _SELECT})
        self.summary.asked += 1
        try:
            response = self.fetcher.get(url)
            message = json.loads(response.body.decode("utf-8")).get("message")
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                self._save(key, NOT_FOUND, reason=error.reason)
                self.summary.not_found += 1
                return
            self._failed(url, error.reason)
            return
        except (ValueError, UnicodeDecodeError, AttributeError) as error:
            self._failed(url, f"not Crossref's JSON: {error}")
            return
        if not isinstance(message, dict):
            self._failed(url, "not Crossref's JSON: no message")
            return
        self.failures_in_a_row = 0
        if kind == "doi":
            self._save(key, FOUND, work=trimmed(message))
            self.summary.found += 1
            return
        items = message.get("items") if isinstance(message.get("items"), list) else []
        work = next((item for item in items if isinstance(item, dict) and agrees(post, item)), None)
        if work is None:
            self._save(key, NO_MATCH, reason="no hit agrees with the line's title, year and first author")
            self.summary.no_match += 1
        else:
            self._save(key, FOUND, work=trimmed(work))
            self.summary.found += 1

    def _failed(self, url: str, reason: str) -> None:
        self.failures_in_a_row += 1
        self.summary.failed += 1
        self.summary.problems.append((url, reason))

    def _save(self, key: str, status: str, *, work: dict | None = None, reason: str | None = None) -> None:
        answer = {"key": key, "status": status, "checked_at": now_iso(), "work": work, "reason": reason}
        data = json.dumps(answer, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write_bytes(cache_path(self.crawl_dir, key), data)
